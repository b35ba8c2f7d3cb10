"""Which Kubernetes kinds are cluster-scoped (offline, without asking an API server).

Argo CD, an AppProject's `clusterResourceWhitelist` and the streams' own conventions all
need to know whether an object lives in a namespace. Without a cluster there is no
discovery API to ask, so this is a list: the cluster-scoped kinds of Kubernetes itself,
Tekton, OpenShift and the operators a stream might plausibly touch. A kind not listed
is taken to be namespaced.
"""

from __future__ import annotations

CLUSTER_SCOPED: dict[str, frozenset[str]] = {
    # group -> kinds
    "": frozenset({"Namespace", "Node", "PersistentVolume", "ComponentStatus"}),
    "rbac.authorization.k8s.io": frozenset({"ClusterRole", "ClusterRoleBinding"}),
    "apiextensions.k8s.io": frozenset({"CustomResourceDefinition"}),
    "apiregistration.k8s.io": frozenset({"APIService"}),
    "admissionregistration.k8s.io": frozenset(
        {
            "MutatingWebhookConfiguration",
            "ValidatingWebhookConfiguration",
            "ValidatingAdmissionPolicy",
            "ValidatingAdmissionPolicyBinding",
            "MutatingAdmissionPolicy",
            "MutatingAdmissionPolicyBinding",
        }
    ),
    "storage.k8s.io": frozenset({"StorageClass", "CSIDriver", "CSINode", "VolumeAttachment", "VolumeAttributesClass"}),
    "scheduling.k8s.io": frozenset({"PriorityClass"}),
    "node.k8s.io": frozenset({"RuntimeClass"}),
    "networking.k8s.io": frozenset({"IngressClass", "IPAddress", "ServiceCIDR"}),
    "policy": frozenset({"PodSecurityPolicy"}),
    "certificates.k8s.io": frozenset({"CertificateSigningRequest", "ClusterTrustBundle"}),
    "flowcontrol.apiserver.k8s.io": frozenset({"FlowSchema", "PriorityLevelConfiguration"}),
    "resource.k8s.io": frozenset({"DeviceClass"}),
    "tekton.dev": frozenset({"ClusterTask"}),
    "triggers.tekton.dev": frozenset({"ClusterTriggerBinding", "ClusterInterceptor"}),
    "operator.tekton.dev": frozenset(
        {
            "TektonConfig",
            "TektonPipeline",
            "TektonTrigger",
            "TektonDashboard",
            "TektonChain",
            "TektonResult",
            "TektonHub",
            "TektonAddon",
            "TektonInstallerSet",
            "OpenShiftPipelinesAsCode",
            "ManualApprovalGate",
        }
    ),
    "security.openshift.io": frozenset({"SecurityContextConstraints", "RangeAllocation"}),
    "project.openshift.io": frozenset({"Project", "ProjectRequest"}),
    "user.openshift.io": frozenset({"User", "Group", "Identity", "UserIdentityMapping"}),
    "oauth.openshift.io": frozenset(
        {"OAuthClient", "OAuthAccessToken", "OAuthAuthorizeToken", "OAuthClientAuthorization", "UserOAuthAccessToken"}
    ),
    "quota.openshift.io": frozenset({"ClusterResourceQuota"}),
    "image.openshift.io": frozenset({"Image"}),
    "machineconfiguration.openshift.io": frozenset(
        {"MachineConfig", "MachineConfigPool", "ContainerRuntimeConfig", "KubeletConfig"}
    ),
    "operators.coreos.com": frozenset({"Operator"}),
    "cert-manager.io": frozenset({"ClusterIssuer"}),
}
# every kind of these groups is cluster-scoped
CLUSTER_SCOPED_GROUPS = frozenset(
    {"config.openshift.io", "operator.openshift.io", "imageregistry.operator.openshift.io"}
)


def is_cluster_scoped(group: str, kind: str) -> bool:
    """True when objects of (group, kind) have no namespace; unknown kinds are namespaced."""
    return group in CLUSTER_SCOPED_GROUPS or kind in CLUSTER_SCOPED.get(group, frozenset())


def group_of(api_version: object) -> str:
    """The API group of an apiVersion: "" for "v1", "tekton.dev" for "tekton.dev/v1"."""
    return api_version.rpartition("/")[0] if isinstance(api_version, str) else ""
