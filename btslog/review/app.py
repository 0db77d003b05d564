"""``btslog review serve``: the review page as a small Starlette app that writes to the log.

The pages are the same as the static copy's (:mod:`btslog.review.site`), with
``<body data-mode="served">``; the buttons post to the JSON API below, and every change is
written by :mod:`btslog.ops.review` with the reviewer's name as the author.

Routes::

    GET  /                              the page (index.html)
    GET  /app.js  /style.css            its script and style
    GET  /data.js                       window.BTSLOG_DATA = <the data>
    GET  /api/data                      the data as JSON (btslog.ops.review.review_data)
    GET  /media/<clip>/<file>           a clip's proxy or poster frame (HTTP ranges for seeking)
    POST /api/tags/<id>/circle          {"reviewer"}: circle a take (circled, not NG)
    POST /api/tags/<id>/reject          {"reviewer"}: reject a take (NG, not circled)
    POST /api/suggestions/<id>/accept   {"reviewer"}: accept a suggestion
    POST /api/suggestions/<id>/dismiss  {"reviewer"}: reject a suggestion
    POST /api/comments                  {"reviewer", "clip", "at", "text"}: a comment at one
                                        frame; "at" is a time of day or an offset ("+120f")

A change answers ``200 {"ok": true, "tag": <the tag's row>}`` (``201`` for a comment).  A bad
request answers 4xx ``{"error": "...", "hint": "..."}`` and changes nothing: 400 for input
btslog refuses (no reviewer, an empty or too long comment, a time outside the clip, a tag that
is not a take or not a suggestion), 404 for an unknown clip or tag, 403 for a missing or wrong
token or a request from another site, 413 for a body over 64 KiB, 415 for a POST that is not
JSON.

**Who may use it.**  On a loopback address (the default, 127.0.0.1) anyone on this machine
may, and requests must name a loopback host (no DNS rebinding).  With a ``token`` (``btslog
review serve`` makes one with :func:`secrets.token_urlsafe` for any other address, and prints
the address to open) every request needs it: ``?token=...`` once (answered with a cookie), the
cookie, or the header ``X-Btslog-Token``.  POSTs must be ``application/json`` and, when the
browser names an ``Origin``, come from the page's own origin, so another web site cannot post
for the reviewer.
"""

from __future__ import annotations

import json
import secrets
from pathlib import Path
from urllib.parse import urlsplit

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import FileResponse, JSONResponse, Response
from starlette.routing import Route

from btslog.errors import BtslogError, NotFound

MAX_BODY = 64 * 1024
TOKEN_COOKIE = "btslog_review_token"
TOKEN_HEADER = "x-btslog-token"
LOOPBACK_HOSTS = ("127.0.0.1", "localhost", "::1", "[::1]")
TOKEN_HINT = ("open the address `btslog review serve` printed (it ends in ?token=...), or send "
              "the token in the X-Btslog-Token header")  # fmt: skip


def error_response(status: int, message: str, hint: str | None = None) -> JSONResponse:
    return JSONResponse({"error": message, "hint": hint or ""}, status_code=status)


def _host_name(host: str) -> str:
    """``host`` of a Host header value ``host[:port]`` (IPv6 in brackets kept)."""
    if host.startswith("["):
        return host[: host.find("]") + 1]
    return host.rsplit(":", 1)[0] if host.count(":") == 1 else host


class Guard:
    """ASGI middleware: the token (when there is one), loopback hosts (when there is none),
    and same-origin POSTs."""

    def __init__(self, app, token: str | None) -> None:
        self.app = app
        self.token = token

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request = Request(scope)
        host = request.headers.get("host", "")
        refusal = None
        set_cookie = False
        if self.token is None:
            if _host_name(host).lower() not in LOOPBACK_HOSTS:
                refusal = error_response(
                    403, f"this review server answers only on this machine, not as {host!r}",
                    "open http://127.0.0.1:PORT/, or serve with --host and use the token",
                )  # fmt: skip
        else:
            given = (request.headers.get(TOKEN_HEADER) or request.cookies.get(TOKEN_COOKIE)
                     or request.query_params.get("token"))  # fmt: skip
            if not given:
                refusal = error_response(403, "missing review token", TOKEN_HINT)
            elif not secrets.compare_digest(given.encode(), self.token.encode()):
                refusal = error_response(403, "wrong review token", TOKEN_HINT)
            else:
                set_cookie = request.cookies.get(TOKEN_COOKIE) != self.token
        origin = request.headers.get("origin")
        foreign = origin and origin != "null" and urlsplit(origin).netloc.lower() != host.lower()
        if refusal is None and request.method == "POST" and foreign:
            refusal = error_response(
                403,
                f"a change from another site ({origin}) is refused",
                "use the review page itself",
            )
        if refusal is not None:
            await refusal(scope, receive, send)
            return
        if not set_cookie:
            await self.app(scope, receive, send)
            return
        cookie = f"{TOKEN_COOKIE}={self.token}; Path=/; HttpOnly; SameSite=Strict"

        async def send_with_cookie(message) -> None:
            if message["type"] == "http.response.start":
                message = {**message, "headers": [*message.get("headers", []),
                                                   (b"set-cookie", cookie.encode("latin-1"))]}  # fmt: skip
            await send(message)

        await self.app(scope, receive, send_with_cookie)


def create_app(project_root: Path, *, token: str | None = None) -> Starlette:
    """The review app of the project at ``project_root``; with ``token``, every request must
    carry it (see the module's docstring)."""
    from btslog.ops import review
    from btslog.ops.clips import resolve_clip
    from btslog.ops.project import open_project
    from btslog.ops.tags import tag_rows_for
    from btslog.review.site import asset, data_script, index_html

    project = open_project(project_root)
    project.db  # noqa: B018 - open (and migrate) the database now, not on the first request

    def data() -> dict:
        return review.review_data(project, mode="served")

    async def page(request: Request) -> Response:
        return Response(index_html(project.name, "served"), media_type="text/html",
                        headers={"Cache-Control": "no-store"})  # fmt: skip

    def static(name: str, media_type: str):
        async def endpoint(request: Request) -> Response:
            return Response(asset(name), media_type=media_type,
                            headers={"Cache-Control": "no-cache"})  # fmt: skip

        return endpoint

    async def data_js(request: Request) -> Response:
        body = data_script(await run_in_threadpool(data))
        return Response(body, media_type="text/javascript", headers={"Cache-Control": "no-store"})

    async def api_data(request: Request) -> Response:
        return JSONResponse(await run_in_threadpool(data), headers={"Cache-Control": "no-store"})

    async def media(request: Request) -> Response:
        name, file_name = request.path_params["clip"], request.path_params["file"]

        def find() -> Path | None:
            try:
                clip = resolve_clip(project, name)
            except BtslogError:
                return None
            if clip.name != name:
                return None
            files = review.media_files(project, clip)
            return next((path for path in files.values() if path.name == file_name), None)

        path = await run_in_threadpool(find)
        if path is None:
            return error_response(404, f"no media file {name}/{file_name}",
                                  "run `btslog proxies` to make the clips' proxies")  # fmt: skip
        return FileResponse(path)

    async def body_of(request: Request) -> dict:
        if request.headers.get("content-type", "").split(";")[0].strip() != "application/json":
            raise _Refused(415, "changes are sent as JSON",
                           "POST with Content-Type: application/json")  # fmt: skip
        length = request.headers.get("content-length")
        if length and length.isdigit() and int(length) > MAX_BODY:
            raise _Refused(413, f"the request is over {MAX_BODY // 1024} KiB",
                           f"a comment holds at most {review.MAX_COMMENT} characters")  # fmt: skip
        raw = b""
        async for chunk in request.stream():
            raw += chunk
            if len(raw) > MAX_BODY:
                raise _Refused(413, f"the request is over {MAX_BODY // 1024} KiB",
                               f"a comment holds at most {review.MAX_COMMENT} characters")  # fmt: skip
        try:
            body = json.loads(raw or b"{}")
        except ValueError:
            raise _Refused(400, "the request is not valid JSON", "send a JSON object") from None
        if not isinstance(body, dict):
            raise _Refused(400, "the request is not a JSON object", "send a JSON object")
        return body

    def tag_id_of(request: Request) -> int:
        text = request.path_params["tag_id"]
        if not text.isdigit() or len(text) > 12:
            raise NotFound(f"no tag {text!r} in this project",
                           hint="tag ids are whole numbers; reload the review page")  # fmt: skip
        return int(text)

    def changed(tag, status: int = 200) -> JSONResponse:
        (row,) = tag_rows_for(project, [tag])
        row["state"] = review.state_of(row)
        return JSONResponse({"ok": True, "tag": row}, status_code=status)

    def action(work):
        async def endpoint(request: Request) -> Response:
            try:
                body = await body_of(request)
                return await run_in_threadpool(work, request, body)
            except _Refused as refused:
                return error_response(refused.status, refused.message, refused.hint)
            except NotFound as error:
                return error_response(404, error.message, error.hint)
            except BtslogError as error:
                return error_response(400, error.message, error.hint)

        return endpoint

    def circle(request: Request, body: dict) -> Response:
        return changed(review.circle_take(project, tag_id_of(request),
                                          reviewer=body.get("reviewer")))  # fmt: skip

    def reject(request: Request, body: dict) -> Response:
        return changed(review.reject_take(project, tag_id_of(request),
                                          reviewer=body.get("reviewer")))  # fmt: skip

    def decide(accept: bool):
        def work(request: Request, body: dict) -> Response:
            return changed(review.decide_suggestion(project, tag_id_of(request), accept=accept,
                                                    reviewer=body.get("reviewer")))  # fmt: skip

        return work

    def comment(request: Request, body: dict) -> Response:
        for name in ("clip", "at", "text"):
            if not isinstance(body.get(name, ""), str):
                raise _Refused(400, f"{name} must be text", "see the API in btslog.review.app")
        reviewer = review.check_reviewer(body.get("reviewer"))
        clip = body.get("clip", "").strip()
        if not clip:
            raise _Refused(400, "missing the clip to comment on", "open a clip first")
        tag = review.add_comment(project, clip, body.get("at", ""), body.get("text", ""),
                                 reviewer=reviewer)  # fmt: skip
        return changed(tag, 201)

    async def not_found(request: Request, exc) -> Response:
        return error_response(404, f"no page {request.url.path}", "open / for the review page")

    async def not_allowed(request: Request, exc) -> Response:
        return error_response(405, f"{request.method} is not allowed on {request.url.path}",
                              "changes are POSTed to /api/...")  # fmt: skip

    async def internal(request: Request, exc) -> Response:
        return error_response(500, f"internal error: {type(exc).__name__}: {exc}",
                              "this is a bug in btslog; please report it")  # fmt: skip

    routes = [
        Route("/", page),
        Route("/index.html", page),
        Route("/app.js", static("app.js", "text/javascript")),
        Route("/style.css", static("style.css", "text/css")),
        Route("/data.js", data_js),
        Route("/api/data", api_data),
        Route("/media/{clip}/{file}", media),
        Route("/api/tags/{tag_id}/circle", action(circle), methods=["POST"]),
        Route("/api/tags/{tag_id}/reject", action(reject), methods=["POST"]),
        Route("/api/suggestions/{tag_id}/accept", action(decide(True)), methods=["POST"]),
        Route("/api/suggestions/{tag_id}/dismiss", action(decide(False)), methods=["POST"]),
        Route("/api/comments", action(comment), methods=["POST"]),
    ]
    app = Starlette(routes=routes, exception_handlers={404: not_found, 405: not_allowed,
                                                       500: internal})  # fmt: skip
    app.add_middleware(Guard, token=token)
    app.state.project = project
    return app


class _Refused(Exception):
    """A request refused before btslog looks at it (status, message, hint)."""

    def __init__(self, status: int, message: str, hint: str) -> None:
        super().__init__(message)
        self.status, self.message, self.hint = status, message, hint
