"""Property: no input makes a rule crash. Random and mutated YAML through the loader, every
unit rule, every file rule and the secret-reference collector: never an exception, never an
E000 internal-error problem.

Budget: OKD_STREAMS_FUZZ_EXAMPLES examples per test (default 200, `make test`; `make fuzz`
runs 5000). With CI set the run is derandomized, so CI is reproducible; nothing is written
to a Hypothesis database (no .hypothesis/ in the repository).
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.configuration import set_hypothesis_home_dir

from okd_streams import rules as registry
from okd_streams.config import Config
from okd_streams.files.loader import parse_text
from okd_streams.lint import engine
from okd_streams.model.objects import FileContext
from okd_streams.model.repo import unit_from_files
from okd_streams.render import kustomization as kz
from okd_streams.streams.secrets import secrets_of
from tests.conftest import REPO

EXAMPLES = int(os.environ.get("OKD_STREAMS_FUZZ_EXAMPLES", "200"))
FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=bool(os.environ.get("CI")),
    database=None,
    suppress_health_check=list(HealthCheck),
    print_blob=False,
)

CONFIG = Config()
UNIT_RULES = [rule for rule in registry.RULES.values() if rule.SCOPE == "unit"]
FILE_RULES = [rule for rule in registry.RULES.values() if rule.SCOPE == "file"]
SCRATCH = Path(tempfile.mkdtemp(prefix="okd-streams-fuzz-"))
set_hypothesis_home_dir(SCRATCH / "hypothesis")  # Hypothesis' own caches: not into the repository
CORPUS = Path(__file__).resolve().parents[3] / "shared" / "corpus" / "tektoncd-catalog"  # ../shared beside the clone

KINDS = [
    "Task",
    "Pipeline",
    "PipelineRun",
    "TaskRun",
    "StepAction",
    "TriggerTemplate",
    "TriggerBinding",
    "EventListener",
    "Trigger",
    "CronJob",
    "Job",
    "Pod",
    "Deployment",
    "Role",
    "ClusterRole",
    "RoleBinding",
    "ServiceAccount",
    "Secret",
    "ConfigMap",
    "AppProject",
    "Application",
    "ApplicationSet",
    "StreamCard",
    "Kustomization",
    "CustomRun",
]
API_VERSIONS = [
    "tekton.dev/v1",
    "tekton.dev/v1beta1",
    "triggers.tekton.dev/v1beta1",
    "v1",
    "batch/v1",
    "apps/v1",
    "rbac.authorization.k8s.io/v1",
    "argoproj.io/v1alpha1",
    "okd-streams.io/v1alpha1",
    "kustomize.config.k8s.io/v1beta1",
]
VOCABULARY = [
    "apiVersion",
    "kind",
    "metadata",
    "name",
    "namespace",
    "labels",
    "annotations",
    "generateName",
    "spec",
    "params",
    "type",
    "default",
    "enum",
    "properties",
    "description",
    "value",
    "results",
    "workspaces",
    "workspace",
    "mountPath",
    "readOnly",
    "optional",
    "steps",
    "sidecars",
    "stepTemplate",
    "image",
    "script",
    "command",
    "args",
    "env",
    "envFrom",
    "valueFrom",
    "secretKeyRef",
    "secretRef",
    "key",
    "volumes",
    "volumeMounts",
    "secret",
    "secretName",
    "items",
    "hostPath",
    "path",
    "emptyDir",
    "securityContext",
    "runAsUser",
    "runAsNonRoot",
    "privileged",
    "capabilities",
    "add",
    "hostNetwork",
    "hostPID",
    "imagePullSecrets",
    "tasks",
    "finally",
    "taskRef",
    "taskSpec",
    "pipelineRef",
    "pipelineSpec",
    "runAfter",
    "when",
    "input",
    "operator",
    "values",
    "matrix",
    "include",
    "retries",
    "timeout",
    "timeouts",
    "onError",
    "ref",
    "resolver",
    "bundle",
    "resourcetemplates",
    "bindings",
    "template",
    "triggers",
    "interceptors",
    "serviceAccountName",
    "taskRunTemplate",
    "podTemplate",
    "taskRunSpecs",
    "pipelineTaskName",
    "stringData",
    "data",
    "rules",
    "verbs",
    "resources",
    "apiGroups",
    "sourceRepos",
    "destinations",
    "server",
    "clusterResourceWhitelist",
    "group",
    "jobTemplate",
    "containers",
    "initContainers",
    "schedule",
    "pipelines",
    "owners",
    "sync",
    "os",
    "version",
    "displayName",
    "status",
    "contexts",
    "stepActionRef",
]
ODD_STRINGS = [
    "$(params.x)",
    "$(params.x[*])",
    "$(params['a.b'])",
    '$(params["a"].b)',
    "$(params.obj.key)",
    "$(params.)",
    "$(tasks.build.results.out)",
    "$(tasks.build.results.out[0])",
    "$(tasks.status)",
    "$(tasks.x.status)",
    "$(context.pipelineRun.name)",
    "$(context.taskRun.uid)",
    "$(workspaces.ws.path)",
    "$(workspaces.ws.bound)",
    "$(results.out.path)",
    "$(steps.step-a.exitCode.path)",
    "$(tt.params.trigger)",
    "$(body.x)",
    "$(",
    "$()",
    "$(($(params.x)))",
    "$(date +%s)",
    "${VAR}",
    "{{ .path.basename }}",
    "*",
    "**",
    "0",
    "-1",
    "",
    " ",
    "latest",
    "alpine",
    "alpine:latest",
    "alpine@sha256:zz",
    "a:b@sha256:" + "0" * 64,
    "@",
    "..",
    "../..",
    "/",
    "/dev/kvm",
    "\u202e\u0000",
    "😀",
    "true",
    "null",
    "~",
    "[",
    "{",
    "a,b",
    "1h",
    "-5m",
    "in",
    "notin",
    "Task",
    "v1",
    "x" * 300,
    "ALL",
    "SYS_ADMIN",
    "okd-streams",
    "build",
    "ws",
]
NAMES = ["build", "test", "release", "okd-coreos", "ws", "x", "", "Build_1", "a" * 70]

leaves = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=20),
    st.sampled_from(ODD_STRINGS),
    st.sampled_from(NAMES),
)
keys = st.one_of(st.sampled_from(VOCABULARY), st.sampled_from(NAMES), st.text(max_size=6))
trees = st.recursive(
    leaves,
    lambda children: st.one_of(st.lists(children, max_size=4), st.dictionaries(keys, children, max_size=5)),
    max_leaves=30,
)
objects = st.fixed_dictionaries(
    {
        "apiVersion": st.one_of(st.sampled_from(API_VERSIONS), leaves),
        "kind": st.one_of(st.sampled_from(KINDS), leaves),
        "metadata": st.one_of(
            st.fixed_dictionaries(
                {"name": st.one_of(st.sampled_from(NAMES), leaves)}, optional={"namespace": leaves, "labels": trees}
            ),
            trees,
        ),
        "spec": st.one_of(st.dictionaries(keys, trees, max_size=6), trees),
    },
    optional={"stringData": trees, "data": trees, "rules": trees},
)


def _samples() -> list[tuple[str, str]]:
    """(name, text) of real files: this repository's bases and a spread of the Tekton catalog."""
    found = sorted(
        p for folder in ("base", "overlays", "streams", "argocd", ".tekton") for p in (REPO / folder).rglob("*.yaml")
    )
    if CORPUS.is_dir():
        catalog = sorted(CORPUS.rglob("*.yaml"))
        found += catalog[:: max(1, len(catalog) // 80)]
    samples = []
    for path in found:
        try:
            samples.append((path.name, path.read_text(encoding="utf-8")))
        except (OSError, UnicodeDecodeError):
            continue
    return samples


def _documents(samples: list[tuple[str, str]]) -> list[dict]:
    found = []
    for _, text in samples:
        try:
            found.extend(d for d in yaml.safe_load_all(text) if isinstance(d, dict))
        except yaml.YAMLError:
            continue
    return found


SAMPLES = _samples()
DOCUMENTS = _documents(SAMPLES)


def run_everything(text: str, foreign: bool, as_stream: bool = False) -> None:
    """Load, then every rule; fails on an E000 (a rule crashed) or any escaping exception."""
    yaml_file = parse_text(text, "fuzz/example.yaml")
    unit = unit_from_files([yaml_file], "fuzz", foreign=foreign)
    if as_stream:
        unit.stream, unit.rendered = "fuzz", True
        unit.card = next(
            (d for d in yaml_file.documents if isinstance(d.data, dict) and d.data.get("kind") == "StreamCard"), None
        )
    problems = engine.check_unit(unit, CONFIG, UNIT_RULES)
    context = FileContext(root=SCRATCH, foreign=foreign)
    problems += engine.check_files([yaml_file], context, CONFIG, foreign=foreign, rules=FILE_RULES)
    secrets_of(unit)
    crashed = [f"{p.code} {p.message}" for p in problems if p.code == engine.INTERNAL[0]]
    assert not crashed, "\n".join(crashed) + "\n--- input ---\n" + text[:3000]


def dump(documents: list) -> str:
    return yaml.safe_dump_all(documents, allow_unicode=True, sort_keys=False, width=200)


@FUZZ
@given(st.lists(objects, min_size=1, max_size=4), st.booleans(), st.booleans())
def test_random_tekton_shaped_objects(documents, foreign, as_stream):
    run_everything(dump(documents), foreign, as_stream)


def _paths(data, path=()):
    yield path
    if isinstance(data, dict):
        for key, value in data.items():
            yield from _paths(value, path + (key,))
    elif isinstance(data, list):
        for index, value in enumerate(data):
            yield from _paths(value, path + (index,))


def _mutate(data, path, action, value):
    """Replace, delete, wrap or retype the value at `path` (a copy is mutated)."""
    if not path:
        return value if action == "replace" else [data] if action == "wrap" else data
    parent = data
    for key in path[:-1]:
        parent = parent[key]
    last = path[-1]
    if action == "replace":
        parent[last] = value
    elif action == "delete":
        del parent[last]
    elif action == "wrap":
        parent[last] = [parent[last]]
    elif action == "stringify":
        parent[last] = str(parent[last])
    elif action == "empty":
        parent[last] = {} if isinstance(parent[last], list) else []
    return data


@FUZZ
@given(st.data(), st.booleans(), st.booleans())
def test_mutated_real_objects(data, foreign, as_stream):
    if not DOCUMENTS:
        return
    document = yaml.safe_load(yaml.safe_dump(data.draw(st.sampled_from(DOCUMENTS))))  # a deep copy
    for _ in range(data.draw(st.integers(min_value=1, max_value=6))):
        paths = list(_paths(document))
        path = data.draw(st.sampled_from(paths))
        action = data.draw(st.sampled_from(["replace", "replace", "delete", "wrap", "stringify", "empty"]))
        document = _mutate(document, path, action, data.draw(trees))
    run_everything(dump([document]), foreign, as_stream)


SNIPPETS = [
    "[",
    "]",
    "{",
    "}",
    ":",
    ": ",
    "- ",
    "\n- ",
    "\t",
    "&a ",
    "*a",
    "*b",
    "<<: *a\n",
    "!!binary ",
    "!x ",
    "? ",
    "#",
    "'",
    '"',
    "|",
    ">",
    "---\n",
    "...\n",
    "%YAML 1.1\n",
    "\n",
    "  ",
    "$(",
    ")",
    "\\",
    "\ufeff",
    "\x85",
    "\u2028",
    "null",
    "~",
    "0o17",
    "0x1F",
    "1e400",
    "9" * 40,
    "&a [*a]",
    "\r\n",
]


@FUZZ
@given(st.data(), st.booleans())
def test_byte_level_mutations_of_real_files(data, foreign):
    if not SAMPLES:
        return
    _, text = data.draw(st.sampled_from(SAMPLES))
    for _ in range(data.draw(st.integers(min_value=1, max_value=8))):
        position = data.draw(st.integers(min_value=0, max_value=len(text)))
        action = data.draw(st.sampled_from(["insert", "delete", "replace"]))
        snippet = data.draw(st.one_of(st.sampled_from(SNIPPETS), st.text(max_size=4)))
        length = data.draw(st.integers(min_value=1, max_value=40))
        if action == "insert":
            text = text[:position] + snippet + text[position:]
        elif action == "delete":
            text = text[:position] + text[position + length :]
        else:
            text = text[:position] + snippet + text[position + length :]
    run_everything(text, foreign)


@FUZZ
@given(
    st.one_of(
        st.dictionaries(
            st.sampled_from(
                [
                    "resources",
                    "bases",
                    "components",
                    "patches",
                    "patchesStrategicMerge",
                    "patchesJson6902",
                    "configurations",
                    "openapi",
                    "replacements",
                    "configMapGenerator",
                    "secretGenerator",
                    "helmGlobals",
                    "kind",
                    "namespace",
                ]
            ),
            trees,
            max_size=6,
        ),
        trees,
    )
)
def test_kustomization_reading_survives_anything(data):
    """The kustomization reader (closure, auxiliary files) never raises, whatever the file holds."""
    folder = Path(tempfile.mkdtemp(dir=SCRATCH))
    (folder / "kustomization.yaml").write_text(dump([data]), encoding="utf-8")
    kz.closure(folder)
    kz.auxiliary_files(folder / "kustomization.yaml")
