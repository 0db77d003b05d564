"""Automatic suggestions: analyses cached by file hash, run in worker processes, stored as
suggested tags without duplicates; listing, accepting, rejecting, undo; transcripts and search.

Stand-in analyzers (through the one seam, ``btslog.ops.analyze.ANALYZER_MODULES``) test the
plumbing fast; the real analyzers run on the sample shoot at the end."""

from __future__ import annotations

import json
import sys
import time
import types

import pytest
from conftest import REPO, run_cli

from btslog.analyze.model import Analysis, Suggestion
from btslog.db import analyses as analysis_rows
from btslog.errors import InvalidInput, NotFound
from btslog.ops import analyze as analyze_ops
from btslog.ops.analyze import (
    analyze,
    decide_suggestions,
    export_transcript,
    find_suggestions,
    refresh_suggestions,
    search,
    suggestion_rows,
)
from btslog.ops.clips import add_clips, list_clips, resolve_clip
from btslog.ops.tags import TagChanges, TagSpec, add_tag, edit_tag, find_tags, remove_tag, undo

SHOOT = REPO / "sample_clips"


@pytest.fixture
def shoot(project):
    add_clips(project, [SHOOT / "cardA"], camera="A")
    add_clips(project, [SHOOT / "cardB"], camera="B")
    return project


def clip_named(project, name):
    return resolve_clip(project, name)


# --- stand-in analyzers ----------------------------------------------------------------------

CALLS: list[str] = []  # what the stand-ins were asked to do (in this process)


def _transcribe(path, info, params=None):
    CALLS.append(f"transcribe {info.path.rsplit('/', 1)[-1]}")
    if params.get("fail_on") and params["fail_on"] in str(path):
        from btslog.errors import MediaError

        raise MediaError(f"{path}: its sound cannot be decoded", hint="copy it again")
    if params.get("sleep") and params["slow_on"] in str(path):
        time.sleep(params["sleep"])
    words = "the tripod is loose" if "A001C001" in str(path) else "lunch at one"
    return Analysis("transcribe", "1", params, {"segments": [
        {"start_sample": 48_000, "end_sample": 120_000, "text": words},
        {"start_sample": 200_000, "end_sample": 260_000, "text": "quiet please"},
    ]})  # fmt: skip


def standin(monkeypatch, name: str, version: str = "1", **functions) -> types.ModuleType:
    module = types.ModuleType(f"btslog_standin_{name}")
    module.VERSION = version
    module.DEFAULTS = {"fail_on": "", "sleep": 0, "slow_on": ""}
    module.available = lambda: True
    for attribute, function in functions.items():
        setattr(module, attribute, function)
    monkeypatch.setitem(sys.modules, module.__name__, module)
    monkeypatch.setitem(analyze_ops.ANALYZER_MODULES, name, module.__name__)
    return module


@pytest.fixture
def transcriber(monkeypatch):
    CALLS.clear()
    return standin(monkeypatch, "transcribe", analyze=_transcribe)


# --- the cache ------------------------------------------------------------------------------


def test_a_second_run_with_nothing_changed_decodes_nothing(shoot, transcriber):
    clips = list_clips(shoot)
    first = analyze(shoot, clips, ["transcribe"], workers=1)
    assert first.jobs_run == 4 and len(CALLS) == 4
    assert {item.status for item in first.items} == {"analyzed"}
    CALLS.clear()
    second = analyze(shoot, clips, ["transcribe"], workers=1)
    assert CALLS == [] and second.jobs_run == 0
    assert {item.status for item in second.items} == {"cached"}
    # the cache is keyed by content: a second project with the same files reuses nothing of
    # this one's database, but the same project after a new version or parameter computes again
    transcriber.VERSION = "2"
    analyze(shoot, clips[:1], ["transcribe"], workers=1)
    assert len(CALLS) == 1
    config = shoot.root / "btslog.toml"
    config.write_text(config.read_text() + "\n[analyze.transcribe]\nsleep = 0.001\n")
    from btslog.ops.project import open_project

    reopened = open_project(shoot.root)
    analyze(reopened, clips[:1], ["transcribe"], workers=1)
    assert len(CALLS) == 2
    analyze(reopened, clips[:1], ["transcribe"], workers=1, force=True)
    assert len(CALLS) == 3
    with reopened.db.read() as connection:
        assert analysis_rows.count(connection) == 4 + 1 + 1  # force replaced, not duplicated


def test_unknown_parameters_in_the_project_file_are_refused(shoot, transcriber):
    config = shoot.root / "btslog.toml"
    config.write_text(config.read_text() + "\n[analyze.transcribe]\nspeed = 2\n")
    from btslog.ops.project import open_project

    with pytest.raises(InvalidInput, match=r"\[analyze.transcribe\] speed is not a parameter"):
        analyze(open_project(shoot.root), list_clips(shoot), ["transcribe"], workers=1)


def test_a_clip_without_a_hash_is_hashed_once(shoot, transcriber):
    from btslog.db import clips as clip_rows

    target = clip_named(shoot, "A001C002")
    with shoot.db.write() as connection:
        clip_rows.update_clip(connection, target.id, {"xxh64": None})
    analyze(shoot, [clip_named(shoot, "A001C002")], ["transcribe"], workers=1)
    rehashed = clip_named(shoot, "A001C002")
    assert rehashed.xxh64 == target.xxh64  # the same content, the same key
    CALLS.clear()
    analyze(shoot, [rehashed], ["transcribe"], workers=1)
    assert CALLS == []


def test_workers_run_jobs_in_parallel_and_a_failure_stays_with_its_clip(shoot, monkeypatch):
    standin(monkeypatch, "transcribe", analyze=_transcribe).DEFAULTS["fail_on"] = "IMG_0002"
    report = analyze(shoot, list_clips(shoot), ["transcribe"], workers=2)
    statuses = {item.subject: item.status for item in report.items}
    assert statuses == {"A001C001": "analyzed", "A001C002": "analyzed",
                        "B001_0001": "analyzed", "IMG_0002": "failed"}  # fmt: skip
    (failed,) = report.failed
    assert "cannot be decoded" in failed.reason
    with shoot.db.read() as connection:
        assert analysis_rows.count(connection) == 3
        assert analysis_rows.clips_with_transcripts(connection) == {
            clip_named(shoot, name).id for name in ("A001C001", "A001C002", "B001_0001")}  # fmt: skip


def test_ctrl_c_stops_the_workers_and_stores_nothing_half_way(shoot, monkeypatch):
    module = standin(monkeypatch, "transcribe", analyze=_transcribe)
    module.DEFAULTS.update(sleep=30, slow_on="A001C002")

    def interrupt(job, outcome):
        raise KeyboardInterrupt

    started = time.monotonic()
    with pytest.raises(KeyboardInterrupt):  # A001C001 finishes, A001C002 sleeps, B001 waits
        analyze(shoot, list_clips(shoot)[:3], ["transcribe"], workers=2, on_job=interrupt)
    assert time.monotonic() - started < 25  # the sleeping worker was stopped, not awaited
    with shoot.db.read() as connection:
        assert analysis_rows.count(connection) == 1
        assert analysis_rows.clips_with_transcripts(connection) == set()


def test_interrupting_the_workers_leaves_only_whole_results(shoot, monkeypatch):
    standin(monkeypatch, "transcribe", analyze=_transcribe)
    jobs_seen = []

    def interrupt_after_first(job, outcome):
        jobs_seen.append(job.label)
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        analyze(shoot, list_clips(shoot), ["transcribe"], workers=1,
                on_job=interrupt_after_first)  # fmt: skip
    with shoot.db.read() as connection:
        assert analysis_rows.count(connection) == 1  # the finished job's result, whole
    CALLS.clear()
    analyze(shoot, list_clips(shoot), ["transcribe"], workers=1)
    assert len(CALLS) == 3  # the run again does only what is missing


# --- transcripts and search -------------------------------------------------------------------


def test_transcripts_are_searchable_and_exported_as_subtitles(shoot, transcriber, tmp_path):
    analyze(shoot, list_clips(shoot), ["transcribe"], workers=1)
    add_tag(shoot, TagSpec(clip="A001C002", in_text="+1s", duration="2s", kind="flub",
                           note="Tripod falls over"))  # fmt: skip
    rows = search(shoot, ["TRIPOD"])
    assert [(row["clip"], row["match"], row["in_tc"], row["text"]) for row in rows] == [
        ("A001C001", "transcript", "14:03:12:23", "the tripod is loose"),
        ("A001C002", "tag flub", "14:03:35:00", "Tripod falls over"),
    ]
    assert search(shoot, ["tripod", "loose"], camera="A")[0]["out_tc"] == "14:03:14:12"
    assert search(shoot, ["tripod"], clip="B001_0001") == []
    with pytest.raises(InvalidInput, match="give words"):
        search(shoot, [" "])
    assert export_transcript(shoot, "A001C001", "srt", tmp_path / "a.srt") == 2
    assert (tmp_path / "a.srt").read_text() == (  # whole frames: 23-60 and 99-130
        "1\n00:00:00,959 --> 00:00:02,503\nthe tripod is loose\n\n"
        "2\n00:00:04,129 --> 00:00:05,422\nquiet please\n"
    )
    export_transcript(shoot, "B001_0001", "vtt", tmp_path / "b.vtt")
    vtt = (tmp_path / "b.vtt").read_text()
    assert vtt.startswith("WEBVTT") and "00:00:00.968 --> 00:00:02.503\nlunch at one\n" in vtt
    result = run_cli("--project", str(shoot.root), "search", "quiet", "please", "--format",
                     "json", check=0)  # fmt: skip
    assert len(json.loads(result.stdout)) == 4
    # as marker notes: each marker's note ends with the words said in its range
    from btslog.ops.exchange import export_markers

    add_tag(shoot, TagSpec(clip="A001C001", in_text="+0f", duration="3s", kind="conversation",
                           note="before the take"))  # fmt: skip
    (csv_file,) = export_markers(shoot, "csv", tmp_path / "m.csv", clip="A001C001",
                                 transcript=True)  # fmt: skip
    assert 'before the take\nsaid: ""the tripod is loose""' in csv_file.read_text()
    cli = run_cli("--project", str(shoot.root), "export", "transcript", "IMG_0002", "--format",
                  "vtt", "-o", str(tmp_path / "i.vtt"), check=0)  # fmt: skip
    assert "2 cues" in cli.stdout and (tmp_path / "i.vtt").exists()


def test_without_the_transcription_extra_a_clear_message(shoot, monkeypatch, tmp_path):
    module = standin(monkeypatch, "transcribe", analyze=_transcribe)
    module.available = lambda: False
    with pytest.raises(InvalidInput, match="speech-to-text") as caught:
        analyze(shoot, list_clips(shoot), ["transcribe"], workers=1)
    assert "pip install 'btslog[transcribe]'" in caught.value.hint
    monkeypatch.setitem(analyze_ops.ANALYZER_MODULES, "transcribe", "btslog_no_such_module")
    with pytest.raises(InvalidInput, match="not installed") as caught:
        analyze(shoot, list_clips(shoot), ["transcribe"], workers=1)
    assert "btslog[transcribe]" in caught.value.hint
    with pytest.raises(NotFound, match="has no transcript"):
        export_transcript(shoot, "A001C001", "srt", tmp_path / "a.srt")


# --- suggestions as tags --------------------------------------------------------------------


def speech_at(*ranges, kind="conversation", note="talk"):
    return [Suggestion("speech", kind, start, end, note, 0.8) for start, end in ranges]


def test_re_running_replaces_only_untouched_suggestions(shoot):
    target = clip_named(shoot, "A001C001")
    first = refresh_suggestions(shoot, target, "speech", speech_at((10, 50), (100, 150),
                                                                   (200, 260), (300, 340)))  # fmt: skip
    assert (first.added, first.removed, first.kept) == (4, 0, 0)
    tags = find_tags(shoot, statuses=["suggested"])
    assert {(tag.source, tag.status) for tag in tags} == {("detect:speech", "suggested")}
    ids = [tag.id for tag in tags]
    # the same result again: nothing changes, the ids stay
    same = refresh_suggestions(shoot, target, "speech", speech_at((10, 50), (100, 150),
                                                                  (200, 260), (300, 340)))  # fmt: skip
    assert (same.added, same.removed, same.kept) == (0, 0, 4)
    assert [tag.id for tag in find_tags(shoot, statuses=["suggested"])] == ids
    # an editor decides on three of them
    decide_suggestions(shoot, [ids[0]], accept=True)
    decide_suggestions(shoot, [ids[1]], accept=False)
    edit_tag(shoot, ids[2], TagChanges(note="the director explains"))
    remove_tag(shoot, ids[3])
    # a new run finding slightly different ranges: nothing decided is touched or suggested
    # again; a range nobody decided on comes new
    again = refresh_suggestions(shoot, target, "speech", speech_at((12, 50), (100, 148),
                                                                   (205, 260), (300, 339),
                                                                   (400, 420)))  # fmt: skip
    assert (again.added, again.removed, again.kept) == (1, 0, 0)
    all_tags = {tag.id: tag for tag in find_tags(
        shoot, statuses=["suggested", "accepted", "rejected"], include_deleted=True)}  # fmt: skip
    assert all_tags[ids[0]].status == "accepted" and all_tags[ids[1]].status == "rejected"
    assert all_tags[ids[2]].note == "the director explains" and all_tags[ids[3]].deleted_at
    edited, new = find_tags(shoot, statuses=["suggested"])  # edited: still a suggestion
    assert edited.id == ids[2] and (new.in_frame, new.out_frame) == (400, 420)
    # an analyzer that now finds nothing there takes back its own untouched suggestion only
    gone = refresh_suggestions(shoot, target, "speech", [])
    assert (gone.added, gone.removed) == (0, 1)
    assert len(find_tags(shoot, statuses=["suggested", "accepted", "rejected"],
                         include_deleted=True)) == 4  # fmt: skip
    # other analyzers' suggestions are not this one's to replace
    refresh_suggestions(shoot, target, "claps", [Suggestion("claps", "take", 119, 331, "", 0.9,
                                                            "12", "1")])  # fmt: skip
    refresh_suggestions(shoot, target, "speech", [])
    (take,) = find_tags(shoot, statuses=["suggested"], kinds=["take"])
    assert (take.kind, take.scene, take.take, take.source) == ("take", "12", "1", "detect:claps")


def test_what_an_editor_logged_is_not_suggested_again(shoot):
    add_tag(shoot, TagSpec(clip="A001C001", in_text="+10f", out_text="+50f",
                           kind="conversation", note="logged by hand"))  # fmt: skip
    target = clip_named(shoot, "A001C001")
    change = refresh_suggestions(shoot, target, "speech", speech_at((12, 52), (60, 80)))
    assert change.added == 1
    assert [(tag.in_frame, tag.out_frame) for tag in find_tags(shoot, statuses=["suggested"])] == [
        (60, 80)]  # fmt: skip
    # a take logged over the range is another kind: it does not hide a conversation
    assert refresh_suggestions(shoot, target, "speech", speech_at((12, 52), (60, 80),
                                                                  (90, 95))).added == 1  # fmt: skip


@pytest.fixture
def suggested(shoot):
    a1, b1 = clip_named(shoot, "A001C001"), clip_named(shoot, "B001_0001")
    refresh_suggestions(shoot, a1, "speech", speech_at((10, 50), (300, 340)))
    refresh_suggestions(shoot, b1, "speech", speech_at((5, 40)))
    refresh_suggestions(shoot, a1, "claps", [Suggestion("claps", "take", 119, 331, "slate 12/1",
                                                        0.97, "12", "1")])  # fmt: skip
    refresh_suggestions(shoot, b1, "shots", [Suggestion("shots", "setup", 174, 175,
                                                        "shot change", None)])  # fmt: skip
    return shoot


def test_listing_suggestions_like_tag_rows(suggested):
    tags = find_suggestions(suggested)
    assert len(tags) == 5
    rows = suggestion_rows(suggested, tags)
    from btslog.ops.tags import tag_rows_for

    assert set(tag_rows_for(suggested, tags)[0]) < set(rows[0])
    assert {row["analyzer"] for row in rows} == {"speech", "claps", "shots"}
    take = next(row for row in rows if row["kind"] == "take")
    assert take["confidence"] == 0.97 and take["in_tc"] == "14:03:16:23"
    assert take["status"] == "suggested" and take["source"] == "detect:claps"
    assert len(find_suggestions(suggested, clip="B001_0001")) == 2
    assert len(find_suggestions(suggested, analyzer="speech")) == 3
    assert len(find_suggestions(suggested, kinds=["take"])) == 1
    root = str(suggested.root)
    listed = json.loads(run_cli("--project", root, "suggestions", "--analyzer", "speech",
                                "--format", "json", check=0).stdout)  # fmt: skip
    assert [row["in_frame"] for row in listed] == [10, 300, 5]
    table = run_cli("--project", root, "suggestions", check=0).stdout
    assert "5 suggestions" in table and "slate 12/1" in table


def test_accept_and_reject_are_audited_and_undone(suggested):
    takes = [tag.id for tag in find_suggestions(suggested, kinds=["take"])]
    accepted = decide_suggestions(suggested, every=True, kinds=["conversation"], accept=True)
    assert len(accepted) == 3
    assert {tag.status for tag in find_tags(suggested, kinds=["conversation"])} == {"accepted"}
    rejected = decide_suggestions(suggested, takes, accept=False)
    (take,) = find_tags(suggested, kinds=["take"], statuses=["rejected"])
    assert take.id == rejected[0] and take.source == "detect:claps"
    entry = undo(suggested)
    assert entry["action"] == "tag.reject"
    assert find_tags(suggested, kinds=["take"], statuses=["suggested"])[0].id == take.id
    assert undo(suggested)["action"] == "tag.accept"
    assert len(find_suggestions(suggested)) == 5
    with pytest.raises(InvalidInput, match="not a suggestion"):
        add = add_tag(suggested, TagSpec(clip="A001C001", in_text="+1s", kind="flub"))
        decide_suggestions(suggested, [add.id], accept=True)
    with pytest.raises(NotFound, match="no tag 9999"):
        decide_suggestions(suggested, [9999], accept=True)
    with pytest.raises(InvalidInput, match="ids, or give --all"):
        decide_suggestions(suggested, [take.id], every=True, accept=True)
    with pytest.raises(NotFound, match="no suggestions to reject"):
        decide_suggestions(suggested, every=True, kinds=["highlight"], accept=False)


def test_accept_and_reject_on_the_command_line(suggested):
    root = str(suggested.root)
    result = run_cli("--project", root, "suggestions", "accept", "--all", "--kind",
                     "conversation", check=0)  # fmt: skip
    assert "accepted 3 suggestions" in result.stdout
    take = find_suggestions(suggested, kinds=["take"])[0]
    result = run_cli("--project", root, "suggestions", "reject", str(take.id), check=0)
    assert "rejected 1 suggestion" in result.stdout
    history = run_cli("--project", root, "history", check=0).stdout
    assert "tag.reject" in history and "rejected 1 suggestion" in history
    undone = run_cli("--project", root, "undo", check=0).stdout
    assert "tag.reject" in undone
    bad = run_cli("--project", root, "suggestions", "accept")
    assert bad.returncode == 1 and "give --all" in bad.stderr
    listed = json.loads(run_cli("--project", root, "suggestions", "--status", "accepted",
                                "--format", "json", check=0).stdout)  # fmt: skip
    assert len(listed) == 3 and {row["status"] for row in listed} == {"accepted"}


# --- the real analyzers on the sample shoot ---------------------------------------------------


def truth(name):
    return json.loads((SHOOT / "truth" / f"{name}.json").read_text())


def test_the_real_analyzers_on_the_sample_shoot(shoot, monkeypatch):
    root = str(shoot.root)
    result = run_cli("--project", root, "analyze", "--all", check=0)  # in worker processes
    assert "16 analyzed, 0 from the cache" in result.stdout  # 4 clips x 3 analyzers, 4 pairs
    rows = json.loads(run_cli("--project", root, "suggestions", "--format", "json",
                              check=0).stdout)  # fmt: skip
    assert {row["source"] for row in rows} == {"detect:speech", "detect:claps", "detect:shots"}
    for name in ("A001C001", "A001C002", "B001_0001", "IMG_0002"):
        takes = [(row["in_frame"], row["out_frame"]) for row in rows
                 if row["clip"] == name and row["kind"] == "take"]  # fmt: skip
        claps = [clap["frame"] for clap in truth(name)["claps"]]
        assert len(takes) == len(claps)  # one take a slate clap, each holding its clap
        assert all(start < frame < end for (start, end), frame in zip(takes, claps, strict=True))
    # the talk before take 1 on camera A is a conversation, not part of the take
    talk = [(row["in_frame"], row["out_frame"]) for row in rows
            if row["clip"] == "A001C001" and row["kind"] == "conversation"]  # fmt: skip
    assert talk and talk[0][0] <= 14 and 100 <= talk[0][1] <= 119
    assert {row["clip"] for row in rows if row["kind"] == "setup"} == {"IMG_0002"}  # whip pan
    clips = {item.name: item for item in list_clips(shoot)}
    assert clips["B001_0001"].sync_offset_frames == clips["IMG_0002"].sync_offset_frames == -77

    # again with nothing changed: nothing is decoded, the suggestions keep their ids
    def no_decoding(job):
        raise AssertionError(f"{job.label} was analyzed again")

    monkeypatch.setattr(analyze_ops, "run_job", no_decoding)
    again = analyze(shoot, list_clips(shoot))
    assert again.jobs_run == 0 and {item.status for item in again.items} == {"cached"}
    assert sum(change.added + change.removed for change in again.suggestions) == 0
    assert {tag.id for tag in find_suggestions(shoot)} == {row["id"] for row in rows}
    cli = run_cli("--project", root, "analyze", "A001C001", "--speech", check=0)
    assert "0 analyzed, 1 from the cache" in cli.stdout
    accepted = run_cli("--project", root, "suggestions", "accept", "--all", "--kind",
                       "conversation", check=0)  # fmt: skip
    assert "accepted" in accepted.stdout
    assert find_suggestions(shoot, kinds=["conversation"]) == []


@pytest.mark.slow
def test_the_real_transcriber_on_one_clip(shoot, tmp_path):
    from btslog.analyze import transcribe

    if not transcribe.available():
        pytest.skip("the optional extra btslog[transcribe] is not installed")
    report = analyze(shoot, [clip_named(shoot, "A001C001")], ["transcribe"], workers=1)
    assert report.transcript_segments > 0  # the synthetic voices read as some English words
    rows = analyze_ops.transcript_rows(shoot, clip_named(shoot, "A001C001"))
    word = rows[0]["text"].split()[0].strip(".,!?")
    assert any(row["match"] == "transcript" for row in search(shoot, [word]))
    assert export_transcript(shoot, "A001C001", "srt", tmp_path / "a.srt") == len(rows)


def test_a_missing_file_fails_alone_with_exit_code_2(shoot, tmp_path):
    from conftest import copy

    lost = copy(SHOOT / "cardA/PRIVATE/M4ROOT/CLIP/A001C002.MP4", tmp_path / "lost" / "L1.MP4")
    add_clips(shoot, [lost], camera="C")
    lost.unlink()
    result = run_cli("--project", str(shoot.root), "analyze", "--all", "--claps")
    assert result.returncode == 2, result.stderr
    assert "failed claps L1" in result.stdout and "L1.MP4" in result.stdout
    assert "4 analyzed, 0 from the cache, 1 failed" in result.stdout
    assert "1 of 5 analyses failed" in result.stderr
