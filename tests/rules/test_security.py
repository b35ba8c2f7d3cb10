"""The security policy (X000-X008): failing and passing fixtures per rule, waivers with reasons."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from okd_streams import rules as registry
from okd_streams.config import Config, parse_config
from okd_streams.files.loader import parse_text
from okd_streams.lint import engine
from okd_streams.model.objects import FileContext
from okd_streams.model.repo import unit_from_files
from okd_streams.tekton.containers import parse_image, pinned_by_digest

DIGEST = "sha256:" + "ab" * 32


def codes(text: str, foreign: bool = False, path: str = "tasks/example.yaml", config: Config | None = None) -> list:
    """(code, level, line) of every security finding for one file, unit and file rules together."""
    config = config or Config()
    yaml_file = parse_text(textwrap.dedent(text), path)
    unit = unit_from_files([yaml_file], "set", foreign=foreign)
    rules = [r for code, r in registry.RULES.items() if code.startswith("X")]
    problems = engine.check_unit(unit, config, [r for r in rules if r.SCOPE == "unit"])
    problems += engine.check_files(
        [yaml_file],
        FileContext(root=Path("."), foreign=foreign),
        config,
        foreign=foreign,
        rules=[r for r in rules if r.SCOPE == "file"],
    )
    assert not [p for p in problems if p.code == "E000"], problems
    return sorted((p.code, p.level, p.line) for p in problems)


def task(step: str, extra: str = "") -> str:
    return (
        "apiVersion: tekton.dev/v1\nkind: Task\nmetadata:\n  name: build\nspec:\n"
        + extra
        + "  steps:\n    - name: build\n"
        + textwrap.indent(textwrap.dedent(step), "      ")
    )


# ---------------------------------------------------------------------------------------------
# X001 plaintext-secret

FAILING_SECRETS = {
    "secret-data": "apiVersion: v1\nkind: Secret\nmetadata:\n  name: s\ndata:\n  token: aHVudGVyMg==\n",
    "secret-stringData": "apiVersion: v1\nkind: Secret\nmetadata:\n  name: s\nstringData:\n  token: hunter2\n",
    "stringData-in-a-template": (
        "apiVersion: triggers.tekton.dev/v1beta1\nkind: TriggerTemplate\nmetadata:\n  name: t\nspec:\n"
        "  resourcetemplates:\n    - apiVersion: v1\n      kind: Secret\n      metadata:\n        name: s\n"
        "      stringData:\n        token: hunter2\n"
    ),
}
PASSING_SECRETS = {
    "reference-only": task(
        "image: alpine:3.20\nenv:\n  - name: T\n    valueFrom:\n      secretKeyRef: {name: s, key: token}\n"
    ),
    "empty-secret": "apiVersion: v1\nkind: Secret\nmetadata:\n  name: sa-token\n  annotations:\n"
    "    kubernetes.io/service-account.name: builder\ntype: kubernetes.io/service-account-token\n",
    "runtime-values": (
        "apiVersion: triggers.tekton.dev/v1beta1\nkind: TriggerTemplate\nmetadata:\n  name: t\nspec:\n"
        "  resourcetemplates:\n    - apiVersion: v1\n      kind: Secret\n      metadata:\n        name: s\n"
        "      stringData:\n        token: $(tt.params.token)\n"
    ),
}


@pytest.mark.parametrize("case", sorted(FAILING_SECRETS))
def test_plaintext_secret_fails(case):
    assert ("X001", "error") in {(c, lvl) for c, lvl, _ in codes(FAILING_SECRETS[case])}


@pytest.mark.parametrize("case", sorted(PASSING_SECRETS))
def test_plaintext_secret_passes(case):
    assert "X001" not in {c for c, _, _ in codes(PASSING_SECRETS[case])}


def test_secret_generator_in_a_kustomization_fails():
    found = codes("secretGenerator:\n  - name: creds\n    literals: [token=hunter2]\n", path="app/kustomization.yaml")
    assert ("X001", "error", 3) in found


def test_plaintext_secret_is_a_warning_in_a_foreign_tree():
    assert ("X001", "warning", 5) in codes(FAILING_SECRETS["secret-data"], foreign=True)


# ---------------------------------------------------------------------------------------------
# X002 / X003 images


@pytest.mark.parametrize(
    "image, expected",
    [
        ("alpine", "X002"),
        ("alpine:latest", "X002"),
        ("registry:5000/team/alpine", "X002"),
        ("quay.io/x/y@sha256:zz", "X002"),
        ("alpine:3.20", "X003"),
        ("registry:5000/alpine:3.20", "X003"),
        (f"alpine:3.20@{DIGEST}", None),
        (f"alpine@{DIGEST}", None),
        (f"alpine:latest@{DIGEST}", None),
        ("$(params.image)", None),
        ("${IMAGE}", None),
        ("gcr.io/@PROJECT@/app", None),
    ],
)
def test_image_pinning(image, expected):
    found = {c for c, _, _ in codes(task(f"image: '{image}'\nscript: make\n"))} & {"X002", "X003"}
    assert found == ({expected} if expected else set())


def test_image_from_a_param_default_is_judged_at_the_default():
    text = task(
        "image: $(params.builder)\nscript: make\n",
        extra="  params:\n    - name: builder\n      default: quay.io/buildah/stable:latest\n",
    )
    assert ("X002", "warning", 8) in codes(text)


@pytest.mark.parametrize(
    "text",
    [
        "apiVersion: batch/v1\nkind: CronJob\nmetadata:\n  name: c\nspec:\n  jobTemplate:\n    spec:\n      template:\n"
        "        spec:\n          containers:\n            - name: trigger\n              image: curl\n",
        "apiVersion: tekton.dev/v1\nkind: Pipeline\nmetadata:\n  name: p\nspec:\n  tasks:\n    - name: t\n"
        "      taskSpec:\n        steps:\n          - name: s\n            image: alpine\n",
        "apiVersion: tekton.dev/v1\nkind: Task\nmetadata:\n  name: t\nspec:\n  stepTemplate:\n    image: alpine\n"
        "  sidecars:\n    - name: s\n      image: docker:dind\n  steps: [{name: s, script: make}]\n",
        "apiVersion: tekton.dev/v1beta1\nkind: StepAction\nmetadata:\n  name: a\nspec:\n  image: alpine\n",
    ],
)
def test_images_are_found_in_every_kind(text):
    assert "X002" in {c for c, _, _ in codes(text)}


def test_parse_image():
    image = parse_image("registry.example:5000/a/b:1.2@" + DIGEST)
    assert (image.name, image.tag, image.digest) == ("registry.example:5000/a/b", "1.2", DIGEST)
    assert pinned_by_digest(image)
    assert parse_image("registry.example:5000/a/b").tag is None


# ---------------------------------------------------------------------------------------------
# X004 privileged, X005 hostPath, X006 root


@pytest.mark.parametrize(
    "step, code",
    [
        ("image: alpine:3.20\nsecurityContext:\n  privileged: true\n", "X004"),
        ("image: alpine:3.20\nsecurityContext:\n  capabilities:\n    add: [SYS_ADMIN]\n", "X004"),
        ("image: alpine:3.20\nsecurityContext:\n  capabilities:\n    add: [CAP_ALL]\n", "X004"),
        ("image: alpine:3.20\nsecurityContext:\n  runAsUser: 0\n", "X006"),
    ],
)
def test_dangerous_steps_fail(step, code):
    assert code in {c for c, _, _ in codes(task(step))}


@pytest.mark.parametrize(
    "step",
    [
        "image: alpine:3.20\nsecurityContext:\n  privileged: false\n  runAsUser: 1000\n",
        "image: alpine:3.20\nsecurityContext:\n  capabilities:\n    add: [SETFCAP, NET_BIND_SERVICE]\n",
        "image: alpine:3.20\nsecurityContext:\n  runAsNonRoot: false\n",
        "image: alpine:3.20\nsecurityContext:\n  runAsUser: false\n",  # not 0: a wrong type, for others to report
        "image: alpine:3.20\nsecurityContext:\n  allowPrivilegeEscalation: true\n",
    ],
)
def test_ordinary_steps_pass(step):
    assert not {c for c, _, _ in codes(task(step))} & {"X004", "X006"}


def test_host_namespaces_in_a_pod_template_fail():
    text = (
        "apiVersion: tekton.dev/v1\nkind: PipelineRun\nmetadata:\n  name: r\nspec:\n  pipelineRef:\n"
        "    name: p\n  taskRunTemplate:\n    podTemplate:\n      hostNetwork: true\n"
    )
    assert ("X004", "error", 10) in codes(text)


def test_host_path_volumes():
    failing = task(
        "image: alpine:3.20\n",
        extra="  volumes:\n    - name: sock\n      hostPath:\n        path: /var/run/docker.sock\n",
    )
    passing = task("image: alpine:3.20\n", extra="  volumes:\n    - name: scratch\n      emptyDir: {}\n")
    assert ("X005", "error", 8) in codes(failing)
    assert "X005" not in {c for c, _, _ in codes(passing)}


def test_security_findings_are_warnings_in_a_foreign_tree():
    found = codes(task("image: alpine:3.20\nsecurityContext:\n  privileged: true\n  runAsUser: 0\n"), foreign=True)
    assert {(c, lvl) for c, lvl, _ in found} >= {("X004", "warning"), ("X006", "warning")}


# ---------------------------------------------------------------------------------------------
# X007 RBAC, X008 AppProject


def test_rbac_wildcards():
    failing = (
        "apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata:\n  name: r\nrules:\n"
        "  - apiGroups: ['*']\n    resources: [pods/*]\n    verbs: [get]\n"
        "  - nonResourceURLs: ['*']\n    verbs: [get]\n"
    )
    passing = (
        "apiVersion: rbac.authorization.k8s.io/v1\nkind: Role\nmetadata:\n  name: r\nrules:\n"
        "  - apiGroups: ['']\n    resources: [configmaps]\n    verbs: [get, list]\n"
        "  - nonResourceURLs: ['/healthz/*']\n    verbs: [get]\n"
    )
    assert [line for c, _, line in codes(failing) if c == "X007"] == [6, 7, 9]
    assert "X007" not in {c for c, _, _ in codes(passing)}


def test_appproject_wildcards():
    failing = (
        "apiVersion: argoproj.io/v1alpha1\nkind: AppProject\nmetadata:\n  name: p\nspec:\n"
        "  sourceRepos: ['*']\n  destinations:\n    - server: https://kubernetes.default.svc\n"
        "      namespace: '*'\n  clusterResourceWhitelist:\n    - group: '*'\n      kind: '*'\n"
    )
    passing = (
        "apiVersion: argoproj.io/v1alpha1\nkind: AppProject\nmetadata:\n  name: p\nspec:\n"
        "  sourceRepos: [https://github.com/okd-project/okd-streams.git]\n  destinations:\n"
        "    - server: https://kubernetes.default.svc\n      namespace: okd-*\n"
        "  clusterResourceWhitelist:\n    - group: ''\n      kind: Namespace\n"
    )
    assert [line for c, _, line in codes(failing) if c == "X008"] == [6, 9, 11]
    assert "X008" not in {c for c, _, _ in codes(passing)}


# ---------------------------------------------------------------------------------------------
# Waivers

ROOT_STEP = "image: alpine:3.20\n# okd-streams: disable=X006{reason}\nsecurityContext:\n  runAsUser: 0\n"


def test_a_waiver_with_a_reason_silences_the_finding():
    assert codes(task(ROOT_STEP.format(reason=' reason="rpm scriptlets need root"'))) == [("X003", "info", 8)]


def test_a_waiver_by_rule_id_works_too():
    text = task(
        "image: alpine:3.20\n# okd-streams: disable=step-runs-as-root reason='needs root'\n"
        "securityContext:\n  runAsUser: 0\n"
    )
    assert "X006" not in {c for c, _, _ in codes(text)}


def test_a_waiver_without_a_reason_is_a_finding_of_its_own():
    found = codes(task(ROOT_STEP.format(reason="")))
    assert ("X000", "error", 9) in found
    assert "X006" not in {c for c, _, _ in found}, "the waiver still applies; X000 asks for the reason"


def test_waivers_of_other_rules_need_no_reason():
    assert "X000" not in {c for c, _, _ in codes(task("image: alpine:3.20\n# okd-streams: disable=T003\n"))}


def test_the_reason_requirement_can_be_turned_off():
    config = parse_config({"rules": {"X000": "off"}}, rule_code=registry.code_of)
    assert "X000" not in {c for c, _, _ in codes(task(ROOT_STEP.format(reason="")), config=config)}


def test_a_waiver_only_covers_its_own_object():
    text = (
        task(ROOT_STEP.format(reason=' reason="needs root"'))
        + "---\n"
        + task("image: alpine:3.20\nsecurityContext:\n  runAsUser: 0\n").replace("name: build\nspec", "name: b2\nspec")
    )
    assert [line for c, _, line in codes(text) if c == "X006"] == [22]


def test_every_security_rule_requires_a_reason():
    for code, rule in registry.RULES.items():
        if code.startswith("X") and code != "X000":
            assert rule.WAIVER_NEEDS_REASON, code


def test_the_repository_bases_pass_the_policy(tmp_path):
    """Every error-level security finding on base/ and overlays/ is waived with a reason."""
    from okd_streams.lint.checking import check_repository
    from tests.conftest import REPO

    report = check_repository(REPO, Config(), progress=False)
    assert not [p for p in report.problems if p.code.startswith("X") and p.level == "error"]
