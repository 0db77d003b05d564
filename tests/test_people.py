"""The consent register: people, consent changes with history, reference photos."""

from __future__ import annotations

import json

import pytest
from conftest import REPO, run_cli

from btslog.errors import InvalidInput, NotFound
from btslog.ops.people import add_person, add_photos, list_people, person_details, set_person

EILEEN = REPO / "sample_clips" / "people" / "eileen.jpg"
GRACE = REPO / "sample_clips" / "people" / "grace.jpg"


def test_add_list_and_show(project):
    add_person(project, "Eileen  Collins", role="actor", consent="released",
               release_ref="REL-001", signed="2026-11-19", photos=[EILEEN])  # fmt: skip
    add_person(project, "Grace Hopper", consent="opted_out", photos=[GRACE])
    people = {person.name: (person, photos) for person, photos in list_people(project)}
    assert sorted(people) == ["Eileen Collins", "Grace Hopper"]
    eileen, photos = people["Eileen Collins"]
    assert (eileen.consent, eileen.release_ref, eileen.signed_on, photos) == (
        "released", "REL-001", "2026-11-19", 1)  # fmt: skip
    _person, stored, events = person_details(project, "eileen collins")
    assert stored[0].sha256 and (project.root / stored[0].path).read_bytes() == EILEEN.read_bytes()
    assert [(e["before"], e["after"], e["author"]) for e in events] == [(None, "released",
                                                                         "tester")]  # fmt: skip
    assert [p.name for p, _ in list_people(project, "opted_out")] == ["Grace Hopper"]


def test_every_consent_change_is_in_the_history_and_the_audit_log(project):
    add_person(project, "Grace Hopper", consent="pending")
    set_person(project, "grace hopper", consent="opted_out", note="asked on set")
    set_person(project, "Grace Hopper", consent="released", release_ref="REL-9")
    _, _, events = person_details(project, "Grace Hopper")
    assert [(e["before"], e["after"], e["note"]) for e in events] == [
        (None, "pending", "added to the register"),
        ("pending", "opted_out", "asked on set"),
        ("opted_out", "released", None),
    ]
    result = run_cli("--project", str(project.root), "people", "history", "Grace Hopper",
                     "--format", "json", check=0)  # fmt: skip
    rows = json.loads(result.stdout)
    assert [row["after"] for row in rows] == ["pending", "opted_out", "released"]
    assert all(row["author"] == "tester" and row["at"] for row in rows)
    audit = run_cli("--project", str(project.root), "history", "--format", "json").stdout
    assert [e["action"] for e in json.loads(audit)][:3] == ["person.set", "person.set",
                                                            "person.add"]  # fmt: skip


@pytest.mark.parametrize(
    ("call", "error", "words"),
    [
        (lambda p: add_person(p, "X", consent="maybe"), InvalidInput, "consent 'maybe'"),
        (lambda p: add_person(p, "X", signed="2026-13-01"), InvalidInput, "YYYY-MM-DD"),
        (lambda p: add_person(p, "X", photos=["/nonexistent.jpg"]), NotFound, "no such photo"),
        (lambda p: set_person(p, "Nobody", consent="released"), NotFound, "nobody called"),
        (lambda p: add_person(p, "a/b"), InvalidInput, "not a usable name"),
    ],
)
def test_bad_input(project, call, error, words):
    with pytest.raises(error, match=words):
        call(project)
    assert list_people(project) == []


def test_duplicates_and_broken_photos(project, tmp_path):
    add_person(project, "Grace Hopper", photos=[GRACE])
    with pytest.raises(InvalidInput, match="already in the consent register"):
        add_person(project, "GRACE HOPPER")
    assert add_photos(project, "Grace Hopper", [GRACE]) == []  # the same photo once
    broken = tmp_path / "broken.jpg"
    broken.write_bytes(GRACE.read_bytes()[:200])
    with pytest.raises(InvalidInput, match="broken.jpg: not a readable image"):
        add_photos(project, "Grace Hopper", [broken])
    result = run_cli("--project", str(project.root), "people", "photo", "add", "Grace Hopper",
                     str(broken), check=1)  # fmt: skip
    assert "not a readable image" in result.stderr and "Traceback" not in result.stderr


def test_the_register_from_the_command_line(project):
    """`people add`, `people`, `people show`, `people set` as an assistant editor types them;
    a wrong consent is refused with the choices and no traceback, and changes nothing."""
    base = ("--project", str(project.root), "people")
    run_cli(*base, "add", "Eileen Collins", "--role", "actor", "--consent", "released",
            "--release-ref", "REL-001", "--signed", "2026-11-19", "--photo", str(EILEEN),
            check=0)  # fmt: skip
    run_cli(*base, "add", "Grace Hopper", "--role", "script supervisor", check=0)
    rows = {row["name"]: row for row in json.loads(run_cli(*base, "--format", "json",
                                                           check=0).stdout)}  # fmt: skip
    assert rows["Eileen Collins"]["consent"] == "released"
    assert rows["Eileen Collins"]["release_ref"] == "REL-001"
    assert rows["Grace Hopper"]["consent"] == "pending"  # the default
    shown = run_cli(*base, "show", "Eileen Collins", check=0).stdout
    assert "REL-001" in shown and "2026-11-19" in shown and "eileen" in shown.lower()
    run_cli(*base, "set", "Grace Hopper", "--consent", "opted_out", "--note", "asked on set",
            check=0)  # fmt: skip
    refused = run_cli(*base, "set", "Grace Hopper", "--consent", "maybe", check=1)
    assert "maybe" in refused.stderr and "opted_out" in refused.stderr
    assert "Traceback" not in refused.stderr
    history = json.loads(run_cli(*base, "history", "Grace Hopper", "--format", "json",
                                 check=0).stdout)  # fmt: skip
    assert [(row["before"], row["after"]) for row in history] == [
        (None, "pending"),
        ("pending", "opted_out"),
    ]
