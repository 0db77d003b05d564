"""Face scans, identities and the consent policy; rendering a clip with faces blurred.

The policy (``[consent] blur`` in btslog.toml) decides per track:

* ``all_but_released`` (default): every face is blurred unless it is confidently matched to,
  or assigned by an editor to, a person whose consent is ``released``.  Unknown faces and
  people whose consent is pending are blurred.
* ``opted_out``: only faces matched or assigned to people who opted out are blurred.

A clip that was not scanned, or whose scan is older than its file or the models, is refused
for rendering rather than rendered unblurred (consent fails closed).
"""

from __future__ import annotations

import array
from collections.abc import Callable, Sequence
from pathlib import Path

from btslog.errors import BtslogError, InvalidInput, NotFound
from btslog.faces.model import BlurDecision
from btslog.model import Clip
from btslog.ops.clips import ItemResult
from btslog.ops.project import Project

POLICIES = ("all_but_released", "opted_out")


def policy_settings(project: Project) -> dict:
    """The blur policy, style, margin and padding: presets/blur.toml under [consent]."""
    from btslog.presets import load_toml, merged

    settings = merged(load_toml("blur.toml").get("defaults", {}), project.config.get("consent", {}))
    if settings.get("blur", "all_but_released") not in POLICIES:
        raise InvalidInput(
            f"btslog.toml: [consent] blur = {settings.get('blur')!r} is not a policy",
            hint="use " + " or ".join(repr(p) for p in POLICIES),
        )
    settings.setdefault("blur", "all_but_released")
    return settings


def decide(track, policy: str) -> BlurDecision:
    """Blur or keep one stored track under ``policy`` (see the module doc)."""
    person, consent = track.person, track.consent
    how = (f"assigned by {track.assigned_by}" if track.assigned_by
           else f"similarity {(track.confidence or 0) / 1000:.2f}")  # fmt: skip
    if policy == "opted_out":
        blur = consent == "opted_out"
        reason = f"{person} opted out ({how})" if blur else (
            f"{person} ({consent}) is not opted out" if person else "unknown face, policy "
            "blurs only opted-out people")  # fmt: skip
    else:
        blur = not (person and consent == "released")
        if not person:
            reason = "unknown face"
        elif consent == "released":
            reason = f"{person} released ({how})"
        else:
            reason = f"{person}: consent {consent} ({how})"
    return BlurDecision(track.id, blur, reason, person, track.first_frame, track.last_frame,
                        released=bool(person) and consent == "released")  # fmt: skip


def _to_bytes(vector) -> bytes:
    return array.array("f", [float(value) for value in vector]).tobytes()


def _from_bytes(data: bytes) -> list[float]:
    values = array.array("f")
    values.frombytes(data)
    return list(values)


def references(project: Project, on_photo: Callable[[str], None] | None = None) -> list[tuple]:
    """(person id, name, consent, embedding) for every reference photo; new photos are embedded
    once and stored."""
    from btslog.db import faces as face_rows
    from btslog.faces.identify import MODEL_NAME, embed_photo

    with project.db.read() as connection:
        photos = face_rows.reference_photos(connection)
    result = []
    for photo in photos:
        if photo["embedding"] is None or photo["model"] != MODEL_NAME:
            if on_photo is not None:
                on_photo(photo["name"])
            embedding = embed_photo(project.absolute(photo["path"]))
            with project.db.write() as connection:
                face_rows.store_embedding(connection, photo["id"], _to_bytes(embedding), MODEL_NAME)
            photo["embedding"] = _to_bytes(embedding)
        result.append((photo["person_id"], photo["name"], photo["consent"],
                       _from_bytes(photo["embedding"])))  # fmt: skip
    return result


def register_key(project: Project) -> str:
    """A fingerprint of the register's reference photos: identities matched against another
    set of photos are stale (consent itself is read live, it needs no new match)."""
    import hashlib

    from btslog.db import faces as face_rows

    with project.db.read() as connection:
        photos = face_rows.reference_photos(connection)
    text = ",".join(sorted(f"{photo['person_id']}:{photo['sha256']}" for photo in photos))
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def _matched(track_embedding: bytes | None, known: list[tuple]) -> tuple[int | None, int | None]:
    """(person id, similarity x 1000) of a stored track embedding against the register."""
    from btslog.faces.identify import match

    if track_embedding is None:
        return None, None
    name, similarity = match(_from_bytes(track_embedding), [(ref[1], ref[3]) for ref in known])
    person_id = next((ref[0] for ref in known if ref[1] == name), None)
    return person_id, round(similarity * 1000)


def rematch(project: Project, clip: Clip, known: list[tuple] | None = None) -> int:
    """Match the clip's stored tracks against the register again (no decoding); editors'
    assignments are kept.  Returns the number of tracks whose identity changed."""
    from btslog.db import audit
    from btslog.db import faces as face_rows

    known = references(project) if known is None else known
    changed = 0
    with project.db.write() as connection:
        for track in face_rows.tracks_of(connection, clip.id):
            if track.assigned_by:
                continue
            person_id, confidence = _matched(track.embedding, known)
            if person_id != track.person_id:
                changed += 1
            face_rows.set_identity(connection, track.id, person_id, confidence, None)
        last = audit.latest(connection, action="faces.scan", entity="clip", entity_id=clip.id)
        audit.record(connection, author=project.author, action="faces.scan", entity="clip",
                     entity_id=clip.id, after={**(last["after"] if last else {}),
                                               "register": register_key(project)})  # fmt: skip
    return changed


def scan_key(clip: Clip) -> str:
    from btslog.faces.models import model_hashes
    from btslog.faces.scan import ScanSettings

    models = "-".join(value[:12] for _, value in sorted(model_hashes().items()))
    return f"{ScanSettings().key()}:{models}:{clip.xxh64 or clip.size_bytes}"


def scan(project: Project, clips: Sequence[Clip], *, force: bool = False,
         on_progress: Callable[[Clip, int, int], None] | None = None) -> list[ItemResult]:  # fmt: skip
    """Detect, track and identify faces in ``clips``; results stored per clip."""
    from btslog.clock import now_iso
    from btslog.db import audit
    from btslog.db import faces as face_rows
    from btslog.faces.model import encode_detections
    from btslog.faces.scan import scan_clip
    from btslog.media.probe import probe

    known = references(project)
    register = register_key(project)
    results = []
    for clip in clips:
        key = scan_key(clip)
        if not force and _scanned_with(project, clip, key):
            if _matched_with(project, clip, register):
                results.append(ItemResult(clip.path, "skipped", "scanned before", clip))
            else:
                changed = rematch(project, clip, known)
                results.append(ItemResult(clip.path, "added",
                                          f"matched again: {changed} identities changed", clip))  # fmt: skip
            continue
        path = project.absolute(clip.path)
        try:
            tracks = scan_clip(path, probe(path), progress=(
                (lambda done, total, clip=clip: on_progress(clip, done, total))
                if on_progress else None))  # fmt: skip
        except BtslogError as error:
            results.append(ItemResult(clip.path, "failed", error.message, clip))
            continue
        now = now_iso()
        rows = []
        for track in tracks:
            embedding = _to_bytes(track.embedding) if track.embedding is not None else None
            person_id, confidence = _matched(embedding, known)
            rows.append({
                "clip_id": clip.id, "first_frame": track.first_frame,
                "last_frame": track.last_frame, "boxes": encode_detections(track.detections),
                "embedding": embedding, "person_id": person_id, "confidence": confidence,
                "assigned_by": None, "scan_key": key, "created_at": now,
            })  # fmt: skip
        with project.db.write() as connection:
            face_rows.replace_tracks(connection, clip.id, rows)
            audit.record(connection, author=project.author, action="faces.scan", entity="clip",
                         entity_id=clip.id, after={"tracks": len(rows), "key": key,
                                                   "register": register})  # fmt: skip
        results.append(ItemResult(clip.path, "added", f"{len(rows)} face tracks", clip))
    return results


def _track(connection, track_id: int):
    from btslog.db import faces as face_rows

    track = face_rows.get_track(connection, track_id)
    if track is None:
        raise NotFound(f"no face track {track_id}", hint="see `btslog faces`")
    return track


def assign(project: Project, track_id: int, person_name: str) -> None:
    """An editor says who a track is; this wins over the machine's match."""
    from btslog.db import audit
    from btslog.db import faces as face_rows
    from btslog.ops.people import get_person

    person = get_person(project, person_name)
    with project.db.write() as connection:
        track = _track(connection, track_id)
        face_rows.set_identity(connection, track_id, person.id, 1000, project.author)
        audit.record(connection, author=project.author, action="faces.assign", entity="track",
                     entity_id=track_id, before={"person": track.person},
                     after={"person": person.name})  # fmt: skip


def unassign(project: Project, track_id: int) -> None:
    """Take back an editor's assignment: the machine's match (re-computed) applies again."""
    from btslog.db import audit
    from btslog.db import faces as face_rows

    known = references(project)
    with project.db.write() as connection:
        track = _track(connection, track_id)
        person_id, confidence = _matched(track.embedding, known)
        face_rows.set_identity(connection, track_id, person_id, confidence, None)
        audit.record(connection, author=project.author, action="faces.unassign",
                     entity="track", entity_id=track_id, before={"person": track.person},
                     after={"person_id": person_id})  # fmt: skip


def face_rows_for(project: Project, clip: Clip | None = None) -> list[dict]:
    from btslog.db import faces as face_rows
    from btslog.ops.sync import synced_start_frame
    from btslog.ops.tags import clips_by_id
    from btslog.timecode import format_timecode

    policy = policy_settings(project)["blur"]
    with project.db.read() as connection:
        tracks = face_rows.tracks_of(connection, clip.id if clip else None)
    clips = clips_by_id(project, {track.clip_id for track in tracks})
    rows = []
    for track in tracks:
        owner = clips[track.clip_id]
        decision = decide(track, policy)
        rows.append({
            "id": track.id, "clip": owner.name,
            "first_tc": format_timecode(synced_start_frame(owner) + track.first_frame,
                                        owner.rate, owner.drop_frame),
            "last_tc": format_timecode(synced_start_frame(owner) + track.last_frame,
                                       owner.rate, owner.drop_frame),
            "frames": track.last_frame - track.first_frame + 1, "person": track.person,
            "consent": track.consent,
            "similarity": (track.confidence or 0) / 1000 if track.person else None,
            "assigned_by": track.assigned_by, "blur": decision.blur, "reason": decision.reason,
        })  # fmt: skip
    return rows


def ensure_scanned(project: Project, reference: str) -> Clip:
    """The clip, if its faces were scanned with the current models and file; else an error
    (btslog never renders faces it has not checked)."""
    from btslog.ops.clips import resolve_clip

    clip = resolve_clip(project, reference)
    if not _scanned_with(project, clip, scan_key(clip)):
        raise InvalidInput(
            f"{clip.name} has not been scanned for faces with the current models",
            hint=f"run `btslog faces scan {clip.name}` first; btslog never renders a clip "
            "whose faces it has not checked",
        )
    if not _matched_with(project, clip, register_key(project)):
        raise InvalidInput(
            f"the consent register's photos changed since {clip.name}'s faces were matched",
            hint=f"run `btslog faces scan {clip.name}` (it matches again without decoding)",
        )
    return clip


def ensure_renderable(project: Project, reference: str, output: str | Path) -> Clip:
    """:func:`ensure_scanned`, and ``output`` a file a render can be written to: the checks
    a blur makes before any work, for callers that show progress only once work starts."""
    from btslog.faces.render import check_output

    clip = ensure_scanned(project, reference)
    check_output(Path(output))
    return clip


def blur_clip(project: Project, reference: str, output: str | Path, *, preview: bool = False,
              style: str | None = None,
              progress: Callable[[int, int], None] | None = None) -> dict:  # fmt: skip
    """Render a clip with the policy applied (or preview boxes); returns the manifest."""
    from btslog.db import faces as face_rows
    from btslog.faces.model import FaceTrack, decode_detections
    from btslog.faces.models import model_hashes
    from btslog.faces.render import render_blurred
    from btslog.media.probe import probe

    clip = ensure_scanned(project, reference)
    settings = policy_settings(project)
    with project.db.read() as connection:
        stored = face_rows.tracks_of(connection, clip.id)
    pairs = []
    for track in stored:
        face = FaceTrack(track.first_frame, track.last_frame, decode_detections(track.boxes),
                         id=track.id)  # fmt: skip
        pairs.append((face, decide(track, settings["blur"])))
    path = project.absolute(clip.path)
    return render_blurred(
        path, probe(path), pairs, Path(output), preview=preview,
        style=style or settings.get("style", "gaussian"), settings=settings,
        progress=progress, policy=settings["blur"], model_hashes=model_hashes(),
    )  # fmt: skip


def _matched_with(project: Project, clip: Clip, register: str) -> bool:
    """Whether the clip's identities were matched against the register ``register``."""
    from btslog.db import audit

    with project.db.read() as connection:
        entry = audit.latest(connection, action="faces.scan", entity="clip", entity_id=clip.id)
    return entry is not None and entry["after"].get("register") == register


def _scanned_with(project: Project, clip: Clip, key: str) -> bool:
    """Whether the newest face scan of ``clip`` used ``key`` (models, settings, file)."""
    from btslog.db import audit

    with project.db.read() as connection:
        entry = audit.latest(connection, action="faces.scan", entity="clip", entity_id=clip.id)
    return entry is not None and entry["after"]["key"] == key


def faces_sheet(project: Project, output: str | Path, clip: Clip | None = None) -> int:
    """Draw the contact sheet of the (clip's) face tracks; returns the number of tiles."""
    from btslog.db import faces as face_rows
    from btslog.faces.model import FaceTrack, decode_detections
    from btslog.faces.sheet import draw_sheet
    from btslog.ops.tags import clips_by_id

    policy = policy_settings(project)["blur"]
    with project.db.read() as connection:
        tracks = face_rows.tracks_of(connection, clip.id if clip else None)
    if not tracks:
        raise NotFound("no face tracks to draw", hint="run `btslog faces scan` first")
    clips = clips_by_id(project, {track.clip_id for track in tracks})
    items = []
    for track in tracks:
        face = FaceTrack(track.first_frame, track.last_frame, decode_detections(track.boxes),
                         id=track.id)  # fmt: skip
        label = f"#{track.id} {track.person or 'unknown'}"
        items.append((project.absolute(clips[track.clip_id].path), face, label,
                      decide(track, policy).blur))  # fmt: skip
    return draw_sheet(items, Path(output))
