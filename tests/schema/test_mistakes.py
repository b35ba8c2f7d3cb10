"""Each mistake of issue 15 gives exactly one issue, at the right path, of the right kind."""

import pytest
import yaml

from okd_streams.schema import SchemaIssue, Target, check_document_shape, check_object

TASK = """
apiVersion: tekton.dev/v1
kind: Task
metadata: {name: t}
spec:
  params: [{name: p, type: string}]
  workspaces: [{name: w, readOnly: true}]
  steps:
  - name: build
    image: alpine
    script: echo hi
    env: [{name: A, value: b}]
"""
PIPELINE = """
apiVersion: tekton.dev/v1
kind: Pipeline
metadata: {name: p}
spec:
  tasks:
  - name: a
    taskRef: {name: t}
  - name: b
    taskRef: {name: t}
    runAfter: [a]
    retries: 2
    timeout: 1h30m
"""
RUN = """
apiVersion: tekton.dev/v1
kind: PipelineRun
metadata: {name: r}
spec:
  pipelineRef: {name: p}
"""
BINDING = """
apiVersion: triggers.tekton.dev/v1beta1
kind: TriggerBinding
metadata: {name: b}
spec:
  params: [{name: x, value: y}]
"""
LISTENER = """
apiVersion: triggers.tekton.dev/v1beta1
kind: EventListener
metadata: {name: el}
spec:
  serviceAccountName: sa
  triggers:
  - name: t
    bindings: [{ref: b}]
    template: {ref: tt}
"""
ROLE = """
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {name: r}
rules:
- apiGroups: [tekton.dev]
  resources: [pipelineruns]
  verbs: [create]
"""
CRON = """
apiVersion: batch/v1
kind: CronJob
metadata: {name: c}
spec:
  schedule: "0 1 * * *"
  suspend: false
  jobTemplate:
    spec:
      template:
        spec:
          restartPolicy: Never
          containers: [{name: c, image: curl}]
"""
APP = """
apiVersion: argoproj.io/v1alpha1
kind: Application
metadata: {name: a}
spec:
  project: default
  source: {repoURL: "https://example.com/r.git", path: streams/x}
  destination: {server: "https://kubernetes.default.svc", namespace: x}
  syncPolicy:
    automated: {prune: true}
"""


def edit(text: str, path: tuple, value: object = None, rename: str | None = None, delete: bool = False) -> dict:
    data = yaml.safe_load(text)
    node = data
    for part in path[:-1]:
        node = node[part]
    if rename is not None:
        node[rename] = node.pop(path[-1])
    elif delete:
        del node[path[-1]]
    else:
        node[path[-1]] = value
    return data


CASES = [
    # misspelled fields: (base, path, rename-to, expected path, suggestion)
    ("runafter", PIPELINE, ("spec", "tasks", 1, "runAfter"), "runafter", "runAfter"),
    ("parms", PIPELINE, ("spec", "tasks", 0, "taskRef"), None, None),
    ("scrpt", TASK, ("spec", "steps", 0, "script"), "scrpt", "script"),
    ("valu", TASK, ("spec", "steps", 0, "env", 0, "value"), "valu", "value"),
    ("readonly", TASK, ("spec", "workspaces", 0, "readOnly"), "readonly", "readOnly"),
    ("parms-binding", BINDING, ("spec", "params"), "parms", "params"),
    ("bindngs", LISTENER, ("spec", "triggers", 0, "bindings"), "bindngs", "bindings"),
    ("verb", ROLE, ("rules", 0, "verbs"), "verb", "verbs"),
    ("schedul", CRON, ("spec", "schedule"), "schedul", "schedule"),
    ("syncPolcy", APP, ("spec", "syncPolicy"), "syncPolcy", "syncPolicy"),
]


@pytest.mark.parametrize("name,base,path,new,hint", [c for c in CASES if c[3]], ids=[c[0] for c in CASES if c[3]])
def test_misspelled_field(name: str, base: str, path: tuple, new: str, hint: str) -> None:
    data = edit(base, path, rename=new)
    issues = check_object(data, Target())
    assert len(issues) == 1, issues
    issue = issues[0]
    assert issue.kind == "unknown-field"
    assert issue.path == path[:-1] + (new,)
    assert issue.suggestion == hint
    assert f'did you mean "{hint}"?' in issue.message
    # schedule and verbs are required: their misspelling is still one finding, not two


def test_parms_in_pipeline_task() -> None:
    data = yaml.safe_load(PIPELINE)
    data["spec"]["tasks"][0]["parms"] = [{"name": "x", "value": "y"}]
    [issue] = check_object(data)
    assert issue.path == ("spec", "tasks", 0, "parms")
    assert issue.message == ('unknown field "parms" in pipeline task "a" of Pipeline p; did you mean "params"?')


def test_runafter_message() -> None:
    [issue] = check_object(edit(PIPELINE, ("spec", "tasks", 1, "runAfter"), rename="runafter"))
    assert issue.message == ('unknown field "runafter" in pipeline task "b" of Pipeline p; did you mean "runAfter"?')


def test_taskref_nme() -> None:
    [issue] = check_object(edit(PIPELINE, ("spec", "tasks", 0, "taskRef"), {"nme": "t"}))
    assert (issue.kind, issue.path, issue.suggestion) == (
        "unknown-field",
        ("spec", "tasks", 0, "taskRef", "nme"),
        "name",
    )


def test_timeout_on_v1_pipelinerun() -> None:
    data = yaml.safe_load(RUN)
    data["spec"]["timeout"] = "1h"
    [issue] = check_object(data)
    assert (issue.kind, issue.path, issue.suggestion) == ("unknown-field", ("spec", "timeout"), "timeouts")


WRONG = [
    ("script: 12", TASK, ("spec", "steps", 0, "script"), 12),
    ("image: 7", TASK, ("spec", "steps", 0, "image"), 7),
    ("tasks: notalist", PIPELINE, ("spec", "tasks"), "notalist"),
    ("params as mapping", TASK, ("spec", "params"), {"p": "x"}),
    ("taskRef: t", PIPELINE, ("spec", "tasks", 0, "taskRef"), "t"),
    ("runAfter: a", PIPELINE, ("spec", "tasks", 1, "runAfter"), "a"),
    ("retries: '3'", PIPELINE, ("spec", "tasks", 1, "retries"), "3"),
    ("suspend: 'no'", CRON, ("spec", "suspend"), "no"),
    ("automated: [prune]", APP, ("spec", "syncPolicy", "automated"), ["prune"]),
]


@pytest.mark.parametrize("name,base,path,value", WRONG, ids=[w[0] for w in WRONG])
def test_wrong_type(name: str, base: str, path: tuple, value: object) -> None:
    [issue] = check_object(edit(base, path, value))
    assert (issue.kind, issue.path) == ("wrong-type", path)


def test_wrong_type_message() -> None:
    [issue] = check_object(edit(PIPELINE, ("spec", "tasks"), "notalist"))
    assert issue.message == "spec.tasks of Pipeline p must be a list, not a string"
    [issue] = check_object(edit(TASK, ("spec", "steps", 0, "script"), 12))
    assert issue.message == (
        'script of step "build" of Task t must be a string, not an integer; put the value in quotes to make it text'
    )


def test_timeout_forever() -> None:
    [issue] = check_object(edit(PIPELINE, ("spec", "tasks", 1, "timeout"), "forever"))
    assert (issue.kind, issue.path) == ("invalid-value", ("spec", "tasks", 1, "timeout"))
    assert "Go duration" in issue.message


def test_no_name() -> None:
    data = yaml.safe_load(TASK)
    data["metadata"] = {"labels": {"a": "b"}}
    [issue] = check_object(data)
    assert (issue.kind, issue.path, issue.field) == ("missing-field", ("metadata",), "name")
    data["metadata"] = {"generateName": "t-"}
    assert check_object(data) == []


def test_invalid_name() -> None:
    assert check_object(edit(ROLE, ("metadata", "name"), "system:Bad_Name")) == []
    [issue] = check_object(edit(ROLE, ("metadata", "name"), "a/b"))
    assert (issue.kind, issue.path) == ("invalid-value", ("metadata", "name"))
    [issue] = check_object(edit(CRON, ("metadata", "name"), "Bad_Name"))
    assert (issue.kind, issue.path) == ("invalid-value", ("metadata", "name"))


def test_empty_task_spec_is_left_to_the_task_rules() -> None:
    # Tekton: "missing field(s): spec.steps" (the oracle, admission layer): T080 reports it.
    assert check_object(edit(TASK, ("spec",), {})) == []


@pytest.mark.parametrize("doc", [[{"a": 1}], "text", 3])
def test_not_an_object(doc: object) -> None:
    [issue] = check_document_shape(doc)
    assert issue.kind == "not-an-object" and issue.path == ()
    assert check_object(doc) == [issue]


def test_non_string_keys() -> None:
    [issue] = check_document_shape({1: "a", "kind": "Task"})
    assert (issue.kind, issue.path) == ("not-an-object", (1,))


def test_triggers_case_insensitive_like_go() -> None:
    tt = yaml.safe_load("""
apiVersion: triggers.tekton.dev/v1beta1
kind: TriggerTemplate
metadata: {name: tt}
spec:
  params: [{name: x}]
  resourceTemplates:
  - apiVersion: tekton.dev/v1
    kind: PipelineRun
    metadata: {generateName: r-}
    spec: {pipelineRef: {name: p}}
""")
    assert check_object(tt) == []
    tt["spec"]["resourcetemplates"] = tt["spec"].pop("resourceTemplates")
    assert check_object(tt) == []
    tt["spec"]["resourcetemplate"] = tt["spec"].pop("resourcetemplates")
    [issue] = check_object(tt)
    assert issue.suggestion == "resourcetemplates"


def test_embedded_pipeline_spec_decodes_case_insensitively() -> None:
    # The CRD preserves unknown fields in pipelineSpec; Tekton's webhook decodes it like Go.
    run = yaml.safe_load(RUN)
    run["spec"] = {
        "pipelineSpec": {
            "tasks": [
                {"name": "a", "taskRef": {"name": "t"}},
                {"name": "b", "taskRef": {"name": "t"}, "runafter": ["a"]},
            ]
        }
    }
    assert check_object(run) == []
    run["spec"]["pipelineSpec"]["tasks"][1]["runaftr"] = ["a"]
    [issue] = check_object(run)
    assert issue.path[-1] == "runaftr" and issue.suggestion == "runAfter"


def test_unknown_kind_is_silent() -> None:
    assert (
        check_object(
            {"apiVersion": "example.com/v1", "kind": "Thing", "metadata": {"name": "x"}, "spec": {"anything": 1}}
        )
        == []
    )


def test_issue_is_a_small_ordered_value() -> None:
    a = SchemaIssue(("a",), "wrong-type", "m")
    assert a < SchemaIssue(("b",), "wrong-type", "m") and hash(a)


def test_a_named_item_inside_another_names_both() -> None:
    """A step's workspace is not the Task's: the message says whose it is."""
    from okd_streams.schema.context import location

    data = yaml.safe_load(TASK.replace("    script: echo hi\n", "    script: echo hi\n    workspaces: [{name: w}]\n"))
    assert location(data, ("spec", "steps", 0, "workspaces", 0, "mountpath")) == (
        'mountpath of workspace "w" of step "build" of Task t'
    )
    assert location(data, ("spec", "workspaces", 0, "readOnly")) == 'readOnly of workspace "w" of Task t'
