"""What the API server's validation of Jobs and CronJobs refuses that their OpenAPI schema does
not say (k8s.io/kubernetes pkg/apis/batch/validation):

- a CronJob's name is at most 52 characters: its controller names each Job it creates after it
  with an 11-character suffix, and a Job name is at most 63;
- `spec.schedule` is what robfig/cron's ParseStandard parses, without TZ (okd_streams.schema.cron);
- `spec.timeZone`, when set, is a name of the IANA time zone database;
- the Pods of a Job (and of a CronJob's job template) restart OnFailure or Never: the default,
  Always, is refused, so a template that sets no `restartPolicy` is refused too; with a
  `podFailurePolicy`, Never.
"""

from __future__ import annotations

from typing import Any

from okd_streams.schema import cron
from okd_streams.schema.explain import Raw

CRONJOB_NAME_LIMIT = 52
RESTART_POLICIES = ("OnFailure", "Never")


def check(data: dict[str, Any]) -> list[Raw]:
    if not str(data.get("apiVersion", "")).startswith("batch/"):
        return []
    kind = data.get("kind")
    spec = data.get("spec")
    if not isinstance(spec, dict):
        return []
    if kind == "Job":
        return _restart_policy(spec, ("spec",))
    if kind != "CronJob":
        return []
    found = []
    meta = data.get("metadata")
    name = meta.get("name") if isinstance(meta, dict) else None
    if isinstance(name, str) and len(name) > CRONJOB_NAME_LIMIT:
        why = (
            f"a CronJob's name must be no more than {CRONJOB_NAME_LIMIT} characters "
            "(each Job it creates is named after it, with an 11-character suffix)"
        )
        found.append(Raw(("metadata", "name"), "invalid-value", {"value": name, "why": why}))
    schedule = spec.get("schedule")
    if isinstance(schedule, str) and (problem := cron.validate(schedule)):
        found.append(Raw(("spec", "schedule"), "invalid-value", {"value": schedule, "why": problem}))
    zone = spec.get("timeZone")
    if isinstance(zone, str) and (problem := cron.time_zone_problem(zone)):
        found.append(Raw(("spec", "timeZone"), "invalid-value", {"value": zone, "why": problem}))
    job = spec.get("jobTemplate")
    job_spec = job.get("spec") if isinstance(job, dict) else None
    if isinstance(job_spec, dict):
        found += _restart_policy(job_spec, ("spec", "jobTemplate", "spec"))
    return found


def _restart_policy(job_spec: dict[str, Any], at: tuple[str, ...]) -> list[Raw]:
    template = job_spec.get("template")
    pod = template.get("spec") if isinstance(template, dict) else None
    if not isinstance(pod, dict):
        return []  # no Pod template: the schema's finding
    path = (*at, "template", "spec")
    policy = pod.get("restartPolicy")
    if policy is None:
        why = "a Job's Pods would restart Always, the default, which a Job refuses: set OnFailure or Never"
        return [Raw(path, "missing-field", {"field": "restartPolicy", "why": why})]
    if isinstance(policy, str) and policy not in RESTART_POLICIES:
        return [Raw((*path, "restartPolicy"), "invalid-value", {"value": policy, "enum": list(RESTART_POLICIES)})]
    if policy == "OnFailure" and job_spec.get("podFailurePolicy") is not None:
        why = "a Job with a podFailurePolicy must restart its Pods Never"
        return [Raw((*path, "restartPolicy"), "invalid-value", {"value": policy, "why": why})]
    return []
