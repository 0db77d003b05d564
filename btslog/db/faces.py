"""Face tracks per clip and their identities: the only SQL for faces."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Connection, delete, insert, select, update

from btslog.db.schema import face_tracks, people, person_photos


@dataclass(frozen=True)
class StoredTrack:
    id: int
    clip_id: int
    first_frame: int
    last_frame: int
    boxes: bytes
    embedding: bytes | None
    person_id: int | None
    person: str | None
    consent: str | None
    confidence: int | None  # similarity x 1000
    assigned_by: str | None
    scan_key: str


def _query():
    return select(face_tracks, people.c.name.label("person"),
                  people.c.consent.label("consent")).outerjoin(
        people, people.c.id == face_tracks.c.person_id)  # fmt: skip


def _stored(row) -> StoredTrack:
    values = row._mapping
    return StoredTrack(
        values["id"], values["clip_id"], values["first_frame"], values["last_frame"],
        values["boxes"], values["embedding"], values["person_id"], values["person"],
        values["consent"], values["confidence"], values["assigned_by"], values["scan_key"],
    )  # fmt: skip


def tracks_of(connection: Connection, clip_id: int | None = None) -> list[StoredTrack]:
    query = _query().order_by(face_tracks.c.clip_id, face_tracks.c.first_frame, face_tracks.c.id)
    if clip_id is not None:
        query = query.where(face_tracks.c.clip_id == clip_id)
    return [_stored(row) for row in connection.execute(query)]


def get_track(connection: Connection, track_id: int) -> StoredTrack | None:
    row = connection.execute(_query().where(face_tracks.c.id == track_id)).first()
    return _stored(row) if row else None


def replace_tracks(connection: Connection, clip_id: int, rows: list[dict]) -> None:
    """The clip's tracks from a new scan (editors' assignments on old tracks go with them)."""
    connection.execute(delete(face_tracks).where(face_tracks.c.clip_id == clip_id))
    if rows:
        connection.execute(insert(face_tracks), rows)


def set_identity(connection: Connection, track_id: int, person_id: int | None,
                 confidence: int | None, assigned_by: str | None) -> None:  # fmt: skip
    connection.execute(
        update(face_tracks).where(face_tracks.c.id == track_id).values(
            person_id=person_id, confidence=confidence, assigned_by=assigned_by)
    )  # fmt: skip


def reference_photos(connection: Connection) -> list[dict]:
    """Every reference photo with its person and any stored embedding."""
    query = select(person_photos, people.c.name, people.c.consent).join(
        people, people.c.id == person_photos.c.person_id
    )
    return [dict(row._mapping) for row in connection.execute(query)]


def store_embedding(connection: Connection, photo_id: int, embedding: bytes, model: str) -> None:
    connection.execute(
        update(person_photos).where(person_photos.c.id == photo_id).values(
            embedding=embedding, model=model)
    )  # fmt: skip
