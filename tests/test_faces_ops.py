"""Consent end to end on the sample shoot: scan, identities, policy, render, measured on the
per-frame face ground truth."""

from __future__ import annotations

import json

import numpy as np
import pytest
from conftest import REPO, copy, run_cli

from btslog.errors import InvalidInput
from btslog.faces.blur import boxes_for_frame, load_settings
from btslog.faces.model import FaceTrack, decode_detections
from btslog.ops.clips import add_clips
from btslog.ops.faces import assign, blur_clip, decide, face_rows_for, scan, unassign
from btslog.ops.people import add_person, set_person

SAMPLE = REPO / "sample_clips"
CLIP = "cardA/PRIVATE/M4ROOT/CLIP/A001C001.MP4"


@pytest.fixture(scope="module")
def scanned(tmp_path_factory):
    """A project with the sample's A001C001, both people registered, and a face scan."""
    from btslog.ops.project import init_project

    root = tmp_path_factory.mktemp("faces")
    project = init_project(root / "proj", name="Faces", rate="23.976")
    clip_path = copy(SAMPLE / CLIP, root / "A001C001.MP4")
    (clip,) = [r.clip for r in add_clips(project, [clip_path], camera="A")]
    add_person(project, "Eileen", consent="released", release_ref="REL-1",
               photos=[SAMPLE / "people/eileen.jpg"])  # fmt: skip
    add_person(project, "Grace", consent="opted_out", photos=[SAMPLE / "people/grace.jpg"])
    results = scan(project, [clip])
    assert results[0].status == "added"
    return project, clip


def truth_faces():
    truth = json.loads((SAMPLE / "truth/A001C001.json").read_text())
    return truth["faces"]


def stored_pairs(project, clip, policy="all_but_released"):
    from btslog.db import faces as face_rows

    with project.db.read() as connection:
        tracks = face_rows.tracks_of(connection, clip.id)
    return [(FaceTrack(t.first_frame, t.last_frame, decode_detections(t.boxes), id=t.id),
             decide(t, policy)) for t in tracks]  # fmt: skip


def covered(box, hidden) -> bool:
    """Whether every pixel of the truth ``box`` lies inside some hidden box."""
    x1, y1, x2, y2 = box
    mask = np.zeros((y2 - y1, x2 - x1), bool)
    for h in hidden:
        left, top = max(x1, int(np.floor(h.x1))), max(y1, int(np.floor(h.y1)))
        right, bottom = min(x2, int(np.ceil(h.x2))), min(y2, int(np.ceil(h.y2)))
        if right > left and bottom > top:
            mask[top - y1 : bottom - y1, left - x1 : right - x1] = True
    return bool(mask.all())


def test_identities_match_the_register(scanned):
    project, clip = scanned
    rows = face_rows_for(project, clip)
    assert {row["person"] for row in rows} == {"Eileen", "Grace"}
    for row in rows:
        assert row["blur"] is (row["person"] == "Grace")
        assert row["similarity"] > 0.5


def test_no_frame_of_the_opted_out_person_leaks(scanned):
    project, clip = scanned
    settings = load_settings()
    pairs = stored_pairs(project, clip)
    leaked, eileen_frames, eileen_hidden = [], 0, 0
    for number, faces in enumerate(truth_faces()):
        hidden = boxes_for_frame(
            number, pairs, settings.margin, settings.padding, settings.unsure_margin
        )
        for face in faces:
            if face["visible"] <= 0:
                continue
            x1, y1, x2, y2 = face["box"]
            box = (max(0, x1), max(0, y1), min(640, x2), min(360, y2))
            if box[2] <= box[0] or box[3] <= box[1]:
                continue
            if face["identity"] == "grace" and not covered(box, hidden):
                leaked.append(number)
            if face["identity"] == "eileen":
                eileen_frames += 1
                eileen_hidden += any(h.iou(type(h)(*box)) > 0.3 for h in hidden)
    assert leaked == []
    assert eileen_hidden <= 0.05 * eileen_frames  # released: unblurred in >= 95% of frames


def test_render_hides_the_opted_out_face_in_pixels(scanned, tmp_path):
    import av

    project, clip = scanned
    output = tmp_path / "blurred.mp4"
    manifest = blur_clip(project, clip.name, output)
    assert manifest["policy"] == "all_but_released"
    blurred_people = {d["person"] for d in manifest["decisions"] if d["blur"]}
    assert blurred_people == {"Grace"}
    faces = truth_faces()
    source = av.open(str(project.absolute(clip.path)))
    rendered = av.open(str(output))
    checked = 0
    for number, (a, b) in enumerate(zip(source.decode(video=0), rendered.decode(video=0),
                                        strict=False)):  # fmt: skip
        if number % 40:
            continue
        original, out = a.to_ndarray(format="gray"), b.to_ndarray(format="gray")
        for face in faces[number]:
            x1, y1, x2, y2 = (max(0, v) for v in face["box"])
            if face["visible"] < 1 or x2 - x1 < 20:
                continue
            detail_before = np.abs(np.diff(original[y1:y2, x1:x2].astype(int), axis=1)).mean()
            detail_after = np.abs(np.diff(out[y1:y2, x1:x2].astype(int), axis=1)).mean()
            if face["identity"] == "grace":
                assert detail_after < 0.5 * detail_before, number
                checked += 1
            elif face["identity"] == "eileen":
                assert detail_after > 0.7 * detail_before, number
    assert checked >= 3


def test_editor_overrides_win_and_can_be_taken_back(scanned):
    project, clip = scanned
    eileen_track = next(r for r in face_rows_for(project, clip) if r["person"] == "Eileen")
    assign(project, eileen_track["id"], "Grace")
    row = next(r for r in face_rows_for(project, clip) if r["id"] == eileen_track["id"])
    assert (row["person"], row["assigned_by"], row["blur"]) == ("Grace", "tester", True)
    unassign(project, eileen_track["id"])
    row = next(r for r in face_rows_for(project, clip) if r["id"] == eileen_track["id"])
    assert (row["person"], row["assigned_by"], row["blur"]) == ("Eileen", None, False)


def test_pending_consent_is_blurred_by_default(scanned):
    project, clip = scanned
    set_person(project, "Eileen", consent="pending")
    try:
        assert all(row["blur"] for row in face_rows_for(project, clip))
    finally:
        set_person(project, "Eileen", consent="released")


def test_an_unscanned_clip_is_never_rendered(project, media, tmp_path):
    add_clips(project, [media["a2398"]], camera="A")
    with pytest.raises(InvalidInput, match="has not been scanned"):
        blur_clip(project, "A001C001", tmp_path / "out.mp4")
    assert not (tmp_path / "out.mp4").exists()
    result = run_cli("--project", str(project.root), "blur", "A001C001", "-o",
                     str(tmp_path / "out.mp4"), check=1)  # fmt: skip
    assert "faces scan" in result.stderr


def test_cli_faces_list_and_sheet(scanned, tmp_path):
    project, _ = scanned
    rows = json.loads(run_cli("--project", str(project.root), "faces", "--format", "json",
                              check=0).stdout)  # fmt: skip
    assert {row["person"] for row in rows} == {"Eileen", "Grace"}
    sheet = tmp_path / "sheet.png"
    out = run_cli("--project", str(project.root), "faces", "sheet", "-o", str(sheet), check=0)
    assert "tracks" in out.stdout and sheet.read_bytes()[:4] == b"\x89PNG"
    again = run_cli("--project", str(project.root), "faces", "scan", "--all", check=0)
    assert "1 skipped" in again.stdout


def test_a_person_registered_after_the_scan_is_matched_before_any_render(tmp_path):
    """Under the opted_out policy an unknown face is shown: a person who opts out after the
    scan must be matched before anything renders, or their face would leak."""
    from btslog.ops.project import init_project

    project = init_project(tmp_path / "late", name="Late", rate="23.976")
    config = project.root / "btslog.toml"
    config.write_text(config.read_text().replace('blur = "all_but_released"', 'blur = "opted_out"'))
    from btslog.ops.project import open_project

    project = open_project(project.root)
    clip_path = copy(SAMPLE / CLIP, tmp_path / "A001C001.MP4")
    (clip,) = [r.clip for r in add_clips(project, [clip_path], camera="A")]
    scan(project, [clip])
    assert not any(row["blur"] for row in face_rows_for(project, clip))  # nobody known yet
    add_person(project, "Grace", consent="opted_out", photos=[SAMPLE / "people/grace.jpg"])
    with pytest.raises(InvalidInput, match="register's photos changed"):
        blur_clip(project, clip.name, tmp_path / "out.mp4")
    (result,) = scan(project, [clip])
    assert result.status == "added" and "matched again" in result.reason
    rows = face_rows_for(project, clip)
    assert {row["person"] for row in rows if row["blur"]} == {"Grace"}
    manifest = blur_clip(project, clip.name, tmp_path / "out.mp4")
    assert {d["person"] for d in manifest["decisions"] if d["blur"]} == {"Grace"}


def test_cli_assign_unassign_and_preview(scanned, tmp_path):
    """`faces assign` makes the editor's word win (the released host's track is blurred as
    Grace), `faces unassign` gives it back to the machine; `blur --preview` is marked so."""
    project, _ = scanned
    base = ("--project", str(project.root))

    def rows():
        return json.loads(run_cli(*base, "faces", "--format", "json", check=0).stdout)

    host = next(row for row in rows() if row["person"] == "Eileen")
    run_cli(*base, "faces", "assign", str(host["id"]), "Grace", check=0)
    row = next(r for r in rows() if r["id"] == host["id"])
    assert (row["person"], row["assigned_by"], row["blur"]) == ("Grace", "tester", True)
    missing = run_cli(*base, "faces", "assign", str(host["id"]), "Nobody", check=1)
    assert "Nobody" in missing.stderr and "Traceback" not in missing.stderr
    run_cli(*base, "faces", "unassign", str(host["id"]), check=0)
    row = next(r for r in rows() if r["id"] == host["id"])
    assert (row["person"], row["assigned_by"], row["blur"]) == ("Eileen", None, False)
    wrong = run_cli(*base, "blur", "A001C001", "-o", str(tmp_path / "out.txt"), check=1)
    assert ".mp4" in wrong.stderr and "rendering" not in wrong.stderr  # refused before work
    assert list(tmp_path.iterdir()) == []
    preview = tmp_path / "preview.mp4"
    run_cli(*base, "blur", "A001C001", "-o", str(preview), "--preview", check=0)
    manifest = json.loads(preview.with_name("preview.mp4.manifest.json").read_text())
    assert manifest["preview"] is True and preview.stat().st_size > 0
