"""The consent register: who is on the crew, who signed a release, who opted out.

Every consent change is written twice in one transaction: a consent event (when, by whom,
before, after, release reference) that ``btslog people history`` shows, and the project's
audit log.  Reference photos are copied into the project (``people/<name>/``) with their
sha256, so the register does not depend on files elsewhere.
"""

from __future__ import annotations

import datetime
import hashlib
import re
import shutil
from collections.abc import Sequence
from pathlib import Path

from btslog.errors import InvalidInput, NotFound
from btslog.model import CONSENT_STATES, Person, Photo
from btslog.ops.project import Project

_NAME_RE = re.compile(r"^[^\x00-\x1f/\\]{1,100}$")
PHOTO_SUFFIXES = (".jpg", ".jpeg", ".png", ".webp", ".bmp", ".tif", ".tiff")


def _check_consent(consent: str) -> str:
    value = (consent or "").strip().lower().replace("-", "_")
    if value not in CONSENT_STATES:
        raise InvalidInput(f"consent {consent!r} is not one of {', '.join(CONSENT_STATES)}")
    return value


def _check_date(value: str | None, option: str) -> str | None:
    if value is None:
        return None
    try:
        return datetime.date.fromisoformat(value).isoformat()
    except ValueError:
        raise InvalidInput(f"{option} {value!r} is not a date written as YYYY-MM-DD") from None


def _check_name(name: str) -> str:
    name = " ".join((name or "").split())
    if not name or not _NAME_RE.match(name):
        raise InvalidInput(f"{name!r} is not a usable name", hint='e.g. "Grace Hopper"')
    return name


def get_person(project: Project, name: str) -> Person:
    from btslog.db import people as rows

    with project.db.read() as connection:
        person = rows.person_named(connection, name)
    if person is None:
        raise NotFound(f"nobody called {name!r} in the consent register",
                       hint="see `btslog people`; add them with `btslog people add`")  # fmt: skip
    return person


def _check_photo(path: Path) -> bytes:
    """The photo's bytes, after checking it is an image that decodes."""
    if not path.is_file():
        raise NotFound(f"{path}: no such photo")
    if path.suffix.lower() not in PHOTO_SUFFIXES:
        raise InvalidInput(f"{path}: not a photo btslog reads",
                           hint="use " + ", ".join(PHOTO_SUFFIXES))  # fmt: skip
    data = path.read_bytes()
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(path) as image:
            image.verify()
    except (UnidentifiedImageError, OSError, SyntaxError) as error:
        raise InvalidInput(f"{path}: not a readable image ({error})") from None
    return data


def _store_photos(project: Project, connection, person: Person, photos: Sequence[str | Path],
                  now: str) -> list[int]:  # fmt: skip
    from btslog.db import people as rows

    added = []
    folder = project.root / "people" / re.sub(r"[^\w.-]+", "_", person.name)
    for given in photos:
        path = Path(given)
        data = _check_photo(path)
        digest = hashlib.sha256(data).hexdigest()
        target = folder / f"{digest[:16]}{path.suffix.lower()}"
        if not target.exists():
            folder.mkdir(parents=True, exist_ok=True)
            temporary = target.with_name(f".{target.name}.btslog-partial")
            shutil.copyfile(path, temporary)
            temporary.replace(target)
        photo_id = rows.insert_photo(connection, {
            "person_id": person.id, "path": project.stored_path(target), "sha256": digest,
            "added_at": now,
        })  # fmt: skip
        if photo_id is not None:
            added.append(photo_id)
    return added


def add_person(project: Project, name: str, *, role: str | None = None, consent: str = "pending",
               release_ref: str | None = None, signed: str | None = None,
               photos: Sequence[str | Path] = ()) -> Person:  # fmt: skip
    """Register a crew member with their consent and reference photos."""
    from btslog.clock import now_iso
    from btslog.db import audit
    from btslog.db import people as rows

    name = _check_name(name)
    consent = _check_consent(consent)
    signed = _check_date(signed, "--signed")
    for photo in photos:
        _check_photo(Path(photo))
    now = now_iso()
    with project.db.write() as connection:
        existing = rows.person_named(connection, name)
        if existing is not None:
            raise InvalidInput(f"{existing.name} is already in the consent register",
                               hint=f"change them with `btslog people set \"{existing.name}\"`")  # fmt: skip
        person_id = rows.insert_person(connection, {
            "name": name, "role": role, "consent": consent, "release_ref": release_ref,
            "signed_on": signed, "created_at": now,
        })  # fmt: skip
        rows.insert_consent_event(connection, {
            "person_id": person_id, "at": now, "author": project.author, "before": None,
            "after": consent, "release_ref": release_ref, "note": "added to the register",
        })  # fmt: skip
        person = rows.person_named(connection, name)
        _store_photos(project, connection, person, photos, now)
        audit.record(connection, author=project.author, action="person.add", entity="person",
                     entity_id=person_id, after={"name": name, "role": role,
                                                 "consent": consent,
                                                 "release_ref": release_ref})  # fmt: skip
    return person


def set_person(project: Project, name: str, *, consent: str | None = None,
               role: str | None = None, release_ref: str | None = None,
               signed: str | None = None, note: str | None = None) -> Person:  # fmt: skip
    """Change a person's consent (audited as a consent event) or details."""
    from btslog.clock import now_iso
    from btslog.db import audit
    from btslog.db import people as rows

    consent = _check_consent(consent) if consent is not None else None
    signed = _check_date(signed, "--signed")
    now = now_iso()
    with project.db.write() as connection:
        person = rows.person_named(connection, name)
        if person is None:
            raise NotFound(f"nobody called {name!r} in the consent register",
                           hint="see `btslog people`")  # fmt: skip
        values = {key: value for key, value in (("consent", consent), ("role", role),
                  ("release_ref", release_ref), ("signed_on", signed)) if value is not None}  # fmt: skip
        if not values:
            raise InvalidInput("nothing to change", hint="give --consent, --role, --release-ref "
                               "or --signed")  # fmt: skip
        before = {key: getattr(person, key) for key in values}
        rows.update_person(connection, person.id, values)
        if consent is not None and consent != person.consent or release_ref is not None:
            rows.insert_consent_event(connection, {
                "person_id": person.id, "at": now, "author": project.author,
                "before": person.consent, "after": consent or person.consent,
                "release_ref": release_ref or person.release_ref, "note": note,
            })  # fmt: skip
        audit.record(connection, author=project.author, action="person.set", entity="person",
                     entity_id=person.id, before=before, after=values)  # fmt: skip
        return rows.person_named(connection, person.name)


def add_photos(project: Project, name: str, photos: Sequence[str | Path]) -> list[int]:
    from btslog.clock import now_iso
    from btslog.db import audit
    from btslog.db import people as rows

    for photo in photos:
        _check_photo(Path(photo))
    with project.db.write() as connection:
        person = rows.person_named(connection, name)
        if person is None:
            raise NotFound(f"nobody called {name!r} in the consent register")
        added = _store_photos(project, connection, person, photos, now_iso())
        audit.record(connection, author=project.author, action="person.photo", entity="person",
                     entity_id=person.id, after={"photos": added})  # fmt: skip
    return added


def list_people(project: Project, consent: str | None = None) -> list[tuple[Person, int]]:
    """Everyone in the register with their number of reference photos."""
    from btslog.db import people as rows

    consent = _check_consent(consent) if consent else None
    with project.db.read() as connection:
        counts: dict[int, int] = {}
        for photo in rows.photos_of(connection):
            counts[photo.person_id] = counts.get(photo.person_id, 0) + 1
        return [(person, counts.get(person.id, 0))
                for person in rows.list_people(connection, consent)]  # fmt: skip


def person_details(project: Project, name: str) -> tuple[Person, list[Photo], list[dict]]:
    from btslog.db import people as rows

    person = get_person(project, name)
    with project.db.read() as connection:
        return (
            person,
            rows.photos_of(connection, person.id),
            rows.consent_history(connection, person.id),
        )


def person_row(person: Person, photos: int) -> dict:
    return {"id": person.id, "name": person.name, "role": person.role,
            "consent": person.consent, "release_ref": person.release_ref,
            "signed": person.signed_on, "photos": photos}  # fmt: skip
