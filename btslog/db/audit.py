"""The audit log: every change to the project, who made it, before and after."""

from __future__ import annotations

import json

from sqlalchemy import Connection, insert, select, update

from btslog.clock import now_iso
from btslog.db.schema import audit_log


def record(
    connection: Connection,
    *,
    author: str,
    action: str,
    entity: str,
    entity_id: int | None,
    before: dict | None = None,
    after: dict | None = None,
) -> int:
    """Write one audit entry in the caller's transaction and return its id."""
    return connection.execute(
        insert(audit_log).values(
            at=now_iso(),
            author=author,
            action=action,
            entity=entity,
            entity_id=entity_id,
            before_json=json.dumps(before, sort_keys=True) if before is not None else None,
            after_json=json.dumps(after, sort_keys=True) if after is not None else None,
        )
    ).inserted_primary_key[0]


def entries(connection: Connection, *, limit: int = 50, entity: str | None = None) -> list[dict]:
    query = select(audit_log).order_by(audit_log.c.id.desc()).limit(limit)
    if entity:
        query = query.where(audit_log.c.entity == entity)
    return [_decoded(row) for row in connection.execute(query)]


def _decoded(row) -> dict:
    values = dict(row._mapping)
    values["before"] = json.loads(values.pop("before_json") or "null")
    values["after"] = json.loads(values.pop("after_json") or "null")
    return values


def last_undoable(connection: Connection, *, author: str) -> dict | None:
    """``author``'s newest entry that is not an undo and not undone yet."""
    query = (
        select(audit_log)
        .where(
            audit_log.c.author == author,
            audit_log.c.action != "undo",
            audit_log.c.undone_by.is_(None),
        )
        .order_by(audit_log.c.id.desc())
        .limit(1)
    )
    row = connection.execute(query).first()
    return _decoded(row) if row is not None else None


def mark_undone(connection: Connection, entry_id: int, undo_id: int) -> None:
    connection.execute(
        update(audit_log).where(audit_log.c.id == entry_id).values(undone_by=undo_id)
    )


def latest(connection: Connection, *, action: str, entity: str, entity_id: int) -> dict | None:
    """The newest entry of ``action`` on one entity (e.g. the last face scan of a clip)."""
    query = (
        select(audit_log)
        .where(
            audit_log.c.action == action,
            audit_log.c.entity == entity,
            audit_log.c.entity_id == entity_id,
        )
        .order_by(audit_log.c.id.desc())
        .limit(1)
    )
    row = connection.execute(query).first()
    return _decoded(row) if row is not None else None
