"""``btslog people``: the consent register."""

from __future__ import annotations

import click

from btslog.cli.output import format_option

CONSENT = click.Choice(["released", "opted_out", "pending"])


@click.group("people", invoke_without_command=True)
@click.option("--consent", type=CONSENT, help="Only people with this consent.")
@format_option
@click.pass_context
def people_group(ctx, consent, output_format) -> None:
    """The consent register: list it, or `people add|show|set|photo add|history`.

    Consent is released (signed a release), opted_out (must never be recognisable) or
    pending (not decided: blurred like an unknown face by the default policy).
    """
    if ctx.invoked_subcommand is not None:
        return
    from btslog.cli.context import project_from
    from btslog.cli.output import print_rows
    from btslog.ops.people import list_people, person_row

    project = project_from(ctx)
    rows = [person_row(person, photos) for person, photos in list_people(project, consent)]
    columns = [("name", "name"), ("role", "role"), ("consent", "consent"),
               ("release_ref", "release"), ("signed", "signed"), ("photos", "photos")]  # fmt: skip
    print_rows(rows, output_format, columns, title=f"{len(rows)} people")


@people_group.command("add")
@click.argument("name")
@click.option("--role", help="Role on the production, e.g. gaffer.")
@click.option("--consent", type=CONSENT, default="pending", show_default=True)
@click.option("--release-ref", help="The signed release's reference, e.g. REL-0042.")
@click.option("--signed", help="Date the release was signed (YYYY-MM-DD).")
@click.option("--photo", "photos", multiple=True, type=click.Path(dir_okay=False),
              help="A reference photo of the face (repeat).")  # fmt: skip
@click.pass_context
def people_add(ctx, name, role, consent, release_ref, signed, photos) -> None:
    """Add NAME to the consent register."""
    from btslog.cli.context import console, project_from
    from btslog.ops.people import add_person

    person = add_person(project_from(ctx), name, role=role, consent=consent,
                        release_ref=release_ref, signed=signed, photos=photos)  # fmt: skip
    console().print(f"added {person.name} ({person.consent}, {len(photos)} photos)")


@people_group.command("set")
@click.argument("name")
@click.option("--consent", type=CONSENT, help="New consent.")
@click.option("--role", help="New role.")
@click.option("--release-ref", help="The signed release's reference.")
@click.option("--signed", help="Date the release was signed (YYYY-MM-DD).")
@click.option("--note", help="Why, for the consent history.")
@click.pass_context
def people_set(ctx, name, consent, role, release_ref, signed, note) -> None:
    """Change NAME's consent or details (every consent change is kept in the history)."""
    from btslog.cli.context import console, project_from
    from btslog.ops.people import set_person

    person = set_person(project_from(ctx), name, consent=consent, role=role,
                        release_ref=release_ref, signed=signed, note=note)  # fmt: skip
    console().print(f"{person.name}: {person.consent}")


@people_group.command("show")
@click.argument("name")
@click.pass_context
def people_show(ctx, name) -> None:
    """NAME's consent, release, photos and consent history."""
    from btslog.cli.context import console, project_from
    from btslog.ops.people import person_details

    person, photos, events = person_details(project_from(ctx), name)
    out = console()
    out.print(f"{person.name} ({person.role or 'no role'}): {person.consent}")
    out.print(f"release: {person.release_ref or '-'}  signed: {person.signed_on or '-'}")
    for photo in photos:
        out.print(f"photo: {photo.path}  sha256 {photo.sha256[:16]}")
    for event in events:
        out.print(f"{event['at']}  {event['author']}: {event['before'] or '-'} -> "
                  f"{event['after']}  {event['note'] or ''}")  # fmt: skip


@people_group.command("history")
@click.argument("name")
@format_option
@click.pass_context
def people_history(ctx, name, output_format) -> None:
    """Every consent change of NAME: when, by whom, before, after."""
    from btslog.cli.context import project_from
    from btslog.cli.output import print_rows
    from btslog.ops.people import person_details

    _, _, events = person_details(project_from(ctx), name)
    rows = [{key: event[key] for key in ("at", "author", "before", "after", "release_ref",
                                         "note")} for event in events]  # fmt: skip
    print_rows(rows, output_format, [(key, key) for key in rows[0]] if rows else None)


@people_group.group("photo")
def people_photo() -> None:
    """Reference photos."""


@people_photo.command("add")
@click.argument("name")
@click.argument("photos", nargs=-1, required=True, type=click.Path(dir_okay=False))
@click.pass_context
def people_photo_add(ctx, name, photos) -> None:
    """Add reference PHOTOS of NAME's face."""
    from btslog.cli.context import console, project_from
    from btslog.ops.people import add_photos

    added = add_photos(project_from(ctx), name, photos)
    console().print(f"added {len(added)} photos of {name}")
