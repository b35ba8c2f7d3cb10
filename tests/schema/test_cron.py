"""okd_streams.schema.cron mirrors Kubernetes' CronJob schedule validation (robfig/cron ParseStandard)."""

from __future__ import annotations

import pytest

from okd_streams.schema.cron import go_duration_error, validate

VALID = [
    "30 6 * * *",
    "0 5 * * 1",
    "*/15 * * * *",
    "0 0 1 1 *",
    "0 0 1,15 * *",
    "0-59/10 0-23 1-31 1-12 0-6",
    "0 5 * * mon",
    "0 5 * * MON-FRI",
    "0 5 * jan,jul *",
    "0 5 * Dec sun",
    "? ? ? ? ?",
    "5/10 * * * *",
    "0 5 1,,2 * *",
    "+5 * * * *",
    "59 23 31 12 6",
    "0   5  *  *  *",
    "0\t5 * * *",
    "@yearly",
    "@annually",
    "@monthly",
    "@weekly",
    "@daily",
    "@midnight",
    "@hourly",
    "@every 1h30m",
    "@every 5m",
    "@every 0",
    "@every 1.5h",
    "@every 300ms",
]

INVALID = [
    ("", "empty"),
    ("* * * *", "exactly 5 fields"),
    ("* * * * * *", "exactly 5 fields"),
    ("60 * * * *", "above the maximum 59"),
    ("* 24 * * *", "above the maximum 23"),
    ("* * 0 * *", "below the minimum 1"),
    ("* * 32 * *", "above the maximum 31"),
    ("* * * 13 *", "above the maximum 12"),
    ("* * * * 7", "7 is not allowed"),
    ("5-1 * * * *", "starts after it ends"),
    ("*/0 * * * *", "positive"),
    ("1-2-3 * * * *", "too many hyphens"),
    ("*/5/2 * * * *", "too many slashes"),
    ("x * * * *", "not a number"),
    ("1- * * * *", "missing"),
    ("* * * * funday", "not a number"),
    ("* * * jan-foo *", "not a number"),
    ("@reboot", "unrecognized descriptor"),
    ("@daily ", "unrecognized descriptor"),
    (" @daily", "exactly 5 fields"),
    ("@every", "unrecognized descriptor"),
    ("@every 5", "missing unit"),
    ("@every five", "invalid duration"),
    ("TZ=UTC 0 5 * * *", "spec.timeZone"),
    ("CRON_TZ=Europe/Paris 0 5 * * *", "spec.timeZone"),
    ("0 5 * * * # TZ", "spec.timeZone"),
    ("99999999999999999999 * * * *", "out of range"),
]


@pytest.mark.parametrize("expr", VALID)
def test_valid(expr):
    assert validate(expr) is None


@pytest.mark.parametrize("expr,message", INVALID)
def test_invalid(expr, message):
    error = validate(expr)
    assert error is not None and message in error


@pytest.mark.parametrize("value", [None, 5, ["* * * * *"], {"a": 1}, True])
def test_not_a_string(value):
    assert "must be a string" in validate(value)


@pytest.mark.parametrize(
    "text,ok",
    [
        ("1h", True),
        ("-1.5h", True),
        ("1h2m3s4ms5us6ns", True),
        ("0", True),
        ("", False),
        (".h", False),
        ("1x", False),
        ("h", False),
        ("1", False),
    ],
)
def test_go_durations(text, ok):
    assert (go_duration_error(text) is None) is ok
