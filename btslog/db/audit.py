"""The audit log: every change to the project, who made it, before and after."""

from __future__ import annotations

import json

from sqlalchemy import Connection, insert, select

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
    rows = []
    for row in connection.execute(query):
        values = dict(row._mapping)
        values["before"] = json.loads(values.pop("before_json") or "null")
        values["after"] = json.loads(values.pop("after_json") or "null")
        rows.append(values)
    return rows
