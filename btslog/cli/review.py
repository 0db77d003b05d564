"""``btslog review build`` and ``review serve``: the producer's review page."""

from __future__ import annotations

import click


@click.group("review")
def review_group() -> None:
    """The producer's review page: clips with their proxies, tags and suggestions.

    `review build -o DIR` writes a read-only copy that opens from disk (no server);
    `review serve` runs the page on this machine, where a reviewer circles or rejects takes,
    accepts or dismisses suggestions and leaves comments at the playhead, each written to the
    log with the reviewer's name as the author.
    """


@review_group.command("build")
@click.option("-o", "--output", required=True, type=click.Path(file_okay=False),
              help="Folder to write (replaced when it is an earlier review build).")  # fmt: skip
@click.pass_context
def review_build(ctx, output) -> None:
    """Write the read-only review page (index.html, data, proxies, posters) to OUTPUT.

    Open OUTPUT/index.html in a browser, or copy the folder to a producer: it needs no
    server and no network.  Proxies are hard-linked where they can be (no copy on the same
    disk); clips without proxies show their tags only (`btslog proxies` makes them).
    """
    from btslog.cli.context import console, project_from
    from btslog.review.site import build_site

    project = project_from(ctx)
    report = build_site(project, output)
    out = console()
    out.print(f"review page: {report.output / 'index.html'} ({report.clips} clips, "
              f"{report.tags} tags, {report.media_files} media files)")  # fmt: skip
    if report.without_proxy:
        console(stderr=True).print(f"without a proxy: {', '.join(report.without_proxy)} "
                                   "(run `btslog proxies`)")  # fmt: skip


def _check_free(host: str, port: int) -> None:
    """Refuse clearly, before anything starts, an address this machine cannot listen on."""
    import socket

    from btslog.errors import InvalidInput

    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except OSError as error:
        raise InvalidInput(f"--host {host!r} is not an address of this machine ({error})",
                           hint="use 127.0.0.1, or 0.0.0.0 for every network") from None  # fmt: skip
    family, kind, _, _, address = infos[0]
    with socket.socket(family, kind) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(address)
        except OSError as error:
            raise InvalidInput(f"cannot listen on {host} port {port}: {error.strerror or error}",
                               hint="another program (or review serve) uses it: choose "
                               "another --port") from None  # fmt: skip


@review_group.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Address to listen on; any but loopback needs the printed token.")  # fmt: skip
@click.option("--port", default=8765, show_default=True, type=click.IntRange(0, 65535),
              help="Port to listen on.")  # fmt: skip
@click.pass_context
def review_serve(ctx, host, port) -> None:
    """Serve the review page; reviewers' changes are written to the project's log.

    On 127.0.0.1 (the default) only this machine can reach it.  On any other address
    (e.g. --host 0.0.0.0 for the production office's network) a token is made and printed:
    open the printed address, which carries it; requests without it are refused.
    Stop with Ctrl-C.
    """
    import secrets
    import sys

    from btslog.cli.context import project_from
    from btslog.review.app import LOOPBACK_HOSTS, create_app

    project = project_from(ctx)
    _check_free(host, port)
    token = None if host.lower() in LOOPBACK_HOSTS else secrets.token_urlsafe(24)
    app = create_app(project.root, token=token)
    shown = f"[{host}]" if ":" in host else host
    address = f"http://{shown}:{port}/" + (f"?token={token}" if token else "")
    # plain lines, flushed: an address is never wrapped, and a script reading them sees them
    click.echo(f"review page of {project.name}: {address}")
    if token:
        click.echo(f"token: {token} (give the address only to reviewers)")
    click.echo("stop with Ctrl-C", nl=True)
    sys.stdout.flush()
    import uvicorn

    uvicorn.run(app, host=host, port=port, log_level="warning")
