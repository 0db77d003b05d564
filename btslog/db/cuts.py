"""Cuts and their segments: the only SQL for cuts.

A cut's segments are written as a whole (the old ones deleted, the new ones inserted, in the
caller's transaction), so positions are always 1, 2, 3 ... in order.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import asdict

from sqlalchemy import Connection, delete, insert, select, update

from btslog.cut.model import Cut, CutOptions, Segment
from btslog.db.schema import clips, cut_segments, cuts

_OPTION_FIELDS = ("query", "order", "handles", "max_segment", "titles")


def options_json(options: CutOptions) -> str:
    return json.dumps(asdict(options), sort_keys=True)


def _options(text: str) -> CutOptions:
    values = json.loads(text or "{}")
    return CutOptions(**{key: values[key] for key in _OPTION_FIELDS if key in values})


def insert_cut(connection: Connection, name: str, options: CutOptions, at: str) -> int:
    return connection.execute(
        insert(cuts).values(
            name=name, options_json=options_json(options), created_at=at, updated_at=at
        )
    ).inserted_primary_key[0]


def touch_cut(connection: Connection, cut_id: int, at: str) -> None:
    connection.execute(update(cuts).where(cuts.c.id == cut_id).values(updated_at=at))


def delete_cut(connection: Connection, cut_id: int) -> None:
    connection.execute(delete(cut_segments).where(cut_segments.c.cut_id == cut_id))
    connection.execute(delete(cuts).where(cuts.c.id == cut_id))


def replace_segments(connection: Connection, cut_id: int, segments: Sequence[Segment]) -> None:
    """Make ``segments`` the cut's segments, at positions 1, 2, 3 ..."""
    connection.execute(delete(cut_segments).where(cut_segments.c.cut_id == cut_id))
    if not segments:
        return
    connection.execute(
        insert(cut_segments),
        [
            {
                "cut_id": cut_id,
                "position": position,
                "clip_id": segment.clip_id,
                "in_frame": segment.in_frame,
                "out_frame": segment.out_frame,
                "tag_id": segment.tag_id,
                "kind": segment.kind,
                "scene": segment.scene,
                "take": segment.take,
                "note": segment.note or "",
                "rating": segment.rating,
                "circled": bool(segment.circled),
                "people_json": json.dumps(list(segment.people), ensure_ascii=False),
            }
            for position, segment in enumerate(segments, start=1)
        ],
    )


def cut_names(connection: Connection) -> list[str]:
    return list(connection.execute(select(cuts.c.name).order_by(cuts.c.name)).scalars())


def _segments_of(connection: Connection, cut_ids: Iterable[int]) -> dict[int, list[Segment]]:
    cut_ids = list(cut_ids)
    found: dict[int, list[Segment]] = {cut_id: [] for cut_id in cut_ids}
    if not cut_ids:
        return found
    query = (
        select(cut_segments, clips.c.name.label("clip"))
        .join(clips, clips.c.id == cut_segments.c.clip_id)
        .where(cut_segments.c.cut_id.in_(cut_ids))
        .order_by(cut_segments.c.cut_id, cut_segments.c.position)
    )
    for row in connection.execute(query):
        values = row._mapping
        found[values["cut_id"]].append(
            Segment(
                clip_id=values["clip_id"],
                clip=values["clip"],
                in_frame=values["in_frame"],
                out_frame=values["out_frame"],
                kind=values["kind"],
                tag_id=values["tag_id"],
                scene=values["scene"],
                take=values["take"],
                note=values["note"] or "",
                rating=values["rating"],
                circled=bool(values["circled"]),
                people=tuple(json.loads(values["people_json"] or "[]")),
            )
        )
    return found


def _cuts(connection: Connection, condition=None) -> list[Cut]:
    query = select(cuts).order_by(cuts.c.name)
    if condition is not None:
        query = query.where(condition)
    rows = [row._mapping for row in connection.execute(query)]
    segments = _segments_of(connection, [row["id"] for row in rows])
    return [
        Cut(
            id=row["id"],
            name=row["name"],
            options=_options(row["options_json"]),
            segments=tuple(segments[row["id"]]),
            created_at=row["created_at"],
            updated_at=row["updated_at"],
        )
        for row in rows
    ]


def get_cut(connection: Connection, name: str) -> Cut | None:
    found = _cuts(connection, cuts.c.name == name)
    return found[0] if found else None


def list_cuts(connection: Connection) -> list[Cut]:
    """Every cut with its segments, by name."""
    return _cuts(connection)
