"""The Go text/template subset Argo CD's ApplicationSet templates are rendered with offline.

Expected outputs are Go's own (text/template and fmt semantics): trim markers, missingkey
options, `if` truth, eq's type rules, float printing. Anything outside the subset must
raise UnsupportedTemplate, never render something else.
"""

from __future__ import annotations

import pytest

from okd_streams.argocd.gotemplate import TemplateError, UnsupportedTemplate, go_float, render, sanitize_name

DATA = {
    "spec": {
        "sync": "automatic",
        "namespace": "okd-scos",
        "n": 5.0,
        "flag": True,
        "empty": "",
        "null": None,
        "list": ["a"],
        "map": {"k": "v"},
    },
    "path": {"path": "streams/okd-scos", "basename": "okd-scos", "segments": ["streams", "okd-scos"]},
}


@pytest.mark.parametrize(
    "template, expected",
    [
        ("plain", "plain"),
        ("{{ .spec.namespace }}", "okd-scos"),
        ("{{.path.path}}/x", "streams/okd-scos/x"),
        ("{{ . | not }}", "false"),
        ("a  {{- .spec.sync -}}  b", "aautomaticb"),
        ("a \n {{- /* comment */ -}} \n b", "ab"),
        ("{{/* only a comment */}}x", "x"),
        ('{{ if eq .spec.sync "automatic" }}yes{{ else }}no{{ end }}', "yes"),
        ('{{ if eq .spec.sync "manual" }}m{{ else if eq .spec.sync "automatic" }}a{{ else }}o{{ end }}', "a"),
        ('{{ if ne .spec.sync "manual" }}y{{ end }}', "y"),
        ('{{ if eq .spec.sync "manual" "automatic" }}any{{ end }}', "any"),
        ("{{ if .spec.empty }}x{{ else }}empty is false{{ end }}", "empty is false"),
        ("{{ if .spec.list }}non-empty list is true{{ end }}", "non-empty list is true"),
        ("{{ if not .spec.flag }}x{{ else }}y{{ end }}", "y"),
        ('{{ if and .spec.flag (eq .spec.sync "automatic") }}both{{ end }}', "both"),
        ("{{ or .spec.empty .spec.sync }}", "automatic"),
        ("{{ .spec.n }}", "5"),
        ("{{ .spec.flag }}", "true"),
        ("{{ .spec.null }}", "<no value>"),  # Go unwraps the nil interface{}: no "<nil>"
        ("{{ .spec.missing }}", "<no value>"),
        ("{{ .spec.missing.deeper }}", "<no value>"),
        ('{{ "Hello_World" | normalize }}', "hello-world"),
        ("{{ normalize .path.basename }}", "okd-scos"),
        ("{{ `raw {{ x }}` }}", "raw {{ x }}"),
        ('{{ "quote\\"d" }}', 'quote"d'),
        ("{{ eq .spec.missing .spec.null }}", "true"),
    ],
)
def test_renders_like_go(template, expected):
    assert render(template, DATA) == expected


@pytest.mark.parametrize(
    "template, message",
    [
        ("{{ .spec.missing }}", 'map has no entry for key "missing"'),
        ("{{ .nothing.at.all }}", 'map has no entry for key "nothing"'),
        ('{{ eq .spec.n "5" }}', "incompatible types for comparison"),
        ('{{ eq .spec.flag "true" }}', "incompatible types for comparison"),
        ("{{ eq .spec.n 5 }}", "incompatible types for comparison"),  # a JSON number is float64, 5 is an int
        ("{{ eq .spec.list .spec.list }}", "non-comparable"),
        ("{{ .spec.sync.x }}", "can't evaluate field x in type string"),
        ("{{ .spec.null.x }}", "nil pointer evaluating"),
        ("{{ if .spec.flag }}unclosed", "no {{end}}"),
        ("{{ end }}", "unexpected {{end}}"),
        ("{{ }}", "missing value"),
        ("{{ .spec.sync", "unclosed action"),
        ("{{ normalize .spec.n }}", "wrong type"),
        ("{{ ne .spec.sync }}", "wrong number of args"),
    ],
)
def test_fails_like_go(template, message):
    with pytest.raises(TemplateError, match=message.replace("(", r"\(").replace("{", r"\{").replace("}", r"\}")):
        render(template, DATA, ["missingkey=error"])


@pytest.mark.parametrize(
    "template",
    [
        "{{ range .spec.list }}x{{ end }}",
        "{{ with .spec }}x{{ end }}",
        "{{ $x := .spec }}",
        "{{ .spec.sync | upper }}",
        "{{ toJson .spec }}",
        '{{ define "x" }}{{ end }}',
        '{{ template "x" }}',
        "{{ 'c' }}",
        "{{ 0x10 }}",
        "{{ .spec.map }}",
        "{{ .spec.list }}",
    ],
)
def test_unsupported_is_never_guessed(template):
    with pytest.raises(UnsupportedTemplate):
        render(template, DATA)


def test_missingkey_options():
    assert render("{{ .x }}", {}, ["missingkey=zero"]) == "<no value>"
    assert render("{{ .x }}", {}, ["missingkey=default"]) == "<no value>"
    with pytest.raises(TemplateError, match="unrecognized"):
        render("{{ .x }}", {}, ["missingkey=maybe"])
    with pytest.raises(TemplateError, match="unrecognized"):
        render("{{ .x }}", {}, ["other=1"])


def test_error_names_the_fields_of_the_failing_action():
    with pytest.raises(TemplateError) as info:
        render('{{ if eq .spec.flag "automatic" }}x{{ end }}', DATA)
    assert ("spec", "flag") in info.value.fields


@pytest.mark.parametrize(
    "value, expected",
    [
        (1e6, "1e+06"),
        (100000.0, "100000"),
        (1234567.0, "1.234567e+06"),
        (4.19, "4.19"),
        (0.0001, "0.0001"),
        (0.00001, "1e-05"),
        (5.0, "5"),
        (-2.5, "-2.5"),
        (1e21, "1e+21"),
        (0.0, "0"),
    ],
)
def test_floats_print_like_go(value, expected):
    assert go_float(value) == expected


@pytest.mark.parametrize(
    "name, expected",
    [
        ("okd-scos", "okd-scos"),
        ("OKD_SCOS", "okd-scos"),
        ("-a.b-", "a.b"),
        ("a b/c", "a-b-c"),
        ("x" * 300, "x" * 253),
    ],
)
def test_sanitize_name_is_argo_cds(name, expected):
    assert sanitize_name(name) == expected


@pytest.mark.parametrize(
    "template",
    [
        "{{",
        "}}{{",
        '{{ "unterminated }}',
        "{{ ( .a }}",
        "{{ .a ) }}",
        "{{ if }}{{ end }}",
        "{{ else }}",
        "{{- -}}",
        "{{ eq }}",
        "\x00{{ .a }}",
    ],
)
def test_hostile_templates_raise_template_errors_only(template):
    try:
        render(template, DATA, ["missingkey=error"])
    except TemplateError:
        pass
