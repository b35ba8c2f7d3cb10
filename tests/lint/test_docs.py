"""`okd-streams docs`: docs/reference/rules.md and streams.md, generated, deterministic, checked for staleness."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from okd_streams import rules as registry
from okd_streams.cli import main
from okd_streams.commands import docs as docs_command
from okd_streams.lint import docgen, ruledoc
from tests.conftest import REPO, snapshot

STREAMS_DOC = "docs/reference/streams.md"
RULES_DOC = "docs/reference/rules.md"


def copy_repo(target: Path) -> Path:
    target.mkdir(parents=True, exist_ok=True)
    for folder in ("base", "overlays", "streams"):
        shutil.copytree(REPO / folder, target / folder)
    shutil.copy(REPO / ".yamllint", target / ".yamllint")
    return target


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    return copy_repo(tmp_path / "repo")


def docs(root: Path, *args: str) -> int:
    return main(["docs", *args, "--root", str(root)])


def table_rows(text: str, heading: str, label: str) -> tuple[list[str], dict[str, list[str]]]:
    """(header cells, {row key: cells}) of the table introduced by `label` under `heading`."""
    section = text.split(heading + "\n", 1)[1]
    section = section.split(label + "\n", 1)[1]
    lines = []
    for line in section.splitlines():
        if line.startswith("|"):
            lines.append(line)
        elif lines:
            break
    split = [cells(line) for line in lines]
    return split[0], {row[0]: row for row in split[2:]}


def cells(line: str) -> list[str]:
    return [cell.strip() for cell in re.split(r"(?<!\\)\|", line.strip())[1:-1]]


# --- generation -------------------------------------------------------------------------------


def test_docs_writes_both_files_and_regenerates_identically(repo, capsys):
    assert docs(repo) == 0
    out = capsys.readouterr().out
    assert f"{RULES_DOC}: written" in out and f"{STREAMS_DOC}: written" in out
    first = {name: (repo / name).read_bytes() for name in (RULES_DOC, STREAMS_DOC)}
    assert docs(repo) == 0
    assert f"{STREAMS_DOC}: up to date" in capsys.readouterr().out
    assert {name: (repo / name).read_bytes() for name in first} == first
    assert docs(repo, "--check") == 0
    assert "up to date" in capsys.readouterr().out
    assert docs(repo, "--check", "--quiet") == 0  # as `make check` runs it: only its summary lines show
    assert capsys.readouterr().out == ""
    assert not [p for p in (repo / "docs" / "reference").iterdir() if p.name not in ("rules.md", "streams.md")], (
        "atomic writes leave no temporary files"
    )


def test_output_does_not_depend_on_where_the_repository_is(tmp_path):
    one = docs_command.generate(copy_repo(tmp_path / "one"), progress=False)
    two = docs_command.generate(copy_repo(tmp_path / "elsewhere" / "two"), progress=False)
    assert one == two
    for text in one.values():
        assert str(tmp_path) not in text and "/tmp/" not in text and str(REPO) not in text


def test_check_names_each_stale_file_and_writes_nothing(repo, capsys):
    assert docs(repo, "--check") == 1
    out = capsys.readouterr().out
    assert f"{RULES_DOC} is missing" in out and f"{STREAMS_DOC} is missing" in out
    assert "make docs" in out and "okd-streams docs" in out
    assert not (repo / "docs").exists(), "--check writes nothing"

    assert docs(repo) == 0
    capsys.readouterr()
    (repo / STREAMS_DOC).write_text((repo / STREAMS_DOC).read_text() + "edited by hand\n")
    before = snapshot(repo)
    assert docs(repo, "--check") == 1
    out = capsys.readouterr().out
    assert f"{STREAMS_DOC} is stale: run `make docs` (or `okd-streams docs`)" in out
    assert RULES_DOC not in out
    assert snapshot(repo) == before

    assert docs(repo, "--check", "--diff") == 1
    assert "-edited by hand" in capsys.readouterr().out


def test_a_card_change_makes_the_catalog_stale(repo, capsys):
    assert docs(repo) == 0
    card = repo / "streams/okd-scos/stream.yaml"
    card.write_text(card.read_text().replace('schedule: "30 6 * * *"', 'schedule: "45 7 * * *"'))
    capsys.readouterr()
    assert docs(repo, "--check") == 1
    assert f"{STREAMS_DOC} is stale" in capsys.readouterr().out


def test_make_check_runs_docs_check_after_check():
    recipe = (REPO / "Makefile").read_text().split("\ncheck:", 1)[1].split("\n\n", 1)[0]
    commands = [line.strip().lstrip("@") for line in recipe.splitlines()[1:]]

    def at(command: str) -> int:  # recipe lines may be silenced (@) and take more options
        return next(i for i, line in enumerate(commands) if line == command or line.startswith(command + " "))

    assert at("$(BIN)/okd-streams check") < at("$(BIN)/okd-streams docs --check")


# --- the drift matrix -------------------------------------------------------------------------


def test_changing_one_card_param_changes_exactly_that_cell(repo):
    before = docs_command.generate(repo, progress=False)[STREAMS_DOC]
    card = repo / "streams/okd-fcos/stream.yaml"
    text = card.read_text()
    assert text.count("value: okd-fcos\n") == 1
    card.write_text(text.replace("value: okd-fcos\n", "value: okd-fcos-staging\n"))
    after = docs_command.generate(repo, progress=False)[STREAMS_DOC]

    old_lines, new_lines = before.splitlines(), after.splitlines()
    assert len(old_lines) == len(new_lines)
    changed = [i for i, (a, b) in enumerate(zip(old_lines, new_lines, strict=True)) if a != b]
    assert len(changed) == 1, [new_lines[i] for i in changed]
    old_cells, new_cells = cells(old_lines[changed[0]]), cells(new_lines[changed[0]])
    differing = [i for i, (a, b) in enumerate(zip(old_cells, new_cells, strict=False)) if a != b]
    assert len(differing) == 1
    header, rows = table_rows(after, "### Pipeline okd-coreos", "Params:")
    assert new_cells[0] == "`s3-bucket-name`" and rows["`s3-bucket-name`"] == new_cells
    assert header[differing[0]] == "okd-fcos"
    assert (old_cells[differing[0]], new_cells[differing[0]]) == ("`okd-fcos`", "`okd-fcos-staging`")


def test_param_cells(repo):
    text = docs_command.generate(repo, progress=False)[STREAMS_DOC]
    header, rows = table_rows(text, "### Pipeline okd-coreos", "Params:")
    assert header == ["Param", "base", "okd-fcos", "okd-scos"]
    assert rows["`branch`"][1:] == ["*required*", "`next-devel`", "`release-4.19`"]
    assert rows["`variant`"][1:] == ["*required*", "`default` *via fcos*", "`okd-c9s` *via scos*"]
    assert rows["`repo`"][3] == "·", "scos sets the base's own default: no drift"
    assert rows["`target-registry`"][1:] == ["`quay.io/okd`", "·", "·"]
    assert rows["`s3-bucket-name`"][1] == '`""`'
    header, rows = table_rows(text, "### Pipeline okd-release", "Params:")
    assert rows["`enable-notifications`"][1:] == ["`false`", "·", "`true`"]


def test_a_card_value_equal_to_the_base_default_is_no_drift(repo):
    card = repo / "streams/okd-scos/stream.yaml"
    card.write_text(
        card.read_text().replace(
            '- name: enable-notifications  # post the outcome of each release run to Matrix\n          value: "true"',
            '- name: enable-notifications\n          value: "false"',
        )
    )
    text = docs_command.generate(repo, progress=False)[STREAMS_DOC]
    _, rows = table_rows(text, "### Pipeline okd-release", "Params:")
    assert rows["`enable-notifications`"][1:] == ["`false`", "·", "·"]


def test_a_component_that_adds_a_task_shows_in_the_tasks_table(repo):
    kustomization = repo / "streams/okd-scos/kustomization.yaml"
    kustomization.write_text(kustomization.read_text() + "  - ../../overlays/hpc\n")
    text = docs_command.generate(repo, progress=False)[STREAMS_DOC]
    header, rows = table_rows(text, "### Pipeline okd-coreos", "Tasks:")
    assert header == ["Task", "base", "okd-fcos", "okd-scos"]
    assert rows["`hpc-layer`"][1:] == ["—", "·", "*added* *via hpc*: after cosa-build-baseos"]
    assert rows["`cosa-generate-release-meta`"][2:] == ["·", "after +hpc-layer *via hpc*"]
    assert rows["`cosa-init`"][1:] == ["first", "·", "·"]
    assert rows["`notify-matrix`"][1:] == ["finally", "·", "·"]
    _, rows = table_rows(text, "### Pipeline okd-coreos", "Params:")
    assert rows["`hpc-image-suffix`"][1:] == ["—", "·", "`hpc` *via hpc*"]
    assert rows["`hpc-packages`"][3].startswith('`["openmpi", ')
    assert "[hpc](../../overlays/hpc/)" in text
    assert "classDef changed" in text and re.search(r"class [\w,]*t_hpc_layer[\w,]* changed", text)


def test_components_say_what_they_do_bring_change_and_who_uses_them(repo):
    text = docs_command.generate(repo, progress=False)[STREAMS_DOC]
    assert text.splitlines()[1] == "<!-- okd-streams components: fcos hpc local okd-payload scos -->"
    section = text.split("## Components\n", 1)[1].split("## Drift from the base\n", 1)[0]
    hpc = section.split("### hpc\n", 1)[1].split("### ", 1)[0]
    assert hpc.lstrip().startswith("Feature component for an HPC flavour of a stream")  # its README
    assert "- **Brings:** Task `hpc-layer-packages`" in hpc
    assert (
        "- **Changes:** Pipeline `okd-coreos`: adds params `hpc-packages`, `hpc-image-suffix`; adds task "
        "`hpc-layer`; changes task `cosa-generate-release-meta`"
    ) in hpc
    assert "- **Used by:** *no stream*" in hpc
    scos = section.split("### scos\n", 1)[1]
    assert "- **Used by:** [okd-scos](#stream-okd-scos)" in scos
    assert "Pipeline `okd-release`: changes params `content-mirror-pushspec`, `release-mirror-pushspec`" in scos
    assert section.index("### fcos") < section.index("### hpc") < section.index("### scos")


def test_a_new_component_is_noted_not_failed_and_a_changed_one_is_stale(repo, capsys):
    assert docs(repo) == 0
    shutil.copytree(repo / "overlays" / "hpc", repo / "overlays" / "gpu")
    capsys.readouterr()
    assert docs(repo, "--check") == 0
    assert f"component gpu is not in {STREAMS_DOC} yet" in capsys.readouterr().out
    readme = repo / "overlays" / "hpc" / "README.md"
    readme.write_text(readme.read_text().replace("Feature component", "A feature component"))
    assert docs(repo, "--check") == 1
    assert docs(repo) == 0
    assert "<!-- okd-streams components: fcos gpu hpc local okd-payload scos -->" in (repo / STREAMS_DOC).read_text()


def test_tasks_removed_or_rewired_by_a_stream_patch(repo):
    kustomization = repo / "streams/okd-fcos/kustomization.yaml"
    kustomization.write_text(
        kustomization.read_text()
        + (
            "patches:\n"
            "  - target: {kind: Pipeline, name: okd-release}\n"
            "    patch: |\n"
            "      - op: remove\n"
            "        path: /spec/tasks/2\n"
            "      - op: replace\n"
            "        path: /spec/tasks/2/runAfter\n"
            "        value: [pick-release]\n"
        )
    )
    text = docs_command.generate(repo, progress=False)[STREAMS_DOC]
    _, rows = table_rows(text, "### Pipeline okd-release", "Tasks:")
    assert rows["`verify-release`"][2:] == ["*removed*", "·"]
    assert rows["`mirror`"][2] == "after −verify-release"


def test_the_stream_table(repo):
    text = docs_command.generate(repo, progress=False)[STREAMS_DOC]
    header, rows = table_rows(text, "## Streams", "")
    assert header == ["Stream", "Description", "Owners", "OS", "Version", "Components", "Schedule", "Sync", "Namespace"]
    row = rows["[okd-scos](#stream-okd-scos)"]
    assert row[2:] == [
        "okd-wg",
        "scos",
        "4.19",
        "[scos](../../overlays/scos/)",
        "okd-coreos `30 6 * * *`<br>okd-release `0 5 * * 1`",
        "automatic",
        "okd-scos",
    ]
    assert row[1].startswith("OKD on CentOS Stream CoreOS")
    assert '<a id="stream-okd-scos"></a>' in text


def test_every_stream_and_pipeline_has_a_mermaid_graph(repo):
    text = docs_command.generate(repo, progress=False)[STREAMS_DOC]
    for stream in ("okd-fcos", "okd-scos"):
        for pipeline in ("okd-coreos", "okd-release", "okd-payload"):  # every stream has all three
            heading = f"#### {stream}: {pipeline}\n\n```mermaid\nflowchart TD\n"
            assert heading in text
    assert text.count("```mermaid") == 6
    assert text.count("```") % 2 == 0


# --- bad input --------------------------------------------------------------------------------


def test_a_stream_that_does_not_build_still_has_its_row(repo, capsys):
    (repo / "streams/okd-fcos/kustomization.yaml").write_text("resources: [../../base, missing.yaml]\n")
    assert docs(repo) == 0
    captured = capsys.readouterr()
    assert "Traceback" not in captured.err
    text = (repo / STREAMS_DOC).read_text()
    _, rows = table_rows(text, "### Pipeline okd-coreos", "Params:")
    assert rows["`branch`"][2:] == ["?", "`release-4.19`"]
    assert "> kustomize build failed:" in text and str(repo) not in text
    assert "[okd-fcos](#stream-okd-fcos) ⚠" in text


def test_a_hostile_card_is_no_crash(repo, capsys):
    (repo / "streams/okd-scos/stream.yaml").write_text(
        "apiVersion: okd-streams.io/v1alpha1\nkind: StreamCard\nmetadata:\n  name: okd-scos\n"
        "  annotations: {config.kubernetes.io/local-config: 'true'}\n"
        "spec:\n  description: {a: 1}\n  owners: 5\n  version: 4.19\n  sync: [x]\n"
        "  pipelines: {okd-coreos: [1, 2], okd-release: {params: [{name: 1}, {value: x}, {name: a|b, value: '|'}]}}\n"
    )
    assert docs(repo) == 0
    captured = capsys.readouterr()
    assert "Traceback" not in captured.err and "internal error" not in captured.err
    text = (repo / STREAMS_DOC).read_text()
    for line in text.splitlines():
        if line.startswith("| `a\\|b`"):
            assert len(cells(line)) == 4


def test_a_repository_without_streams(tmp_path, capsys):
    root = tmp_path / "empty"
    shutil.copytree(REPO / "base", root / "base")
    (root / "streams").mkdir()
    assert docs(root) == 0
    text = (root / STREAMS_DOC).read_text()
    assert "No streams yet." in text and "### Pipeline okd-coreos" in text


# --- docs/reference/rules.md ------------------------------------------------------------------


def test_rules_doc_documents_every_rule_with_anchors():
    text = docgen.rules_markdown()
    assert text == docgen.rules_markdown()
    for code, rule in registry.RULES.items():
        assert f'<a id="{code.lower()}"></a>\n\n## {code} `{rule.ID}`\n' in text
        assert f"| [{code}](#{code.lower()}) | `{rule.ID}` | {rule.LEVEL} | {rule.SCOPE} |" in text
        section = text.split(f"## {code} `{rule.ID}`\n", 1)[1].split('\n<a id="', 1)[0]
        assert f"**Level:** {rule.LEVEL}" in section
        assert ruledoc.parse(rule).summary in section
        for heading in ("### What it does", "### Why", "### Fails", "### Passes"):
            assert heading in section, (code, heading)
        fails = section.split("### Fails", 1)[1].split("### Passes", 1)[0]
        passes = section.split("### Passes", 1)[1]
        assert "```yaml\n" in fails and "```yaml\n" in passes
    assert text.count("```") % 2 == 0
    assert "\n  " not in text.split("```")[0], "prose is dedented"


def test_rules_doc_examples_are_the_example_files():
    text = docgen.rules_markdown()
    for code in registry.RULES:
        example = ruledoc.example(code)
        for path, body in example.bad.items():
            assert f"`{path}`:\n\n```yaml\n{body}```" in text, (code, path)
        assert "```text\n" + "".join(f"{e}\n" for e in example.expected) + "```" in text, code


def test_a_new_stream_is_noted_not_failed_and_a_changed_one_is_stale(tmp_path, capsys, monkeypatch):
    """Adding a stream stays a one-folder pull request: the catalog check notes it.

    A change to a stream the catalog lists still makes it stale.
    """
    import shutil

    from okd_streams.cli import main
    from tests.conftest import REPO

    for folder in ("base", "overlays", "streams", "docs"):
        shutil.copytree(REPO / folder, tmp_path / folder)
    shutil.copytree(tmp_path / "streams" / "okd-scos", tmp_path / "streams" / "okd-extra")
    monkeypatch.chdir(tmp_path)
    assert main(["docs", "--check"]) == 0
    assert f"stream okd-extra is not in {STREAMS_DOC} yet" in capsys.readouterr().out
    card = tmp_path / "streams" / "okd-scos" / "stream.yaml"
    card.write_text(card.read_text().replace("value: okd-scos\n", "value: okd-scos-elsewhere\n"))
    assert main(["docs", "--check"]) == 1
    assert main(["docs"]) == 0
    assert "okd-extra" in (tmp_path / STREAMS_DOC).read_text().splitlines()[0]


# --- the README and the guides ----------------------------------------------------------------

README_MAX_BYTES = 12 * 1024
GUIDES = ("overlays.md", "argocd.md", "pull-requests.md", "configuration.md", "security.md", "development.md")
_LINK = re.compile(r"(?<!!)\[[^\]]*\]\(([^)\s]+)\)|<a\s+href=\"([^\"]+)\"")
_FENCED = re.compile(r"^(```|~~~).*?^\1", re.MULTILINE | re.DOTALL)


def _markdown_files() -> list[Path]:
    return [REPO / "README.md", *sorted((REPO / "docs").rglob("*.md"))]


def _anchors(path: Path) -> set[str]:
    """GitHub's heading anchors (lowercased, punctuation dropped, spaces to '-') and explicit ids."""
    text = _FENCED.sub("", path.read_text(encoding="utf-8"))
    found = set(re.findall(r'<a id="([^"]+)"></a>', text))
    seen: dict[str, int] = {}
    for heading in re.findall(r"^#{1,6} +(.+?) *#*$", text, re.MULTILINE):
        slug = re.sub(r"[^\w\- ]", "", heading.strip().lower()).replace(" ", "-")
        found.add(slug if slug not in seen else f"{slug}-{seen[slug]}")
        seen[slug] = seen.get(slug, 0) + 1
    return found


def test_readme_is_the_front_door():
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    assert len(readme.encode("utf-8")) <= README_MAX_BYTES, "README.md over 12 KB: move the details to docs/"
    assert "make check" in readme and "make test" in readme
    for guide in GUIDES:
        assert (REPO / "docs" / guide).is_file(), guide
        assert f"(docs/{guide})" in readme, f"README.md does not link docs/{guide}"
    for generated in (docs_command.RULES_DOC, docs_command.STREAMS_DOC):
        assert f"({generated})" in readme, f"README.md does not link {generated}"


def test_every_relative_link_in_the_readme_and_docs_resolves():
    broken = []
    for path in _markdown_files():
        text = _FENCED.sub("", path.read_text(encoding="utf-8"))
        text = re.sub(r"`[^`\n]*`", "", text)  # code spans are not links
        for match in _LINK.finditer(text):
            target = match.group(1) or match.group(2)
            if re.match(r"^[a-z][a-z0-9+.-]*:", target):  # https:, mailto: ...
                continue
            file_part, _, anchor = target.partition("#")
            resolved = (path.parent / file_part).resolve() if file_part else path
            where = f"{path.relative_to(REPO)}: {target}"
            if not resolved.exists():
                broken.append(where)
            elif anchor and resolved.suffix == ".md" and anchor not in _anchors(resolved):
                broken.append(f"{where} (no such anchor)")
            elif REPO not in (resolved, *resolved.parents):
                broken.append(f"{where} (outside the repository)")
    assert not broken, "broken links:\n" + "\n".join(broken)
