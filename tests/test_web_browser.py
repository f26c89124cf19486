"""The web app in real headless Chromium (Debian's /usr/bin/chromium, driven by
Playwright; never a downloaded browser): the whole flow by clicking, screenshots under
tests/artifacts/ (not committed). Skips, saying why, where chromium is missing."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--no-first-run"]
ARTIFACTS = Path(__file__).resolve().parent / "artifacts"

pytestmark = pytest.mark.skipif(not Path(CHROMIUM).exists(),
                                reason="chromium is not installed (make test installs it with apt-get)")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    port = _free_port()
    env = {**os.environ, "RELIEVE_DATABASE_URL": f"sqlite:///{tmp_path_factory.mktemp('b') / 'b.db'}",
           "PYTHONPATH": str(Path(__file__).resolve().parents[1] / "src")}
    proc = subprocess.Popen([sys.executable, "-m", "relieve", "serve", "--port", str(port), "--time-scale", "0.01"],
                            env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    for _ in range(600):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            break
        except OSError:
            time.sleep(0.1)
    yield url
    proc.terminate()
    proc.wait(timeout=10)


@pytest.fixture(scope="module")
def browser():
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield b
        b.close()


def test_the_whole_flow_by_clicking(server, browser):
    ARTIFACTS.mkdir(exist_ok=True)
    page = browser.new_page(viewport={"width": 390, "height": 844})
    page.goto(server + "/")
    page.screenshot(path=str(ARTIFACTS / "01-start.png"), full_page=True)
    page.click("text=Begin with the safety questions")
    page.fill("#f-age", "41")
    page.check("input[name=onset][value=on_waking]")
    page.click("label.scale-btn:has(input[name=pain_now][value='6'])")
    page.check("input[name=history][value=slept_awkwardly]")
    page.click("button:has-text('Continue')")
    page.wait_for_load_state()
    page.screenshot(path=str(ARTIFACTS / "01b-after-safety.png"), full_page=True)
    # body map: click the left neck-shoulder junction on the back view
    spot = page.locator('.spot[data-value="neck_shoulder_junction:left"]')
    spot.click()
    assert spot.get_attribute("aria-checked") == "true"
    assert page.locator('#pain-list input[value="neck_shoulder_junction:left"]').is_checked()
    page.screenshot(path=str(ARTIFACTS / "02-bodymap.png"), full_page=True)
    page.click("button:has-text('Continue to the test movements')")
    page.wait_for_selector("h1")
    page.screenshot(path=str(ARTIFACTS / "03-movement.png"), full_page=True)
    page.click("button:has-text('Skip the rest')")
    page.wait_for_selector("text=The muscles that fit your answers best")
    page.screenshot(path=str(ARTIFACTS / "04-result.png"), full_page=True)
    page.locator("form[action='/plan'] button").first.click()
    page.wait_for_selector("text=Gentle techniques")
    page.click("button:has-text('Start a guided session')")
    page.wait_for_selector("#session")
    page.wait_for_function("() => !document.getElementById('start').disabled")
    page.screenshot(path=str(ARTIFACTS / "05-session-ready.png"), full_page=True)
    page.click("#start")
    page.wait_for_selector("#rate:not([hidden])", timeout=30000)
    page.screenshot(path=str(ARTIFACTS / "06-session-rate.png"), full_page=True)
    page.click("#rate-buttons button[data-pain='3']")
    page.wait_for_selector("#decision:not([hidden]) button")
    page.click("button:has-text('Finish the session')")
    page.wait_for_selector("#decision a[href=\"/history\"]")
    page.click("#decision a[href=\"/history\"]")
    page.wait_for_selector("text=Pain over time")
    assert "completed" in page.content()
    page.screenshot(path=str(ARTIFACTS / "07-history.png"), full_page=True)
