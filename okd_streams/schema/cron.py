"""Kubernetes CronJob schedules and time zones, validated as the API server does.

Kubernetes (pkg/apis/batch/validation) accepts `spec.schedule` when
`cron.ParseStandard` of github.com/robfig/cron/v3 parses it, and refuses any schedule
containing "TZ" (since 1.27 a time zone goes in `spec.timeZone`). ParseStandard takes:

- exactly 5 whitespace-separated fields: minute (0-59), hour (0-23), day of month
  (1-31), month (1-12 or jan-dec), day of week (0-6 or sun-sat; names in any case);
- in each field a comma-separated list of ranges: `*` or `?`, `N`, `N-M`, each with an
  optional `/STEP` (`N/STEP` means N to the field's maximum);
- the descriptors @yearly, @annually, @monthly, @weekly, @daily, @midnight, @hourly and
  `@every DURATION` (a Go duration such as 1h30m).

`validate(expr)` mirrors that parser, so it refuses exactly what the API server would;
`time_zone_problem(name)` says why a `spec.timeZone` is refused (the API server loads it with
Go's time.LoadLocation from the IANA database it embeds).
"""

from __future__ import annotations

import difflib
import functools
import re
import zoneinfo
from typing import Any

DESCRIPTORS = ("@yearly", "@annually", "@monthly", "@weekly", "@daily", "@midnight", "@hourly")

MONTHS = {
    name: number
    for number, name in enumerate(
        ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"), start=1
    )
}
DAYS = {name: number for number, name in enumerate(("sun", "mon", "tue", "wed", "thu", "fri", "sat"))}

# (field name, minimum, maximum, names)
FIELDS = (
    ("minute", 0, 59, None),
    ("hour", 0, 23, None),
    ("day of month", 1, 31, None),
    ("month", 1, 12, MONTHS),
    ("day of week", 0, 6, DAYS),
)

_INT64_MAX = 2**63 - 1
_GO_INT = re.compile(r"^[+-]?[0-9]+$")  # strconv.Atoi: optional sign, ASCII digits, nothing else
_DURATION_UNITS = ("ns", "us", "\u00b5s", "\u03bcs", "ms", "s", "m", "h")
_DURATION_PART = re.compile(r"([0-9]*(?:\.[0-9]*)?)(ns|us|\u00b5s|\u03bcs|ms|s|m|h)")

HELP = (
    'a schedule is 5 fields "MINUTE HOUR DAY-OF-MONTH MONTH DAY-OF-WEEK" (for example "30 6 * * *" '
    'or "0 5 * * mon") or one of ' + ", ".join(DESCRIPTORS) + ", @every DURATION"
)


class _Invalid(Exception):
    pass


def validate(expr: Any) -> str | None:
    """None when Kubernetes accepts `expr` as a CronJob schedule, else why not."""
    if not isinstance(expr, str):
        return f"a schedule must be a string, not {type(expr).__name__}"
    if expr == "":
        return "empty schedule"
    if "TZ" in expr:
        return (
            "a schedule cannot use TZ or CRON_TZ (Kubernetes refuses it since 1.27): "
            "set the CronJob's spec.timeZone instead"
        )
    try:
        if expr.startswith("@"):
            _descriptor(expr)
        else:
            fields = expr.split()
            if len(fields) != 5:
                raise _Invalid(f"expected exactly 5 fields, found {len(fields)}")
            for text, (name, low, high, names) in zip(fields, FIELDS, strict=True):
                _field(text, name, low, high, names)
    except _Invalid as exc:
        return f"invalid schedule {expr!r}: {exc}"
    return None


def _descriptor(expr: str) -> None:
    if expr in DESCRIPTORS:
        return
    if expr.startswith("@every "):
        error = go_duration_error(expr[len("@every ") :])
        if error:
            raise _Invalid(f"@every needs a duration such as 1h30m: {error}")
        return
    raise _Invalid(f"unrecognized descriptor; known: {', '.join(DESCRIPTORS)}, @every DURATION")


def _field(text: str, name: str, low: int, high: int, names: dict[str, int] | None) -> None:
    # strings.FieldsFunc: empty list entries ("1,,2") are dropped, as robfig/cron does.
    for expr in filter(None, text.split(",")):
        _range(expr, name, low, high, names)


def _range(expr: str, name: str, low: int, high: int, names: dict[str, int] | None) -> None:
    range_and_step = expr.split("/")
    low_and_high = range_and_step[0].split("-")
    single = len(low_and_high) == 1
    if low_and_high[0] in ("*", "?"):
        start, end = low, high
    else:
        start = _int_or_name(low_and_high[0], name, names)
        if len(low_and_high) == 1:
            end = start
        elif len(low_and_high) == 2:
            end = _int_or_name(low_and_high[1], name, names)
        else:
            raise _Invalid(f"too many hyphens in {name} {expr!r}")
    step = 1
    if len(range_and_step) == 2:
        step = _int(range_and_step[1], name)
        if single:
            end = high
    elif len(range_and_step) > 2:
        raise _Invalid(f"too many slashes in {name} {expr!r}")
    if start < low:
        raise _Invalid(f"{name} {expr!r} starts below the minimum {low}")
    if end > high:
        raise _Invalid(f"{name} {expr!r} ends above the maximum {high}" + _range_hint(name, names))
    if start > end:
        raise _Invalid(f"{name} range {expr!r} starts after it ends")
    if step == 0:
        raise _Invalid(f"the step of {name} {expr!r} must be a positive number")


def _range_hint(name: str, names: dict[str, int] | None) -> str:
    if name == "day of week":
        return " (0-6 or sun-sat; Sunday is 0, 7 is not allowed)"
    if names:
        return f" ({min(names.values())}-{max(names.values())} or {', '.join(names)})"
    return ""


def _int_or_name(text: str, name: str, names: dict[str, int] | None) -> int:
    if names is not None and text.lower() in names:
        return names[text.lower()]
    return _int(text, name)


def _int(text: str, name: str) -> int:
    if not _GO_INT.match(text):
        raise _Invalid(f"{name} {text!r} is not a number" if text else f"a number is missing in the {name} field")
    number = int(text)
    if number > _INT64_MAX or number < -_INT64_MAX - 1:
        raise _Invalid(f"{name} {text!r} is out of range")
    if number < 0:
        raise _Invalid(f"negative number {number} not allowed in {name}")
    return number


def go_duration_error(text: str) -> str | None:
    """None when Go's time.ParseDuration accepts `text`."""
    rest = text
    if rest[:1] in ("+", "-"):
        rest = rest[1:]
    if rest == "0":
        return None
    if rest == "":
        return f"invalid duration {text!r}"
    position = 0
    while position < len(rest):
        match = _DURATION_PART.match(rest, position)
        if not match or match.group(1) in ("", "."):
            if match is None and re.match(r"[0-9.]+$", rest[position:]):
                return f"missing unit in duration {text!r} (one of {', '.join(_DURATION_UNITS)})"
            return f"invalid duration {text!r}"
        position = match.end()
    return None


def time_zone_problem(name: str) -> str | None:
    """Why the API server would refuse `name` as a CronJob `timeZone`, or None.

    The same IANA database is read here (the system's zoneinfo, as Python ships no copy). Where
    the system has none, only the shape is checked. "Local" is refused by Kubernetes: it would
    be the controller's zone.
    """
    if name in ("", "Local") or name != name.strip():
        return "Kubernetes needs an IANA time zone name, such as Etc/UTC or Europe/Berlin"
    zones = _zones()
    if zones:
        if name in zones:
            return None
        near = difflib.get_close_matches(name, zones, n=1, cutoff=0.8)
        hint = f' (did you mean "{near[0]}"?)' if near else ""
        return f"not in the IANA time zone database{hint}"
    return None if _ZONE_SHAPE.match(name) else "not an IANA time zone name, such as Etc/UTC"


_ZONE_SHAPE = re.compile(r"^[A-Za-z][A-Za-z0-9_+-]*(/[A-Za-z0-9_+-]+)*$")


@functools.cache
def _zones() -> frozenset[str]:
    return frozenset(zoneinfo.available_timezones())
