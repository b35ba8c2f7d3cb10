"""Argo CD, verified offline: argocd/ renders, the ApplicationSet expands to one Application
per stream as Argo CD would, and what Argo CD would refuse makes `okd-streams check` fail.

Every test runs on a real copy of this repository (base/, overlays/, streams/, argocd/)
with the real kustomize, mutated the way a pull request would.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

from okd_streams import argocd, cli
from okd_streams.argocd import globs
from okd_streams.config import Config
from okd_streams.lint.checking import check_repository, stream_units
from okd_streams.model.context import RepoContext
from okd_streams.model.repo import SourceTree, discover_streams
from okd_streams.problem import exit_code
from okd_streams.render.kustomize import find_kustomize
from okd_streams.tekton.defaults import apply_defaults, missing_defaults

REPO = Path(__file__).resolve().parents[2]
TREE = ("base", "overlays", "streams", "argocd")


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """A copy of this repository's stream tree, to mutate."""
    for name in TREE:
        shutil.copytree(REPO / name, tmp_path / name)
    shutil.copy(REPO / ".yamllint", tmp_path / ".yamllint")
    return tmp_path


def run_cli(capsys, *argv: str) -> tuple[int, str, str]:
    code = cli.main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def problems(root: Path, names: list[str] | None = None):
    return check_repository(root, Config(), names, progress=False).problems


def codes(found, prefix: str = "A") -> list[str]:
    return [p.code for p in found if p.code.startswith(prefix)]


def edit_yaml(path: Path, change) -> None:
    data = yaml.safe_load(path.read_text())
    change(data)
    path.write_text("---\n" + yaml.safe_dump(data, sort_keys=False))


def set_namespace(root: Path, stream: str, namespace: str) -> None:
    """Move a stream to another namespace, card and kustomization alike."""
    edit_yaml(root / "streams" / stream / "stream.yaml", lambda d: d["spec"].__setitem__("namespace", namespace))
    edit_yaml(root / "streams" / stream / "kustomization.yaml", lambda d: d.__setitem__("namespace", namespace))


def copy_stream(root: Path, source: str, name: str) -> Path:
    target = root / "streams" / name
    shutil.copytree(root / "streams" / source, target)
    edit_yaml(target / "stream.yaml", lambda d: d["metadata"].__setitem__("name", name))
    return target


def expand(root: Path) -> argocd.Argo:
    tree = SourceTree(root)
    streams = discover_streams(root)
    context = RepoContext(root, tree, streams, stream_units(streams, tree, progress=False))
    found = argocd.analyze(context)
    assert found is not None
    return found


# ---------------------------------------------------------------- done when: it renders, one Application per stream


def test_kubectl_kustomize_argocd_renders():
    kustomize = find_kustomize()
    done = subprocess.run(kustomize.command(str(REPO / "argocd")), capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    objects = [d for d in yaml.safe_load_all(done.stdout) if d]
    kinds = sorted((d["kind"], d["metadata"]["name"]) for d in objects)
    assert kinds == [
        ("AppProject", "okd-streams"),
        ("AppProject", "okd-streams-bootstrap"),
        ("Application", "okd-streams-bootstrap"),
        ("ApplicationSet", "okd-streams"),
    ]
    assert all(d["metadata"]["namespace"] == "argocd" for d in objects)
    # the repository URL is written once (a local-config ConfigMap) and copied everywhere
    url = "https://github.com/okd-project/okd-streams.git"
    by_kind = {d["kind"]: d for d in objects}
    assert by_kind["ApplicationSet"]["spec"]["generators"][0]["git"]["repoURL"] == url
    assert by_kind["ApplicationSet"]["spec"]["template"]["spec"]["source"]["repoURL"] == url
    assert by_kind["Application"]["spec"]["source"]["repoURL"] == url
    assert all(d["spec"]["sourceRepos"] == [url] for d in objects if d["kind"] == "AppProject")


def test_apps_json_lists_one_application_per_stream_folder(capsys):
    code, out, err = run_cli(capsys, "apps", "--format", "json", "--root", str(REPO))
    assert code == 0, err
    apps = json.loads(out)
    folders = sorted(p.name for p in (REPO / "streams").iterdir() if p.is_dir())
    assert sorted(app["metadata"]["name"] for app in apps) == folders
    for app in apps:
        name = app["metadata"]["name"]
        card = yaml.safe_load((REPO / "streams" / name / "stream.yaml").read_text())
        assert app["apiVersion"] == "argoproj.io/v1alpha1" and app["kind"] == "Application"
        assert app["metadata"]["namespace"] == "argocd"
        # preserveResourcesOnDeletion: the controller adds no resources finalizer, so deleting the
        # ApplicationSet (or its file) never cascades into the streams' objects
        assert "finalizers" not in app["metadata"]
        assert app["spec"]["project"] == "okd-streams"
        assert app["spec"]["source"]["path"] == f"streams/{name}"
        assert app["spec"]["source"]["targetRevision"] == "main"
        assert app["spec"]["destination"] == {
            "name": "",
            "namespace": card["spec"]["namespace"],
            "server": "https://kubernetes.default.svc",
        }
        policy = app["spec"]["syncPolicy"]
        assert "CreateNamespace=true" in policy["syncOptions"]
        assert policy["retry"]["backoff"]["factor"] == 2
        if card["spec"]["sync"] == "automatic":
            assert policy["automated"] == {"prune": True, "selfHeal": True}
        else:
            assert "automated" not in policy
        assert app["metadata"]["annotations"]["argocd.argoproj.io/manifest-generate-paths"] == ".;/base;/overlays"


def test_apps_text_and_check_are_clean_on_this_repository(capsys):
    code, out, _ = run_cli(capsys, "apps", "--root", str(REPO))
    assert code == 0
    assert "okd-scos" in out and "automatic (prune, selfHeal)" in out and "manual" in out
    assert codes(problems(REPO)) == []


def test_card_sync_policy_drives_the_application(repo, capsys):
    edit_yaml(repo / "streams/okd-fcos/stream.yaml", lambda d: d["spec"].__setitem__("sync", "automatic"))
    edit_yaml(repo / "streams/okd-scos/stream.yaml", lambda d: d["spec"].__setitem__("sync", "manual"))
    code, out, _ = run_cli(capsys, "apps", "-f", "json", "--root", str(repo))
    assert code == 0
    apps = {app["metadata"]["name"]: app for app in json.loads(out)}
    assert apps["okd-fcos"]["spec"]["syncPolicy"]["automated"] == {"prune": True, "selfHeal": True}
    assert "automated" not in apps["okd-scos"]["spec"]["syncPolicy"]


# ---------------------------------------------------------------- done when: the three failures


def test_stream_folder_without_kustomization_fails_check(repo, capsys):
    target = copy_stream(repo, "okd-fcos", "okd-new")
    set_namespace(repo, "okd-new", "okd-new")
    (target / "kustomization.yaml").unlink()
    code, out, _ = run_cli(capsys, "check", "--root", str(repo))
    assert code == 1
    a002 = [line for line in out.splitlines() if "[A002]" in line]
    assert a002 and all(line.startswith("streams/okd-new:") and "okd-new" in line for line in a002)
    assert "no kustomization.yaml" in a002[0] and "plain directory" in a002[0]


def test_card_namespace_outside_the_project_fails_check(repo, capsys):
    set_namespace(repo, "okd-fcos", "ci-builds")
    code, out, _ = run_cli(capsys, "check", "--root", str(repo))
    assert code == 1
    a003 = [line for line in out.splitlines() if "[A003]" in line]
    assert len(a003) == 1
    card_line = next(
        i
        for i, line in enumerate((repo / "streams/okd-fcos/stream.yaml").read_text().splitlines(), 1)
        if line.strip().startswith("namespace:")
    )
    assert a003[0].startswith(f"streams/okd-fcos/stream.yaml:{card_line}:")
    assert 'namespace "ci-builds"' in a003[0] and "okd-fcos" in a003[0] and "okd-*" in a003[0]


def test_two_streams_claiming_the_same_object_fail_check(repo, capsys):
    copy_stream(repo, "okd-scos", "okd-scos-copy")  # same card namespace, same objects
    code, out, _ = run_cli(capsys, "check", "--root", str(repo))
    assert code == 1
    a004 = [line for line in out.splitlines() if "[A004]" in line]
    assert {line.split(":")[0] for line in a004} == {
        "streams/okd-scos/stream.yaml",
        "streams/okd-scos-copy/stream.yaml",
    }
    assert all("okd-scos" in line and "okd-scos-copy" in line for line in a004)
    # every object of the stream (how many depends on its components: okd-scos opts in to okd-payload)
    assert "Task cosa-init (tekton.dev)" in out or re.search(r"both manage \d+ object\(s\)", out)


def test_same_object_in_different_namespaces_is_fine(repo):
    copy_stream(repo, "okd-scos", "okd-scos-copy")
    set_namespace(repo, "okd-scos-copy", "okd-scos-copy")
    assert codes(problems(repo)) == []


# ---------------------------------------------------------------- more of what Argo CD would refuse


def test_stream_folder_without_card_is_not_covered(repo):
    target = copy_stream(repo, "okd-fcos", "okd-nocard")
    set_namespace(repo, "okd-nocard", "okd-nocard")
    (target / "stream.yaml").unlink()
    edit_yaml(target / "kustomization.yaml", lambda d: d["resources"].remove("stream.yaml"))
    found = [p for p in problems(repo) if p.code == "A005"]
    assert [(p.path, p.stream) for p in found] == [("streams/okd-nocard", "okd-nocard")]


def test_excluded_stream_is_left_out_on_purpose(repo):
    copy_stream(repo, "okd-fcos", "okd-draft")
    set_namespace(repo, "okd-draft", "okd-draft")

    def exclude(data):
        data["spec"]["generators"][0]["git"]["files"].append({"path": "streams/okd-draft/stream.yaml", "exclude": True})

    edit_yaml(repo / "argocd/applicationsets/okd-streams.yaml", exclude)
    argo = expand(repo)
    assert sorted(app.name for app in argo.apps if app.appset) == ["okd-fcos", "okd-scos"]
    assert argo.excluded == {"streams/okd-draft/stream.yaml": "streams/okd-draft/stream.yaml"}
    assert codes(problems(repo)) == []


def test_card_without_sync_key_is_a_template_error_at_the_card(repo):
    edit_yaml(repo / "streams/okd-fcos/stream.yaml", lambda d: d["spec"].pop("sync"))
    found = [p for p in problems(repo) if p.code == "A001"]
    assert len(found) == 1
    assert found[0].path == "streams/okd-fcos/stream.yaml" and found[0].stream == "okd-fcos"
    assert 'map has no entry for key "sync"' in found[0].message


def test_template_ignoring_the_card_sync_policy_fails(repo):
    def always_automated(data):
        data["spec"].pop("templatePatch")
        data["spec"]["template"]["spec"]["syncPolicy"]["automated"] = {"prune": True, "selfHeal": True}

    edit_yaml(repo / "argocd/applicationsets/okd-streams.yaml", always_automated)
    found = [p for p in problems(repo) if p.code == "A006"]
    assert [(p.path, p.stream) for p in found] == [("streams/okd-fcos/stream.yaml", "okd-fcos")]
    assert "manual" in found[0].message


def test_a_template_patch_rendering_to_invalid_yaml_is_worded_as_pyyaml_words_it(repo):
    """The C loader reads each rendered patch; a broken one is reported in the Python parser's
    words ("... not allowed here"), not libyaml's ("... in this context")."""
    edit_yaml(
        repo / "argocd/applicationsets/okd-streams.yaml",
        lambda d: d["spec"].__setitem__("templatePatch", "spec: a: b\n"),
    )
    found = [p.message for p in problems(repo) if "templatePatch" in p.message]
    assert found and all("mapping values are not allowed here" in m for m in found), found


def test_automatic_stream_without_prune_fails(repo):
    edit_yaml(
        repo / "argocd/applicationsets/okd-streams.yaml",
        lambda d: d["spec"].__setitem__(
            "templatePatch", d["spec"]["templatePatch"].replace("prune: true", "prune: false")
        ),
    )
    found = [p for p in problems(repo) if p.code == "A006"]
    assert [p.stream for p in found] == ["okd-scos"] and "prune" in found[0].message


def test_missing_create_namespace_fails(repo):
    edit_yaml(
        repo / "argocd/applicationsets/okd-streams.yaml",
        lambda d: d["spec"]["template"]["spec"]["syncPolicy"].pop("syncOptions"),
    )
    found = [p for p in problems(repo) if p.code == "A006"]
    assert found and found[0].path == "argocd/applicationsets/okd-streams.yaml"
    assert "CreateNamespace=true" in found[0].message


def test_kind_the_project_does_not_permit_fails(repo):
    (repo / "streams/okd-scos/settings.yaml").write_text(
        "---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: settings\ndata:\n  a: b\n"
    )
    edit_yaml(repo / "streams/okd-scos/kustomization.yaml", lambda d: d["resources"].append("settings.yaml"))
    found = [p for p in problems(repo) if p.code == "A003"]
    assert [(p.path, p.stream) for p in found] == [("streams/okd-scos/settings.yaml", "okd-scos")]
    assert "ConfigMap" in found[0].message and "namespaceResourceWhitelist" in found[0].message


def test_cluster_scoped_object_in_a_stream_fails(repo):
    (repo / "streams/okd-scos/reader.yaml").write_text(
        "---\napiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata:\n  name: reader\nrules: []\n"
    )
    edit_yaml(repo / "streams/okd-scos/kustomization.yaml", lambda d: d["resources"].append("reader.yaml"))
    found = [p for p in problems(repo) if p.code.startswith("A")]
    assert [(p.code, p.path, p.stream) for p in found] == [("A007", "streams/okd-scos/reader.yaml", "okd-scos")]


def test_manifest_generate_paths_must_cover_the_build(repo):
    edit_yaml(
        repo / "argocd/applicationsets/okd-streams.yaml",
        lambda d: d["spec"]["template"]["metadata"]["annotations"].__setitem__(argocd.GENERATE_PATHS, ".;/base"),
    )
    found = [p for p in problems(repo) if p.code == "A008"]
    assert sorted(p.stream for p in found) == ["okd-fcos", "okd-scos"]
    assert all("overlays/" in p.message for p in found)


def test_a_fork_changes_the_repository_in_one_place(repo):
    fork = "https://github.com/someone/okd-streams.git"
    edit_yaml(repo / "argocd/okd-streams-repository.yaml", lambda d: d["data"].__setitem__("repoURL", fork))
    argo = expand(repo)
    assert {app.source["repoURL"] for app in argo.apps} == {fork}
    assert all(p.spec["sourceRepos"] == [fork] for p in argo.projects.values())
    assert codes(problems(repo)) == []


def test_project_not_permitting_the_repository_fails(repo):
    def keep_project_repos(data):  # the replacements would copy the repository URL into the projects
        data["replacements"][0]["targets"] = [
            t for t in data["replacements"][0]["targets"] if t["select"]["kind"] != "AppProject"
        ]

    edit_yaml(repo / "argocd/kustomization.yaml", keep_project_repos)
    edit_yaml(
        repo / "argocd/appprojects/okd-streams.yaml",
        lambda d: d["spec"].__setitem__("sourceRepos", ["https://example.com/other.git"]),
    )
    found = [p for p in problems(repo) if p.code == "A003"]
    assert found and all("sourceRepos" in p.message for p in found)


def test_check_of_some_streams_keeps_their_argo_findings(repo):
    copy_stream(repo, "okd-scos", "okd-scos-copy")
    only = problems(repo, ["okd-fcos"])
    assert codes(only) == []
    both = problems(repo, ["okd-scos", "okd-scos-copy"])
    assert sorted(p.stream for p in both if p.code == "A004") == ["okd-scos", "okd-scos-copy"]


def test_no_argocd_folder_means_no_argo_checks(repo):
    shutil.rmtree(repo / "argocd")
    assert codes(problems(repo)) == []


def test_untracked_stream_in_a_git_work_tree_gets_an_application(repo):
    git = shutil.which("git")
    if git is None:
        pytest.skip("git is not installed")
    subprocess.run([git, "init", "-q", str(repo)], check=True)
    subprocess.run([git, "-C", str(repo), "add", "base", "overlays", "argocd", "streams/okd-scos"], check=True)
    (repo / ".gitignore").write_text("streams/okd-ignored/\n")
    copy_stream(repo, "okd-fcos", "okd-ignored")
    set_namespace(repo, "okd-ignored", "okd-ignored")
    names = sorted(app.name for app in expand(repo).apps if app.appset)
    # okd-fcos is untracked (not yet `git add`ed): it will be committed, so it counts; ignored files never will
    assert names == ["okd-fcos", "okd-scos"]


# ---------------------------------------------------------------- the git files generator, exactly


def test_nested_card_matches_under_default_globbing_only(repo):
    nested = repo / "streams/okd-scos/variant"
    nested.mkdir()
    shutil.copy(repo / "streams/okd-fcos/stream.yaml", nested / "stream.yaml")
    argo = expand(repo)
    assert "streams/okd-scos/variant" in {app.path for app in argo.apps}  # git ls-files: * matches /
    warnings = [i for i in argo.issues if i.level == "warning"]
    assert warnings and "new globbing" in warnings[0].message


@pytest.mark.parametrize(
    "pattern, path, git, doublestar",
    [
        ("streams/*/stream.yaml", "streams/a/stream.yaml", True, True),
        ("streams/*/stream.yaml", "streams/a/b/stream.yaml", True, False),
        ("streams/**/stream.yaml", "streams/stream.yaml", False, True),
        ("streams/**/stream.yaml", "streams/a/b/stream.yaml", True, True),
        ("streams/okd-?cos/stream.yaml", "streams/okd-scos/stream.yaml", True, True),
        ("streams/okd-[sf]cos/stream.yaml", "streams/okd-fcos/stream.yaml", True, True),
        ("streams", "streams/a/stream.yaml", True, False),
        ("streams/{a,b}/stream.yaml", "streams/a/stream.yaml", False, True),
    ],
)
def test_glob_semantics(pattern, path, git, doublestar):
    assert globs.git_pathspec_match(pattern, path) is git
    assert globs.doublestar_match(pattern, path) is doublestar


def test_project_globs_follow_argo_cd():
    assert globs.argo_glob("okd-*", "okd-scos")
    assert not globs.argo_glob("okd-*", "kube-system")
    assert globs.argo_glob("{okd,ci}-*", "ci-a")
    assert globs.argo_glob("*", "a/b")
    assert globs.go_path_match("streams/*", "streams/a") and not globs.go_path_match("streams/*", "streams/a/b")


def test_card_that_is_a_list_yields_one_application_per_item_and_numbers_are_json(repo):
    card = repo / "streams/okd-fcos/stream.yaml"
    data = yaml.safe_load(card.read_text())
    one = json.loads(json.dumps(data))
    two = json.loads(json.dumps(data))
    two["spec"]["namespace"] = "okd-fcos-two"
    card.write_text(yaml.safe_dump([one, two]))

    def name_from_card(d):
        d["spec"]["template"]["metadata"]["name"] = "{{ .spec.namespace }}"

    edit_yaml(repo / "argocd/applicationsets/okd-streams.yaml", name_from_card)
    argo = expand(repo)
    assert sorted(app.name for app in argo.apps if app.appset) == ["okd-fcos", "okd-fcos-two", "okd-scos"]


def test_unparsable_card_is_reported_at_the_card(repo):
    (repo / "streams/okd-fcos/stream.yaml").write_text("spec: [unclosed\n")
    found = [p for p in problems(repo) if p.code == "A001"]
    assert found and found[0].path == "streams/okd-fcos/stream.yaml" and found[0].stream == "okd-fcos"


def test_duplicate_application_names_fail(repo):
    edit_yaml(
        repo / "argocd/applicationsets/okd-streams.yaml",
        lambda d: d["spec"]["template"]["metadata"].__setitem__("name", "okd-stream"),
    )
    found = [p for p in problems(repo) if p.code == "A001"]
    assert any('two Applications are named "okd-stream"' in p.message for p in found)


def test_unknown_template_field_is_reported_not_dropped(repo):
    edit_yaml(
        repo / "argocd/applicationsets/okd-streams.yaml",
        lambda d: d["spec"]["template"]["spec"]["syncPolicy"].__setitem__("selfheal", True),
    )
    found = [p for p in problems(repo) if p.code == "A001"]
    assert any("syncPolicy.selfheal" in p.message and "drops it" in p.message for p in found)


def test_unsupported_template_feature_is_an_error_not_a_guess(repo):
    edit_yaml(
        repo / "argocd/applicationsets/okd-streams.yaml",
        lambda d: d["spec"]["template"]["metadata"].__setitem__("name", "{{ .path.basename | upper }}"),
    )
    found = [p for p in problems(repo) if p.code == "A001"]
    assert found and all("not supported offline" in p.message for p in found)
    assert found[0].path == "argocd/applicationsets/okd-streams.yaml"


@pytest.mark.parametrize(
    "spec",
    [
        {"goTemplate": False, "generators": [], "template": {}},
        {"goTemplate": True, "generators": "git", "template": {}},
        {"goTemplate": True, "generators": [{"list": {"elements": []}}], "template": {"metadata": {}}},
        {"goTemplate": True, "generators": [{"git": {"files": "x"}}], "template": {"metadata": {}}},
        {"goTemplate": True, "generators": [{"git": {"files": [{"path": 3}]}}], "template": []},
        {"goTemplate": True, "goTemplateOptions": [1], "generators": [{"git": {}}], "template": {}},
        {
            "goTemplate": True,
            "goTemplateOptions": ["missingkey=maybe"],
            "generators": [{"git": {"files": [{"path": "streams/*/stream.yaml"}]}}],
            "template": {"metadata": {"name": "{{ .path.basename }}"}, "spec": "x"},
        },
        {
            "goTemplate": True,
            "generators": [{"git": {"files": [{"path": "streams/*/stream.yaml"}]}}],
            "template": {"metadata": {"name": "{{ .spec }}"}},
            "templatePatch": 5,
        },
        {
            "goTemplate": True,
            "generators": [{"git": {"files": [{"path": "streams/*/stream.yaml"}]}}],
            "template": {
                "metadata": {"name": "{{ .path.basename }}", "labels": {"{{ .spec.sync }}": "x"}},
                "spec": {"project": 3, "source": {"path": ["x"]}, "destination": "y"},
            },
            "templatePatch": "- op: add\n",
        },
        {
            "goTemplate": True,
            "generators": [{"git": {"files": [{"path": "streams/*/stream.yaml"}]}}],
            "template": {"metadata": {"name": "{{ if .spec }}{{ end"}},
        },
    ],
)
def test_hostile_applicationset_is_a_finding_never_a_crash(repo, spec):
    path = repo / "argocd/applicationsets/okd-streams.yaml"
    path.write_text(
        yaml.safe_dump(
            {
                "apiVersion": "argoproj.io/v1alpha1",
                "kind": "ApplicationSet",
                "metadata": {"name": "okd-streams"},
                "spec": spec,
            }
        )
    )
    found = problems(repo)
    assert not [p for p in found if p.code == "E000"], [p.message for p in found if p.code == "E000"]
    assert "A001" in codes(found) or "A005" in codes(found)


@pytest.mark.parametrize(
    "card",
    [
        "",
        "[1, 2]\n",
        "spec: {namespace: [a], sync: true}\n",
        "just text\n",
        "spec: {namespace: 5, sync: automatic}\n",
        "spec:\n  namespace: null\n",
    ],
)
def test_hostile_card_is_a_finding_never_a_crash(repo, card):
    (repo / "streams/okd-fcos/stream.yaml").write_text(card)
    found = problems(repo)
    assert not [p for p in found if p.code == "E000"], [p.message for p in found if p.code == "E000"]
    assert {"A001", "A003"} & set(codes(found))  # namespace 5 renders as "5", which okd-* does not allow


def test_hostile_project_is_a_finding_never_a_crash(repo):
    (repo / "argocd/appprojects/okd-streams.yaml").write_text(
        yaml.safe_dump(
            {
                "apiVersion": "argoproj.io/v1alpha1",
                "kind": "AppProject",
                "metadata": {"name": "okd-streams"},
                "spec": {
                    "sourceRepos": ["x"],
                    # the first entry a mapping: kustomization.yaml's replacements write into it
                    "destinations": [{"server": "", "name": "", "namespace": 3}, 1],
                    "clusterResourceWhitelist": [None],
                    "namespaceResourceWhitelist": [{"group": None}],
                },
            }
        )
    )
    found = problems(repo)
    assert not [p for p in found if p.code == "E000"]
    assert "A003" in codes(found)


# ---------------------------------------------------------------- Tekton defaulting: no OutOfSync forever


def rendered_units():
    tree = SourceTree(REPO)
    return stream_units(discover_streams(REPO), tree, progress=False)


def test_rendered_streams_already_hold_every_tekton_default():
    """What Tekton's webhook would add on apply is already in git: Argo CD sees no drift."""
    units = rendered_units()
    assert units and all(unit.build_error is None for unit in units)
    checked = 0
    for unit in units:
        for obj in unit.objects:
            if obj.group != "tekton.dev":
                continue
            checked += 1
            assert missing_defaults(obj.data) == [], (unit.stream, obj.label())
            assert apply_defaults(obj.data) == obj.data
            spec = obj.spec
            for param in spec.get("params", []):
                assert param.get("type") in ("string", "array", "object"), (obj.label(), param)
            for result in spec.get("results", []):
                assert result.get("type") in ("string", "array", "object"), (obj.label(), result)
            for task in spec.get("tasks", []) + spec.get("finally", []):
                if "taskRef" in task:
                    assert task["taskRef"].get("kind") == "Task", (obj.label(), task["name"])
    assert checked > 0


def test_triggers_objects_are_explicit_too():
    """Triggers' own defaults (binding kind, interceptor kind) only run on upgrade; ours are explicit anyway."""
    for unit in rendered_units():
        for obj in unit.of_kind("EventListener"):
            assert obj.spec.get("serviceAccountName")
            for trigger in obj.spec.get("triggers", []):
                assert all(b.get("kind") for b in trigger.get("bindings", []))
                assert all(i["ref"].get("kind") for i in trigger.get("interceptors", []))


@pytest.mark.parametrize(
    "spec, expected",
    [
        ({"name": "p"}, "string"),
        ({"name": "p", "default": "x"}, "string"),
        ({"name": "p", "default": ["a"]}, "array"),
        ({"name": "p", "default": {"k": "v"}}, "object"),
        ({"name": "p", "properties": {"k": {}}}, "object"),
        ({"name": "p", "default": 3}, "string"),
    ],
)
def test_param_type_defaulting_matches_tekton(spec, expected):
    task = {
        "apiVersion": "tekton.dev/v1",
        "kind": "Task",
        "metadata": {"name": "t"},
        "spec": {"params": [spec], "steps": []},
    }
    defaulted = apply_defaults(task)
    assert defaulted["spec"]["params"][0]["type"] == expected
    for prop in defaulted["spec"]["params"][0].get("properties", {}).values():
        assert prop == {"type": "string"}
    assert missing_defaults(defaulted) == []


def test_pipeline_defaults_match_tekton():
    pipeline = {
        "apiVersion": "tekton.dev/v1",
        "kind": "Pipeline",
        "metadata": {"name": "p"},
        "spec": {
            "params": [{"name": "a", "type": "string"}],
            "tasks": [
                {"name": "one", "taskRef": {"name": "t"}},
                {"name": "two", "taskRef": {"resolver": "git", "params": []}},
                {"name": "three", "taskSpec": {"params": [{"name": "x"}], "results": [{"name": "r"}], "steps": []}},
            ],
            "finally": [{"name": "last", "taskRef": {"name": "t", "kind": "Task"}}],
        },
    }
    defaulted = apply_defaults(pipeline)
    tasks = defaulted["spec"]["tasks"]
    assert tasks[0]["taskRef"] == {"name": "t", "kind": "Task"}
    assert "kind" not in tasks[1]["taskRef"]  # a resolver ref keeps no kind (PipelineTask.SetDefaults)
    assert tasks[2]["taskSpec"]["params"][0]["type"] == "string"
    assert tasks[2]["taskSpec"]["results"][0]["type"] == "string"
    assert len(missing_defaults(pipeline)) == 3


def test_a_stream_leaving_a_default_to_the_webhook_is_noted(repo):
    task = repo / "base/tasks/notify-matrix.yaml"
    text = task.read_text()
    assert "type: string" in text
    task.write_text(text.replace("type: string", "", 1))
    found = [p for p in problems(repo) if p.code == "A009"]
    assert found and found[0].path == "base/tasks/notify-matrix.yaml" and found[0].level == "info"
    assert "ServerSideApply" in found[0].message


def test_invalid_application_name_is_what_the_api_server_refuses(repo):
    copy_stream(repo, "okd-fcos", "okd_under")
    set_namespace(repo, "okd_under", "okd-under")
    edit_yaml(
        repo / "argocd/applicationsets/okd-streams.yaml",
        lambda d: d["spec"]["template"]["metadata"].__setitem__("name", "{{ .path.basename }}"),
    )
    found = [p for p in problems(repo) if p.code == "A001"]
    assert [p.stream for p in found] == ["okd_under"] and "not a valid Kubernetes name" in found[0].message


def test_apps_json_keeps_stdout_json_and_exits_1_on_problems(repo, capsys):
    set_namespace(repo, "okd-fcos", "ci-builds")
    code, out, err = run_cli(capsys, "apps", "--format", "json", "--root", str(repo))
    assert code == 1
    assert len(json.loads(out)) == 2
    assert "[A003]" in err and "streams/okd-fcos/stream.yaml" in err


def test_apps_without_argocd_is_a_usage_error(repo, capsys):
    shutil.rmtree(repo / "argocd")
    code, _, err = run_cli(capsys, "apps", "--root", str(repo))
    assert code == 2 and "argocd" in err


# ---------------------------------------------------------------- issue 18: Argo CD and trigger fixes


def rendered_argocd(root: Path) -> dict[str, dict]:
    done = subprocess.run(find_kustomize().command(str(root / "argocd")), capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    return {f"{d['kind']}/{d['metadata']['name']}": d for d in yaml.safe_load_all(done.stdout) if d}


def test_applicationset_preserves_resources_on_deletion():
    objects = rendered_argocd(REPO)
    assert objects["ApplicationSet/okd-streams"]["spec"]["syncPolicy"] == {"preserveResourcesOnDeletion": True}


def test_rendered_cronjobs_run_as_a_numeric_non_root_user_in_the_cards_time_zone():
    tree = SourceTree(REPO)
    for unit in stream_units(discover_streams(REPO), tree, progress=False):
        card = yaml.safe_load((REPO / "streams" / unit.stream / "stream.yaml").read_text())
        cronjobs = unit.of_kind("CronJob")
        assert cronjobs, unit.stream
        for cronjob in cronjobs:
            pod = cronjob.data["spec"]["jobTemplate"]["spec"]["template"]["spec"]
            context = pod["securityContext"]
            assert context["runAsNonRoot"] is True
            for key in ("runAsUser", "runAsGroup"):
                assert isinstance(context[key], int) and not isinstance(context[key], bool) and context[key] > 0
            assert pod["serviceAccountName"] == "okd-streams-cronjob"
            assert cronjob.data["spec"]["timeZone"] == card["spec"]["timeZone"]


def test_card_time_zone_reaches_the_cronjobs_and_a_bad_one_fails_at_the_card(repo):
    edit_yaml(repo / "streams/okd-scos/stream.yaml", lambda d: d["spec"].__setitem__("timeZone", "Europe/Berlin"))
    tree = SourceTree(repo)
    units = {u.stream: u for u in stream_units(discover_streams(repo), tree, progress=False)}
    assert {c.data["spec"]["timeZone"] for c in units["okd-scos"].of_kind("CronJob")} == {"Europe/Berlin"}
    edit_yaml(repo / "streams/okd-scos/stream.yaml", lambda d: d["spec"].__setitem__("timeZone", "Europe/Berln"))
    found = [p for p in problems(repo) if p.code == "C001"]
    assert len(found) == 1 and found[0].path == "streams/okd-scos/stream.yaml"
    assert "Europe/Berlin" in found[0].message  # did you mean


def test_argocd_namespace_and_cluster_name_are_set_in_one_place(repo, capsys):
    """OpenShift GitOps (namespace openshift-gitops) deploying by cluster name (Operate First)."""

    def settings(data: dict) -> None:
        data["data"].update(namespace="openshift-gitops", destinationServer="", destinationName="in-cluster")

    edit_yaml(repo / "argocd/okd-streams-repository.yaml", settings)
    objects = rendered_argocd(repo)
    assert {d["metadata"]["namespace"] for d in objects.values()} == {"openshift-gitops"}
    bootstrap = objects["Application/okd-streams-bootstrap"]["spec"]["destination"]
    assert bootstrap == {"name": "in-cluster", "namespace": "openshift-gitops", "server": ""}
    assert objects["AppProject/okd-streams-bootstrap"]["spec"]["destinations"][0]["namespace"] == "openshift-gitops"
    code, out, err = run_cli(capsys, "apps", "--format", "json", "--root", str(repo))
    assert code == 0, err
    for app in json.loads(out):
        assert app["metadata"]["namespace"] == "openshift-gitops"
        assert app["spec"]["destination"]["name"] == "in-cluster" and not app["spec"]["destination"]["server"]
    code, out, err = run_cli(capsys, "apps", "--root", str(repo))
    assert code == 0, err
    assert "Applications in namespace openshift-gitops, deployed to cluster name in-cluster" in out


@pytest.mark.parametrize(("server", "name"), [("https://kubernetes.default.svc", "in-cluster"), ("", "")])
def test_destination_with_both_or_neither_cluster_fields_fails(repo, server, name):
    edit_yaml(
        repo / "argocd/okd-streams-repository.yaml",
        lambda d: d["data"].update(destinationServer=server, destinationName=name),
    )
    found = [p for p in problems(repo) if p.code == "A003"]
    assert found and all("Argo CD refuses it" in p.message for p in found)
    assert all(p.path == "argocd/applicationsets/okd-streams.yaml" or "bootstrap" in p.message for p in found)


def test_templated_application_namespace_is_the_applicationsets(repo):
    """Argo CD >= 2.14 puts every generated Application in the ApplicationSet's namespace."""

    def template(data: dict) -> None:
        data["spec"]["template"]["metadata"]["namespace"] = "{{ .spec.namespace }}"

    edit_yaml(repo / "argocd/applicationsets/okd-streams.yaml", template)
    assert {app.data["metadata"]["namespace"] for app in expand(repo).apps} == {"argocd"}


def test_pipeline_param_without_type_does_not_fail_check(repo):
    path = repo / "base/pipelines/okd-coreos.yaml"
    text = path.read_text()
    assert "    - name: repo\n      type: string\n" in text
    path.write_text(text.replace("    - name: repo\n      type: string\n", "    - name: repo\n", 1))
    found = [p for p in problems(repo) if p.code == "A009"]
    assert found and all(p.level == "info" for p in found)
    assert exit_code(problems(repo)) == 0


def test_card_without_time_zone_is_one_finding_at_the_card(repo):
    card = repo / "streams/okd-fcos/stream.yaml"
    lines = card.read_text().splitlines(keepends=True)
    card.write_text("".join(line for line in lines if not line.startswith("  timeZone:")))
    found = [p for p in problems(repo, ["okd-fcos"]) if p.level == "error"]
    assert [(p.code, p.path) for p in found] == [("K001", "streams/okd-fcos/stream.yaml")]
    assert "spec.timeZone" in found[0].message
