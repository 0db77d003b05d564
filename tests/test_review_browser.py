"""The producer review page, end to end in a real headless browser (issue 9).

Debian's chromium, driven through its chromedriver by Selenium, opens the served app on a
project made from the committed sample shoot: it plays a proxy, seeks with a tag row, adds a
comment at a timecode and circles a take; then the rows in the database and the exported
marker file are checked.  A second test opens the static site that ``btslog review build``
writes.  Without chromium and chromedriver the tests skip on a user's clone and fail in CI
(``.ci/run`` installs them).
"""

from __future__ import annotations

import csv
import os
import socket
import threading
import time
from fractions import Fraction
from pathlib import Path
from urllib.parse import unquote, urlparse

import pytest
from conftest import REPO, run_cli

CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")
SHOOT = REPO / "sample_clips"
REVIEWER = "Pat Producer"
WAIT = 15  # seconds an explicit wait may take before the test fails

pytestmark = [pytest.mark.slow, pytest.mark.timeout(120)]


def require(ready: bool, reason: str) -> None:
    """Skip where the browser is absent (a user's clone), fail in CI, which must run it."""
    if ready:
        return
    if os.environ.get("CI") == "true":
        pytest.fail(f"{reason}, and CI must run every test (.ci/run installs it)")
    pytest.skip(f"{reason} (apt-get install chromium chromium-driver)")


@pytest.fixture(scope="module")
def chromium():
    """Headless chromium; Selenium Manager is never asked to find or download anything."""
    require(CHROMIUM.exists() and CHROMEDRIVER.exists(), f"{CHROMIUM} or {CHROMEDRIVER} is missing")
    try:
        from selenium import webdriver
        from selenium.webdriver.chrome.service import Service
    except ImportError:
        require(False, "selenium is not installed (pip install -e '.[dev]')")
    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for argument in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage",
                     "--autoplay-policy=no-user-gesture-required", "--mute-audio",
                     "--window-size=1280,900"):  # fmt: skip
        options.add_argument(argument)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("SE_OFFLINE", "true")
        driver = webdriver.Chrome(service=Service(str(CHROMEDRIVER)), options=options)
    driver.set_page_load_timeout(WAIT)
    yield driver
    driver.quit()


@pytest.fixture
def browser(chromium):
    """The browser, for one test that must leave no error in the page's console."""
    chromium.get_log("browser")  # forget what earlier tests left
    yield chromium
    errors = [entry["message"] for entry in chromium.get_log("browser")
              if entry["level"] == "SEVERE" and "favicon.ico" not in entry["message"]]  # fmt: skip
    assert not errors, errors


@pytest.fixture(scope="module")
def shoot(tmp_path_factory):
    """A project with the sample shoot's four clips (registered in place, with proxies) and
    the tags of its log sheet."""
    from btslog.ops.clips import add_clips, list_clips
    from btslog.ops.logsheet import import_log
    from btslog.ops.project import init_project
    from btslog.ops.proxies import make_proxies

    project = init_project(tmp_path_factory.mktemp("review") / "proj", name="Review shoot",
                           rate="23.976")  # fmt: skip
    add_clips(project, [SHOOT / "cardA"], camera="A", roll="A001")
    add_clips(project, [SHOOT / "cardB"], camera="B", roll="B001")
    make_proxies(project, list_clips(project))
    clips = list_clips(project)
    assert len(clips) == 4 and all(clip.proxy_path for clip in clips), clips
    import_log(project, SHOOT / "logsheet.csv")
    return project


@pytest.fixture(scope="module")
def served(shoot):
    """The review app on a free local port, served by uvicorn in a background thread."""
    import uvicorn

    from btslog.review.app import create_app

    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind(("127.0.0.1", 0))
    port = listener.getsockname()[1]
    config = uvicorn.Config(create_app(shoot.root), host="127.0.0.1", port=port,
                            log_level="warning")  # fmt: skip
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [listener]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + WAIT
    while not server.started:
        assert thread.is_alive() and time.monotonic() < deadline, "the review app did not start"
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}/"
    server.should_exit = True
    thread.join(WAIT)
    listener.close()


# --- the page --------------------------------------------------------------------------------


def wait_for(driver, condition, message: str):
    from selenium.webdriver.support.wait import WebDriverWait

    return WebDriverWait(driver, WAIT, poll_frequency=0.05).until(
        lambda _: condition(), message=f"{message}; #status says {status_text(driver)!r}"
    )


def status_text(driver) -> str:
    return driver.execute_script(
        "const status = document.getElementById('status'); return status && status.textContent"
    )


def by_css(driver, selector: str):
    from selenium.webdriver.common.by import By

    return driver.find_element(By.CSS_SELECTOR, selector)


def exists(driver, selector: str) -> bool:
    from selenium.webdriver.common.by import By

    return bool(driver.find_elements(By.CSS_SELECTOR, selector))


def tag_rows(driver) -> list:
    from selenium.webdriver.common.by import By

    return driver.find_elements(By.CSS_SELECTOR, 'tr[data-testid^="tag-"]')


def player(driver) -> dict:
    return driver.execute_script(
        "const video = document.getElementById('player');"
        "return {time: video.currentTime, paused: video.paused, seeking: video.seeking,"
        " ready: video.readyState, error: video.error && video.error.code,"
        " source: video.currentSrc};"
    )


def playhead(driver) -> str:
    return by_css(driver, "#playhead-tc").text.strip()


def open_clip(driver, name: str) -> None:
    wait_for(driver, lambda: exists(driver, f'a[data-testid="clip-{name}"]'),
             f"the clip list shows no {name}")  # fmt: skip
    by_css(driver, f'a[data-testid="clip-{name}"]').click()
    wait_for(driver, lambda: name in (player(driver)["source"] or "")
             or player(driver)["ready"] >= 1, f"the player did not load {name}'s proxy")  # fmt: skip
    wait_for(driver, lambda: player(driver)["ready"] >= 2, f"{name}'s proxy never became playable")


def prove_playback(driver) -> None:
    """``play()`` really plays the proxy: time advances, not paused, the timecode follows."""
    start = player(driver)["time"]
    label = playhead(driver)
    driver.execute_script("document.getElementById('player').play()")
    wait_for(driver, lambda: player(driver)["time"] > start + 0.5, "the proxy does not play")
    state = player(driver)
    assert not state["paused"] and state["error"] is None, state
    wait_for(driver, lambda: playhead(driver) != label, "#playhead-tc does not follow playback")
    driver.execute_script("document.getElementById('player').pause()")
    wait_for(driver, lambda: player(driver)["paused"], "the player does not pause")


def seek(driver, seconds: float) -> None:
    driver.execute_script("document.getElementById('player').currentTime = arguments[0]", seconds)
    wait_for(driver, lambda: abs(player(driver)["time"] - seconds) < 1e-3
             and not player(driver)["seeking"], f"the player did not seek to {seconds}")  # fmt: skip


def test_a_producer_plays_comments_and_circles_in_the_browser(browser, served, shoot, tmp_path):
    from selenium.webdriver.common.by import By

    from btslog.ops.clips import resolve_clip
    from btslog.ops.exchange import export_markers
    from btslog.ops.tags import find_tags, history, take_rows
    from btslog.timecode import timecode_formatter

    clip = resolve_clip(shoot, "A001C001")
    frame_seconds = 1 / Fraction(clip.rate)
    label = timecode_formatter(clip.rate, clip.drop_frame)
    take = next(row for row in take_rows(shoot, clip="A001C001")
                if (row["scene"], row["take"]) == ("12", "1"))  # fmt: skip
    assert take["in_tc"] == "14:03:16:23"  # the log sheet's first take, on A001C001
    (take_tag,) = [tag for tag in find_tags(shoot, clip="A001C001") if tag.id == take["id"]]

    browser.get(served)
    assert by_css(browser, "body").get_attribute("data-mode") == "served"

    # The reviewer's name, kept by the page and shown.
    by_css(browser, "#reviewer-name").send_keys(REVIEWER)
    by_css(browser, "#reviewer-save").click()
    wait_for(browser, lambda: REVIEWER in by_css(browser, "#reviewer-current").text,
             "#reviewer-current does not show the saved name")  # fmt: skip

    # Open the clip and play its proxy.
    open_clip(browser, "A001C001")
    assert player(browser)["source"].startswith(served), "the proxy is not the app's"
    prove_playback(browser)

    # A tag row seeks the player to the tag's in point, and the playhead shows its timecode.
    row = by_css(browser, f'tr[data-testid="tag-{take["id"]}"]')
    assert take["in_tc"] in row.text
    row.find_element(By.CSS_SELECTOR, "td").click()  # its in timecode, not a button
    in_seconds = float(take_tag.in_frame * frame_seconds)
    wait_for(browser, lambda: abs(player(browser)["time"] - in_seconds) <= frame_seconds
             and not player(browser)["seeking"], "a tag row did not seek to its in point")  # fmt: skip
    wait_for(browser, lambda: playhead(browser) == take["in_tc"],
             f"#playhead-tc is not the row's in timecode {take['in_tc']}")  # fmt: skip

    # A comment at a known frame: a quarter into frame 200, so rounding and flooring agree.
    comment_frame = 200
    expected_tc = label(clip.synced_start_frame + comment_frame)
    assert expected_tc == "14:03:20:08"
    seek(browser, float((comment_frame + Fraction(1, 4)) * frame_seconds))
    wait_for(browser, lambda: playhead(browser) == expected_tc,
             f"#playhead-tc is not {expected_tc} at frame {comment_frame}")  # fmt: skip
    before = {element.get_attribute("data-testid") for element in tag_rows(browser)}
    by_css(browser, "#comment-text").send_keys("great reaction")
    by_css(browser, "#comment-add").click()
    wait_for(browser, lambda: "saved" in (status_text(browser) or "").lower(),
             "adding the comment was not reported as saved")  # fmt: skip
    wait_for(browser, lambda: len(tag_rows(browser)) > len(before), "no new tag row appeared")
    new_rows = [element for element in tag_rows(browser)
                if element.get_attribute("data-testid") not in before]  # fmt: skip
    assert len(new_rows) == 1 and expected_tc in new_rows[0].text, [r.text for r in new_rows]
    assert "great reaction" in new_rows[0].text
    assert playhead(browser) == expected_tc
    comment_row = new_rows[0].get_attribute("data-testid")  # the table is drawn anew on changes

    # Circle the take.
    by_css(browser, f'button[data-testid="circle-{take["id"]}"]').click()
    wait_for(browser, lambda: by_css(browser, f'[data-testid="state-{take["id"]}"]').text.strip()
             .lower() == "circled", "the take's state does not show circled")  # fmt: skip

    # The database holds both, by the reviewer.
    comments = [tag for tag in find_tags(shoot, clip="A001C001") if tag.note == "great reaction"]
    assert len(comments) == 1, comments
    comment = comments[0]
    assert comment.author == REVIEWER and comment.kind == "comment", comment
    assert (comment.in_frame, comment.status) == (comment_frame, "accepted"), comment
    assert f"tag-{comment.id}" == comment_row
    circled = {row["id"]: row for row in take_rows(shoot, clip="A001C001")}
    assert circled[take["id"]]["mark"] == "circled"
    changes = [entry for entry in history(shoot, entity="tag") if entry["entity_id"] == take["id"]]
    assert changes[0]["author"] == REVIEWER and changes[0]["after"]["circled"], changes[0]
    added = [entry for entry in history(shoot, entity="tag") if entry["entity_id"] == comment.id]
    assert added and added[-1]["author"] == REVIEWER, added

    # The exported markers carry the comment at its timecode and the circled take.
    (written,) = export_markers(shoot, "csv", tmp_path / "markers.csv")
    with written.open(newline="", encoding="utf-8") as handle:
        markers = [row for row in csv.DictReader(handle) if row["clip"] == "A001C001"]
    (exported_comment,) = [row for row in markers if row["note"] == "great reaction"]
    assert exported_comment["in_tc"] == expected_tc, exported_comment
    assert exported_comment["in_frame"] == str(comment_frame), exported_comment
    (exported_take,) = [row for row in markers if (row["kind"], row["scene"], row["take"])
                        == ("take", "12", "1")]  # fmt: skip
    assert exported_take["circled"] == "true" and exported_take["in_tc"] == take["in_tc"]


def test_the_static_site_plays_proxies_and_offers_no_actions(browser, shoot, tmp_path):
    site = tmp_path / "site"
    run_cli("--project", str(shoot.root), "review", "build", "-o", str(site), check=0)
    index = site / "index.html"
    assert index.is_file()
    copied = list(site.rglob("*.mp4"))
    assert copied, "the static site holds no proxies"
    assert not any(path.is_symlink() for path in copied)

    browser.get(index.as_uri())
    assert by_css(browser, "body").get_attribute("data-mode") == "static"
    for name in ("A001C001", "A001C002"):
        assert exists(browser, f'a[data-testid="clip-{name}"]'), name
    open_clip(browser, "A001C001")
    source = urlparse(player(browser)["source"])
    assert source.scheme == "file", source
    assert Path(unquote(source.path)).resolve().is_relative_to(site.resolve()), source
    prove_playback(browser)
    assert tag_rows(browser), "the static site shows no tags"

    # Nothing on the static page can change the project.
    from selenium.webdriver.common.by import By

    actions = browser.find_elements(
        By.CSS_SELECTOR,
        '#comment-add, [data-testid^="circle-"], [data-testid^="reject-"], '
        '[data-testid^="accept-"], [data-testid^="dismiss-"]',
    )
    usable = [element.get_attribute("id") or element.get_attribute("data-testid")
              for element in actions if element.is_displayed() and element.is_enabled()]  # fmt: skip
    assert not usable, f"the static site offers actions: {usable}"


def test_filters_show_only_the_matching_tags(browser, shoot, tmp_path):
    from selenium.webdriver.support.select import Select

    from btslog.ops.tags import find_tags

    site = tmp_path / "site"
    run_cli("--project", str(shoot.root), "review", "build", "-o", str(site), check=0)
    browser.get((site / "index.html").as_uri())
    open_clip(browser, "A001C001")

    def shown() -> set[int]:
        return {int(row.get_attribute("data-testid").removeprefix("tag-"))
                for row in tag_rows(browser) if row.is_displayed()}  # fmt: skip

    everything = {tag.id for tag in find_tags(shoot, clip="A001C001")}
    assert shown() == everything
    checks = [
        ("filter-kind", "conversation", find_tags(shoot, clip="A001C001", kinds=["conversation"])),
        ("filter-person", "Grace", find_tags(shoot, clip="A001C001", person="Grace")),
    ]
    for select_id, value, expected in checks:
        assert expected, f"the sample shoot has no {value} tags on A001C001"
        Select(by_css(browser, f"#{select_id}")).select_by_value(value)
        wait_for(browser, lambda expected=expected: shown() == {tag.id for tag in expected},
                 f"{select_id}={value} does not show exactly its tags")  # fmt: skip
        Select(by_css(browser, f"#{select_id}")).select_by_value("")
        wait_for(browser, lambda: shown() == everything, "clearing the filter shows all")
