"""Export tags as NLE markers and import them back, through a real project."""

from __future__ import annotations

import pytest
from conftest import run_cli
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from btslog.errors import InvalidInput, NotFound
from btslog.ops.clips import add_clips
from btslog.ops.exchange import export_markers, import_markers
from btslog.ops.tags import TagSpec, add_tag, find_tags

FORMATS = {"resolve-edl": ".edl", "premiere-xml": ".xml", "fcpxml": ".fcpxml", "avid": ".txt",
           "otio": ".otio", "csv": ".csv", "json": ".json", "srt": ".srt", "vtt": ".vtt"}  # fmt: skip
PER_CLIP = {"resolve-edl", "avid", "srt", "vtt"}
# What each format carries of a note: text formats keep it on one line.
ONE_LINE = {"resolve-edl", "avid", "srt", "vtt"}
CLIPS = {"A001C001": 48, "B001_0001": 60, "D5994": 60, "C25": 50}


@pytest.fixture
def shoot(project, media):
    add_clips(project, [media["a2398"]], camera="A", day="2026-11-20")
    add_clips(project, [media["b2997df"]], camera="B", day="2026-11-20")
    add_clips(project, [media["d5994"]], camera="C", day="2026-11-20")
    add_clips(project, [media["c25"]], camera="D", day="2026-11-20")
    return project


def comparable(tag, one_line=False):
    note = " ".join(tag.note.split()).replace("|", "¦") if one_line else tag.note
    return (tag.clip, tag.in_frame, tag.out_frame, tag.kind, note, tag.scene, tag.take,
            tag.rating, tag.circled, tag.ng, tag.people)  # fmt: skip


def export_and_import(project, fmt, tmp_path, tags):
    """Export ``tags`` in ``fmt`` (per clip where the format needs it) and import them back."""
    imported = []
    target = tmp_path / f"out-{fmt}"
    if fmt in PER_CLIP:
        for clip in sorted({tag.clip for tag in tags}):
            (path,) = export_markers(project, fmt, target / f"{clip}{FORMATS[fmt]}", clip=clip)
            imported += import_markers(project, path, clip=clip)
    else:
        (path,) = export_markers(project, fmt, target / f"all{FORMATS[fmt]}")
        imported += import_markers(project, path)
    return imported


@pytest.mark.parametrize("fmt", list(FORMATS))
def test_every_format_gives_back_identical_tags(shoot, tmp_path, fmt):
    originals = [
        add_tag(shoot, TagSpec(clip="A001C001", in_text="14:03:12:12", out_text="14:03:13:00",
                               kind="take", scene="12A", take="3", rating=4, circled=True,
                               people=("Eileen", "Grace"), note="first | full take")),
        add_tag(shoot, TagSpec(clip="B001_0001", in_text="14:03:20;10", kind="flub",
                               note="dropped the slate")),
        add_tag(shoot, TagSpec(clip="D5994", in_text="23:59:59;58", out_text="00:00:00;10",
                               kind="conversation", ng=False, note="across midnight")),
        add_tag(shoot, TagSpec(clip="C25", in_text="+0f", duration="50f", kind="restricted")),
    ]  # fmt: skip
    ids = export_and_import(shoot, fmt, tmp_path, originals)
    back = sorted(find_tags(shoot), key=lambda tag: tag.id)[len(originals) :]
    assert [tag.id for tag in back] == sorted(ids)
    assert all(tag.source == f"import:{fmt}" for tag in back)
    one_line = fmt in ONE_LINE
    assert sorted(comparable(tag, one_line) for tag in back) == sorted(
        comparable(tag, one_line) for tag in originals
    )


tag_strategy = st.fixed_dictionaries({
    "clip": st.sampled_from(sorted(CLIPS)),
    "first": st.integers(0, 47),
    "length": st.integers(1, 10),
    "kind": st.sampled_from(["take", "flub", "conversation", "setup", "highlight", "restricted"]),
    "note": st.text(st.characters(blacklist_categories=("Cs", "Cc")), max_size=30),
    "rating": st.none() | st.integers(1, 5),
    "mark": st.sampled_from(["", "circled", "ng"]),
    "scene": st.none() | st.from_regex(r"[0-9]{1,3}[A-C]?", fullmatch=True),
    "people": st.lists(st.sampled_from(["Eileen", "Grace", "Ana María"]), max_size=2, unique=True),
})  # fmt: skip


@settings(max_examples=12, deadline=None, suppress_health_check=[
    HealthCheck.function_scoped_fixture, HealthCheck.too_slow])  # fmt: skip
@given(fmt=st.sampled_from(list(FORMATS)), drawn=st.lists(tag_strategy, min_size=1, max_size=4))
def test_random_tags_round_trip(shoot, tmp_path_factory, fmt, drawn):
    tmp_path = tmp_path_factory.mktemp("roundtrip")
    for tag in find_tags(shoot):
        from btslog.ops.tags import remove_tag

        remove_tag(shoot, tag.id)
    originals = []
    for item in drawn:
        last = min(CLIPS[item["clip"]], item["first"] + item["length"])
        originals.append(add_tag(shoot, TagSpec(
            clip=item["clip"], in_text=f"+{item['first']}f", out_text=f"+{last}f",
            kind=item["kind"], note=item["note"].strip(), rating=item["rating"],
            circled=item["mark"] == "circled", ng=item["mark"] == "ng",
            scene=item["scene"], take="1" if item["scene"] else None,
            people=tuple(item["people"]))))  # fmt: skip
    ids = export_and_import(shoot, fmt, tmp_path, originals)
    back = [tag for tag in find_tags(shoot) if tag.id in set(ids)]
    one_line = fmt in ONE_LINE
    assert sorted(comparable(tag, one_line) for tag in back) == sorted(
        comparable(tag, one_line) for tag in originals
    )


def test_broken_files_write_nothing(shoot, tmp_path):
    add_tag(shoot, TagSpec(clip="A001C001", in_text="+0f", kind="take"))
    before = find_tags(shoot)
    xxe = tmp_path / "evil.xml"
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP SECRET")
    xxe.write_text(
        f'<?xml version="1.0"?>\n<!DOCTYPE xmeml [<!ENTITY x SYSTEM "file://{secret}">]>\n'
        '<xmeml version="5"><sequence><name>&x;</name></sequence></xmeml>\n'
    )
    truncated = tmp_path / "cut.edl"
    truncated.write_text("TITLE: x\nFCM: NON-DROP FRAME\n\n001  001      V     C        14:03")
    outside = tmp_path / "outside.edl"
    outside.write_text(
        "TITLE: x\nFCM: NON-DROP FRAME\n\n"
        "001  001      V     C        15:00:00:00 15:00:00:01 15:00:00:00 15:00:00:01  \n"
        " |C:ResolveColorRed |M:flub |D:1\n"
    )
    for path, clip in ((xxe, None), (truncated, "A001C001"), (outside, "A001C001")):
        with pytest.raises(InvalidInput) as caught:
            import_markers(shoot, path, clip=clip)
        assert str(path) in str(caught.value)
        assert "TOP SECRET" not in str(caught.value)
    assert find_tags(shoot) == before


def test_per_clip_formats_need_a_folder_for_several_clips(shoot, tmp_path):
    add_tag(shoot, TagSpec(clip="A001C001", in_text="+0f", kind="take"))
    add_tag(shoot, TagSpec(clip="B001_0001", in_text="+0f", kind="flub"))
    with pytest.raises(InvalidInput, match="give a folder as -o"):
        export_markers(shoot, "resolve-edl", tmp_path / "markers.edl")
    written = export_markers(shoot, "resolve-edl", tmp_path / "resolve")
    assert sorted(path.name for path in written) == ["A001C001.edl", "B001_0001.edl"]
    with pytest.raises(NotFound, match="no tags to export"):
        export_markers(shoot, "csv", tmp_path / "x.csv", kinds=["setup"])


def test_colours_come_from_presets_and_the_project_overrides_them(shoot, tmp_path):
    add_tag(shoot, TagSpec(clip="A001C001", in_text="+0f", kind="flub"))
    (path,) = export_markers(shoot, "resolve-edl", tmp_path / "a.edl")
    assert "|C:ResolveColorRed" in path.read_text()
    config = shoot.root / "btslog.toml"
    config.write_text(config.read_text() + '\n[markers.flub]\nresolve = "ResolveColorPink"\n')
    result = run_cli("--project", str(shoot.root), "export", "markers", "--format",
                     "resolve-edl", "-o", str(tmp_path / "b.edl"), check=0)  # fmt: skip
    assert "wrote" in result.stdout
    assert "|C:ResolveColorPink" in (tmp_path / "b.edl").read_text()


def test_cli_import_names_the_file_and_line(shoot, tmp_path):
    bad = tmp_path / "bad.txt"
    bad.write_text("editor\t14:03:12:00\tV1\tred\tflub\n")
    result = run_cli("--project", str(shoot.root), "import", "markers", str(bad), "--clip",
                     "A001C001", check=1)  # fmt: skip
    assert f"{bad}:1" in result.stderr and "Traceback" not in result.stderr


def test_a_file_at_another_rate_than_the_clip_is_refused(shoot, tmp_path):
    add_tag(shoot, TagSpec(clip="C25", in_text="+0f", duration="10f", kind="take"))
    (path,) = export_markers(shoot, "premiere-xml", tmp_path / "c25.xml")
    before = find_tags(shoot)
    with pytest.raises(InvalidInput) as caught:
        import_markers(shoot, path, clip="A001C001")
    assert "the file says 25.000 fps but clip A001C001 runs at 23.976 fps" in str(caught.value)
    assert f"{path}:" in str(caught.value)
    assert find_tags(shoot) == before


def test_an_unwritable_destination_is_a_clear_error(shoot, tmp_path):
    add_tag(shoot, TagSpec(clip="A001C001", in_text="+0f", kind="take"))
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    result = run_cli("--project", str(shoot.root), "export", "markers", "--format", "csv",
                     "-o", str(blocker / "markers.csv"), check=1)  # fmt: skip
    assert "cannot write there" in result.stderr and "internal error" not in result.stderr
