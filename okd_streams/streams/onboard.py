"""What a cluster admin creates for a stream before (or right after) Argo CD syncs it.

A stream holds only namespaced objects its AppProject permits (A003, A007). Three things it
cannot hold, so the admin makes them, in this order:

1. its Namespace, only when its Application lacks `CreateNamespace=true` (else Argo CD
   creates it);
2. cluster-wide read access for the EventListener's ServiceAccount to what Tekton Triggers
   reads cluster-wide (ClusterTriggerBindings, ClusterInterceptors), and nothing else: the
   ClusterRole Triggers ships for this (tekton-triggers-eventlistener-clusterroles) also
   reads every Secret in the cluster;
3. on OKD, the CronJobs' ServiceAccount allowed to use the nonroot-v2 SCC: the CronJobs run
   as a fixed non-root UID (base/triggers/cronjobs), which restricted-v2 refuses outside the
   namespace's UID range;

then each Secret the stream references (okd_streams.streams.secrets), as a
`kubectl create secret ... --dry-run=client -o yaml` line with placeholders: never a value.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from okd_streams.argocd import App, Argo
from okd_streams.files.loader import dump_plain
from okd_streams.model.objects import Unit
from okd_streams.streams.secrets import SecretNeed, secrets_of

TRIGGERS_SA = "okd-streams-triggers"
CRONJOB_SA = "okd-streams-cronjob"
CLUSTER_ROLE = "okd-streams-eventlistener"
SCC_CLUSTER_ROLE = "system:openshift:scc:nonroot-v2"  # OKD makes one such ClusterRole per SCC
DOCKER_KEY = ".dockerconfigjson"


@dataclass
class Step:
    """One thing the admin creates: a manifest (not secret) or a command with placeholders."""

    title: str
    why: str
    manifest: dict | None = None
    command: str | None = None
    skipped: bool = False


@dataclass
class Onboarding:
    stream: str
    namespace: str
    steps: list[Step] = field(default_factory=list)

    def manifests(self) -> list[dict]:
        return [s.manifest for s in self.steps if s.manifest is not None and not s.skipped]


def plan(unit: Unit, argo: Argo | None) -> Onboarding:
    """The steps for `unit`'s stream; `argo` (argocd/ expanded) says whether Argo CD creates the namespace."""
    namespace = _namespace(unit)
    found = Onboarding(unit.stream or "", namespace)
    found.steps.append(_namespace_step(namespace, _app(argo, found.stream)))
    found.steps.append(_cluster_role())
    found.steps.append(_cluster_role_binding(namespace))
    if any(_pod_sa(obj.data) == CRONJOB_SA for obj in unit.of_kind("CronJob")):
        found.steps.append(_scc_binding(namespace))
    for need in secrets_of(unit):
        found.steps.append(_secret_step(need, namespace))
    return found


def _namespace(unit: Unit) -> str:
    namespaces = sorted({obj.namespace for obj in unit.objects if obj.namespace})
    return namespaces[0] if namespaces else (unit.stream or "")


def _app(argo: Argo | None, stream: str) -> App | None:
    if argo is None:
        return None
    return next((app for app in argo.apps if app.stream == stream), None)


def _pod_sa(cronjob: dict) -> str:
    spec = cronjob.get("spec", {})
    for key in ("jobTemplate", "spec", "template", "spec"):
        spec = spec.get(key, {}) if isinstance(spec, dict) else {}
    name = spec.get("serviceAccountName") if isinstance(spec, dict) else None
    return name if isinstance(name, str) else "default"


def _namespace_step(namespace: str, app: App | None) -> Step:
    manifest = {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": namespace}}
    options = (app.data.get("spec", {}).get("syncPolicy") or {}).get("syncOptions") if app else None
    if isinstance(options, list) and "CreateNamespace=true" in options:
        return Step(
            f"Namespace {namespace}",
            f'Argo CD creates it: Application "{app.name if app else ""}" syncs with CreateNamespace=true',
            manifest,
            skipped=True,
        )
    why = (
        "no Application of argocd/ deploys this stream"
        if app is None
        else f'Application "{app.name}" does not sync with CreateNamespace=true'
    )
    return Step(f"Namespace {namespace}", f"{why}: create it before the first sync", manifest)


def _cluster_role() -> Step:
    return Step(
        f"ClusterRole {CLUSTER_ROLE} (once per cluster)",
        "what an EventListener reads cluster-wide: ClusterTriggerBindings and ClusterInterceptors (its "
        '"cel" interceptor), read only; no Secrets, unlike tekton-triggers-eventlistener-clusterroles',
        {
            "apiVersion": "rbac.authorization.k8s.io/v1",
            "kind": "ClusterRole",
            "metadata": {"name": CLUSTER_ROLE},
            "rules": [
                {
                    "apiGroups": ["triggers.tekton.dev"],
                    "resources": ["clustertriggerbindings", "clusterinterceptors"],
                    "verbs": ["get", "list", "watch"],
                }
            ],
        },
    )


def _cluster_role_binding(namespace: str) -> Step:
    return Step(
        f"ClusterRoleBinding {CLUSTER_ROLE}-{namespace}",
        f"grants that ClusterRole to the EventListener's ServiceAccount {TRIGGERS_SA} in {namespace}; "
        "a stream holds no cluster-scoped object (A007), so the admin creates it",
        {
            "apiVersion": "rbac.authorization.k8s.io/v1",
            "kind": "ClusterRoleBinding",
            "metadata": {"name": f"{CLUSTER_ROLE}-{namespace}"},
            "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": CLUSTER_ROLE},
            "subjects": [{"kind": "ServiceAccount", "name": TRIGGERS_SA, "namespace": namespace}],
        },
    )


def _scc_binding(namespace: str) -> Step:
    return Step(
        f"RoleBinding {CRONJOB_SA}-nonroot-v2 (OKD/OpenShift only)",
        f"the CronJobs run as a fixed non-root UID; OKD's default restricted-v2 SCC admits only UIDs of the "
        f"namespace's range, nonroot-v2 any non-root UID. Lets {CRONJOB_SA} use nonroot-v2 in {namespace} "
        "only; skip it on other Kubernetes",
        {
            "apiVersion": "rbac.authorization.k8s.io/v1",
            "kind": "RoleBinding",
            "metadata": {"name": f"{CRONJOB_SA}-nonroot-v2", "namespace": namespace},
            "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": SCC_CLUSTER_ROLE},
            "subjects": [{"kind": "ServiceAccount", "name": CRONJOB_SA, "namespace": namespace}],
        },
    )


def secret_type(need: SecretNeed) -> str:
    return "kubernetes.io/dockerconfigjson" if DOCKER_KEY in need.keys else "Opaque"


def _secret_step(need: SecretNeed, namespace: str) -> Step:
    kind = secret_type(need)
    uses = "; ".join(sorted({use.describe() for use in need.uses}))
    optional = " Optional: the stream runs without it." if need.optional else ""
    if not need.resolved:
        return Step(
            f"Secret {need.name}",
            f"its name is only known when a run starts ({uses}); create the Secret the run is given.{optional}",
        )
    keys = sorted(need.keys) or ["<KEY>"]
    files = " ".join(f"--from-file={key}=<path/to/{key.lstrip('.')}>" for key in keys)
    type_flag = f" --type={kind}" if kind != "Opaque" else ""
    command = (
        f"kubectl create secret generic {need.name} -n {namespace}{type_flag} {files} "
        "--dry-run=client -o yaml | kubectl apply -f -"
    )
    shown = ", ".join(sorted(need.keys)) if need.keys else "not named (mounted whole: add each file it needs)"
    return Step(f"Secret {need.name} ({kind})", f"keys: {shown}. Used by {uses}.{optional}", command=command)


def text(onboarding: Onboarding) -> str:
    """The plan as numbered steps, manifests as YAML."""
    lines = [
        f"Onboarding stream {onboarding.stream} (namespace {onboarding.namespace}): what a cluster admin "
        "creates, in this order. Nothing here is secret; Secret values stay placeholders.",
        "",
    ]
    number = 0
    for step in onboarding.steps:
        if step.skipped:
            lines.append(f"-  {step.title}: not needed. {step.why}.")
            lines.append("")
            continue
        number += 1
        lines.append(f"{number}. {step.title}")
        lines.append(f"   {step.why}")
        if step.manifest is not None:
            lines.append("")
            lines.extend("     " + line for line in dump_plain(step.manifest).rstrip().splitlines())
        if step.command is not None:
            lines.append("")
            lines.append(f"     {step.command}")
        lines.append("")
    lines.append(
        "`okd-streams onboard STREAM --format yaml | kubectl apply -f -` creates the manifests above (not the Secrets)."
    )
    return "\n".join(lines) + "\n"


def yaml_text(onboarding: Onboarding) -> str:
    """The non-secret manifests as one YAML stream, for `kubectl apply -f -`, each under its step's title."""
    return "".join(
        f"---\n# {step.title}\n" + dump_plain(step.manifest)
        for step in onboarding.steps
        if step.manifest is not None and not step.skipped
    )
