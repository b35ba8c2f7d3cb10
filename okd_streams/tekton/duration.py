"""Go's `time.ParseDuration`, which Kubernetes `metav1.Duration` (Tekton timeouts) uses.

`parse_duration("1h30m") == 5400.0`; None when Go would reject the text. Units: ns, us
(also µs, μs), ms, s, m, h; an optional sign; decimals per unit (`1.5h`); "0" alone is
valid without a unit. Days ("1d") are not a Go unit.
"""

from __future__ import annotations

import re
from typing import Any

_UNITS = {"ns": 1e-9, "us": 1e-6, "µs": 1e-6, "μs": 1e-6, "ms": 1e-3, "s": 1.0, "m": 60.0, "h": 3600.0}
_PART = re.compile(r"(\d+\.?\d*|\.\d+)(ns|us|µs|μs|ms|s|m|h)")
_MAX_SECONDS = (2**63 - 1) / 1e9


def parse_duration(text: Any) -> float | None:
    """Seconds (may be negative), or None for text Go's time.ParseDuration rejects."""
    if not isinstance(text, str) or not text:
        return None
    sign = 1.0
    rest = text
    if rest[0] in "+-":
        sign = -1.0 if rest[0] == "-" else 1.0
        rest = rest[1:]
    if rest == "0":
        return 0.0
    if not rest:
        return None
    total = 0.0
    position = 0
    while position < len(rest):
        match = _PART.match(rest, position)
        if not match:
            return None
        number, unit = match.groups()
        if number == ".":
            return None
        total += float(number) * _UNITS[unit]
        position = match.end()
    if total > _MAX_SECONDS:
        return None
    return sign * total


def format_duration(seconds: float) -> str:
    """Go-like rendering for messages: 1h30m0s, 45s, 0s."""
    negative = seconds < 0
    seconds = abs(seconds)
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    text = ""
    if hours:
        text += f"{int(hours)}h"
    if hours or minutes:
        text += f"{int(minutes)}m"
    text += f"{secs:g}s"
    return ("-" if negative else "") + text
