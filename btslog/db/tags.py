"""Tags (logged ranges) and the people present in them: the only SQL for tags."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from sqlalchemy import Connection, and_, delete, exists, func, insert, or_, select, update

from btslog.db.schema import clips, tag_people, tags
from btslog.model import Tag

# Columns a caller may set on a tag (besides its people).
TAG_FIELDS = ("clip_id", "in_frame", "out_frame", "kind", "note", "scene", "take", "rating",
              "circled", "ng", "status", "source", "author", "created_at", "updated_at",
              "deleted_at")  # fmt: skip


@dataclass(frozen=True)
class TagFilter:
    """What ``btslog tags`` narrows by; ``None`` means any."""

    kinds: Sequence[str] = ()
    camera: str | None = None
    day: str | None = None
    clip_id: int | None = None
    person: str | None = None
    circled: bool | None = None
    statuses: Sequence[str] = ()
    words: Sequence[str] = ()
    scene: str | None = None
    include_deleted: bool = False
    ids: Sequence[int] = ()


def insert_tag(connection: Connection, values: dict, people: Iterable[str] = ()) -> int:
    tag_id = connection.execute(insert(tags).values(**values)).inserted_primary_key[0]
    set_people(connection, tag_id, people)
    return tag_id


def insert_tags(connection: Connection, rows: Sequence[tuple[dict, Iterable[str]]]) -> list[int]:
    return [insert_tag(connection, values, people) for values, people in rows]


def set_people(connection: Connection, tag_id: int, people: Iterable[str]) -> None:
    connection.execute(delete(tag_people).where(tag_people.c.tag_id == tag_id))
    names = sorted({name for name in people if name})
    if names:
        connection.execute(insert(tag_people), [{"tag_id": tag_id, "person": n} for n in names])


def update_tag(connection: Connection, tag_id: int, values: dict) -> None:
    connection.execute(update(tags).where(tags.c.id == tag_id).values(**values))


def delete_tags_for_good(connection: Connection, tag_ids: Sequence[int]) -> None:
    """Only undo of an add removes rows; a user's `tag rm` sets ``deleted_at``."""
    connection.execute(delete(tags).where(tags.c.id.in_(list(tag_ids))))


def _base_query():
    return select(tags, clips.c.name.label("clip_name")).join(clips, clips.c.id == tags.c.clip_id)


def _people_of(connection: Connection, tag_ids: Sequence[int]) -> dict[int, tuple[str, ...]]:
    found: dict[int, list[str]] = {}
    for start in range(0, len(tag_ids), 900):  # SQLite's bound-parameter limit
        chunk = list(tag_ids[start : start + 900])
        query = (
            select(tag_people).where(tag_people.c.tag_id.in_(chunk)).order_by(tag_people.c.person)
        )
        for row in connection.execute(query):
            found.setdefault(row.tag_id, []).append(row.person)
    return {tag_id: tuple(names) for tag_id, names in found.items()}


def _to_tags(connection: Connection, rows) -> list[Tag]:
    rows = list(rows)
    people = _people_of(connection, [row.id for row in rows])
    result = []
    for row in rows:
        values = dict(row._mapping)
        values["clip"] = values.pop("clip_name")
        values["note"] = values["note"] or ""
        values["circled"], values["ng"] = bool(values["circled"]), bool(values["ng"])
        result.append(Tag(**values, people=people.get(values["id"], ())))
    return result


def get_tag(connection: Connection, tag_id: int) -> Tag | None:
    found = _to_tags(connection, connection.execute(_base_query().where(tags.c.id == tag_id)))
    return found[0] if found else None


def find_tags(connection: Connection, where: TagFilter) -> list[Tag]:
    """Tags matching ``where``, by day, camera, clip start, in point."""
    conditions = []
    if not where.include_deleted:
        conditions.append(tags.c.deleted_at.is_(None))
    if where.ids:
        conditions.append(tags.c.id.in_(list(where.ids)))
    if where.kinds:
        conditions.append(tags.c.kind.in_([kind.lower() for kind in where.kinds]))
    if where.camera:
        conditions.append(func.lower(clips.c.camera) == where.camera.lower())
    if where.day:
        conditions.append(clips.c.day == where.day)
    if where.clip_id is not None:
        conditions.append(tags.c.clip_id == where.clip_id)
    if where.circled is not None:
        conditions.append(tags.c.circled == where.circled)
    if where.statuses:
        conditions.append(tags.c.status.in_(list(where.statuses)))
    if where.scene:
        conditions.append(func.lower(tags.c.scene) == where.scene.lower())
    if where.person:
        conditions.append(
            exists().where(and_(tag_people.c.tag_id == tags.c.id,
                                func.lower(tag_people.c.person) == where.person.lower()))
        )  # fmt: skip
    for word in where.words:
        pattern = f"%{word.lower()}%"
        conditions.append(or_(func.lower(tags.c.note).like(pattern),
                              func.lower(tags.c.kind).like(pattern)))  # fmt: skip
    query = (
        _base_query()
        .where(*conditions)
        .order_by(
            clips.c.day,
            clips.c.camera,
            clips.c.start_frame,
            clips.c.name,
            tags.c.in_frame,
            tags.c.id,
        )
    )
    return _to_tags(connection, connection.execute(query))
