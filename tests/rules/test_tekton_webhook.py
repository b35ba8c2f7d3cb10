"""Tekton admission-webhook rules (T001-T099): the semantics that are easy to get wrong.

Each case is a small YAML unit checked with one rule; the expectations follow
tektoncd/pipeline's validation code (pkg/apis/pipeline/v1, pkg/substitution,
pkg/reconciler/pipeline/dag), including its quirks.
"""

from __future__ import annotations

import textwrap

import pytest

from okd_streams import rules as registry
from okd_streams.config import Config
from okd_streams.files.loader import parse_text
from okd_streams.lint.engine import check_unit
from okd_streams.model.repo import unit_from_files
from okd_streams.tekton import dag, substitution
from okd_streams.tekton.duration import parse_duration
from okd_streams.tekton.pipeline import pipeline_tasks

WEBHOOK_RULES = [rule for code, rule in registry.RULES.items() if code.startswith("T0")]


def problems(code: str, text: str):
    unit = unit_from_files([parse_text(textwrap.dedent(text), "x.yaml")], "test")
    return check_unit(unit, Config(), [registry.get(code)])


def errors(code: str, text: str) -> list[str]:
    return [p.message for p in problems(code, text) if p.level == "error"]


def warnings(code: str, text: str) -> list[str]:
    return [p.message for p in problems(code, text) if p.level == "warning"]


def task(steps: str, params: str = "[]", extra: str = "", version: str = "v1") -> str:
    return f"""
    apiVersion: tekton.dev/{version}
    kind: Task
    metadata: {{name: t}}
    spec:
      params: {params}
      {extra}
      steps: {steps}
    """


def pipeline(tasks: str, params: str = "[]", extra: str = "") -> str:
    return f"""
    apiVersion: tekton.dev/v1
    kind: Pipeline
    metadata: {{name: p}}
    spec:
      params: {params}
      {extra}
      tasks: {tasks}
    """


# --- shared helpers -----------------------------------------------------------------------


def test_extract_follows_tekton_regex():
    found, error = substitution.extract('a $(params.x) $(params["a.b"]) $(params.obj.key) $(params.arr[*])', "params")
    assert error is None
    assert [v.name for v in found] == ["x", "a.b", "obj", "arr[*]"]
    _, error = substitution.extract("$(params.a.b.c)", "params")
    assert error and "two dot-separated" in error
    # Shell command substitution with spaces is not a Tekton expression for result/prefix checks.
    assert substitution.expressions("$(date +%s) $(tasks.a.results.b[*])") == ["tasks.a.results.b[*]"]


def test_go_value_reads_non_string_lists_as_strings():
    assert substitution.go_value(["a", "b"]) == ("array", ["a", "b"])
    assert substitution.go_value([1, 2])[0] == "string"
    assert substitution.go_value({"k": "v"}) == ("object", {"k": "v"})
    assert substitution.go_value(3) == ("string", "3")


def test_result_ref_parsing():
    ref = substitution.result_ref("tasks.build.results.digest[*]")
    assert (ref.task, ref.result, ref.index) == ("build", "digest", "*")
    ref = substitution.result_ref("tasks.build.results.obj.key")
    assert (ref.result, ref.key) == ("obj", "key")
    assert substitution.result_ref("tasks.build.results.a.b.c") is None
    assert substitution.result_ref("tasks.build.status") is None


@pytest.mark.parametrize(
    "text,seconds",
    [("1h30m", 5400), ("0", 0), ("1.5h", 5400), ("-5s", -5), ("90s", 90), ("1h0m0s", 3600), ("300ms", 0.3)],
)
def test_parse_duration(text, seconds):
    assert parse_duration(text) == pytest.approx(seconds)


@pytest.mark.parametrize("text", ["1d", "", "h", "1", "1 h", ".s", 60, None])
def test_parse_duration_rejects(text):
    assert parse_duration(text) is None


def test_find_cycle_reports_path_from_smallest_name():
    graph = {"c": {"a": "runAfter"}, "a": {"b": "runAfter"}, "b": {"c": "x"}, "d": {"zz": "runAfter"}}
    assert dag.find_cycle(graph) == ["a", "b", "c", "a"]
    assert dag.find_cycle({"a": {"b": "r"}, "b": {}}) is None
    assert dag.find_cycle({"a": {"a": "r"}}) == ["a", "a"]
    assert dag.missing(graph) == [("d", "zz", "runAfter")]


def test_dependencies_come_from_results_in_when_matrix_and_inline_steps():
    spec = (
        parse_text(
            textwrap.dedent("""
    tasks:
      - name: t
        when: [{input: "$(tasks.a.results.x)", operator: in, values: ["1"]}]
        matrix:
          params: [{name: m, value: ["$(tasks.b.results.y[*])"]}]
        taskSpec:
          steps: [{image: alpine, script: "echo $(tasks.c.results.z)"}]
        runAfter: [d]
    """)
        )
        .documents[0]
        .data
    )
    ((_, _, task_dict),) = pipeline_tasks(spec)
    assert set(dag.dependencies(task_dict)) == {"a", "b", "c", "d"}


# --- names --------------------------------------------------------------------------------


def test_object_name_rules():
    invalid = task("[{image: a}]").replace("name: t}", "name: My_Task}")
    assert errors("V004", invalid) and not errors("T001", invalid)  # the API server's refusal, reported once
    assert errors("T001", task("[{image: a}]").replace("name: t}", "name: " + "a" * 64 + "}"))
    dotted = task("[{image: a}]").replace("name: t}", "name: a.b-c}")
    assert not errors("T001", dotted) and not errors("V004", dotted)  # current Tekton takes dots
    generate = "apiVersion: tekton.dev/v1\nkind: PipelineRun\nmetadata: {generateName: run-}\nspec: {}\n"
    assert not problems("T001", generate)


def test_pipeline_task_names_shared_between_tasks_and_finally():
    text = pipeline(
        "[{name: a, taskRef: {name: x}}, {name: B, taskRef: {name: x}}]",
        extra="finally: [{name: a, taskRef: {name: y}}]",
    )
    found = errors("T002", text)
    assert any("used twice" in m for m in found) and any('"B"' in m for m in found)


def test_step_names_unique_and_labels_but_unnamed_allowed():
    assert errors("T003", task("[{name: a, image: x}, {name: a, image: x}]"))
    assert errors("T003", task("[{name: Build, image: x}]"))
    assert not errors("T003", task("[{image: x}, {image: x}]"))


def test_param_name_format_depends_on_inferred_type():
    assert not errors("T004", task("[{image: x}]", params="[{name: a.b}]"))
    assert errors("T004", task("[{image: x}]", params="[{name: a.b, properties: {k: {}}}]"))
    assert errors("T004", task("[{image: x}]", params="[{name: obj, properties: {k.x: {}}}]"))


# --- param declarations -----------------------------------------------------------------


def test_param_default_type_after_tekton_defaulting():
    assert errors("T010", task("[{image: x}]", params="[{name: a, type: array, default: x}]"))
    # A list of non-strings is decoded as a string by Tekton.
    assert errors("T010", task("[{image: x}]", params="[{name: a, type: array, default: [1, 2]}]"))
    # No type: inferred from the default, so no mismatch.
    assert not errors("T010", task("[{image: x}]", params="[{name: a, default: [a]}]"))
    assert errors("T010", task("[{image: x}]", params="[{name: a, type: strnig}]"))


def test_object_params_need_string_properties():
    assert errors("T010", task("[{image: x}]", params="[{name: o, type: object}]"))
    assert errors("T010", task("[{image: x}]", params="[{name: o, properties: {k: {type: array}}}]"))
    assert not errors("T010", task("[{image: x}]", params="[{name: o, properties: {k: {}}}]"))
    # A Pipeline only has to declare properties when it embeds a taskSpec; otherwise a warning.
    text = pipeline("[{name: a, taskRef: {name: x}}]", params="[{name: o, type: object}]")
    assert not errors("T010", text) and warnings("T010", text)


def test_duplicate_param_declarations():
    assert errors("T010", task("[{image: x}]", params="[{name: a}, {name: a}]"))


def test_enum_rules():
    assert errors("T011", task("[{image: x}]", params="[{name: a, type: array, enum: [x]}]"))
    assert errors("T011", task("[{image: x}]", params="[{name: a, enum: [x, x]}]"))
    assert errors("T011", task("[{image: x}]", params="[{name: a, enum: [x], default: z}]"))
    assert not errors("T011", task("[{image: x}]", params="[{name: a, enum: [x, z], default: z}]"))


def test_duplicate_param_values_case_insensitive_only_for_runs():
    run = """
    apiVersion: tekton.dev/v1
    kind: PipelineRun
    metadata: {name: r}
    spec:
      pipelineRef: {name: p}
      params: [{name: Image, value: a}, {name: image, value: b}]
    """
    assert errors("T012", run)
    assert not errors(
        "T012", pipeline("[{name: a, taskRef: {name: x}, params: [{name: I, value: a}, {name: i, value: b}]}]")
    )
    assert errors(
        "T012", pipeline("[{name: a, taskRef: {name: x}, params: [{name: i, value: a}, {name: i, value: b}]}]")
    )


# --- $(params...) in Tasks -----------------------------------------------------------------


def test_task_param_references():
    params = "[{name: img}, {name: flags, type: array}, {name: obj, properties: {k: {}}}, {name: a.b}]"
    bad = [
        '[{image: "$(params.imgs)"}]',
        '[{image: x, script: "make $(params.flags[*])"}]',
        '[{image: x, args: ["-v $(params.flags[*])"]}]',
        '[{image: x, script: "$(params.obj)"}]',
        '[{image: x, script: "$(params.obj.nope)"}]',
        '[{image: x, script: "$(params.a.b)"}]',
        '[{image: x, onError: "$(params.missing)"}]',
    ]
    for steps in bad:
        assert errors("T020", task(steps, params)), steps
    good = (
        '[{image: "$(params.img)", args: ["$(params.flags[*])", "$(params.flags[0]) x"], '
        'script: "$(params.obj.k) $(params[\\"a.b\\"]) $(params.flags[1])"}]'
    )
    assert not problems("T020", task(good, params))


def test_sidecar_and_step_template_references_are_warnings():
    text = task("[{image: x}]", extra='sidecars: [{name: s, image: "$(params.nope)"}]')
    assert not errors("T020", text) and warnings("T020", text)


def test_inline_task_specs_may_use_pipeline_and_run_params():
    text = pipeline(
        '[{name: a, taskSpec: {steps: [{image: x, script: "$(params.p) $(params.q)"}]}}]', params="[{name: p}]"
    )
    found = errors("T020", text)
    assert len(found) == 1 and '"q"' in found[0]
    run = """
    apiVersion: tekton.dev/v1
    kind: TaskRun
    metadata: {name: r}
    spec:
      params: [{name: fromrun, value: x}]
      taskSpec:
        steps: [{image: x, script: "$(params.fromrun) $(params.nowhere)"}]
    """
    found = errors("T020", run)
    assert len(found) == 1 and "nowhere" in found[0]


def test_v1beta1_resources_are_not_params():
    text = task(
        '[{image: x, script: "cd $(resources.inputs.source.path) && $(inputs.params.x)"}]',
        extra="resources: {inputs: [{name: source, type: git}]}",
        version="v1beta1",
    )
    assert not [
        p
        for rule in WEBHOOK_RULES
        if rule.CODE != "T005"
        for p in check_unit(unit_from_files([parse_text(textwrap.dedent(text))], "t"), Config(), [rule])
        if p.level == "error"
    ]
    # ... the references are no params; the field itself is one Tekton removed (the oracle:
    # "must not set the field(s): spec.resources"), once.
    assert len(errors("T005", text)) == 1


def test_v1alpha1_objects_are_left_alone():
    text = task('[{image: x, script: "$(params.nope)"}]', version="v1alpha1")
    assert not problems("T020", text)


# --- pipeline-level references ------------------------------------------------------------


def test_pipeline_param_references():
    params = "[{name: s}, {name: arr, type: array}, {name: obj, properties: {k: {}}}]"

    def pt(value: str) -> str:
        return pipeline(f"[{{name: a, taskRef: {{name: x}}, params: [{{name: v, value: {value}}}]}}]", params)

    assert errors("T021", pt('"$(params.nope)"'))
    assert errors("T021", pt('"x-$(params.arr[*])"'))
    assert errors("T021", pt('["a $(params.arr[*])"]'))
    assert errors("T021", pt('"$(params.obj.nope)"'))
    assert errors("T021", pt('"$(params.obj) x"'))
    for fine in (
        '"$(params.arr[*])"',
        '["$(params.arr[*])"]',
        '"$(params.arr[0])-x"',
        '"$(params.obj[*])"',
        '"$(params.obj.k)"',
        '"$(params.s)"',
    ):
        assert not errors("T021", pt(fine)), fine


def test_pipelinerun_inline_spec_may_use_run_params_and_skips_finally():
    run = """
    apiVersion: tekton.dev/v1
    kind: PipelineRun
    metadata: {name: r}
    spec:
      params: [{name: fromrun, value: x}]
      pipelineSpec:
        tasks: [{name: a, taskRef: {name: t}, params: [{name: v, value: "$(params.fromrun)"}]}]
        finally: [{name: f, taskRef: {name: t}, params: [{name: v, value: "$(params.unchecked)"}]}]
    """
    assert not errors("T021", run)


def test_variable_prefixes():
    def pt(value: str) -> str:
        return pipeline(f'[{{name: a, taskRef: {{name: x}}, params: [{{name: v, value: "{value}"}}]}}]')

    assert errors("T022", pt("$(inputs.params.x)"))
    assert not errors("T022", pt("$(ls)")) and warnings("T022", pt("$(ls)"))
    for fine in (
        "$(params.x)",
        "$(tasks.a.results.b)",
        "$(results.r.path)",
        "$(tt.params.x)",
        "$(workspaces.w.bound)",
        "$(context.pipelineRun.name)",
        "$(date +%s)",
        "${HOME}",
    ):
        assert not problems("T022", pt(fine)), fine


def test_pipeline_context_variables_checked_on_last_task_only():
    text = pipeline(
        '[{name: a, taskRef: {name: x}, params: [{name: v, value: "$(context.pipeline.namespace)"}]},'
        ' {name: b, taskRef: {name: x}, params: [{name: v, value: "$(context.pipelineRun.nme)"}]}]'
    )
    assert len(errors("T023", text)) == 1 and len(warnings("T023", text)) == 1
    assert errors("T023", task('[{image: x, script: "$(context.taskRun.namespaces)"}]'))
    assert not problems("T023", task('[{image: x, script: "$(context.task.retry-count) $(context.taskRun.uid)"}]'))


def test_workspace_variables_only_on_standalone_tasks():
    text = task(
        '[{image: x, script: "$(workspaces.src.path) $(workspaces.source.bogus)"}]',
        extra="workspaces: [{name: source}]",
    )
    assert len([p for p in problems("T024", text) if p.level == "warning"]) == 2
    inline = pipeline('[{name: a, taskSpec: {steps: [{image: x, script: "$(workspaces.w.path)"}]}}]')
    assert not problems("T024", inline)


# --- results ------------------------------------------------------------------------------


def test_task_results():
    assert errors(
        "T030", task('[{image: x, script: "echo > $(results.dgst.path)"}]', extra="results: [{name: digest}]")
    )
    assert errors("T030", task("[{image: x}]", extra="results: [{name: -bad}]"))
    assert errors("T030", task("[{image: x}]", extra="results: [{name: r, type: object}]"))
    text = task('[{image: x, args: ["$(results.nope.path)"]}]', extra="results: [{name: digest}]")
    assert not errors("T030", text) and warnings("T030", text)


def test_pipeline_results():
    def with_result(value: str, finally_: str = "[]") -> str:
        return pipeline(
            "[{name: build, taskRef: {name: b}}]",
            extra=f"finally: {finally_}\n      results: [{{name: r, value: {value}}}]",
        )

    assert errors("T031", with_result('"$(tasks.biuld.results.d)"'))
    assert errors("T031", with_result('"v$(tasks.build.results.d)"'))  # text before the first $( is rejected
    assert errors("T031", with_result('"$(params.x)"'))
    assert errors("T031", with_result('"$(tasks.build.results.d.e.f)"'))
    assert errors("T031", with_result('"$(tasks.notify.results.d)"', "[{name: notify, taskRef: {name: n}}]"))
    assert not errors("T031", with_result('"$(tasks.build.results.d)-suffix"'))
    assert not errors("T031", with_result('"$(finally.notify.results.d)"', "[{name: notify, taskRef: {name: n}}]"))
    assert not errors("T031", with_result('["$(tasks.build.results.d)", "$(tasks.build.results.e)"]'))


# --- graph, finally, status ----------------------------------------------------------------


def test_cycle_through_when_and_matrix_is_reported_with_its_path():
    text = pipeline("""
      - name: a
        taskRef: {name: x}
        when: [{input: "$(tasks.c.results.r)", operator: in, values: ["1"]}]
      - name: b
        taskRef: {name: x}
        runAfter: [a]
      - name: c
        taskRef: {name: x}
        matrix: {params: [{name: m, value: ["$(tasks.b.results.r)"]}]}
    """)
    found = errors("T040", text)
    assert len(found) == 1 and '"a" -> "c" -> "b" -> "a"' in found[0]


def test_missing_dependencies():
    text = pipeline(
        "[{name: a, taskRef: {name: x}, runAfter: [zz]}, "
        "{name: b, taskRef: {name: x}, params: [{name: v, value: '$(tasks.f.results.r)'}]}]",
        extra="finally: [{name: f, taskRef: {name: y}}]",
    )
    found = errors("T040", text)
    assert len(found) == 2 and any("finally task" in m for m in found)


def test_finally_rules():
    text = pipeline(
        "[{name: a, taskRef: {name: x}}]",
        extra="""finally:
        - name: f1
          taskRef: {name: y}
          runAfter: [f2]
        - name: f2
          taskRef: {name: y}
          params: [{name: v, value: "$(tasks.f1.results.r)"}, {name: w, value: "$(tasks.zz.results.r)"}]
    """,
    )
    assert len(errors("T041", text)) == 3
    no_tasks = pipeline("[]", extra="finally: [{name: f, taskRef: {name: y}}]")
    assert errors("T041", no_tasks)


def test_execution_status_variables():
    in_tasks = pipeline(
        "[{name: a, taskRef: {name: x}}, "
        "{name: b, taskRef: {name: x}, params: [{name: v, value: '$(tasks.a.status)'}]}]"
    )
    assert errors("T042", in_tasks)
    in_finally = pipeline(
        "[{name: a, taskRef: {name: x}}]",
        extra="""finally:
        - name: f
          taskRef: {name: y}
          params: [{name: v, value: "$(tasks.b.reason)"}, {name: s, value: "$(tasks.status) $(tasks.a.status)"}]
    """,
    )
    found = errors("T042", in_finally)
    assert len(found) == 1 and '"b"' in found[0]


def test_when_expressions():
    def when(expr: str) -> str:
        return pipeline(f"[{{name: a, taskRef: {{name: x}}, when: [{expr}]}}]")

    assert errors("T050", when("{input: a, operator: '==', values: [a]}"))
    assert errors("T050", when("{input: a, operator: in, values: []}"))
    assert errors("T050", when("{cel: \"'a' == 'a'\", input: a}"))
    assert errors("T050", when("{}"))
    assert not problems("T050", when("{cel: \"'a' == 'a'\"}"))
    assert not errors("T050", when("{operator: notin, values: [a]}")) and warnings(
        "T050", when("{operator: notin, values: [a]}")
    )


# --- workspaces ---------------------------------------------------------------------------


def test_pipeline_workspace_bindings():
    text = pipeline(
        "[{name: a, taskRef: {name: x}, workspaces: [{name: src}, {name: src, workspace: shared}, "
        "{name: out, workspace: nope}]}]",
        extra="workspaces: [{name: shared}, {name: shared}]",
    )
    assert len(errors("T060", text)) == 4


def test_task_workspace_mount_paths():
    text = task(
        "[{image: x, volumeMounts: [{name: v, mountPath: /workspace/cache/}]}]",
        extra="workspaces: [{name: cache}, {name: src, mountPath: /x}, {name: other, mountPath: /x/./}]",
    )
    assert len(errors("T061", text)) == 2


def test_run_workspace_bindings():
    run = """
    apiVersion: tekton.dev/v1
    kind: TaskRun
    metadata: {name: r}
    spec:
      taskRef: {name: t}
      workspaces:
        - {name: a, emptyDir: }
        - {name: b, emptyDir: {}, secret: {secretName: s}}
        - {name: c, persistentVolumeClaim: {}}
        - {name: D, emptyDir: {}}
        - {name: d, emptyDir: {}}
    """
    assert len(errors("T062", run)) == 4


# --- refs, steps, matrix, runs ------------------------------------------------------------


def test_pipeline_task_refs():
    assert errors("T070", pipeline("[{name: a}]"))
    assert errors("T070", pipeline("[{name: a, taskRef: {name: 'bad name'}}]"))
    assert errors("T070", pipeline("[{name: a, taskRef: {kind: Example, name: e}}]"))
    assert errors("T070", pipeline("[{name: a, taskRef: {apiVersion: example, kind: Example, name: e}}]"))
    assert errors("T070", pipeline("[{name: a, taskSpec: {apiVersion: x/v1, steps: [{image: x}]}}]"))
    assert not errors(
        "T070",
        pipeline(
            "[{name: a, taskRef: {apiVersion: example.dev/v1, kind: Example, name: e}}, "
            "{name: b, taskRef: {resolver: git, params: [{name: url, value: u}]}}]"
        ),
    )
    # Tekton no longer has ClusterTasks: the kind makes a custom task without apiVersion (the oracle).
    assert errors("T070", pipeline("[{name: c, taskRef: {name: t, kind: ClusterTask}}]"))
    # Tekton defaults kind to Task, so apiVersion without kind passes the webhook but is suspicious.
    text = pipeline("[{name: a, taskRef: {apiVersion: example.dev/v1, name: e}}]")
    assert not errors("T070", text) and warnings("T070", text)


def test_run_refs():
    run = "apiVersion: tekton.dev/v1\nkind: TaskRun\nmetadata: {name: r}\nspec: {params: []}\n"
    assert errors("T071", run)
    both = (
        "apiVersion: tekton.dev/v1\nkind: PipelineRun\nmetadata: {name: r}\n"
        "spec: {pipelineRef: {name: p}, pipelineSpec: {tasks: []}}\n"
    )
    assert errors("T071", both)


def test_pipeline_task_on_error():
    assert errors("T072", pipeline("[{name: a, taskRef: {name: x}, onError: ignore}]"))
    assert errors("T072", pipeline("[{name: a, taskRef: {name: x}, onError: continue, retries: 2}]"))
    assert not errors("T072", pipeline("[{name: a, taskRef: {name: x}, onError: '$(params.mode)'}]"))


def test_task_steps():
    assert errors("T080", task("[{name: a}]"))
    assert not errors("T080", task("[{name: a}]", extra="stepTemplate: {image: alpine}"))
    assert not errors("T080", task("[{name: a, ref: {name: action}, params: [{name: x, value: y}]}]"))
    assert errors("T080", task("[{name: a, ref: {name: action}, image: alpine}]"))
    assert errors("T080", task("[{name: a, image: x, onError: ignore}]"))
    assert errors("T080", task("[{name: a, image: x, timeout: 1d}]"))
    assert errors("T080", task("[{name: a, image: x, volumeMounts: [{name: v, mountPath: /tekton/results}]}]"))
    assert errors("T080", task("[]"))


def test_matrix():
    values = "[" + ", ".join(f'"v{i}"' for i in range(17)) + "]"
    big = pipeline(
        f"[{{name: a, taskRef: {{name: x}}, matrix: {{params: [{{name: p, value: {values}}}, "
        f"{{name: q, value: {values}}}]}}}}]"
    )
    assert any("289 combinations" in m for m in errors("T085", big))
    assert errors(
        "T085",
        pipeline(
            "[{name: a, taskRef: {name: x}, params: [{name: p, value: v}], "
            "matrix: {params: [{name: p, value: [a, b]}]}}]"
        ),
    )
    assert errors("T085", pipeline("[{name: a, taskRef: {name: x}, matrix: {params: [{name: p, value: plain}]}}]"))
    assert not errors(
        "T085", pipeline("[{name: a, taskRef: {name: x}, matrix: {params: [{name: p, value: '$(params.list[*])'}]}}]")
    )
    consumed = pipeline(
        "[{name: a, taskRef: {name: x}, matrix: {params: [{name: p, value: [a, b]}]}}, "
        "{name: b, taskRef: {name: x}, params: [{name: v, value: '$(tasks.a.results.r)'}]}]"
    )
    assert errors("T085", consumed)


def test_pipelinerun_timeouts_and_params():
    def run(spec: str) -> str:
        return f"apiVersion: tekton.dev/v1\nkind: PipelineRun\nmetadata: {{name: r}}\nspec: {spec}\n"

    assert errors("T090", run("{pipelineRef: {name: p}, timeouts: {pipeline: 1h, tasks: 50m, finally: 20m}}"))
    assert errors("T090", run("{pipelineRef: {name: p}, timeouts: {pipeline: 1h, tasks: '0'}}"))
    assert errors("T090", run("{pipelineRef: {name: p}, timeouts: {pipeline: 1d}}"))
    assert not errors("T090", run("{pipelineRef: {name: p}, timeouts: {pipeline: '0', tasks: '0'}}"))
    assert not errors("T090", run("{pipelineRef: {name: p}, timeouts: {pipeline: 2h, tasks: 90m, finally: 30m}}"))
    assert errors("T090", run("{pipelineRef: {name: p}, params: [{name: x, value: '$(tasks.a.results.b)'}]}"))
    assert errors("T090", run("{pipelineRef: {name: p}, status: Stopped}"))


def test_taskrun_spec():
    def run(spec: str) -> str:
        return f"apiVersion: tekton.dev/v1\nkind: TaskRun\nmetadata: {{name: r}}\nspec: {spec}\n"

    assert errors("T091", run("{taskRef: {name: t}, timeout: 1d}"))
    assert errors("T091", run("{taskRef: {name: t}, statusMessage: why}"))
    assert not errors("T091", run("{taskRef: {name: t}, timeout: '0', status: TaskRunCancelled}"))


# --- robustness ---------------------------------------------------------------------------

HOSTILE = """
apiVersion: tekton.dev/v1
kind: Pipeline
metadata: {name: [x]}
spec:
  params: [{name: [a], type: {}, default: {a: [1]}, enum: 3, properties: [1]}, 7, {name: o, properties: {k: 1}}]
  workspaces: [{name: {}}, x]
  results: [{name: r, value: {a: 1}}, {value: [1, {}]}]
  tasks:
    - name: {a: b}
      taskRef: [x]
      taskSpec: {steps: {a: b}, params: "x", workspaces: [{name: [1]}], results: [{name: 1, type: []}]}
      params: [{name: {}, value: {a: [1]}}, {value: "$(params."}]
      matrix: {params: [{name: [], value: {}}], include: [{params: [{name: 1, value: [1]}]}, 3]}
      when: [{input: [], operator: [], values: "x", cel: 1}, 5]
      workspaces: [{name: [], workspace: {}}]
      runAfter: [[], {}, 1]
      onError: []
      retries: "x"
  finally: {a: 1}
---
apiVersion: tekton.dev/v1
kind: PipelineRun
metadata: {name: r}
spec:
  timeouts: {pipeline: [], tasks: 1}
  params: [{name: 1, value: ["$(tasks.a.results.b)", 2]}]
  workspaces: [{name: [], emptyDir: [], secret: "x"}]
  pipelineSpec: []
  status: []
"""


@pytest.mark.parametrize("rule", WEBHOOK_RULES, ids=[rule.CODE for rule in WEBHOOK_RULES])
def test_hostile_input_does_not_crash(rule):
    unit = unit_from_files([parse_text(HOSTILE, "x.yaml")], "test")
    assert not [p for p in check_unit(unit, Config(), [rule]) if p.code == "E000"]


def test_an_undeclared_param_of_an_embedded_task_is_named_once_in_plain_words():
    text = pipeline("[{name: a, taskSpec: {steps: [{image: x, script: echo $(params.missing)}]}}]")
    [message] = errors("T020", text)
    assert "which neither the taskSpec nor Pipeline" in message and message.count("not") == 0, message


def test_result_references_in_embedded_steps_count_where_tekton_scans_them():
    """Asked with the oracle: a reference in a step's env, script or image, or in the
    stepTemplate, makes a dependency (refused when the task does not exist); in a StepAction's
    params, a step's `when` or its volume mounts it is passed on as text."""
    scanned = (
        "[{name: go, taskSpec: {stepTemplate: {env: [{name: A, value: $(tasks.nope.results.r)}]},"
        " steps: [{image: x}]}}]"
    )
    assert errors("T040", pipeline(scanned))
    passed_on = (
        "[{name: go, taskSpec: {steps: [{ref: {name: sa}, params: [{name: p, value: $(tasks.nope.results.r)}]},"
        " {image: x, when: [{input: $(tasks.nope.results.r), operator: in, values: [a]}],"
        ' volumeMounts: [{name: v, mountPath: "/$(tasks.nope.results.r)"}]}]}}]'
    )
    assert not problems("T040", pipeline(passed_on))


def test_removed_fields_where_tekton_refuses_them():
    """Each refused by Tekton's webhook ("must not set the field(s)"), asked with the oracle;
    a container's compute `resources` is not the removed field."""
    run = """
    apiVersion: tekton.dev/v1beta1
    kind: PipelineRun
    metadata: {name: r}
    spec:
      pipelineRef: {name: p, bundle: "quay.io/x:1"}
    ---
    apiVersion: tekton.dev/v1beta1
    kind: PipelineRun
    metadata: {name: r2}
    spec:
      pipelineSpec:
        tasks:
          - name: a
            taskSpec:
              resources: {}
              steps: [{image: x, resources: {limits: {cpu: "1"}}}]
              sidecars: [{image: x, resources: {limits: {cpu: "1"}}}]
              stepTemplate: {resources: {limits: {cpu: "1"}}}
          - name: b
            taskRef: {name: t, bundle: "quay.io/x:1"}
            resources: {inputs: []}
    """
    found = sorted(p.line for p in problems("T005", run) if p.level == "error")
    assert found == [6, 16, 21, 22], found
    v1 = task("[{image: x, resources: {limits: {cpu: '1'}}}]")
    assert not problems("T005", v1)


def test_stepaction_variables_as_tekton_refuses_them():
    """Asked with the oracle: refused are a param in the script, an undeclared param in
    command, args or env, an undeclared step result or a Task result in the script; accepted
    are the bracket form in the script, workingDir and declared names."""
    step_action = """
    apiVersion: tekton.dev/v1beta1
    kind: StepAction
    metadata: {name: s}
    spec:
      params: [{name: p}]
      results: [{name: r}]
      image: x
      command: ["$(params.nope)"]
      args: ["$(params.p)", "$(params.p[*])", "$(step.results.other.path)"]
      env: [{name: A, value: "$(params.nope2)"}, {name: B, value: "$(params.p)"}]
      workingDir: "/w/$(params.nope3)"
      script: |
        echo $(params.p) $(step.results.r.path) $(step.results.nope.path) $(results.x.path) $(params["p"])
    """
    found = sorted((p.line, p.message.split(":")[0][:40]) for p in problems("T025", step_action) if p.level == "error")
    assert [line for line, _ in found] == [9, 11, 13, 13, 13], found
    clean = step_action.replace("$(params.nope)", "$(params.p)").replace("$(params.nope2)", "$(params.p)")
    clean = clean.replace("echo $(params.p) ", "echo ").replace(" $(step.results.nope.path) $(results.x.path)", "")
    assert not problems("T025", clean)


def test_compute_resources_for_the_task_and_a_step_at_once():
    """The oracle: "expected exactly one, got both" for a TaskRun (v1 stepSpecs, v1beta1
    stepOverrides) and a PipelineRun's taskRunSpecs; a stepSpec without resources is fine."""
    run = """
    apiVersion: tekton.dev/{version}
    kind: TaskRun
    metadata: {{name: r}}
    spec:
      taskRef: {{name: t}}
      computeResources: {{limits: {{cpu: "1"}}}}
      {steps}
    """
    v1 = run.format(version="v1", steps="stepSpecs: [{name: s, computeResources: {limits: {cpu: '1'}}}]")
    v1beta1 = run.format(version="v1beta1", steps="stepOverrides: [{name: s, resources: {limits: {cpu: '1'}}}]")
    assert errors("T091", v1) and errors("T091", v1beta1)
    assert not errors("T091", run.format(version="v1", steps="stepSpecs: [{name: s}]"))
    pipeline_run = """
    apiVersion: tekton.dev/v1
    kind: PipelineRun
    metadata: {name: r}
    spec:
      pipelineRef: {name: p}
      taskRunSpecs:
        - pipelineTaskName: a
          computeResources: {limits: {cpu: "1"}}
          stepSpecs: [{name: s, computeResources: {limits: {cpu: "1"}}}]
    """
    assert [p.line for p in problems("T090", pipeline_run) if p.level == "error"] == [9]


def test_an_unknown_field_in_a_pipelines_as_code_run_is_dropped_not_refused():
    run = """
    apiVersion: tekton.dev/v1
    kind: PipelineRun
    metadata:
      name: r
      annotations: {pipelinesascode.tekton.dev/on-event: "[pull_request]"}
    spec:
      description: PaC drops this field
      pipelineRef: {name: p}
    """
    found = [(p.level, p.line) for p in problems("V001", run)]
    assert found == [("warning", 8)], found
    assert [p.level for p in problems("V001", run.replace("pipelinesascode.tekton.dev/on-event", "team"))] == ["error"]


def test_a_run_named_by_generate_name_is_named_by_its_prefix():
    run = """
    apiVersion: tekton.dev/v1
    kind: PipelineRun
    metadata: {generateName: nightly-}
    spec:
      pipelineRef: {name: p}
      params: [{name: a, value: x}, {name: a, value: y}]
    """
    [message] = errors("T012", run)
    assert 'PipelineRun "nightly-..."' in message, message


def test_removed_fields_in_a_trigger_template_run():
    """The Triggers oracle renders the run; Tekton then refuses it when an event creates it."""
    template = """
    apiVersion: triggers.tekton.dev/v1beta1
    kind: TriggerTemplate
    metadata: {name: tt}
    spec:
      resourcetemplates:
        - apiVersion: tekton.dev/v1beta1
          kind: TaskRun
          metadata: {generateName: build-}
          spec:
            taskRef: {name: t}
            resources: {inputs: []}
        - apiVersion: tekton.dev/v1
          kind: PipelineRun
          metadata: {generateName: ok-}
          spec:
            pipelineRef: {name: p}
    """
    [message] = errors("T005", template)
    assert 'the TaskRun "build-" in TriggerTemplate "tt"' in message, message
