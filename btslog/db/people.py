"""The consent register: people, their reference photos and every consent change."""

from __future__ import annotations

from sqlalchemy import Connection, func, insert, select, update

from btslog.db.schema import consent_events, people, person_photos
from btslog.model import Person, Photo


def _person(row) -> Person:
    values = row._mapping
    return Person(values["id"], values["name"], values["role"], values["consent"],
                  values["release_ref"], values["signed_on"], values["created_at"])  # fmt: skip


def insert_person(connection: Connection, values: dict) -> int:
    return connection.execute(insert(people).values(**values)).inserted_primary_key[0]


def person_named(connection: Connection, name: str) -> Person | None:
    row = connection.execute(
        select(people).where(func.lower(people.c.name) == name.strip().lower())
    ).first()
    return _person(row) if row else None


def list_people(connection: Connection, consent: str | None = None) -> list[Person]:
    query = select(people).order_by(func.lower(people.c.name))
    if consent:
        query = query.where(people.c.consent == consent)
    return [_person(row) for row in connection.execute(query)]


def update_person(connection: Connection, person_id: int, values: dict) -> None:
    connection.execute(update(people).where(people.c.id == person_id).values(**values))


def insert_consent_event(connection: Connection, values: dict) -> None:
    connection.execute(insert(consent_events).values(**values))


def consent_history(connection: Connection, person_id: int) -> list[dict]:
    query = (
        select(consent_events)
        .where(consent_events.c.person_id == person_id)
        .order_by(consent_events.c.id)
    )
    return [dict(row._mapping) for row in connection.execute(query)]


def insert_photo(connection: Connection, values: dict) -> int | None:
    """Add a reference photo; None when the person already has this photo (same sha256)."""
    exists = connection.execute(
        select(person_photos.c.id).where(
            person_photos.c.person_id == values["person_id"],
            person_photos.c.sha256 == values["sha256"],
        )
    ).first()
    if exists:
        return None
    return connection.execute(insert(person_photos).values(**values)).inserted_primary_key[0]


def photos_of(connection: Connection, person_id: int | None = None) -> list[Photo]:
    query = select(person_photos).order_by(person_photos.c.id)
    if person_id is not None:
        query = query.where(person_photos.c.person_id == person_id)
    return [
        Photo(row.id, row.person_id, row.path, row.sha256, row.added_at)
        for row in connection.execute(query)
    ]
