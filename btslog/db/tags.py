"""Tags (logged ranges) and the people present in them: the only SQL for tags."""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from sqlalchemy import Connection, Select, delete, func, insert, or_, select, update

from btslog.db.schema import clips, tag_people, tags
from btslog.model import Tag

# Columns a caller may set on a tag (besides its people).
TAG_FIELDS = ("clip_id", "in_frame", "out_frame", "kind", "note", "scene", "take", "rating",
              "circled", "ng", "status", "source", "author", "created_at", "updated_at",
              "deleted_at")  # fmt: skip
# At most this many bound parameters in one IN list (SQLite before 3.32 takes 999 a statement).
_CHUNK = 900


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
    """Insert many new tags with their people; returns their ids in the order of ``rows``.

    Rows go in as multi-row INSERTs (a few statements for thousands of tags, not three per
    tag), so importing a day's log of 50,000 tags takes seconds.
    """
    ids: list[int] = []
    start = 0
    while start < len(rows):  # one executemany per run of rows that set the same columns
        keys = rows[start][0].keys()
        end = start + 1
        while end < len(rows) and rows[end][0].keys() == keys:
            end += 1
        statement = insert(tags).returning(tags.c.id, sort_by_parameter_order=True)
        result = connection.execute(statement, [values for values, _ in rows[start:end]])
        ids.extend(result.scalars())
        start = end
    pairs = [{"tag_id": tag_id, "person": name}
             for tag_id, (_, people) in zip(ids, rows, strict=True)
             for name in sorted({name for name in people if name})]  # fmt: skip
    if pairs:
        connection.execute(insert(tag_people), pairs)
    return ids


def set_people(connection: Connection, tag_id: int, people: Iterable[str]) -> None:
    connection.execute(delete(tag_people).where(tag_people.c.tag_id == tag_id))
    names = sorted({name for name in people if name})
    if names:
        connection.execute(insert(tag_people), [{"tag_id": tag_id, "person": n} for n in names])


def update_tag(connection: Connection, tag_id: int, values: dict) -> None:
    connection.execute(update(tags).where(tags.c.id == tag_id).values(**values))


def delete_tags_for_good(connection: Connection, tag_ids: Sequence[int]) -> None:
    """Only undo of an add removes rows; a user's `tag rm` sets ``deleted_at``."""
    tag_ids = list(tag_ids)
    for start in range(0, len(tag_ids), _CHUNK):  # undo of a large import: many ids
        connection.execute(delete(tags).where(tags.c.id.in_(tag_ids[start : start + _CHUNK])))


# The columns a Tag is built from, in one SELECT with its clip's name.
_TAG_COLUMNS = (tags.c.id, tags.c.clip_id, clips.c.name.label("clip"), tags.c.in_frame,
                tags.c.out_frame, tags.c.kind, tags.c.note, tags.c.scene, tags.c.take,
                tags.c.rating, tags.c.circled, tags.c.ng, tags.c.status, tags.c.source,
                tags.c.author, tags.c.created_at, tags.c.updated_at, tags.c.deleted_at)  # fmt: skip


# The order every list of clips' rows follows: shoot day, camera, clip start, clip name.
CLIP_ORDER = (clips.c.day, clips.c.camera, clips.c.start_frame, clips.c.name)


def _selected(conditions: Sequence) -> Select:
    """Tags (with their clip's name) meeting ``conditions``, in list order: by day, camera,
    clip start, in point."""
    return (
        select(*_TAG_COLUMNS)
        .join(clips, clips.c.id == tags.c.clip_id)
        .where(*conditions)
        .order_by(*CLIP_ORDER, tags.c.in_frame, tags.c.id)
    )


def _people_column(connection: Connection):
    """The names of a tag's people as one JSON array, from the tag's row of the same query
    (a JSON array keeps any character a name may hold; order is not guaranteed)."""
    aggregate = func.json_agg if connection.dialect.name == "postgresql" else func.json_group_array
    return (
        select(aggregate(tag_people.c.person))
        .where(tag_people.c.tag_id == tags.c.id)
        .scalar_subquery()
        .label("people")
    )


def _with_people(connection: Connection, conditions: Sequence) -> Select:
    return _selected(conditions).add_columns(_people_column(connection))


def _tags_with_people(connection: Connection, conditions: Sequence) -> list[Tag]:
    """The tags meeting ``conditions`` with their people, in one statement however many match
    (not one per few hundred tags, as an IN list of the found ids would need)."""
    fields = [column.name for column in _TAG_COLUMNS]
    result = []
    for *row, people in connection.execute(_with_people(connection, conditions)):
        values = dict(zip(fields, row, strict=True))
        values["note"] = values["note"] or ""
        values["circled"], values["ng"] = bool(values["circled"]), bool(values["ng"])
        names = json.loads(people) if isinstance(people, str) else (people or ())
        result.append(Tag(**values, people=tuple(sorted(names))))
    return result


def get_tag(connection: Connection, tag_id: int) -> Tag | None:
    found = _tags_with_people(connection, [tags.c.id == tag_id])
    return found[0] if found else None


def _like_pattern(word: str) -> str:
    """``%word%`` for LIKE, with the word's own ``%``, ``_`` and ``\\`` taken literally."""
    escaped = word.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def _conditions(where: TagFilter) -> list:
    conditions = []
    if not where.include_deleted:
        conditions.append(tags.c.deleted_at.is_(None))
    if where.ids:
        conditions.append(tags.c.id.in_(list(where.ids)))
    if where.kinds:
        conditions.append(tags.c.kind.in_([kind.lower() for kind in where.kinds]))
    if where.camera or where.day:
        # The few clips of that camera or day first, then their tags by ix_tags_clip_in
        # (tested on the joined clip row, SQLite would read every tag).
        of_clips = select(clips.c.id)
        if where.camera:
            of_clips = of_clips.where(func.lower(clips.c.camera) == where.camera.lower())
        if where.day:
            of_clips = of_clips.where(clips.c.day == where.day)
        conditions.append(tags.c.clip_id.in_(of_clips.scalar_subquery()))
    if where.clip_id is not None:
        conditions.append(tags.c.clip_id == where.clip_id)
    if where.circled is not None:
        conditions.append(tags.c.circled == where.circled)
    if where.statuses:
        conditions.append(tags.c.status.in_(list(where.statuses)))
    if where.scene:
        conditions.append(func.lower(tags.c.scene) == where.scene.lower())
    if where.person:
        # Driven by the index on lower(person): a correlated EXISTS would test every tag.
        with_person = select(tag_people.c.tag_id).where(
            func.lower(tag_people.c.person) == where.person.lower()
        )
        conditions.append(tags.c.id.in_(with_person.scalar_subquery()))
    for word in where.words:
        pattern = _like_pattern(word)
        conditions.append(or_(func.lower(tags.c.note).like(pattern, escape="\\"),
                              func.lower(tags.c.kind).like(pattern, escape="\\")))  # fmt: skip
    return conditions


def find_tags(connection: Connection, where: TagFilter) -> list[Tag]:
    """Tags matching ``where``, by day, camera, clip start, in point (one SQL statement)."""
    return _tags_with_people(connection, _conditions(where))


def query_plan(connection: Connection, where: TagFilter) -> list[str]:
    """SQLite's plan for the statement of :func:`find_tags` (``EXPLAIN QUERY PLAN`` lines),
    so a test can check that a filter is answered from an index, not by reading every tag."""
    statement = _with_people(connection, _conditions(where))
    compiled = statement.compile(connection, compile_kwargs={"render_postcompile": True})
    parameters = tuple(compiled.params[name] for name in compiled.positiontup)
    plan = connection.exec_driver_sql(f"EXPLAIN QUERY PLAN {compiled}", parameters)
    return [row[-1] for row in plan]
