"""Cross-object rules on small object sets: refs, params vs declarations, results, workspaces,
runs and triggers, with Tekton's run-time semantics."""

from __future__ import annotations

import re
import textwrap

import pytest

from okd_streams import rules as registry
from okd_streams.config import Config
from okd_streams.files.loader import parse_text
from okd_streams.lint.engine import check_unit
from okd_streams.model.repo import unit_from_files


def problems(text: str, code: str, foreign: bool = True, files: dict | None = None):
    sources = [parse_text(textwrap.dedent(text), "example.yaml")]
    for path, other in (files or {}).items():
        sources.append(parse_text(textwrap.dedent(other), path))
    unit = unit_from_files(sources, "set", foreign=foreign)
    return check_unit(unit, Config(), [registry.get(code)])


def task(name: str, params: str = "", extra: str = "") -> str:
    return f"""
---
apiVersion: tekton.dev/v1
kind: Task
metadata:
  name: {name}
spec:
  params:
{textwrap.indent(textwrap.dedent(params), "    ") if params else "    []"}
{textwrap.indent(textwrap.dedent(extra), "  ")}
  steps:
    - name: run
      image: "alpine:3.20"
      script: "true"
"""


def pipeline(tasks: str, params: str = "", extra: str = "") -> str:
    return f"""
apiVersion: tekton.dev/v1
kind: Pipeline
metadata:
  name: p
spec:
  params:
{textwrap.indent(textwrap.dedent(params), "    ") if params else "    []"}
{textwrap.indent(textwrap.dedent(extra), "  ")}
  tasks:
{textwrap.indent(textwrap.dedent(tasks), "    ")}
"""


# --- pipeline task params (R010, R011) ------------------------------------------------------

STRING_T = task(
    "t",
    """
    - name: s
      type: string
""",
)
ARRAY_T = task(
    "t",
    """
    - name: a
      type: array
""",
)


@pytest.mark.parametrize(
    "value, params, target, bad",
    [
        ("$(params.str)", "- {name: str, type: string}", ARRAY_T, True),  # string param -> array
        ("$(params.arr[*])", "- {name: arr, type: array}", ARRAY_T, False),  # array spread -> array
        ("$(params.arr[*])", "- {name: arr, type: array}", STRING_T, True),  # array -> string
        ("$(params.arr[0])", "- {name: arr, type: array}", STRING_T, False),  # one item is a string
        ("x-$(params.str)", "- {name: str, type: string}", ARRAY_T, True),  # text around: a string
        ("$(params.obj.k)", "- {name: obj, properties: {k: {}}}", STRING_T, False),
        ("$(params.unknown)", "", ARRAY_T, False),  # unknown: the webhook's
        ("$(context.pipelineRun.name)", "", STRING_T, False),
        ("$(context.pipelineRun.name)", "", ARRAY_T, True),
        ("$(context.taskRun.name)", "", ARRAY_T, False),  # left for the TaskRun
        ("$(workspaces.src.path)", "", ARRAY_T, False),
        ("[a, b]", "", ARRAY_T, False),
        ("[a, b]", "", STRING_T, True),
        ("[1, 2]", "", ARRAY_T, True),  # Tekton reads a string
        ("true", "", STRING_T, False),
    ],
)
def test_pipeline_task_value_types(value, params, target, bad):
    name = "a" if "name: a\n" in target else "s"
    text = (
        pipeline(
            f"""
        - name: run
          taskRef: {{name: t}}
          params:
            - name: {name}
              value: {value}
        """,
            params,
        )
        + target
    )
    found = problems(text, "R010")
    assert bool(found) == bad, found
    if bad:
        assert "declares it" in found[0].message and found[0].level == "error"


def test_result_references_take_the_result_type():
    text = (
        pipeline("""
        - name: first
          taskRef: {name: producer}
        - name: second
          taskRef: {name: t}
          params:
            - name: a
              value: $(tasks.first.results.one)
        - name: third
          taskRef: {name: t}
          params:
            - name: a
              value: $(tasks.first.results.many[*])
        """)
        + ARRAY_T
        + task(
            "producer",
            "",
            """
        results:
          - name: one
          - name: many
            type: array
        """,
        )
    )
    found = problems(text, "R010")
    assert len(found) == 1 and 'param "a" of type string' in found[0].message
    lines = textwrap.dedent(text).splitlines()
    assert found[0].line == next(i for i, line in enumerate(lines, 1) if "$(tasks.first.results.one)" in line)


def test_missing_required_params_count_matrix_params():
    text = (
        pipeline("""
        - name: run
          taskRef: {name: t}
          matrix:
            params:
              - name: s
                value: [a, b]
        - name: other
          taskRef: {name: t}
        """)
        + STRING_T
    )
    found = problems(text, "R010")
    assert len(found) == 1 and 'pipeline task "other" does not set param "s"' in found[0].message


def test_matrix_items_are_strings():
    text = (
        pipeline("""
        - name: run
          taskRef: {name: t}
          matrix:
            params:
              - name: a
                value: [x, y]
        """)
        + ARRAY_T
    )
    found = problems(text, "R010")
    assert len(found) == 1 and "fans out" in found[0].message


def test_object_keys_from_value_and_default():
    obj_task = task(
        "t",
        """
        - name: o
          properties: {url: {}, rev: {}}
          default: {rev: main, url: x}
        - name: p
          properties: {url: {}, rev: {}}
        """,
    )
    text = (
        pipeline(
            """
        - name: ok
          taskRef: {name: t}
          params:
            - {name: o, value: {url: u}}
            - {name: p, value: {url: u, rev: z, extra: w}}
        - name: bad
          taskRef: {name: t}
          params:
            - {name: p, value: {url: u}}
        - name: spread
          taskRef: {name: t}
          params:
            - {name: p, value: "$(params.repo[*])"}
        """,
            "- {name: repo, properties: {url: {}}}",
        )
        + obj_task
    )
    found = problems(text, "R010")
    # a spread of a pipeline object param may carry more keys than it declares: not reported
    assert len(found) == 1, found
    assert 'pipeline task "bad"' in found[0].message and 'without key(s) "rev"' in found[0].message


def test_enums_literal_and_subset():
    enum_task = task(
        "t",
        """
        - name: s
          enum: [a, b]
        - name: free
          default: x
        """,
    )
    text = (
        pipeline(
            """
        - name: literal
          taskRef: {name: t}
          params:
            - {name: s, value: c}
        - name: empty
          taskRef: {name: t}
          params:
            - {name: s, value: ""}
        - name: no-enum
          taskRef: {name: t}
          params:
            - {name: s, value: $(params.plain)}
        - name: wider
          taskRef: {name: t}
          params:
            - {name: s, value: $(params.wide)}
        - name: narrow
          taskRef: {name: t}
          params:
            - {name: s, value: $(params.narrow)}
        - name: stops-early
          taskRef: {name: t}
          params:
            - {name: free, value: $(params.plain)}
            - {name: s, value: $(params.plain)}
        """,
            """
        - {name: plain, default: a}
        - {name: wide, enum: [a, b, c], default: a}
        - {name: narrow, enum: [a], default: a}
        """,
        )
        + enum_task
    )
    found = problems(text, "R010")
    tasks = sorted(p.message.split('"')[1] for p in found)
    # Tekton's ValidateParamEnumSubset stops at the first param whose Task param has no enum
    assert tasks == ["literal", "no-enum", "wider"], found


def test_extra_params_are_warnings_and_notes():
    text = (
        pipeline("""
        - name: run
          taskRef: {name: t}
          params:
            - {name: s, value: x}
            - {name: typo, value: y}
        - name: inline
          params:
            - {name: propagated, value: y}
          taskSpec:
            steps: [{name: echo, image: "alpine:3.20", script: "echo $(params.propagated)"}]
        """)
        + STRING_T
        + """
---
apiVersion: tekton.dev/v1
kind: PipelineRun
metadata:
  name: run
spec:
  pipelineRef: {name: p}
  params:
    - {name: extra, value: x}
"""
    )
    found = problems(text, "R011")
    assert [(p.level, p.message.split('"')[3]) for p in found] == [("warning", "typo"), ("info", "extra")]
    assert not problems(text, "R010")
    assert not problems(text, "R020")


def test_unresolvable_tasks_are_not_guessed():
    text = pipeline("""
        - name: remote
          taskRef:
            resolver: git
            params: [{name: url, value: x}]
        - name: custom
          taskRef: {apiVersion: example.dev/v1, kind: Wait, name: w}
          params: [{name: anything, value: x}]
        - name: ghost
          taskRef: {name: not-here}
        """)
    assert not problems(text, "R010") and not problems(text, "R011")
    refs = problems(text, "R001")
    assert [(p.level, '"not-here"' in p.message) for p in refs] == [("warning", True)]
    assert [p.level for p in problems(text, "R005")] == ["info"]


def test_cluster_task_not_present_is_info_for_a_taskrun_and_t070s_for_a_pipeline_task():
    text = pipeline("""
        - name: clone
          taskRef: {name: git-clone, kind: ClusterTask}
        """)
    assert problems(text, "R001") == []  # Tekton refuses the pipeline task outright: T070's error
    run = (
        "apiVersion: tekton.dev/v1\nkind: TaskRun\nmetadata: {name: r}\n"
        "spec:\n  taskRef: {name: git-clone, kind: ClusterTask}\n"
    )
    assert [p.level for p in problems(run, "R001")] == ["info"]


def test_ambiguous_references_prefer_the_nearest_file():
    here = (
        pipeline("""
        - name: run
          taskRef: {name: t}
          params: [{name: s, value: x}]
        """)
        + STRING_T
    )
    elsewhere = ARRAY_T
    assert not problems(here, "R010", files={"other/t.yaml": elsewhere})


# --- results and workspaces (R012, R013) ----------------------------------------------------


def test_result_names_are_checked_in_params_when_and_pipeline_results():
    text = pipeline(
        """
        - name: first
          taskRef: {name: producer}
        - name: second
          taskRef: {name: producer}
          when:
            - {input: $(tasks.first.results.digset), operator: in, values: [x]}
          params: []
        """,
        "",
        """
        results:
          - {name: good, value: $(tasks.first.results.digest)}
          - {name: bad, value: $(tasks.first.results.nope)}
          - {name: final, value: $(finally.notify.results.missing)}
        finally:
          - name: notify
            taskRef: {name: producer}
        """,
    ) + task(
        "producer",
        "",
        """
        results:
          - name: digest
        """,
    )
    found = problems(text, "R012")
    assert sorted(p.message.split('"')[3] for p in found) == ["digset", "missing", "nope"], found
    assert all("declared: digest" in p.message for p in found)


def test_dotted_result_names_split_like_tekton():
    text = (
        pipeline("""
        - name: first
          taskRef: {name: producer}
        - name: second
          taskRef: {name: t}
          params: [{name: s, value: $(tasks.first.results.a.b)}]
        """)
        + STRING_T
        + task(
            "producer",
            "",
            """
        results:
          - name: a.b
        """,
        )
    )
    found = problems(text, "R012")
    assert len(found) == 1 and 'result "a"' in found[0].message


def test_pipeline_task_workspaces():
    text = pipeline(
        """
        - name: unbound
          taskRef: {name: w}
        - name: wrong-name
          taskRef: {name: w}
          workspaces:
            - {name: source, workspace: src}
            - {name: sources, workspace: src}
        - name: optional-to-required
          taskRef: {name: w}
          workspaces:
            - {name: source, workspace: maybe}
        - name: inline
          taskSpec:
            steps: [{name: ls, image: "alpine:3.20", script: "ls $(workspaces.src.path)"}]
        - name: inline-declared
          taskSpec:
            workspaces: [{name: src}]
            steps: [{name: ls, image: "alpine:3.20", script: "ls $(workspaces.src.path)"}]
        """,
        "",
        """
        workspaces:
          - name: src
          - {name: maybe, optional: true}
        """,
    ) + task(
        "w",
        "",
        """
        workspaces:
          - name: source
          - {name: cache, optional: true}
        """,
    )
    found = problems(text, "R013")
    messages = [p.message for p in found]
    assert len(found) == 3, messages
    assert any('"unbound" does not bind workspace "source"' in m for m in messages)
    assert any('binds workspace "sources"' in m for m in messages)
    assert any('"maybe", which is optional' in m for m in messages)


# --- runs (R020-R024) -------------------------------------------------------------------------

RUN_PIPELINE = pipeline(
    """
    - name: run
      taskSpec:
        steps: [{name: echo, image: "alpine:3.20", script: "echo"}]
    """,
    """
    - {name: version}
    - {name: arches, type: array}
    - {name: variant, enum: [scos, fcos], default: scos}
    - {name: repo, properties: {url: {}, rev: {}}, default: {rev: main}}
    """,
    """
    workspaces:
      - name: out
      - {name: cache, optional: true}
    """,
)


def test_pipelinerun_params_and_workspaces():
    text = (
        RUN_PIPELINE
        + """
---
apiVersion: tekton.dev/v1
kind: PipelineRun
metadata:
  generateName: run-
spec:
  pipelineRef: {name: p}
  params:
    - {name: arches, value: x86_64}
    - {name: variant, value: rhcos}
    - {name: repo, value: {rev: x}}
  workspaces:
    - {name: cahce, emptyDir: {}}
  taskRunSpecs:
    - {pipelineTaskName: runn}
"""
    )
    found = problems(text, "R020")
    assert sorted(re.search(r'param "([^"]+)"', p.message).group(1) for p in found) == [
        "arches",
        "repo",
        "variant",
        "version",
    ], found
    workspaces = problems(text, "R021")
    assert [(p.level, p.message.split('"')[3]) for p in workspaces] == [("error", "out"), ("info", "cahce")]
    assert len(problems(text, "R022")) == 1


def test_triggertemplate_runs_take_values_as_written():
    text = (
        RUN_PIPELINE
        + """
---
apiVersion: triggers.tekton.dev/v1beta1
kind: TriggerTemplate
metadata:
  name: tt
spec:
  params:
    - name: arches
  resourcetemplates:
    - apiVersion: tekton.dev/v1
      kind: PipelineRun
      metadata:
        generateName: run-
      spec:
        pipelineRef: {name: p}
        params:
          - {name: version, value: $(tt.params.arches)}
          - {name: arches, value: $(tt.params.arches)}
        workspaces:
          - {name: out, emptyDir: {}}
"""
    )
    found = problems(text, "R020")
    assert len(found) == 1 and 'param "arches" of type string' in found[0].message
    assert "TriggerTemplate" in found[0].message
    assert not problems(text, "R021") and not problems(text, "R030")


def test_taskrun_is_lenient_about_variables_like_tekton():
    text = (
        ARRAY_T
        + """
---
apiVersion: tekton.dev/v1
kind: TaskRun
metadata:
  name: r1
spec:
  taskRef: {name: t}
  params:
    - {name: a, value: $(context.taskRun.name)}
---
apiVersion: tekton.dev/v1
kind: TaskRun
metadata:
  name: r2
spec:
  taskRef: {name: t}
  params:
    - {name: a, value: plain}
  stepSpecs:
    - {name: runn}
"""
    )
    found = problems(text, "R023")
    assert len(found) == 1 and 'TaskRun "r2"' in found[0].message
    overrides = problems(text, "R024")
    assert len(overrides) == 1 and 'step "runn"' in overrides[0].message


def test_a_workspace_bound_under_the_wrong_name_is_one_finding():
    declared = task("t", extra="workspaces:\n  - name: catalog\n  - name: extra\n    optional: true")
    run = """
---
apiVersion: tekton.dev/v1
kind: TaskRun
metadata:
  name: r
spec:
  taskRef: {name: t}
  workspaces:
    - {name: source, emptyDir: {}}
"""
    found = problems(declared + run, "R024")
    assert len(found) == 1, [p.message for p in found]
    assert 'binds workspace "source"' in found[0].message and 'name the binding "catalog"' in found[0].message
    # two bindings under wrong names: each said as it is
    found = problems(declared + run + "    - {name: other, emptyDir: {}}\n", "R024")
    assert len(found) == 3


# --- triggers (R003, R004, R030-R032) ---------------------------------------------------------

TRIGGERS = """
apiVersion: triggers.tekton.dev/v1beta1
kind: EventListener
metadata:
  name: el
spec:
  serviceAccountName: el-sa
  triggers:
    - name: one
      bindings:
        - ref: b
        - {name: extra, value: x}
        - {name: source, value: y}
      template:
        ref: tt
    - name: two
      bindings:
        - {ref: shared, kind: ClusterTriggerBinding}
      template:
        ref: tt
      interceptors:
        - ref: {name: cel}
        - ref: {name: custom-interceptor}
    - name: three
---
apiVersion: triggers.tekton.dev/v1beta1
kind: TriggerBinding
metadata:
  name: b
spec:
  params:
    - {name: source, value: $(body.source)}
    - {name: source, value: $(body.other)}
---
apiVersion: triggers.tekton.dev/v1beta1
kind: TriggerTemplate
metadata:
  name: tt
spec:
  params:
    - name: source
    - {name: revision, default: main}
  resourcetemplates:
    - apiVersion: tekton.dev/v1
      kind: PipelineRun
      metadata:
        generateName: run-
        labels:
          example.com/source: $(tt.params.source)
          example.com/commit: $(tt.params.commit)
      spec:
        pipelineRef: {name: p}
"""


def test_trigger_refs():
    found = problems(TRIGGERS, "R003")
    assert [(p.level, p.line) for p in found] == [("info", 18), ("info", 23), ("error", 24)], found
    assert '"shared"' in found[0].message and '"custom-interceptor"' in found[1].message
    assert 'trigger "three"' in found[2].message and "no template" in found[2].message


def test_trigger_params():
    declared = problems(TRIGGERS, "R030")
    assert len(declared) == 1 and "$(tt.params.commit)" in declared[0].message
    duplicates = problems(TRIGGERS, "R032")
    messages = sorted(p.message for p in duplicates)
    assert len(duplicates) == 2, messages
    assert any('TriggerBinding "b" declares param "source" twice' in m for m in messages)
    assert any('binds param "source" twice' in m for m in messages)
    assert not problems(TRIGGERS, "R031")  # trigger two uses a ClusterTriggerBinding not in the set
    assert [p.level for p in problems(TRIGGERS, "R004")] == ["warning"]


def test_unbound_template_params_level_follows_where_they_are_used():
    text = TRIGGERS.replace("        - {name: source, value: y}\n", "").replace("        - ref: b\n", "")
    found = problems(text, "R031")  # in a label value: the API server rejects the PipelineRun
    assert [p.level for p in found] == ["error"] and '"source"' in found[0].message
    assert "metadata.labels.example.com/source of resource template 1 (PipelineRun)" in found[0].message
    in_spec = text.replace("example.com/source: $(tt.params.source)", "example.com/source: x").replace(
        "pipelineRef: {name: p}", "pipelineRef: {name: p}\n        params: [{name: s, value: $(tt.params.source)}]"
    )
    found = problems(in_spec, "R031")  # in a Tekton param value: left unreplaced, the run sees the text
    assert [p.level for p in found] == ["warning"] and "spec.params[0].value" in found[0].message
    unused = text.replace("example.com/source: $(tt.params.source)", "example.com/source: x")
    found = problems(unused, "R031")  # nothing uses it: nothing is left unreplaced
    assert [p.level for p in found] == ["info"] and "unreplaced" not in found[0].message.replace(
        "nothing is left unreplaced", ""
    )


# --- duplicates and hostile input -------------------------------------------------------------


def test_same_object_in_two_versions():
    text = STRING_T + STRING_T.replace("tekton.dev/v1\n", "tekton.dev/v1beta1\n")
    assert [p.level for p in problems(text, "R040")] == ["warning"]
    assert [p.level for p in problems(text, "R040", foreign=False)] == ["warning"]


HOSTILE = [
    "spec: {tasks: 3}",
    "spec: {tasks: [3, null, {taskRef: 5}]}",
    "spec: {tasks: [{taskRef: {name: [1]}}]}",
    "spec: {tasks: [{name: x, taskRef: {name: t}, params: {a: b}}]}",
    "spec: {tasks: [{name: x, taskRef: {name: t}, params: [{name: [1], value: {a: [1]}}]}]}",
    "spec: {tasks: [{name: x, taskRef: {name: t}, matrix: [1]}]}",
    "spec: {tasks: [{name: x, taskRef: {name: t}, matrix: {params: {a: 1}, include: [{params: 3}]}}]}",
    "spec: {tasks: [{name: x, taskRef: {name: t}, workspaces: [{name: 3}, 7]}], workspaces: 5}",
    "spec: {results: [{name: r, value: {a: $(tasks.x.results.y)}}], tasks: [{name: x, taskRef: {name: t}}]}",
    "spec: {params: [{name: p, enum: 3}], "
    "tasks: [{name: x, taskRef: {name: t}, params: [{name: s, value: $(params.p)}]}]}",
]


@pytest.mark.parametrize("spec", HOSTILE)
def test_hostile_pipelines_never_crash(spec):
    text = f"apiVersion: tekton.dev/v1\nkind: Pipeline\nmetadata: {{name: p}}\n{spec}\n" + task(
        "t",
        """
        - name: s
          enum: [a]
        - name: o
          properties: 3
        """,
        "results: 7\nworkspaces: {a: b}",
    )
    for rule in registry.RULES.values():
        if rule.SCOPE == "unit":
            assert not [p for p in problems(text, rule.CODE) if p.code == "E000"], rule.CODE


@pytest.mark.parametrize(
    "spec",
    [
        "spec: 3",
        "spec: {triggers: 3}",
        "spec: {triggers: [3, {template: 3, bindings: 4}]}",
        "spec: {triggers: [{template: {ref: [1]}, bindings: [{ref: 3, kind: []}], interceptors: [{ref: 3}]}]}",
        "spec: {serviceAccountName: [1], triggers: [{triggerRef: 5}]}",
    ],
)
def test_hostile_triggers_never_crash(spec):
    text = (
        f"apiVersion: triggers.tekton.dev/v1beta1\nkind: EventListener\nmetadata: {{name: el}}\n{spec}\n"
        + """
---
apiVersion: triggers.tekton.dev/v1beta1
kind: TriggerTemplate
metadata: {name: tt}
spec: {params: 3, resourcetemplates: [{kind: PipelineRun, apiVersion: tekton.dev/v1, spec: [1]}, 4]}
"""
    )
    for rule in registry.RULES.values():
        if rule.SCOPE == "unit":
            assert not [p for p in problems(text, rule.CODE) if p.code == "E000"], rule.CODE


def test_binding_shapes_as_the_triggers_webhook_judges_them():
    """Asked with the Triggers oracle: exactly one of ref and name, and a value with a name."""
    listener = """
apiVersion: triggers.tekton.dev/v1beta1
kind: EventListener
metadata: {name: el}
spec:
  serviceAccountName: el-sa
  triggers:
    - name: one
      template: {ref: tt}
      bindings: [{name: a}, {name: b, value: v}, {ref: tb, name: c}, {ref: tb, value: v}, {}, {kind: TriggerBinding}]
"""
    found = [p.message for p in problems(listener, "R003") if p.level == "error"]
    assert [m.split(" of ")[0] for m in found] == ["binding 1", "binding 3", "binding 5", "binding 6"], found
