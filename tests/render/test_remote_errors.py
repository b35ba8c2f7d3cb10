"""kustomize's error for a remote resource it could not fetch, said plainly (issue 17, class 5)."""

from __future__ import annotations

from okd_streams.files.loader import parse_text
from okd_streams.model.objects import Unit
from okd_streams.render.kustomize import clean_error
from okd_streams.rules.kustomize import kustomize_build

URL = "https://github.com/org/repo/task/x?ref=nope"
WRONG_REF = (
    f"Error: accumulating resources: accumulation err='accumulating resources from '{URL}': "
    f"Get \"{URL}\": 404': failed to run '/usr/bin/git fetch --depth=1 https://github.com/org/repo nope': "
    "fatal: couldn't find remote ref nope\n: exit status 128\n"
)
OFFLINE = WRONG_REF.replace(
    "fatal: couldn't find remote ref nope",
    "fatal: unable to access 'https://github.com/org/repo/': Could not resolve host: github.com",
)


def test_the_url_and_gits_reason_replace_exit_status_128():
    message = clean_error(WRONG_REF, [])
    assert URL in message and "couldn\u2019t find remote ref nope" in message and "exit status" not in message
    assert "no network" not in message
    assert "no network" in clean_error(OFFLINE, [])


def test_a_remote_that_fails_for_another_reason_than_the_network_is_an_error_at_its_line():
    kustomization = parse_text(f"resources:\n  - local.yaml\n  - {URL}\n  - github.com/org/other?ref=v1\n", "k.yaml")
    unit = Unit("k", [], rendered=True, kustomizations=kustomization.documents, remote_error=clean_error(WRONG_REF, []))
    found = [(f.file, f.line, f.level) for f in kustomize_build.check(unit)]
    assert found == [("k.yaml", 3, None)]  # the rule's level, error; the other remote was not tried
    unit.remote_error = clean_error(OFFLINE, [])
    found = [(f.file, f.line, f.level) for f in kustomize_build.check(unit)]
    assert found == [("k.yaml", 3, "warning"), ("k.yaml", 4, "warning")]
