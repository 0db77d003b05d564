"""Producer review: the static copy, the served app's API against a real project database,
its errors, tokens, and reviewers writing at the same time as an editor's command line."""

from __future__ import annotations

import json
import os
import re
import shutil
import socket
import subprocess
import sys
import threading
import time
from fractions import Fraction
from pathlib import Path

import pytest
from conftest import REPO, run_cli

from btslog.analyze.model import Suggestion
from btslog.ops.analyze import refresh_suggestions
from btslog.ops.clips import add_clips, resolve_clip
from btslog.ops.tags import TagSpec, add_tag, find_tags, history

starlette_testclient = pytest.importorskip("starlette.testclient")
TestClient = starlette_testclient.TestClient
LOCAL = "http://127.0.0.1:8765"


@pytest.fixture
def shoot(project, media):
    """Camera A (23.976 NDF from 14:03:12:00, 48 frames, with a proxy and a poster) and camera
    B (29.97 DF from 14:03:20;02, 60 frames, no proxy); a take, a flub and a suggestion."""
    from btslog.ops.proxies import make_proxies

    add_clips(project, [media["a2398"]], camera="A", day="2026-11-20")
    add_clips(project, [media["b2997df"]], camera="B", day="2026-11-20")
    (made,) = make_proxies(project, [resolve_clip(project, "A001C001")], workers=1)
    assert made.status == "added", made
    project.take = add_tag(project, TagSpec(clip="A001C001", in_text="+10f", out_text="+30f",
                                            kind="take", scene="12", take="3", rating=4))  # fmt: skip
    project.flub = add_tag(project, TagSpec(clip="B001_0001", in_text="+8f", out_text="+20f",
                                            kind="flub", note="dropped the slate",
                                            people=("Grace",)))  # fmt: skip
    b1 = resolve_clip(project, "B001_0001")
    refresh_suggestions(project, b1, "shots", [Suggestion("shots", "setup", 30, 31,
                                                          "shot change", 0.8)])  # fmt: skip
    (project.suggestion,) = [tag for tag in find_tags(project) if tag.status == "suggested"]
    return project


def client(project, token=None, base_url=LOCAL):
    from btslog.review.app import create_app

    return TestClient(create_app(project.root, token=token), base_url=base_url)


def counts(project) -> tuple[int, int]:
    """(tags including removed ones, audit entries): what any change would add to."""
    return len(find_tags(project, include_deleted=True)), len(history(project, limit=10_000))


def data_of(script: str) -> dict:
    prefix = "window.BTSLOG_DATA = "
    assert script.startswith(prefix) and script.rstrip().endswith(";")
    return json.loads(script[len(prefix) :].rstrip().rstrip(";"))


# --- the data and the static copy -------------------------------------------------------------


def test_the_data_shows_clips_by_day_and_camera_with_time_of_day_and_states(shoot):
    from btslog.ops.review import review_data

    data = review_data(shoot)
    assert data["days"] == [{"day": "2026-11-20", "cameras": [
        {"camera": "A", "clips": ["A001C001"]}, {"camera": "B", "clips": ["B001_0001"]}]}]  # fmt: skip
    a1, b1 = data["clips"]["A001C001"], data["clips"]["B001_0001"]
    assert (a1["start_tc"], a1["rate_num"], a1["rate_den"], a1["nominal_fps"],
            a1["drop_frame"]) == ("14:03:12:00", 24000, 1001, 24, False)  # fmt: skip
    assert (b1["start_tc"], b1["nominal_fps"], b1["drop_frame"]) == ("14:03:20;02", 30, True)
    assert a1["proxy"] == "media/A001C001/A001C001.mp4"
    assert a1["poster"] == "media/A001C001/A001C001.poster.png"
    assert b1["proxy"] is None and b1["poster"] is None
    rows = {row["id"]: row for row in data["tags"]}
    assert rows[shoot.take.id]["in_tc"] == "14:03:12:10" and rows[shoot.take.id]["in_frame"] == 10
    assert rows[shoot.take.id]["state"] == "accepted"
    assert rows[shoot.flub.id]["in_tc"] == "14:03:20;10"
    assert rows[shoot.suggestion.id]["state"] == "suggested"
    assert rows[shoot.suggestion.id]["analyzer"] == "shots"
    assert "comment" in data["kinds"] and data["people"] == ["Grace"]


def test_the_static_copy_works_from_disk_and_is_read_only(shoot, tmp_path):
    from btslog.review.site import build_site

    out = tmp_path / "review"
    report = build_site(shoot, out)
    assert (report.clips, report.media_files, report.without_proxy) == (2, 2, ["B001_0001"])
    page = (out / "index.html").read_text()
    assert '<body data-mode="static">' in page
    assert "read-only copy: run btslog review serve to write" in page
    assert '<script src="data.js">' in page and "fetch(" not in page
    for testid in ('id="reviewer-name"', 'id="reviewer-save"', 'id="reviewer-current"',
                   'id="player"', 'id="playhead-tc"', 'id="comment-text"', 'id="comment-add"',
                   'id="filter-kind"', 'id="filter-person"', 'id="filter-rating"',
                   'id="filter-status"', 'id="status"'):  # fmt: skip
        assert testid in page
    data = data_of((out / "data.js").read_text())
    assert data["mode"] == "static" and len(data["tags"]) == 3
    proxy = out / data["clips"]["A001C001"]["proxy"]
    source = shoot.absolute(resolve_clip(shoot, "A001C001").proxy_path)
    assert proxy.read_bytes() == source.read_bytes()
    assert proxy.stat().st_ino == source.stat().st_ino  # hard-linked, not copied
    assert (out / "app.js").read_text().count("data-testid") >= 1

    # a second build replaces the first; a folder of other files is never overwritten
    add_tag(shoot, TagSpec(clip="A001C001", in_text="+1f", kind="highlight", note="</script>"))
    build_site(shoot, out)
    script = (out / "data.js").read_text()
    assert len(data_of(script)["tags"]) == 4 and "</script>" not in script
    other = tmp_path / "other"
    other.mkdir()
    (other / "keep.txt").write_text("mine")
    from btslog.errors import InvalidInput

    with pytest.raises(InvalidInput, match="not an earlier review build"):
        build_site(shoot, other)
    assert [path.name for path in other.iterdir()] == ["keep.txt"]
    assert not [path for path in tmp_path.iterdir() if path.name.startswith(".")]


TIMECODE_CASES = [  # (rate, drop-frame, frame counts)
    (Fraction(24000, 1001), False, [0, 1, 23, 24, 1439, 1440, 86399, 24 * 86400 - 1, 24 * 86400]),
    (Fraction(25), False, [0, 24, 25, 90000, 25 * 86400 + 3]),
    (Fraction(30000, 1001), True, [0, 1, 29, 30, 1799, 1800, 1801, 3597, 3598, 17981, 17982,
                                   17983, 107892, 2589407, 2589408, -1]),
    (Fraction(60000, 1001), True, [0, 59, 3595, 3596, 3599, 35963, 35964, 5178815, 5178816]),
    (Fraction(30), False, [0, 29, 30, 1800, 2591999]),
    (Fraction(120), False, [0, 119, 120, 431999]),
]  # fmt: skip


def test_the_page_labels_frames_like_btslog_timecode():
    """The playhead label math of app.js against btslog.timecode (with node, where there is
    one; the browser test checks it in a real browser)."""
    from btslog.timecode import nominal_fps, timecode_formatter

    node = shutil.which("node")
    if node is None:
        pytest.skip("no node here to run the page's script; the browser test checks it")
    script = (REPO / "btslog" / "review" / "static" / "app.js").read_text()
    source = re.search(r"function formatTimecode\(.*?\n  }\n\n  function pad\(.*?\n  }\n",
                       script, re.DOTALL).group(0)  # fmt: skip
    cases, expected = [], []
    for rate, drop_frame, frames in TIMECODE_CASES:
        label = timecode_formatter(rate, drop_frame)
        for frame in frames:
            cases.append([frame, nominal_fps(rate), drop_frame])
            expected.append(label(frame))
    program = (source + f"\nconst cases = {json.dumps(cases)};\n"
               "console.log(JSON.stringify(cases.map(c => formatTimecode(c[0], c[1], c[2]))));")  # fmt: skip
    result = subprocess.run(
        [node, "-e", program], check=False, capture_output=True, text=True, timeout=30
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == expected


# --- the served app --------------------------------------------------------------------------


def test_the_served_page_and_its_files(shoot):
    with client(shoot) as http:
        page = http.get("/")
        assert page.status_code == 200 and '<body data-mode="served">' in page.text
        assert http.get("/app.js").text.startswith("/* btslog review page")
        assert http.get("/style.css").status_code == 200
        data = data_of(http.get("/data.js").text)
        assert data["mode"] == "served" and data == {**http.get("/api/data").json(),
                                                      "generated_at": data["generated_at"]}  # fmt: skip
        proxy = http.get("/" + data["clips"]["A001C001"]["proxy"], headers={"Range": "bytes=0-99"})
        assert proxy.status_code == 206 and len(proxy.content) == 100
        assert http.get("/" + data["clips"]["A001C001"]["poster"]).status_code == 200
        missing = http.get("/media/A001C001/btslog.db")
        assert missing.status_code == 404 and missing.json()["hint"]
        assert http.get("/media/..%2Fbtslog.db/x").status_code == 404
        assert http.get("/nothing").json()["error"] == "no page /nothing"


def test_a_reviewer_circles_rejects_decides_and_comments_under_their_name(shoot, tmp_path):
    take, suggestion = shoot.take.id, shoot.suggestion.id
    second = add_tag(shoot, TagSpec(clip="A001C001", in_text="+30f", out_text="+40f",
                                    kind="take", scene="12", take="4", circled=True)).id  # fmt: skip
    with client(shoot) as http:
        answer = http.post(f"/api/tags/{take}/circle", json={"reviewer": "  Pat   Producer "})
        assert answer.status_code == 200, answer.text
        assert answer.json()["tag"]["state"] == "circled"
        answer = http.post(f"/api/tags/{second}/reject", json={"reviewer": "Pat Producer"})
        assert answer.json()["tag"]["state"] == "NG"
        answer = http.post(f"/api/suggestions/{suggestion}/accept", json={"reviewer": "Sam"})
        assert answer.json()["tag"]["state"] == "accepted"
        answer = http.post("/api/comments", json={
            "reviewer": "Sam", "clip": "B001_0001", "at": "+15f",
            "text": "love this\nmoment"})  # fmt: skip
        assert answer.status_code == 201, answer.text
        comment = answer.json()["tag"]
        assert (comment["kind"], comment["in_tc"], comment["out_frame"], comment["note"],
                comment["author"]) == ("comment", "14:03:20;17", 16, "love this moment", "Sam")  # fmt: skip
        answer = http.post("/api/comments", json={"reviewer": "Sam", "clip": "A001C001",
                                                  "at": "14:03:13:05", "text": "by time"})  # fmt: skip
        assert answer.json()["tag"]["in_frame"] == 29
        rows = {row["id"]: row for row in http.get("/api/data").json()["tags"]}
    assert rows[take]["state"] == "circled" and rows[second]["state"] == "NG"
    authors = {}  # tag id -> the author of its latest change
    for entry in history(shoot):  # newest first
        authors.setdefault(entry["entity_id"], entry["author"])
    assert authors[take] == authors[second] == "Pat Producer"
    assert authors[suggestion] == authors[comment["id"]] == "Sam"
    # the editor sees it all on the command line, and the comment exports as a marker
    env = {"BTSLOG_PROJECT": str(shoot.root)}
    takes = run_cli("takes", "--format", "json", env=env, check=0)
    marks = {row["id"]: row["mark"] for row in json.loads(takes.stdout)}
    assert marks[take] == "circled" and marks[second] == "NG"
    tags = run_cli("tags", "--kind", "comment", "--format", "json", env=env, check=0)
    assert [row["note"] for row in json.loads(tags.stdout)] == ["by time", "love this moment"]
    run_cli("export", "markers", "--format", "csv", "--all", "-o", str(tmp_path / "m.csv"),
            env=env, check=0)  # fmt: skip
    exported = (tmp_path / "m.csv").read_text()
    assert "love this moment" in exported and "comment" in exported


def test_comments_have_a_marker_colour_of_their_own(project):
    from btslog.presets import load_toml

    assert load_toml("markers.toml")["markers"]["comment"]["resolve"].startswith("ResolveColor")


BAD_REQUESTS = [
    # (what, method path, body, status, words in the error)
    ("unknown clip", "/api/comments", {"reviewer": "Sam", "clip": "Z999", "at": "+1f",
                                       "text": "hi"}, 404, "no clip 'Z999'"),
    ("outside the clip", "/api/comments", {"reviewer": "Sam", "clip": "A001C001",
                                           "at": "15:00:00:00", "text": "hi"}, 400, "outside clip"),
    ("past the end", "/api/comments", {"reviewer": "Sam", "clip": "A001C001", "at": "+48f",
                                       "text": "hi"}, 400, "outside clip"),
    ("not a timecode", "/api/comments", {"reviewer": "Sam", "clip": "A001C001", "at": "soon",
                                         "text": "hi"}, 400, "soon"),
    ("oversized comment", "/api/comments", {"reviewer": "Sam", "clip": "A001C001", "at": "+1f",
                                            "text": "x" * 2001}, 400, "at most 2000"),
    ("empty comment", "/api/comments", {"reviewer": "Sam", "clip": "A001C001", "at": "+1f",
                                        "text": "  \n "}, 400, "empty"),
    ("no reviewer", "/api/comments", {"clip": "A001C001", "at": "+1f", "text": "hi"}, 400,
     "missing reviewer name"),
    ("blank reviewer", "/api/tags/TAKE/circle", {"reviewer": "   "}, 400, "missing reviewer name"),
    ("unknown tag", "/api/tags/99999/circle", {"reviewer": "Sam"}, 404, "no tag 99999"),
    ("not a number", "/api/tags/abc/reject", {"reviewer": "Sam"}, 404, "no tag 'abc'"),
    ("not a take", "/api/tags/FLUB/circle", {"reviewer": "Sam"}, 400, "not a take"),
    ("a suggested take", "/api/tags/SUGGESTION/circle", {"reviewer": "Sam"}, 400, "not a take"),
    ("not a suggestion", "/api/suggestions/TAKE/accept", {"reviewer": "Sam"}, 400,
     "not a suggestion"),
    ("unknown suggestion", "/api/suggestions/424242/dismiss", {"reviewer": "Sam"}, 404,
     "no tag 424242"),
    ("text not a string", "/api/comments", {"reviewer": "Sam", "clip": "A001C001", "at": "+1f",
                                            "text": ["hi"]}, 400, "text must be text"),
]  # fmt: skip


@pytest.mark.parametrize("what, path, body, status, words", BAD_REQUESTS,
                         ids=[case[0] for case in BAD_REQUESTS])  # fmt: skip
def test_bad_requests_get_a_clear_error_and_change_nothing(shoot, what, path, body, status,
                                                           words):  # fmt: skip
    path = (path.replace("TAKE", str(shoot.take.id)).replace("FLUB", str(shoot.flub.id))
            .replace("SUGGESTION", str(shoot.suggestion.id)))  # fmt: skip
    before = counts(shoot)
    with client(shoot) as http:
        answer = http.post(path, json=body)
    assert answer.status_code == status, answer.text
    error = answer.json()
    assert words in error["error"] and set(error) == {"error", "hint"} and error["hint"]
    assert counts(shoot) == before


def test_requests_that_are_not_json_too_big_or_from_another_site_are_refused(shoot):
    before = counts(shoot)
    with client(shoot) as http:
        form = http.post("/api/comments", data={"reviewer": "Sam", "text": "hi"})
        assert form.status_code == 415 and "JSON" in form.json()["error"]
        big = http.post("/api/comments", content=b'{"text": "' + b"x" * 70_000 + b'"}',
                        headers={"Content-Type": "application/json"})  # fmt: skip
        assert big.status_code == 413 and big.json()["hint"]
        broken = http.post("/api/comments", content=b"{nope",
                           headers={"Content-Type": "application/json"})  # fmt: skip
        assert broken.status_code == 400 and "not valid JSON" in broken.json()["error"]
        other_site = http.post(f"/api/tags/{shoot.take.id}/circle", json={"reviewer": "Sam"},
                               headers={"Origin": "https://evil.example"})  # fmt: skip
        assert other_site.status_code == 403 and "another site" in other_site.json()["error"]
        same_site = http.post(f"/api/tags/{shoot.take.id}/circle", json={"reviewer": "Sam"},
                              headers={"Origin": LOCAL})  # fmt: skip
        assert same_site.status_code == 200
        assert http.get(f"/api/tags/{shoot.take.id}/circle").status_code == 405
    with client(shoot, base_url="http://attacker.example") as http:  # DNS rebinding
        answer = http.get("/api/data")
        assert answer.status_code == 403 and "only on this machine" in answer.json()["error"]
    assert counts(shoot)[0] == before[0]


def test_off_loopback_every_request_needs_the_token(shoot):
    token = "s3cret-token"
    before = counts(shoot)
    with client(shoot, token=token, base_url="http://192.168.1.20:8765") as http:
        for path in ("/", "/api/data", "/data.js", "/app.js"):
            answer = http.get(path)
            assert answer.status_code == 403, path
            assert answer.json()["error"] == "missing review token" and answer.json()["hint"]
        wrong = http.post("/api/comments?token=nope", json={
            "reviewer": "Sam", "clip": "A001C001", "at": "+1f", "text": "hi"})  # fmt: skip
        assert wrong.status_code == 403 and wrong.json()["error"] == "wrong review token"
        assert counts(shoot) == before
        page = http.get(f"/?token={token}")  # once in the address, then a cookie
        assert page.status_code == 200 and "btslog_review_token" in page.headers["set-cookie"]
        assert "HttpOnly" in page.headers["set-cookie"]
        assert http.get("/api/data").status_code == 200
        http.cookies.clear()
        assert http.get("/api/data").status_code == 403
        answer = http.post("/api/comments", headers={"X-Btslog-Token": token}, json={
            "reviewer": "Sam", "clip": "A001C001", "at": "+1f", "text": "hi"})  # fmt: skip
        assert answer.status_code == 201


# --- at the same time ------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_two_reviewers_and_the_editors_command_line_at_once_lose_nothing(shoot):
    import httpx
    import uvicorn

    from btslog.review.app import create_app

    port = free_port()
    server = uvicorn.Server(uvicorn.Config(create_app(shoot.root), host="127.0.0.1", port=port,
                                           log_level="warning"))  # fmt: skip
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    try:
        for _ in range(200):
            if server.started:
                break
            time.sleep(0.05)
        assert server.started
        edits = 6
        failures: list[str] = []
        posted: dict[str, int] = {}
        editor = subprocess.Popen(
            [sys.executable, "-c",
             ("from btslog.cli import main\n"
             f"for n in range({edits}):\n"
             "    try:\n"
             "        main(['tag', 'B001_0001', f'+{n}f', '--kind', 'highlight',"
             " '--note', f'editor {n}'])\n"
             "    except SystemExit as exit_:\n"
             "        assert not exit_.code, exit_.code\n")],
            env={**os.environ, "BTSLOG_PROJECT": str(shoot.root), "BTSLOG_USER": "editor"},
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        )  # fmt: skip

        def reviewer(name: str) -> None:
            """Comment, circle and reject until the editor is done (and 10 times at least)."""
            number = 0
            with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=60) as http:
                while (number < 10 or editor.poll() is None) and number < 400:
                    answer = http.post("/api/comments", json={
                        "reviewer": name, "clip": "A001C001", "at": f"+{number % 48}f",
                        "text": f"{name} {number}"})  # fmt: skip
                    if answer.status_code != 201:
                        failures.append(answer.text)
                    answer = http.post(f"/api/tags/{shoot.take.id}/"
                                       + ("circle" if number % 2 else "reject"),
                                       json={"reviewer": name})  # fmt: skip
                    if answer.status_code != 200:
                        failures.append(answer.text)
                    number += 1
            posted[name] = number

        reviewers = [threading.Thread(target=reviewer, args=(name,)) for name in ("Pat", "Sam")]
        for worker in reviewers:
            worker.start()
        _, err = editor.communicate(timeout=120)
        for worker in reviewers:
            worker.join(timeout=120)
        assert editor.returncode == 0, err
        assert not failures, failures[:3]
    finally:
        server.should_exit = True
        thread.join(timeout=10)
    comments = find_tags(shoot, kinds=["comment"])
    assert sorted(tag.note for tag in comments) == sorted(
        f"{name} {number}" for name, count in posted.items() for number in range(count)
    )
    assert {tag.author for tag in comments} == {"Pat", "Sam"}
    highlights = find_tags(shoot, kinds=["highlight"])
    assert sorted(tag.note for tag in highlights) == [f"editor {n}" for n in range(edits)]
    assert {tag.author for tag in highlights} == {"editor"}
    (take,) = find_tags(shoot, kinds=["take"])
    assert take.circled != take.ng and take.author == "tester"


# --- the command line ------------------------------------------------------------------------


def test_review_build_on_the_command_line(shoot, tmp_path):
    env = {"BTSLOG_PROJECT": str(shoot.root)}
    result = run_cli("review", "build", "-o", str(tmp_path / "site"), env=env, check=0)
    assert "index.html" in result.stdout and "B001_0001" in result.stderr
    assert (tmp_path / "site" / "media" / "A001C001" / "A001C001.mp4").is_file()
    (tmp_path / "taken").mkdir()
    (tmp_path / "taken" / "x").write_text("x")
    refused = run_cli("review", "build", "-o", str(tmp_path / "taken"), env=env, check=1)
    assert "not an earlier review build" in refused.stderr and "hint:" in refused.stderr


def test_review_serve_on_a_busy_port_says_so(shoot):
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = str(busy.getsockname()[1])
        result = run_cli("--project", str(shoot.root), "review", "serve", "--port", port, check=1)
    assert f"cannot listen on 127.0.0.1 port {port}" in result.stderr
    assert "--port" in result.stderr


def test_review_serve_off_loopback_prints_a_token_and_requires_it(shoot):
    import httpx

    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "btslog", "--project", str(shoot.root), "review", "serve",
         "--host", "0.0.0.0", "--port", str(port)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        first = process.stdout.readline()
        match = re.search(r"http://0\.0\.0\.0:\d+/\?token=(\S+)", first)
        assert match, first + process.stderr.read() if process.poll() is not None else first
        token = match.group(1)
        base = f"http://127.0.0.1:{port}"
        for _ in range(100):
            try:
                refused = httpx.get(f"{base}/api/data", timeout=5)
                break
            except httpx.ConnectError:
                time.sleep(0.1)
        assert refused.status_code == 403
        assert httpx.get(f"{base}/api/data?token={token}", timeout=5).status_code == 200
    finally:
        process.terminate()
        process.wait(timeout=10)


def test_review_data_is_json_clean(shoot):
    from btslog.ops.review import review_data

    data = review_data(shoot)
    assert json.loads(json.dumps(data)) == data


def test_the_pages_ship_in_the_package():
    from btslog.review.site import asset

    for name in ("index.html", "app.js", "style.css"):
        assert asset(name)
    assert Path(REPO / "btslog" / "review" / "static" / "index.html").is_file()
