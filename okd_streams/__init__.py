"""okd-streams: OKD streams as Kustomize overlays on shared Tekton bases."""

__version__ = "0.1.0"
