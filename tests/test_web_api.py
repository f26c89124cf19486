"""The web app's JSON API through FastAPI's TestClient: the contract's documents, 422
naming each bad field (every family the CLI refuses), 409 with the refer object, the
session endpoints on a real SQLite database, the security headers and CSRF."""

from __future__ import annotations

import json

import pytest

pytest.importorskip("fastapi")
from fastapi.testclient import TestClient  # noqa: E402

FINDINGS = {"age": 41, "onset": "on_waking", "pain_now": 6,
            "pain_regions": [{"region": "neck_shoulder_junction", "side": "left"}],
            "movements": {"rotation_right": {"pain": 6, "limited": True, "pain_side": "left"}}}
REFERRING = {"age": 41, "history": ["car_accident"], "duration_days": 1}


@pytest.fixture(scope="module")
def client(tmp_path_factory):
    from relieve.web import create_app

    url = f"sqlite:///{tmp_path_factory.mktemp('web') / 'web.db'}"
    with TestClient(create_app(url, time_scale=0.01)) as c:
        yield c


def locs(response):
    assert response.status_code == 422, response.text
    return [tuple(d["loc"]) for d in response.json()["detail"]]


def test_assess_gives_contract_section_4(client):
    import relieve

    r = client.post("/api/assess", json=FINDINGS)
    assert r.status_code == 200
    relieve.AssessmentDocument.model_validate(r.json())
    assert r.json()["candidates"][0]["muscle"]


def test_assess_referral_is_a_valid_answer(client):
    r = client.post("/api/assess", json=REFERRING)
    assert r.status_code == 200 and r.json()["status"] == "refer" and r.json()["candidates"] == []


@pytest.mark.parametrize("body, expected", [
    ({"age": 5}, [("body", "age")]),
    ({"age": 41, "movements": {"rotation_left": {"pain": 11}}}, [("body", "movements", "rotation_left", "pain")]),
    ({"age": 41, "pain_regions": [{"region": "neck", "side": "left"}]}, [("body", "pain_regions", 0, "region")]),
    ({"age": 41, "symptoms": ["feverish"]}, [("body", "symptoms", 0)]),
    ({"age": 41, "onset": "yesterday", "pain_now": "six"}, [("body", "onset"), ("body", "pain_now")]),
    ({"age": 41, "unknown_field": 1}, [("body", "unknown_field")]),
])
def test_bad_findings_name_each_field(client, body, expected):
    got = locs(client.post("/api/assess", json=body))
    for e in expected:
        assert any(g[: len(e)] == e for g in got), (e, got)


@pytest.mark.parametrize("raw", [
    b'{"age": 41, "age": 42}',            # duplicate key
    b'{"age": NaN}',                      # not JSON
    b'{"age": 41',                        # malformed
    b"[" * 100 + b"]" * 100,              # nested too deeply
    b"",                                  # empty
    b'\xff\xfe',                          # not UTF-8
    b"[1, 2]",                            # not an object
])
def test_bad_documents_are_422(client, raw):
    r = client.post("/api/assess", content=raw, headers={"content-type": "application/json"})
    assert r.status_code == 422 and r.json()["detail"][0]["loc"][0] == "body"


def test_oversized_body_is_refused(client):
    r = client.post("/api/assess", content=b'{"age": 41, "x": "' + b"a" * (1 << 20) + b'"}',
                    headers={"content-type": "application/json"})
    assert r.status_code == 422


def test_plan_one_muscle_and_several(client):
    import relieve

    r = client.get("/api/plan", params={"muscle": "levator_scapulae", "side": "left"})
    assert r.status_code == 200
    relieve.PlanDocument.model_validate(r.json())
    assert r.json()["figures"]["muscle_shortening"].endswith(".svg")
    r = client.get("/api/plan", params=[("muscle", "levator_scapulae:left"), ("muscle", "upper_trapezius:left")])
    assert r.status_code == 200 and len(r.json()["plans"]) == 2


def test_plan_refers_with_409(client):
    r = client.get("/api/plan", params={"muscle": "levator_scapulae", "side": "left", "findings": json.dumps(REFERRING)})
    assert r.status_code == 409
    assert r.json()["refer"]["urgency"] in ("emergency", "urgent", "soon") and "techniques" not in r.json()
    r = client.post("/api/plan", json={"targets": ["levator_scapulae:left"], "findings": REFERRING})
    assert r.status_code == 409 and r.json()["refer"]["advice"]


@pytest.mark.parametrize("params, field", [
    ({"muscle": "levator_scapul", "side": "left"}, ("query", "muscle")),
    ({"muscle": "levator_scapulae", "side": "up"}, ("query", "side")),
    ({"muscle": "levator_scapulae"}, ("query", "side")),
    ({"side": "left"}, ("query", "muscle")),
    ({"muscle": "levator_scapulae", "side": "left", "findings": '{"age": 200}'}, ("query", "findings", "age")),
    ({"muscle": "levator_scapulae", "side": "left", "findings": "{not json"}, ("query", "findings")),
])
def test_plan_bad_input_names_the_field(client, params, field):
    got = locs(client.get("/api/plan", params=params))
    assert any(g[: len(field)] == field for g in got), got


def test_muscles_and_card(client):
    assert len(client.get("/api/muscles").json()["muscles"]) == 23
    card = client.get("/api/muscles/levator_scapulae", params={"side": "right"}).json()
    assert card["side"] == "right" and card["figure"].endswith("/right.svg")
    assert client.get("/api/muscles/nope").status_code == 422


def test_figures_at_stable_urls(client):
    svg = client.get("/api/figures/muscles/levator_scapulae/left.svg")
    assert svg.status_code == 200 and svg.headers["content-type"].startswith("image/svg+xml")
    assert svg.content.lstrip().startswith(b"<?xml") or b"<svg" in svg.content[:500]
    png = client.get("/api/figures/techniques/levator_scapulae/left/muscle_shortening.png")
    assert png.status_code == 200 and png.content[:8] == b"\x89PNG\r\n\x1a\n"
    assert client.get("/api/figures/muscles/levator_scapulae/left.gif").status_code == 422


def test_a_whole_session_through_the_api(client):
    r = client.post("/api/sessions", json={"findings": FINDINGS, "muscle": "levator_scapulae", "side": "left",
                                           "time_scale": 0.01})
    assert r.status_code == 201
    s = r.json()
    sid, first = s["id"], s["techniques_detail"][0]
    assert s["next_technique"] == first["technique"]
    # the wrong technique first is refused, naming the field
    other = s["techniques_detail"][1]["technique"]
    assert locs(client.post(f"/api/sessions/{sid}/phases", json={"technique": other, "phase_index": 0,
                                                                 "seconds": 1})) == [("body", "technique")]
    for p in first["phases"]:
        r = client.post(f"/api/sessions/{sid}/phases", json={"technique": first["technique"],
                                                             "phase_index": p["index"], "seconds": p["seconds"]})
        assert r.status_code == 201
    # a phase of this technique is stored the moment it ends: another reader sees it
    assert len(client.get(f"/api/sessions/{sid}").json()["phases"]) == len(first["phases"])
    d = client.post(f"/api/sessions/{sid}/steps", json={"technique": first["technique"], "pain_after": 5}).json()
    assert d["offer"] == "next_technique" and d["next_technique"] == other
    done = client.post(f"/api/sessions/{sid}/finish", json={"status": "completed", "notes": "<b>ok</b>"}).json()
    assert done["status"] == "completed" and done["steps"][0]["pain_after"] == 5
    assert any(x["id"] == sid for x in client.get("/api/sessions").json())
    assert client.post(f"/api/sessions/{sid}/finish", json={"status": "completed"}).status_code == 422


def test_session_referral_is_stored_without_steps(client):
    r = client.post("/api/sessions", json={"findings": REFERRING})
    assert r.status_code == 201 and r.json()["status"] == "referred" and r.json()["refer"]["advice"]
    assert r.json()["steps"] == []


@pytest.mark.parametrize("path, body, field", [
    ("/api/sessions", {"findings": {"age": 3}}, ("body", "findings", "age")),
    ("/api/sessions", {"findings": FINDINGS, "time_scale": 0}, ("body", "time_scale")),
    ("/api/sessions", {"findings": FINDINGS, "pain_start": 12}, ("body", "pain_start")),
    ("/api/sessions", {}, ("body", "findings")),
    ("/api/measures", {"ndi": [1, 2]}, ("body", "ndi")),
    ("/api/measures", {"psfs": [{"activity": "reading", "score": 11}] * 3}, ("body", "psfs", 0, "score")),
])
def test_session_bad_input_names_the_field(client, path, body, field):
    got = locs(client.post(path, json=body))
    assert any(g[: len(field)] == field for g in got), got


def test_unknown_session_is_404(client):
    assert client.get("/api/sessions/0123456789abcdef").status_code == 404


def test_measures(client):
    r = client.post("/api/measures", json={"ndi": [1] * 10, "psfs": [{"activity": "reading", "score": 4}] * 3})
    assert r.status_code == 201 and r.json() == {"ndi": 20.0, "psfs": 4.0}
    assert "ndi" in client.get("/api/measures").json()["changes"]


def test_security_headers_and_cross_site_refusal(client):
    r = client.get("/")
    csp = r.headers["content-security-policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert r.headers["x-frame-options"] == "DENY"
    r = client.post("/api/assess", json=FINDINGS, headers={"origin": "http://evil.example"})
    assert r.status_code == 403


def test_forms_need_the_csrf_token(client):
    client.get("/check")
    r = client.post("/check", data={"age": "41"})
    assert r.status_code == 422 and "csrf_token" in r.text


def test_typed_text_is_escaped(client):
    client.get("/check")
    token = client.cookies.get("relieve_csrf")
    r = client.post("/check", data={"age": "<script>alert(1)</script>", "csrf_token": token})
    assert r.status_code == 422
    assert "<script>alert(1)</script>" not in r.text and "&lt;script&gt;" in r.text


def test_openapi_lists_the_contract_models(client):
    schema = client.get("/openapi.json").json()
    names = set(schema["components"]["schemas"])
    assert {"Findings", "AssessmentDocument", "PlanDocument"} <= names
    assert "/api/plan" in schema["paths"] and client.get("/docs").status_code == 200


def test_serve_says_where_it_listens():
    from relieve.cli.serve import address_words, check_host, parse_port, parse_workers
    from relieve.errors import RelieveError

    assert address_words("127.0.0.1", 8000) == ["relieve: serving on http://127.0.0.1:8000/ (Ctrl-C stops it)"]
    assert "warning" in address_words("0.0.0.0", 8000)[1]
    for bad in ("0", "70000", "x"):
        with pytest.raises(RelieveError):
            parse_port(bad)
    with pytest.raises(RelieveError):
        check_host("not a host")
    assert parse_workers("2") == 2
    for bad in ("0", "65", "two", "1.5"):
        with pytest.raises(RelieveError) as info:
            parse_workers(bad)
        assert info.value.field == "--workers"


# --------------------------------------------------------------------------- every family the CLI refuses


@pytest.mark.parametrize("body, expected", [
    # a code or a place given twice counts once at most: refused, naming the second
    ({"age": 41, "history": ["fall", "fall"]}, ("body", "history")),
    ({"age": 41, "tender_points": [{"region": "temple", "side": "left"}] * 2}, ("body", "tender_points", 1)),
    # the non-finite numbers Python's json would read
    ({"age": 41, "pain_now": 1e999}, ("body",)),
    # too long a list
    ({"age": 41, "symptoms": ["headache"] * 5000}, ("body", "symptoms")),
])
def test_more_bad_findings_families_are_422_naming_the_field(client, body, expected):
    raw = json.dumps(body).encode()  # 1e999 is written as Infinity: not JSON
    got = locs(client.post("/api/assess", content=raw, headers={"content-type": "application/json"}))
    assert any(g[: len(expected)] == expected for g in got), got


@pytest.mark.parametrize("raw", [b'{"age": Infinity}', b'{"age": -Infinity}', b'{"age": 41e999}'])
def test_infinities_are_refused(client, raw):
    r = client.post("/api/assess", content=raw, headers={"content-type": "application/json"})
    assert r.status_code == 422 and r.json()["detail"][0]["loc"][0] == "body", r.text


@pytest.fixture()
def open_session(client):
    r = client.post("/api/sessions", json={"findings": FINDINGS, "muscle": "levator_scapulae", "side": "left"})
    assert r.status_code == 201
    return r.json()["id"]


@pytest.mark.parametrize("route", ["choose", "phases", "steps", "finish"])
@pytest.mark.parametrize("raw, why", [
    (b'{"technique": "repositioning", "technique": "muscle_shortening"}', "appears more than once"),
    (b'{"seconds": NaN}', "NaN"),
    (b'\xff\xfe{}', "UTF-8"),
    (b"[" * 40 + b"]" * 40, "nested"),
    (b'"completed"', "JSON object"),
    (b'{"notes": "' + b"a" * (1 << 20) + b'"}', "larger than the limit"),
])
def test_every_session_body_is_read_strictly_and_bounded(client, open_session, route, raw, why):
    """These bodies were FastAPI body parameters: read whole, NaN and repeated keys let through."""
    r = client.post(f"/api/sessions/{open_session}/{route}", content=raw, headers={"content-type": "application/json"})
    assert r.status_code == 422, r.text
    detail = r.json()["detail"]
    assert detail[0]["loc"] == ["body"] and why in detail[0]["msg"], detail


@pytest.mark.parametrize("route, body", [
    ("choose", {"muscle": "levator_scapulae", "side": "left"}),
    ("phases", {"technique": "muscle_shortening", "phase_index": 0, "seconds": 1}),
    ("steps", {"technique": "muscle_shortening", "pain_after": 3}),
    ("finish", {"status": "stopped"}),
])
def test_unknown_session_is_404_on_every_route(client, route, body):
    r = client.post(f"/api/sessions/00000000000000000000000000000000/{route}", json=body)
    assert r.status_code == 404 and "no session" in r.json()["detail"]


@pytest.mark.parametrize("path, field", [
    ("/api/sessions/not-hex", ("path", "session_id")),
    ("/api/sessions/" + "a" * 65, ("path", "session_id")),
    ("/api/muscles/levator_scapul", ("path", "muscle_id")),
    ("/api/figures/muscles/nope/left.svg", ("path", "muscle_id")),
    ("/api/figures/muscles/levator_scapulae/up.svg", ("path", "side")),
    ("/api/figures/techniques/levator_scapulae/left/massage.svg", ("path", "technique")),
    ("/api/figures/movements/cartwheel.png", ("path", "code")),
    ("/api/sessions?limit=0", ("query", "limit")),
    ("/api/sessions?limit=ten", ("query", "limit")),
])
def test_bad_path_and_query_parameters_are_422_naming_them(client, path, field):
    got = locs(client.get(path))
    assert any(g[: len(field)] == field for g in got), got


def test_a_technique_a_muscle_has_not_has_no_picture(client):
    plan = client.get("/api/plan", params={"muscle": "rectus_capitis_posterior_minor", "side": "left"}).json()
    assert plan["techniques"]["repositioning"]["available"] is False
    r = client.get("/api/figures/techniques/rectus_capitis_posterior_minor/left/repositioning.svg")
    assert r.status_code == 404 and "not available" in r.json()["detail"]


@pytest.mark.parametrize("path, body, field", [
    ("/api/plan", {"targets": ["levator_scapulae:left"] * 9}, ("body", "targets")),
    ("/api/plan", {"targets": ["a" * 81 + ":left"]}, ("body", "targets", 0)),
    ("/api/plan", {"targets": ["levator_scapulae:left"], "findings": [41]}, ("body", "findings")),
    ("/api/sessions", {"findings": FINDINGS, "muscle": "levator_scapulae"}, ("body", "side")),
    ("/api/sessions", {"findings": FINDINGS, "muscle": "nope", "side": "left"}, ("body", "muscle")),
    ("/api/sessions", {"findings": FINDINGS, "time_scale": "1"}, ("body", "time_scale")),
    ("/api/sessions", {"findings": FINDINGS, "pain_start": True}, ("body", "pain_start")),
    ("/api/measures", {}, ("body", "ndi")),
    ("/api/measures", {"ndi": ["1"] * 10}, ("body", "ndi", 0)),
    ("/api/measures", {"ndi": [1] * 10, "session_id": "0" * 32}, ("body", "session_id")),
])
def test_more_bad_bodies_name_the_field(client, path, body, field):
    got = locs(client.post(path, json=body))
    assert any(g[: len(field)] == field for g in got), got


def test_a_refused_session_start_stores_nothing(client):
    before = len(client.get("/api/sessions", params={"limit": 1000}).json())
    for body in ({"findings": FINDINGS, "muscle": "nope", "side": "left"}, {"findings": FINDINGS, "muscle": "levator_scapulae"}):
        assert client.post("/api/sessions", json=body).status_code == 422
    assert len(client.get("/api/sessions", params={"limit": 1000}).json()) == before


def test_too_many_muscles_in_the_query(client):
    assert ("query", "muscle") in locs(client.get("/api/plan", params=[("muscle", "levator_scapulae:left")] * 9))


# --------------------------------------------------------------------------- remembered plans


def _wait_for(condition, polls: int = 20_000) -> bool:
    """True once ``condition()`` holds, polled a bounded number of times (never the clock)."""
    import threading

    pause = threading.Event()
    for _ in range(polls):
        if condition():
            return True
        pause.wait(0.001)
    return False


def test_concurrent_first_requests_compute_once():
    import threading

    from relieve.web._state import Memo

    memo, calls, release = Memo(4), [], threading.Event()

    def compute():
        calls.append(1)
        release.wait()
        return object()

    results = []
    threads = [threading.Thread(target=lambda: results.append(memo.get("k", compute))) for _ in range(8)]
    threads[0].start()
    assert _wait_for(lambda: calls)
    for t in threads[1:]:
        t.start()
    assert _wait_for(lambda: memo.waiting("k") == 7)
    release.set()
    for t in threads:
        t.join()
    assert len(calls) == 1 and len(results) == 8 and len({id(r) for r in results}) == 1
    assert memo.get("k", compute) is results[0] and len(calls) == 1


def test_an_error_reaches_every_waiter_and_is_not_remembered():
    import threading

    from relieve.web._state import Memo

    memo, release, errors = Memo(4), threading.Event(), []

    def failing():
        release.wait()
        raise ValueError("no")

    def call():
        try:
            memo.get("k", failing)
        except ValueError as exc:
            errors.append(exc)

    threads = [threading.Thread(target=call) for _ in range(3)]
    threads[0].start()
    assert _wait_for(lambda: memo.waiting("k") == 0 and "k" in memo._pending)
    for t in threads[1:]:
        t.start()
    assert _wait_for(lambda: memo.waiting("k") == 2)
    release.set()
    for t in threads:
        t.join()
    assert len(errors) == 3
    assert memo.get("k", lambda: 42) == 42


def test_a_repeated_plan_is_the_same_bytes_and_valid(client):
    import relieve

    params = {"muscle": "upper_trapezius", "side": "right"}
    first, second = client.get("/api/plan", params=params), client.get("/api/plan", params=params)
    assert first.status_code == second.status_code == 200
    assert first.content == second.content and first.headers["content-type"] == "application/json"
    relieve.PlanDocument.model_validate(first.json())
    assert first.json() == {**relieve.plan([("upper_trapezius", "right")]).to_contract(), "figures": first.json()["figures"]}
