"""The web app in real headless Chromium (Debian's /usr/bin/chromium, driven by
Playwright; never a downloaded browser): the whole flow by clicking and by keyboard
alone (with a visible focus indicator at every stop), the referral page, the weight of
every page with its assets, and axe-core's WCAG 2.x A/AA rules on every page.
Screenshots go under tests/artifacts/ (not committed). Skips, saying why, where
chromium is missing; the axe-core check skips, saying why, where it is not installed
(make axe puts it in build/npm)."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path

import pytest

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--no-first-run"]
ROOT = Path(__file__).resolve().parents[1]
ARTIFACTS = Path(__file__).resolve().parent / "artifacts"
AXE = ROOT / "build" / "npm" / "node_modules" / "axe-core" / "axe.min.js"
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
PAGE_LIMIT = 300 * 1024
PHONE = {"width": 390, "height": 844}
# Bounded waits only: a busy shared machine may be slow, never wrong.
WAIT_MS = 120_000

pytestmark = pytest.mark.skipif(not Path(CHROMIUM).exists(),
                                reason="chromium is not installed (make test installs it with apt-get)")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def _serving(db_dir: Path, time_scale: float):
    port = _free_port()
    env = {**os.environ, "RELIEVE_DATABASE_URL": f"sqlite:///{db_dir / 'b.db'}", "PYTHONPATH": str(ROOT / "src")}
    proc = subprocess.Popen([sys.executable, "-m", "relieve", "serve", "--port", str(port),
                             "--time-scale", str(time_scale)],
                            env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        for _ in range(1200):
            if proc.poll() is not None:
                pytest.fail(f"relieve serve exited ({proc.returncode}): {proc.stdout.read().decode()[-2000:]}")
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                time.sleep(0.1)
        else:
            pytest.fail("relieve serve did not listen within the bounded wait")
        yield f"http://127.0.0.1:{port}"
    finally:
        proc.terminate()
        proc.wait(timeout=30)


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """Timers at 1/100: a session's phases run out on their own within seconds."""
    with _serving(tmp_path_factory.mktemp("b"), 0.01) as url:
        yield url


@pytest.fixture(scope="module")
def paced_server(tmp_path_factory):
    """Timers at 1/2 (a get-ready phase of 15 s): long enough to pause, resume and skip
    by keyboard before a phase runs out, short enough to let one run out if a test waits."""
    with _serving(tmp_path_factory.mktemp("p"), 0.5) as url:
        yield url


@pytest.fixture(scope="module")
def browser():
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield b
        b.close()


def _click_to_a_session(page, base: str, shot) -> None:
    """From the start page to a guided session by clicking (pain 6 at the start), with
    ``shot(name)`` called at each page."""
    page.goto(base + "/")
    shot("01-start")
    page.click("text=Begin with the safety questions")
    page.fill("#f-age", "41")
    page.check("input[name=onset][value=on_waking]")
    page.click("label.scale-btn:has(input[name=pain_now][value='6'])")
    page.check("input[name=history][value=slept_awkwardly]")
    page.click("button:has-text('Continue')")
    page.wait_for_load_state()
    shot("01b-after-safety")
    # body map: click the left neck-shoulder junction on the back view
    spot = page.locator('.spot[data-value="neck_shoulder_junction:left"]')
    spot.click()
    assert spot.get_attribute("aria-checked") == "true"
    assert page.locator('#pain-list input[value="neck_shoulder_junction:left"]').is_checked()
    shot("02-bodymap")
    page.click("button:has-text('Continue to the test movements')")
    page.wait_for_selector("h1")
    shot("03-movement")
    page.click("button:has-text('Skip the rest')")
    page.wait_for_selector("text=The muscles that fit your answers best")
    shot("04-result")
    page.locator("form[action='/plan'] button").first.click()
    page.wait_for_selector("text=Gentle techniques")
    page.click("button:has-text('Start a guided session')")
    page.wait_for_selector("#session")
    page.wait_for_function("() => !document.getElementById('start').disabled")
    shot("05-session-ready")


def test_the_whole_flow_by_clicking(server, browser):
    ARTIFACTS.mkdir(exist_ok=True)
    page = browser.new_page(viewport=PHONE)
    page.set_default_timeout(WAIT_MS)
    def shot(name: str) -> None:
        # pictures are drawn on their first request: the screenshot waits for those the
        # page loads at once (a lazy one below the fold is fetched when scrolled to)
        _poll(page, "[...document.images].filter(i => i.loading !== 'lazy').every(i => i.complete && i.naturalWidth > 0)",
              f"{name}: pictures loaded")
        page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)

    _click_to_a_session(page, server, shot)
    page.click("#start")
    page.wait_for_selector("#rate:not([hidden])")
    page.screenshot(path=str(ARTIFACTS / "06-session-rate.png"), full_page=True)
    page.click("#rate-buttons button[data-pain='3']")
    page.wait_for_selector("#decision:not([hidden]) button")
    page.click("button:has-text('Finish the session')")
    page.wait_for_selector("#decision a[href=\"/history\"]")
    page.click("#decision a[href=\"/history\"]")
    page.wait_for_selector("text=Pain over time")
    assert "completed" in page.content()
    page.screenshot(path=str(ARTIFACTS / "07-history.png"), full_page=True)


def test_no_relief_goes_on_with_the_next_muscle_in_the_same_session(server, browser):
    """Every technique of the first muscle done without relief (pain stays 6): the page
    offers the next likely muscle, and going on with it draws the session for that muscle
    (stored with the session: the page is reloaded from the server)."""
    page = browser.new_page(viewport=PHONE)
    page.set_default_timeout(WAIT_MS)
    _click_to_a_session(page, server, lambda name: None)
    first = page.locator("h1").inner_text()
    session_url = page.url
    offer = page.locator("#decision button", has_text="Go on with the ")
    for _ in range(5):  # at most four techniques per muscle
        page.click("#start")
        page.wait_for_selector("#rate:not([hidden])")
        page.click("#rate-buttons button[data-pain='6']")
        page.wait_for_selector("#decision:not([hidden]) button")
        if offer.count():
            break
        page.locator("#decision button", has_text="Go on with").first.click()
        page.wait_for_function("() => !document.getElementById('start').disabled")
    assert offer.count() == 1, page.locator("#decision").inner_text()
    name = offer.inner_text().removeprefix("Go on with the ")
    assert offer.evaluate("el => el === document.activeElement")
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "08-next-muscle-offered.png"), full_page=True)
    offer.click()
    page.wait_for_function("() => !document.getElementById('start').disabled")
    heading = page.locator("h1").inner_text()
    assert page.url == session_url and heading != first
    side, muscle = name.split(" ", 1)
    assert muscle in heading and side in heading
    page.click("#start")
    page.wait_for_selector("#rate:not([hidden])")
    page.click("#rate-buttons button[data-pain='4']")
    page.wait_for_selector("#decision:not([hidden]) button")
    page.click("button:has-text('Finish the session')")
    page.wait_for_selector("#decision a[href=\"/history\"]")
    page.screenshot(path=str(ARTIFACTS / "09-next-muscle-finished.png"), full_page=True)


# --------------------------------------------------------------------------- keyboard alone

# What the focused element looks like: its own outline or box shadow, or, for the 0-10
# scales whose radio is transparent over its number, the number drawn after it.
FOCUS_JS = """() => {
  const el = document.activeElement;
  if (!el || el === document.body || el === document.documentElement) return null;
  let shown = el;
  if (getComputedStyle(el).opacity === '0' && el.nextElementSibling) shown = el.nextElementSibling;
  const s = getComputedStyle(shown);
  const outline = s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) >= 2;
  const shadow = s.boxShadow !== 'none';
  const r = shown.getBoundingClientRect();
  const name = el.getAttribute('aria-label') || (el.labels && el.labels[0] && el.labels[0].textContent)
               || el.textContent || '';
  return {where: [Math.round(r.left), Math.round(r.top), Math.round(r.width), Math.round(r.height),
                  innerWidth, innerHeight, Math.round(scrollY)],
          what: el.tagName.toLowerCase() + (el.id ? '#' + el.id : '')
                + (el.name ? '[name=' + el.name + '][value=' + el.value + ']' : '')
                + ' "' + name.trim().replace(/\\s+/g, ' ').slice(0, 50) + '"',
          indicator: outline || shadow,
          on_screen: r.width > 0 && r.height > 0 && r.bottom > 0 && r.top < innerHeight
                     && r.right > 0 && r.left < innerWidth};
}"""


def _focus(page) -> dict:
    """The focused element, which must show a visible focus indicator, on screen."""
    info = page.evaluate(FOCUS_JS)
    assert info is not None, "focus was lost (nothing focused)"
    assert info["indicator"], f"no visible focus indicator (outline or box-shadow) on {info['what']}"
    assert info["on_screen"], f"the focused {info['what']} is not on the screen: {info['where']}"
    return info


def _press(page, key: str) -> dict:
    page.keyboard.press(key)
    return _focus(page)


def _is(page, test: str) -> bool:
    return page.evaluate(f"() => {{ const el = document.activeElement; return !!el && !!({test}); }}")


def _tab_to(page, test: str, back: bool = False, limit: int = 400) -> dict:
    """Tab (or Shift+Tab) until the focused element passes ``test`` (a JavaScript
    expression on ``el``), checking the focus indicator at every stop on the way."""
    if _is(page, test):
        return _focus(page)
    seen = []
    for _ in range(limit):
        seen.append(_press(page, "Shift+Tab" if back else "Tab")["what"])
        if _is(page, test):
            return _focus(page)
    raise AssertionError(f"{test} not reached by keyboard; the last stops: {seen[-8:]}")


def _choose_radio(page, name: str, value: str) -> None:
    """On a radio of group ``name``, arrow keys until ``value`` is the checked one."""
    assert _is(page, f"el.name === {name!r} && el.type === 'radio'")
    for _ in range(15):
        if page.evaluate(f"document.querySelector('input[name={name}]:checked')?.value") == value:
            return
        _press(page, "ArrowRight")
    raise AssertionError(f"arrow keys did not reach {name}={value}")


def _submit_by_enter(page, test: str, back: bool = False) -> None:
    _tab_to(page, test, back=back)
    with page.expect_navigation():
        page.keyboard.press("Enter")
    page.wait_for_load_state()


def _poll(page, js: str, what: str) -> None:
    """A bounded wait by polling: ``js`` (an expression) must become true. Given as a
    function: Playwright evaluates a bare expression with eval, which the app's CSP
    (script-src 'self') refuses."""
    try:
        page.wait_for_function(f"() => ({js})", timeout=WAIT_MS, polling=100)
    except Exception as exc:  # noqa: BLE001 - re-raised with what was awaited
        raise AssertionError(f"{what}: still not so after the bounded wait") from exc


def _answer_followups(page) -> None:
    while page.locator("form[action='/followup']").count():
        _submit_by_enter(page, "el.value === 'unknown'")


def test_the_whole_flow_by_keyboard_alone(paced_server, browser):
    """Tab, Shift+Tab, Space, Enter and arrow keys only, never the mouse: safety
    questions, body map, test movements, result, plan, a guided session (start, pause,
    resume, skip, rating, finish) and the history, a visible focus at every stop."""
    ARTIFACTS.mkdir(exist_ok=True)
    page = browser.new_page(viewport=PHONE)
    page.set_default_timeout(WAIT_MS)
    page.goto(paced_server + "/")

    # Start: the skip link first, then the way in.
    assert "Skip to the content" in _press(page, "Tab")["what"]
    page.keyboard.press("Enter")
    assert _is(page, "el.id === 'main'")
    _submit_by_enter(page, "el.getAttribute('href') === '/check'")
    assert page.locator("h1").inner_text() == "Safety questions"

    # Safety questions.
    _tab_to(page, "el.id === 'f-age'")
    page.keyboard.type("41")
    _press(page, "Tab")
    _choose_radio(page, "onset", "on_waking")
    _tab_to(page, "el.id === 'f-duration_days'")
    page.keyboard.type("1")
    _press(page, "Tab")
    _choose_radio(page, "pain_now", "6")
    _tab_to(page, "el.name === 'history' && el.value === 'slept_awkwardly'")
    _press(page, "Space")
    assert page.is_checked("input[name=history][value=slept_awkwardly]")
    page.screenshot(path=str(ARTIFACTS / "kb-01-safety.png"), full_page=True)
    _submit_by_enter(page, "el.type === 'submit'")
    _answer_followups(page)

    # Body map: the places on the pictures are reached by Tab and toggled by Space or Enter.
    assert page.locator("#where-form").count() == 1
    spot = '.spot[data-value="neck_shoulder_junction:left"]'
    listed = '#pain-list input[value="neck_shoulder_junction:left"]'
    _tab_to(page, f"el.matches({spot!r})")
    _press(page, "Space")
    assert page.get_attribute(spot, "aria-checked") == "true" and page.is_checked(listed)
    _press(page, "Enter")
    assert page.get_attribute(spot, "aria-checked") == "false" and not page.is_checked(listed)
    _press(page, "Space")
    assert page.get_attribute(spot, "aria-checked") == "true" and page.is_checked(listed)
    page.screenshot(path=str(ARTIFACTS / "kb-02-bodymap.png"), full_page=False)
    # Each place has its equivalent in the list, a checkbox of at least 24 x 24 px
    # (WCAG 2.5.8: the small places on the pictures have this equivalent).
    small = page.evaluate("""[...document.querySelectorAll('.spot')].filter(s => {
        const box = document.querySelector('#pain-list input[value="' + s.dataset.value + '"]');
        if (!box) return true;
        const r = box.getBoundingClientRect();
        return r.width < 24 || r.height < 24; }).map(s => s.dataset.value)""")
    assert small == [], f"places without a 24 x 24 px equivalent in the list: {small}"
    # Past the whole form to its button, one step back with Shift+Tab, forward again.
    submit = "el.type === 'submit' && el.textContent.includes('test movements')"
    _tab_to(page, submit)
    _press(page, "Shift+Tab")
    assert _is(page, "el.name === 'tender'")
    _submit_by_enter(page, submit)
    _answer_followups(page)

    # Test movements: one answered, one skipped, then the rest skipped.
    assert page.locator("form[action='/move']").count() == 1, page.locator("h1").inner_text()
    page.screenshot(path=str(ARTIFACTS / "kb-03-movement.png"), full_page=True)
    _tab_to(page, "el.name === 'pain'")
    _choose_radio(page, "pain", "4")
    _press(page, "Tab")
    _choose_radio(page, "limited", "yes")
    _press(page, "Tab")
    assert _is(page, "el.name === 'pain_side'")
    _press(page, "Space")
    assert page.is_checked("input[name=pain_side][value=left]")
    _submit_by_enter(page, "el.value === 'answer'")
    _answer_followups(page)
    if page.locator("form[action='/move']").count():
        _submit_by_enter(page, "el.value === 'skip'")
        _answer_followups(page)
    if page.locator("form[action='/move']").count():
        _submit_by_enter(page, "el.value === 'stop'")

    # Result: the first candidate's techniques.
    assert page.locator("h1").inner_text() == "The muscles that fit your answers best", page.inner_text("#main")
    _submit_by_enter(page, "el.matches(\"form[action='/plan'] button.primary\")")

    # Plan: the pain before starting (carried over from the safety questions), one lower.
    assert page.locator("h1").inner_text().startswith("Gentle techniques")
    _tab_to(page, "el.name === 'pain_start'")
    assert _is(page, "el.value === '6'"), "the pain given before should be the checked one"
    _choose_radio(page, "pain_start", "5")
    _press(page, "Tab")
    assert _is(page, "el.textContent.includes('Start a guided session')")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    page.wait_for_load_state()

    # Guided session.
    _poll(page, "!document.getElementById('start').disabled", "the session's Start button is ready")
    _tab_to(page, "el.id === 'start'")
    _press(page, "Enter")
    assert _is(page, "el.id === 'pause'"), f"after Start the focus should move to Pause, not {_focus(page)['what']}"
    _poll(page, "document.getElementById('announce').textContent.length > 0",
          "the phase is announced in the aria-live region")
    assert page.get_attribute("#announce", "aria-live") in ("assertive", "polite")
    _press(page, "Space")
    assert _is(page, "el.id === 'resume'"), "after Pause the focus should move to Resume"
    assert "(paused)" in page.inner_text("#phase-label")
    assert page.inner_text("#announce") == "Paused."
    page.screenshot(path=str(ARTIFACTS / "kb-04-session-paused.png"), full_page=False)
    _press(page, "Enter")
    assert _is(page, "el.id === 'pause'") and "(paused)" not in page.inner_text("#phase-label")
    _press(page, "Tab")
    assert _is(page, "el.id === 'skip'")
    for _ in range(30):
        if page.is_visible("#rate"):
            break
        assert _is(page, "el.id === 'skip'")
        label = page.inner_text("#phase-label")
        _press(page, "Enter")
        _poll(page, f"document.getElementById('phase-label').textContent !== {label!r}"
                    " || !document.getElementById('rate').hidden", "Skip moves to the next step")
    assert page.is_visible("#rate"), "skipping every step should ask for the pain"
    assert _is(page, "el.dataset.pain === '0'"), "the rating buttons should take the focus when they appear"
    for _ in range(3):
        _press(page, "Tab")
    assert _is(page, "el.dataset.pain === '3'")
    page.screenshot(path=str(ARTIFACTS / "kb-05-session-rate.png"), full_page=False)
    _press(page, "Enter")
    _poll(page, "document.activeElement && document.activeElement.closest('#decision')",
          "after the rating the focus moves to the choices")
    _focus(page)
    _tab_to(page, "el.textContent === 'Finish the session'")
    _press(page, "Enter")
    _poll(page, "document.activeElement && document.activeElement.getAttribute('href') === '/history'",
          "after finishing the focus moves to the history link")
    _focus(page)
    with page.expect_navigation():
        page.keyboard.press("Enter")
    page.wait_for_load_state()

    # History: the session is there; the measures form works by keyboard too.
    assert page.locator("h1").inner_text() == "Your history"
    assert "completed" in page.inner_text("#main")
    _tab_to(page, "el.tagName === 'SUMMARY'")
    if not page.evaluate("document.querySelector('details').open"):
        _press(page, "Enter")
    _tab_to(page, "el.name === 'ndi0'")
    _press(page, "ArrowDown")
    _press(page, "ArrowDown")
    assert page.input_value("select[name=ndi0]") == "1"
    _submit_by_enter(page, "el.type === 'submit'")
    assert "Neck Disability Index" in page.inner_text("#main")
    page.screenshot(path=str(ARTIFACTS / "kb-06-history.png"), full_page=True)
    page.close()


def test_a_red_flag_shows_the_referral_and_no_technique(server, browser):
    """By keyboard: a dive into shallow water refers at once, as an alert, with no
    body map, technique, plan or session to go on to."""
    page = browser.new_page(viewport=PHONE)
    page.set_default_timeout(WAIT_MS)
    page.goto(server + "/check")
    _tab_to(page, "el.id === 'f-age'")
    page.keyboard.type("22")
    _tab_to(page, "el.name === 'history' && el.value === 'diving_or_axial_load'")
    _press(page, "Space")
    _submit_by_enter(page, "el.type === 'submit'")
    alert = page.locator("[role=alert]")
    assert alert.count() == 1 and alert.is_visible()
    heading = alert.locator("h1")
    assert heading.inner_text().startswith("Please see a health professional"), heading.inner_text()
    assert "emergency" in heading.inner_text()
    assert "No technique is shown" in alert.inner_text()
    main = page.locator("#main")
    assert main.locator("button, form, svg, .spot").count() == 0
    assert [a.get_attribute("href") for a in main.locator("a").all()] == ["/"]
    for word in ("Start a guided session", "See the techniques", "Continue to the test movements"):
        assert word not in page.content()
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "kb-07-referral.png"), full_page=True)
    page.close()


# --------------------------------------------------------------------------- every page


def _walk_every_page(page, base: str, visit) -> None:
    """By clicking, every page of the flow, and ``visit(name)`` at each stop: start,
    safety, body map, movement, result, plan, the session before, during (paused), at
    the rating and finished, history, a referral and an error page. Needs the paced
    server (the session is paused mid-phase)."""
    page.goto(base + "/")
    visit("start")
    page.click("a[href='/check'].button")
    page.wait_for_selector("#f-age")
    visit("safety")
    page.fill("#f-age", "41")
    page.check("input[name=onset][value=on_waking]")
    page.click("label.scale-btn:has(input[name=pain_now][value='6'])")
    page.check("input[name=history][value=slept_awkwardly]")
    page.click("button:has-text('Continue')")
    page.wait_for_selector("#where-form")
    visit("where (body map)")
    page.locator('.spot[data-value="neck_shoulder_junction:left"]').click()
    page.click("button:has-text('Continue to the test movements')")
    page.wait_for_selector("form[action='/move']")
    visit("movement")
    page.click("button[value=stop]")
    page.wait_for_selector("form[action='/plan']")
    visit("result")
    page.locator("form[action='/plan'] button").first.click()
    page.wait_for_selector("form[action='/session']")
    visit("plan")
    page.click("form[action='/session'] button[type=submit]")
    page.wait_for_selector("#session")
    _poll(page, "!document.getElementById('start').disabled", "the session's Start button is ready")
    visit("session")
    page.click("#start")
    page.click("#pause")
    _poll(page, "document.getElementById('phase-label').textContent.includes('(paused)')", "the session pauses")
    visit("session, during a run (paused)")
    page.click("#resume")
    for _ in range(30):
        if page.is_visible("#rate"):
            break
        label = page.inner_text("#phase-label")
        page.click("#skip")
        _poll(page, f"document.getElementById('phase-label').textContent !== {label!r}"
                    " || !document.getElementById('rate').hidden", "Skip moves to the next step")
    visit("session, pain rating")
    page.click("#rate-buttons button[data-pain='3']")
    page.wait_for_selector("#decision:not([hidden]) button")
    page.click("button:has-text('Finish the session')")
    page.wait_for_selector("#decision a[href='/history']")
    visit("session, finished")
    page.click("#decision a[href='/history']")
    page.wait_for_selector("text=Pain over time")
    visit("history")
    page.goto(base + "/check")
    page.fill("#f-age", "22")
    page.check("input[name=history][value=diving_or_axial_load]")
    page.click("button:has-text('Continue')")
    page.wait_for_selector(".referral")
    visit("referral")
    page.goto(base + "/session/no-such-session")
    page.wait_for_selector("[role=alert]")
    visit("error (unknown session, 404)")


def test_axe_core_finds_no_wcag_a_or_aa_violation_on_any_page(paced_server, browser):
    """axe-core (build/npm, from the npm registry) with the WCAG 2.0/2.1/2.2 A and AA
    rules on every page of the flow, at phone width."""
    if not AXE.exists():
        pytest.skip(f"axe-core not installed: {AXE} is missing (make axe installs it from the npm registry)")
    # add_script_tag(path=...) injects the file's text inline, which the app's CSP
    # (script-src 'self', no inline scripts) refuses, as this shows...
    plain = browser.new_page()
    plain.goto(paced_server + "/")
    with pytest.raises(Exception, match="Content Security Policy"):
        plain.add_script_tag(path=str(AXE))
    plain.close()
    # ...so this check, and only this one, runs in a context that bypasses the CSP. The
    # other tests run under the app's CSP.
    context = browser.new_context(viewport=PHONE, bypass_csp=True)
    page = context.new_page()
    page.set_default_timeout(WAIT_MS)
    found: list[str] = []
    checked: list[str] = []

    def visit(name: str) -> None:
        if not page.evaluate("() => typeof window.axe !== 'undefined'"):
            page.add_script_tag(path=str(AXE))
        result = page.evaluate("tags => axe.run(document, {runOnly: {type: 'tag', values: tags},"
                               " resultTypes: ['violations']})", AXE_TAGS)
        checked.append(f"{name}: {len(result['passes'])} rules passed, "
                       f"{len(result['incomplete'])} need a person ({', '.join(i['id'] for i in result['incomplete'])})")
        for v in result["violations"]:
            nodes = "; ".join(" ".join(n["target"]) if isinstance(n["target"], list) else str(n["target"])
                              for n in v["nodes"][:8])
            found.append(f"{name}: {v['id']} ({v['impact']}): {v['help']}: {nodes}")

    _walk_every_page(page, paced_server, visit)
    print("\naxe-core " + page.evaluate("() => axe.version") + ", tags " + ", ".join(AXE_TAGS))
    print("\n".join(checked))
    assert len(checked) == 13
    assert not found, "axe-core violations:\n" + "\n".join(found)
    context.close()


def _load_every_asset(page) -> None:
    """Everything the page can load: every <details> opened and every image scrolled into
    view (lazy images), then a bounded wait until each image has loaded."""
    page.evaluate("() => document.querySelectorAll('details').forEach(d => { d.open = true; })")
    for img in page.locator("img").all():
        img.scroll_into_view_if_needed()
    _poll(page, "[...document.images].every(i => i.complete)", "every image loaded")


def test_every_page_weighs_under_300_kb_with_its_assets(paced_server, browser):
    """Per page: the document and every request made while it was shown (styles,
    scripts, pictures, the session's API calls), with the browser cache off so each page
    counts as a first visit. Asserted both ways: decoded (the bodies as the browser holds
    them, the strict reading) and as sent (response headers plus the bodies as they
    crossed the wire, gzip'd by the app, which this checks too). The heaviest are the
    plan and session pages with their technique pictures: about 225 and 210 KB
    decoded, 60 KB as sent."""
    context = browser.new_context(viewport=PHONE)
    page = context.new_page()
    page.set_default_timeout(WAIT_MS)
    cdp = context.new_cdp_session(page)
    cdp.send("Network.enable")
    cdp.send("Network.setCacheDisabled", {"cacheDisabled": True})
    documents: list[list] = []

    def on_request(request):
        # A new document (not the redirect of a form's POST) opens a new page's count.
        if request.is_navigation_request() and request.frame == page.main_frame and request.redirected_from is None:
            documents.append([])
        if documents:
            documents[-1].append(request)

    page.on("request", on_request)
    measured: dict = {}
    not_gzipped: list[str] = []
    weights: dict[int, tuple[str, int, int, int]] = {}

    def size(request) -> tuple[int, int]:
        if request not in measured:
            response = request.response()
            decoded = 0
            if response is not None and not 300 <= response.status < 400:
                decoded = len(response.body())
                if decoded >= 1024 and response.headers.get("content-encoding") != "gzip":
                    not_gzipped.append(f"{request.url} ({decoded} bytes)")
            sizes = request.sizes()
            measured[request] = (decoded, max(0, sizes["responseHeadersSize"]) + max(0, sizes["responseBodySize"]))
        return measured[request]

    def visit(name: str) -> None:
        _load_every_asset(page)
        requests = documents[-1]
        decoded = sum(size(r)[0] for r in requests)
        sent = sum(size(r)[1] for r in requests)
        first = weights.get(len(documents), (name,))[0]
        weights[len(documents)] = (first, len(requests), decoded, sent)

    _walk_every_page(page, paced_server, visit)
    table = "\n".join(f"{name:32s} {n:3d} requests  {decoded / 1024:7.1f} KB decoded  {sent / 1024:7.1f} KB as sent"
                      for name, n, decoded, sent in weights.values())
    print("\n" + table)
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / "page-weights.txt").write_text(table + "\n")
    assert len(weights) == 10, table
    assert not not_gzipped, f"sent without gzip: {not_gzipped}"
    heavy = [w for w in weights.values() if max(w[2], w[3]) >= PAGE_LIMIT]
    assert not heavy, f"pages of 300 KB or more:\n{table}"
    context.close()
