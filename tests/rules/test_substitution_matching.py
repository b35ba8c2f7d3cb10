"""okd_streams.tekton.substitution finds plain prefixes as text (no pattern compiled per name)
and caches extractions: it must answer exactly as Tekton's regex, applied directly, does."""

from __future__ import annotations

import os
import re

from hypothesis import given, settings
from hypothesis import strategies as st

from okd_streams.tekton import substitution as sub

_SUBSTITUTION = r".*?(?:\[\*\])?"
_BRACE = r"\$\({prefix}(?:\.(?P<var1>{sub})|\[\"(?P<var2>{sub})\"\]|\['(?P<var3>{sub})'\])\)"


def _pattern(prefix: str) -> re.Pattern:
    return re.compile(_BRACE.format(prefix=prefix, sub=_SUBSTITUTION))


# --- the reference: substitution.py's functions as Tekton's regexes read them, uncached -----


def ref_extract(text, prefix):
    if not isinstance(text, str) or "$(" not in text:
        return [], None
    found = []
    for match in _pattern(prefix).finditer(text):
        groups = [match.group("var1") or "", match.group("var2") or "", match.group("var3") or ""]
        name = ""
        for index, value in enumerate(groups):
            if index == 0 and "." in value:
                if len(value.split(".")) > 2:
                    return found, (
                        f'invalid reference "{match.group(0)}": only two dot-separated parts are '
                        f"allowed after the prefix; use the bracket form for names with dots"
                    )
                name = value.split(".", 1)[0]
                break
            if value:
                name = value
                break
        entire = next((value for value in groups if value), "")
        found.append(sub.Variable(name, entire, match.group(0)))
    return found, None


def ref_entire_prohibited(text, prefix, names):
    if not isinstance(text, str) or "$(" not in text:
        return []
    found = []
    for match in _pattern(prefix).finditer(text):
        entire = next((g for g in (match.group("var1"), match.group("var2"), match.group("var3")) if g), "")
        if sub._strip_star(entire) in names:
            found.append(sub.Variable(sub._strip_star(entire), entire, match.group(0)))
    return found


def ref_not_isolated(text, prefix, names):
    variables, error = ref_extract(text, prefix)
    if error:
        return [error]
    if not variables:
        return []
    first = _pattern(prefix).search(text)
    if any(sub._strip_star(v.name) in names for v in variables) and first and len(first.group(0)) != len(text):
        return [v for v in variables if sub._strip_star(v.name) in names]
    return []


PREFIXES = [
    "params",
    "workspaces",
    "results",
    r"context\.taskRun",
    r"context\.task",
    r"params\." + re.escape("obj"),
    r"params\." + re.escape("a.b-c d"),
    r"workspaces\." + re.escape("src"),
    r"(?:params|workspaces)",
    r"params\.o?bj",
]  # the last two are not plain: the regex path
NAMES = [set(), {"obj"}, {"a", "obj", "arr"}, {"arr[*]", "x"}]

# Texts made of the pieces references are made of, so matches, near misses and errors are common.
PIECES = [
    "$(",
    "params",
    "workspaces",
    "results",
    "context",
    ".task",
    ".taskRun",
    ".",
    "[",
    "]",
    "[*]",
    "'",
    '"',
    ")",
    "obj",
    "a",
    "b",
    "arr",
    "src",
    "a.b-c d",
    "path",
    " ",
    "\n",
    "x.y.z",
    "$",
    "(",
    "[0]",
]
texts = st.lists(st.sampled_from(PIECES), max_size=14).map("".join)


@settings(
    max_examples=int(os.environ.get("OKD_STREAMS_FUZZ_EXAMPLES", "300")),
    deadline=None,
    derandomize=bool(os.environ.get("CI")),
    database=None,
)
@given(texts, st.sampled_from(PREFIXES), st.sampled_from(NAMES))
def test_matching_equals_tekton_regex(text, prefix, names):
    variables, error = sub.extract(text, prefix)
    expected_variables, expected_error = ref_extract(text, prefix)
    assert (list(variables), error) == (expected_variables, expected_error)
    assert sub.entire_prohibited(text, prefix, names) == ref_entire_prohibited(text, prefix, names)
    assert sub.not_isolated(text, prefix, names) == ref_not_isolated(text, prefix, names)


def test_cases_that_matter():
    cases = [
        ("$(params.a.b.c) $(params.obj[*])", "params"),  # an error, then a match extract never reaches
        ("$(params$(params.x)", "params"),  # a near miss right before a match
        ("$(params.a $(params.b)", "params"),  # the lazy part runs over the next reference
        ("$(params['a.b']) $(params[\"c\"])", "params"),
        ("echo $(params.obj.key) $(params.obj)", r"params\.obj"),
        ("$(workspaces.src.path)/x", r"workspaces\.src"),
    ]
    for text, prefix in cases:
        assert tuple(map(list, [sub.extract(text, prefix)[0]])) == (ref_extract(text, prefix)[0],)
        assert sub.extract(text, prefix)[1] == ref_extract(text, prefix)[1]
        assert sub.entire_prohibited(text, prefix, {"obj", "a", "b"}) == ref_entire_prohibited(
            text, prefix, {"obj", "a", "b"}
        )
        assert sub.not_isolated(text, prefix, {"a", "x"}) == ref_not_isolated(text, prefix, {"a", "x"})


def test_only_plain_prefixes_skip_the_regex():
    assert sub._plain("params") == "params"
    assert sub._plain(r"params\." + re.escape("a.b-c d")) == "params.a.b-c d"
    assert sub._plain(r"(?:params|workspaces)") is None
    assert sub._plain(r"\d") is None
