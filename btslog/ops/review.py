"""Producer review: what the review page shows, and the changes a reviewer makes from it.

The page (:mod:`btslog.review`) shows, per shoot day and camera, each clip's proxy and poster
frame beside its tags and suggestions.  :func:`review_data` is everything it shows, as plain
JSON-ready values; the functions below are what a reviewer may do, each written to the project
database (and its audit trail) with the reviewer's name as the author:

* :func:`circle_take` -- a good take: circled, not NG;
* :func:`reject_take` -- a take the producer does not want: NG, not circled (still a take, so
  ``btslog takes`` lists it as NG and a cut selection ``-ng`` leaves it out);
* :func:`decide_suggestion` -- accept or reject (dismiss) one suggestion;
* :func:`add_comment` -- a note at one frame of a clip: a tag of kind ``comment`` (status
  ``accepted``, source ``review``), so ``btslog tags`` lists it and marker exports carry it.

Each checks its input and raises :class:`~btslog.errors.BtslogError` before anything is written.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from btslog.errors import InvalidInput
from btslog.model import Clip, Tag
from btslog.ops.project import Project

DATA_VERSION = 1
MAX_COMMENT = 2000  # characters
MAX_REVIEWER = 80  # characters
COMMENT_KIND = "comment"
REVIEW_SOURCE = "review"
REVIEWER_HINT = "type your name in the reviewer box and save it"


# --- who reviews -----------------------------------------------------------------------------


def check_reviewer(name: str | None) -> str:
    """A reviewer's name as it is stored as the author: trimmed, one line, not empty."""
    name = " ".join(str(name or "").split())
    if not name:
        raise InvalidInput("missing reviewer name", hint=REVIEWER_HINT)
    if len(name) > MAX_REVIEWER:
        raise InvalidInput(f"reviewer name is {len(name)} characters; at most {MAX_REVIEWER}",
                           hint="a shorter name or initials will do")  # fmt: skip
    return name


# --- what the page shows ---------------------------------------------------------------------


def state_of(row: dict) -> str:
    """What a tag row's state reads on the page: suggested, rejected, circled, NG or accepted."""
    if row["status"] != "accepted":
        return row["status"]
    if row["circled"]:
        return "circled"
    if row["ng"]:
        return "NG"
    return "accepted"


def media_files(project: Project, clip: Clip) -> dict[str, Path]:
    """The clip's proxy and poster frame that exist on disk: ``{"proxy": path, "poster": path}``."""
    found = {}
    for role, stored in (("proxy", clip.proxy_path), ("poster", clip.poster_path)):
        if stored:
            path = project.absolute(stored)
            if path.is_file():
                found[role] = path
    return found


def media_url(clip: Clip, path: Path) -> str:
    """The page's relative URL of one of a clip's media files: ``media/<clip>/<file name>``."""
    from urllib.parse import quote

    return f"media/{quote(clip.name, safe='')}/{quote(path.name, safe='')}"


def _clip_entry(project: Project, clip: Clip, url_of: Callable[[Clip, Path], str]) -> dict:
    from btslog.timecode import frames_per_day, nominal_fps, rate_label, timecode_formatter

    start = clip.synced_start_frame
    label = timecode_formatter(clip.rate, clip.drop_frame)
    files = media_files(project, clip)
    return {
        "id": clip.id, "name": clip.name, "camera": clip.camera, "roll": clip.roll,
        "day": clip.day, "operator": clip.operator,
        "rate": f"{clip.rate.numerator}/{clip.rate.denominator}",
        "rate_num": clip.rate.numerator, "rate_den": clip.rate.denominator,
        "rate_label": rate_label(clip.rate), "nominal_fps": nominal_fps(clip.rate),
        "drop_frame": clip.drop_frame, "frames_per_day": frames_per_day(clip.rate,
                                                                        clip.drop_frame),
        "start_frame": start, "duration_frames": clip.duration_frames,
        "start_tc": label(start), "end_tc": label(start + clip.duration_frames),
        "proxy": url_of(clip, files["proxy"]) if "proxy" in files else None,
        "poster": url_of(clip, files["poster"]) if "poster" in files else None,
    }  # fmt: skip


def review_data(project: Project, *, mode: str = "static",
                url_of: Callable[[Clip, Path], str] = media_url) -> dict:  # fmt: skip
    """Everything the review page shows: the clips by day and camera, each with its time-of-day
    facts and media URLs, and every tag that is not removed (suggestions included) as
    ``btslog tags`` rows plus ``state``, ``analyzer`` and ``confidence``."""
    from btslog.clock import now_iso
    from btslog.ops.analyze import suggestion_rows
    from btslog.ops.clips import list_clips
    from btslog.ops.tags import find_tags, known_kinds

    clips = list_clips(project)
    entries = {clip.name: _clip_entry(project, clip, url_of) for clip in clips}
    days: dict[str, dict[str, list[str]]] = {}
    for clip in sorted(clips, key=lambda clip: (clip.day or "", clip.camera or "",
                                                entries[clip.name]["start_frame"], clip.name)):  # fmt: skip
        days.setdefault(clip.day or "", {}).setdefault(clip.camera or "", []).append(clip.name)
    tags = find_tags(project)
    rows = suggestion_rows(project, tags)
    for row in rows:
        row["state"] = state_of(row)
    rows.sort(key=lambda row: (row["clip"], row["in_frame"], row["id"]))
    return {
        "version": DATA_VERSION,
        "project": project.name,
        "mode": mode,
        "generated_at": now_iso(),
        "max_comment": MAX_COMMENT,
        "kinds": sorted(known_kinds(project)),
        "people": sorted({person for row in rows for person in row["people"]}, key=str.lower),
        "days": [
            {
                "day": day,
                "cameras": [
                    {"camera": camera, "clips": names} for camera, names in cameras.items()
                ],
            }
            for day, cameras in days.items()
        ],
        "clips": entries,
        "tags": rows,
    }


# --- what a reviewer does --------------------------------------------------------------------


def _get(project: Project, tag_id: int) -> Tag:
    from btslog.ops.tags import get_tag

    return get_tag(project, tag_id, hint="reload the review page: the list may be out of date")


def _take(project: Project, tag_id: int) -> Tag:
    tag = _get(project, tag_id)
    if tag.deleted_at:
        raise InvalidInput(f"tag {tag_id} was removed",
                           hint="reload the review page: the list may be out of date")  # fmt: skip
    if tag.kind != "take":
        raise InvalidInput(f"tag {tag_id} is a {tag.kind}, not a take",
                           hint="only takes are circled or rejected")  # fmt: skip
    if tag.status == "suggested":
        raise InvalidInput(f"tag {tag_id} is a suggested take",
                           hint="accept the suggestion first, then circle or reject it")  # fmt: skip
    return tag


def circle_take(project: Project, tag_id: int, *, reviewer: str) -> Tag:
    """Circle take ``tag_id`` (a good take; no longer NG), as ``reviewer``."""
    from btslog.ops.tags import TagChanges, edit_tag

    reviewer = check_reviewer(reviewer)
    _take(project, tag_id)
    return edit_tag(project, tag_id, TagChanges(circled=True, ng=False), author=reviewer)


def reject_take(project: Project, tag_id: int, *, reviewer: str) -> Tag:
    """Reject take ``tag_id``: NG and not circled, as ``reviewer``."""
    from btslog.ops.tags import TagChanges, edit_tag

    reviewer = check_reviewer(reviewer)
    _take(project, tag_id)
    return edit_tag(project, tag_id, TagChanges(circled=False, ng=True), author=reviewer)


def decide_suggestion(project: Project, tag_id: int, *, accept: bool, reviewer: str) -> Tag:
    """Accept or reject (dismiss) suggestion ``tag_id``, as ``reviewer``."""
    from btslog.ops.analyze import decide_suggestions

    reviewer = check_reviewer(reviewer)
    decide_suggestions(project, [tag_id], accept=accept, author=reviewer)
    return _get(project, tag_id)


def check_comment(text: str | None) -> str:
    """A comment's text as stored: whitespace (new lines too) folded to single spaces, so it
    stays one line in every marker format; not empty, at most :data:`MAX_COMMENT` characters."""
    text = " ".join(str(text or "").split())
    if not text:
        raise InvalidInput("the comment is empty", hint="type a comment first")
    if len(text) > MAX_COMMENT:
        raise InvalidInput(f"the comment is {len(text)} characters; at most {MAX_COMMENT}",
                           hint="split it into shorter comments")  # fmt: skip
    return text


def add_comment(project: Project, clip: str, at: str, text: str, *, reviewer: str) -> Tag:
    """A comment by ``reviewer`` on the one frame of ``clip`` at ``at`` (a time of day, as
    btslog shows it, or an offset such as ``+120f`` from the clip's first frame)."""
    from btslog.ops.clips import resolve_clip
    from btslog.ops.tags import TagSpec, add_tag

    reviewer = check_reviewer(reviewer)
    text = check_comment(text)
    if not str(at or "").strip():
        raise InvalidInput("missing the comment's time",
                           hint="give a time of day or an offset such as +120f")  # fmt: skip
    found = resolve_clip(project, str(clip or "").strip() or "?")
    spec = TagSpec(in_text=str(at).strip(), kind=COMMENT_KIND, clip=str(found.id), note=text,
                   source=REVIEW_SOURCE)  # fmt: skip
    return add_tag(project, spec, author=reviewer)
