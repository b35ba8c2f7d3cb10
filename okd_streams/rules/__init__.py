"""The rule registry: every rule module, listed explicitly by code (no discovery magic).

What a rule module defines, and what the registry checks at import: okd_streams/rules/contract.py.
"""

from __future__ import annotations

from types import ModuleType

from okd_streams.rules import contract
from okd_streams.rules.argocd import (
    application_permitted_by_project,
    application_source_renders,
    applicationset_expands,
    manifest_generate_paths,
    object_in_one_application,
    stream_cluster_scoped_object,
    stream_folder_covered,
    sync_policy_from_card,
    tekton_defaults_explicit,
)
from okd_streams.rules.card import (
    card_os_matches_layer,
    stream_card_param_declared,
    stream_card_pipeline_exists,
    stream_card_valid,
    stream_contract,
    stream_destinations_unique,
    stream_namespace,
    stream_schedule,
)
from okd_streams.rules.kustomize import (
    component_overlap,
    component_requires,
    kustomize_build,
    one_os_layer,
    patch_entry_matches_nothing,
    patch_target_matches_nothing,
)
from okd_streams.rules.refs import (
    duplicate_object,
    param_not_declared,
    pipeline_ref_resolves,
    pipeline_task_params,
    pipeline_task_workspaces,
    pipelinerun_params,
    pipelinerun_taskrunspecs,
    pipelinerun_workspaces,
    remote_ref_unchecked,
    result_ref_declared,
    service_account_resolves,
    task_ref_resolves,
    taskrun_params,
    taskrun_workspaces,
    trigger_binding_params_unique,
    trigger_refs_resolve,
    tt_params_bound,
    tt_params_declared,
)
from okd_streams.rules.schema import (
    feature_gated,
    field_type,
    invalid_value,
    required_field,
    unknown_field,
)
from okd_streams.rules.security import (
    appproject_wildcard,
    host_path_volume,
    image_latest_or_untagged,
    image_not_digest_pinned,
    plaintext_secret,
    privileged_step,
    rbac_wildcard,
    step_runs_as_root,
    waiver_without_reason,
)
from okd_streams.rules.style import (
    file_named_after_object,
    not_a_kubernetes_object,
    one_object_per_file,
    tekton_v1,
    yaml_extension,
    yaml_syntax,
    yamllint_style,
)
from okd_streams.rules.tekton import (
    context_variables,
    duplicate_param_values,
    execution_status_variables,
    finally_tasks,
    param_declarations,
    param_enum,
    param_name_format,
    pipeline_param_references,
    pipeline_results,
    pipeline_task_graph,
    pipeline_task_matrix,
    pipeline_task_name,
    pipeline_task_on_error,
    pipeline_task_ref,
    pipeline_workspaces,
    pipelinerun_spec,
    removed_fields,
    run_ref,
    step_name,
    stepaction_variables,
    task_param_references,
    task_results,
    task_steps,
    task_workspaces,
    taskrun_spec,
    tekton_object_name,
    variable_prefixes,
    when_expressions,
    workspace_bindings,
    workspace_variables,
)

_MODULES: list[ModuleType] = [  # sorted by code (a test holds it)
    applicationset_expands,  # A001
    application_source_renders,  # A002
    application_permitted_by_project,  # A003
    object_in_one_application,  # A004
    stream_folder_covered,  # A005
    sync_policy_from_card,  # A006
    stream_cluster_scoped_object,  # A007
    manifest_generate_paths,  # A008
    tekton_defaults_explicit,  # A009
    stream_card_valid,  # C001
    stream_card_pipeline_exists,  # C002
    stream_card_param_declared,  # C003
    stream_contract,  # C004
    stream_namespace,  # C005
    stream_schedule,  # C006
    card_os_matches_layer,  # C007
    stream_destinations_unique,  # C010
    kustomize_build,  # K001
    patch_target_matches_nothing,  # K002
    patch_entry_matches_nothing,  # K003
    component_requires,  # K010
    one_os_layer,  # K011
    component_overlap,  # K012
    task_ref_resolves,  # R001
    pipeline_ref_resolves,  # R002
    trigger_refs_resolve,  # R003
    service_account_resolves,  # R004
    remote_ref_unchecked,  # R005
    pipeline_task_params,  # R010
    param_not_declared,  # R011
    result_ref_declared,  # R012
    pipeline_task_workspaces,  # R013
    pipelinerun_params,  # R020
    pipelinerun_workspaces,  # R021
    pipelinerun_taskrunspecs,  # R022
    taskrun_params,  # R023
    taskrun_workspaces,  # R024
    tt_params_declared,  # R030
    tt_params_bound,  # R031
    trigger_binding_params_unique,  # R032
    duplicate_object,  # R040
    tekton_v1,  # S001
    one_object_per_file,  # S002
    file_named_after_object,  # S003
    yaml_extension,  # S004
    tekton_object_name,  # T001
    pipeline_task_name,  # T002
    step_name,  # T003
    param_name_format,  # T004
    removed_fields,  # T005
    param_declarations,  # T010
    param_enum,  # T011
    duplicate_param_values,  # T012
    task_param_references,  # T020
    pipeline_param_references,  # T021
    variable_prefixes,  # T022
    context_variables,  # T023
    workspace_variables,  # T024
    stepaction_variables,  # T025
    task_results,  # T030
    pipeline_results,  # T031
    pipeline_task_graph,  # T040
    finally_tasks,  # T041
    execution_status_variables,  # T042
    when_expressions,  # T050
    pipeline_workspaces,  # T060
    task_workspaces,  # T061
    workspace_bindings,  # T062
    pipeline_task_ref,  # T070
    run_ref,  # T071
    pipeline_task_on_error,  # T072
    task_steps,  # T080
    pipeline_task_matrix,  # T085
    pipelinerun_spec,  # T090
    taskrun_spec,  # T091
    unknown_field,  # V001
    field_type,  # V002
    required_field,  # V003
    invalid_value,  # V004
    feature_gated,  # V005
    waiver_without_reason,  # X000
    plaintext_secret,  # X001
    image_latest_or_untagged,  # X002
    image_not_digest_pinned,  # X003
    privileged_step,  # X004
    host_path_volume,  # X005
    step_runs_as_root,  # X006
    rbac_wildcard,  # X007
    appproject_wildcard,  # X008
    yaml_syntax,  # Y001
    yamllint_style,  # Y002
    not_a_kubernetes_object,  # Y003
]

contract.validate(_MODULES)  # at import: a rule breaking the contract never runs half-checked

RULES: dict[str, ModuleType] = {module.CODE: module for module in _MODULES}

# A finding that says why others at the same place happen: those are follow-ons of the same
# mistake, and the engine drops them from the unit's problems (one finding per mistake). A patch
# entry that matched nothing (K003) leaves a half item: a task without taskRef (T070), a param
# without type (A009), a step without image (T080), a param value without value (V003) that
# the Task does not declare (R011).
FOLLOW_ONS: dict[str, frozenset[str]] = {
    "K003": frozenset({"A009", "R011", "T070", "T080", "V003"}),
    # A timeout that is not a Go duration: the Tekton rule says so in Tekton's words (with
    # what 0 means), the schema stage's pattern check (V004) at the same key would repeat it.
    "T080": frozenset({"V004"}),
    "T090": frozenset({"V004"}),
    "T091": frozenset({"V004"}),
    # A stream card value the build copies into an object (a schedule, a time zone): the card
    # rule judges it at the card in the card's words; V004 would point at the same key.
    "C001": frozenset({"V004"}),
}
_BY_ID = {module.ID: module for module in _MODULES}


def get(code_or_id: str) -> ModuleType:
    """A rule by code (R010) or id (pipeline-task-params); ValueError when there is none."""
    found = RULES.get(code_or_id.upper()) or _BY_ID.get(code_or_id)
    if found is None:
        raise ValueError(f"no such rule: {code_or_id} (see `okd-streams explain --list`)")
    return found


def code_of(code_or_id: str) -> str:
    """`get(code_or_id).CODE`: what the configuration needs to name rules (config.RuleCode)."""
    return get(code_or_id).CODE
