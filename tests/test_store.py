"""The database: migrations (from empty, from the previous revision with data), export and
import round trips, refusal of foreign files, a real process killed with SIGKILL between
steps and resumed, and two processes writing at once."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from datetime import datetime, timezone
from pathlib import Path

import pytest

from conftest import DATA, REPO, run_cli

FINDINGS = json.loads((DATA / "session_findings.json").read_text())


def write_script(tmp_path, **doc) -> str:
    path = tmp_path / f"script{len(list(tmp_path.iterdir()))}.json"
    path.write_text(json.dumps({"findings": FINDINGS, **doc}))
    return str(path)


# --------------------------------------------------------------------------- migrations


def test_alembic_head_is_the_code_head():
    from alembic.script import ScriptDirectory
    from alembic.config import Config

    from relieve.store import HEAD, REVISIONS

    config = Config()
    config.set_main_option("script_location", "relieve.store:migrations")
    scripts = ScriptDirectory.from_config(config)
    assert scripts.get_current_head() == HEAD
    assert [r.revision for r in reversed(list(scripts.walk_revisions()))] == list(REVISIONS)


def test_upgrade_from_empty_matches_the_tables(db_url):
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    from relieve.store import current_revision, make_engine, upgrade
    from relieve.store._tables import metadata

    engine = make_engine(db_url)
    assert current_revision(engine) is None
    assert upgrade(engine) == "0003"
    with engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), metadata)
    engine.dispose()
    # types compare loosely across backends; no table, column, index or key may differ
    assert [d for d in diff if not (isinstance(d, list) and d and d[0][0] == "modify_type")] == []


def test_upgrade_from_the_previous_revision_keeps_the_data(db_url):
    from sqlalchemy import text

    from relieve.store import StoreError, make_engine, open_store, upgrade

    engine = make_engine(db_url)
    upgrade(engine, "0001")
    started = datetime(2026, 3, 1, 8, 0, tzinfo=timezone.utc)
    with engine.begin() as conn:
        conn.execute(text("INSERT INTO sessions (id, started_at, ended_at, status, findings, assessment, muscle, side, "
                          "pain_start, techniques, time_scale, notes) VALUES ('abc', :t, NULL, 'in_progress', '{}', '{}', "
                          "'levator_scapulae', 'left', 6, '[]', 1.0, 'old')"), {"t": started.replace(tzinfo=None)})
        conn.execute(text("INSERT INTO steps (session_id, seq, technique, muscle, side, started_at, ended_at, pain_before, "
                          "pain_after) VALUES ('abc', 0, 'muscle_shortening', 'levator_scapulae', 'left', :t, :t, 6, 4)"),
                     {"t": started.replace(tzinfo=None)})
    with pytest.raises(StoreError, match="relieve db upgrade"):
        open_store(db_url)
    r = run_cli("db", "upgrade", "--db", db_url)
    assert r.returncode == 0 and "0001 -> 0003" in r.stdout
    with open_store(db_url) as store:
        [s] = store.history()
    engine.dispose()
    assert s["id"] == "abc" and s["notes"] == "old" and s["updated_at"] == "2026-03-01T08:00:00Z"
    assert s["steps"][0]["pain_after"] == 4


def test_every_command_creates_a_new_database(tmp_path):
    url = f"sqlite:///{tmp_path / 'sub' / 'new.db'}"
    r = run_cli("history", "--json", "--db", url)
    assert r.returncode == 0 and json.loads(r.stdout) == []
    r = run_cli("db", "current", "--db", url)
    assert "revision 0003" in r.stdout


def test_sqlite_settings(sqlite_url):
    from relieve.store import open_store

    with open_store(sqlite_url) as store, store.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1


def test_default_database_is_in_the_user_data_directory(monkeypatch):
    import platformdirs

    from relieve.store import default_url

    monkeypatch.delenv("RELIEVE_DATABASE_URL")
    assert default_url() == f"sqlite:///{Path(platformdirs.user_data_dir('relieve')) / 'relieve.db'}"


# --------------------------------------------------------------------------- export / import


def _fill(db: str, tmp_path) -> None:
    for pains in ([5, 3], [6, 6, 5]):
        r = run_cli("session", "--script", write_script(tmp_path, pain_after=pains, notes="a \"quoted\", note\nline 2",
                                                        measures={"ndi": [1] * 10, "psfs": [{"activity": "driving, far", "score": 4},
                                                                                             {"activity": "b", "score": 5.5},
                                                                                             {"activity": "c", "score": 6}]}),
                    "--time-scale", "0.001", "--db", db)
        assert r.returncode == 0, r.stderr
    from relieve.sessions import FakeClock
    from relieve.sessions.practice import answer, drill
    from relieve.store import open_store
    import random

    with open_store(db) as store:
        d = drill("levator_scapulae:left:ends", random.Random(1))
        answer(store, FakeClock(), d, d.answer)


@pytest.mark.parametrize("fmt", ["json", "csv"])
def test_export_import_round_trip_is_exact(db_url, tmp_path, fmt):
    _fill(db_url, tmp_path)
    first = tmp_path / f"export.{fmt}"
    assert run_cli("export", "--format", fmt, "--output", str(first), "--db", db_url).returncode == 0
    other = f"sqlite:///{tmp_path / 'other.db'}"
    r = run_cli("import", str(first), "--db", other)
    assert r.returncode == 0, r.stderr
    assert "Imported 2 sessions" in r.stdout
    again = run_cli("export", "--format", fmt, "--db", other)
    assert again.stdout == first.read_text()
    # and in the other format too: the same data
    a = json.loads(run_cli("export", "--db", db_url).stdout)
    b = json.loads(run_cli("export", "--db", other).stdout)
    assert a == b
    # importing twice changes nothing
    run_cli("import", str(first), "--db", other)
    assert run_cli("export", "--format", fmt, "--db", other).stdout == first.read_text()


@pytest.mark.parametrize("content, field", [
    ('{"sessions": []}', "format"),
    ('{"format": "someone-else", "version": 1, "sessions": []}', "format"),
    ('{"format": "relieve-export", "version": 9, "sessions": []}', "version"),
    ("not json at all", "$"),
    ("a,b,c\n1,2,3\n", "line 1"),
])
def test_import_refuses_foreign_files(sqlite_url, tmp_path, content, field):
    path = tmp_path / "foreign.txt"
    path.write_text(content)
    r = run_cli("import", str(path), "--db", sqlite_url)
    assert r.returncode == 2 and field in r.stderr and "Traceback" not in r.stderr
    assert json.loads(run_cli("history", "--json", "--db", sqlite_url).stdout) == []


def test_import_of_a_malformed_export_imports_nothing(sqlite_url, tmp_path):
    _fill(sqlite_url, tmp_path)
    doc = json.loads(run_cli("export", "--db", sqlite_url).stdout)
    doc["sessions"][1]["steps"][0]["pain_after"] = 12     # the second session is bad
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(doc))
    empty = f"sqlite:///{tmp_path / 'empty.db'}"
    r = run_cli("import", str(path), "--db", empty)
    assert r.returncode == 2 and "sessions[1].steps[0].pain_after" in r.stderr
    assert json.loads(run_cli("history", "--json", "--db", empty).stdout) == []
    csv_text = run_cli("export", "--format", "csv", "--db", sqlite_url).stdout
    broken = csv_text.replace('""pain_after"":3', '""pain_after"":""three""', 1)
    assert broken != csv_text
    (tmp_path / "bad.csv").write_text(broken)
    r = run_cli("import", str(tmp_path / "bad.csv"), "--db", empty)
    assert r.returncode == 2 and "pain_after" in r.stderr
    assert json.loads(run_cli("history", "--json", "--db", empty).stdout) == []


def test_an_export_from_before_revision_0003_still_imports(sqlite_url, tmp_path):
    """Exports written before the session kept its current muscle and orders lack those
    fields: they import, and read back with none; a bad order key is named."""
    _fill(sqlite_url, tmp_path)
    doc = json.loads(run_cli("export", "--db", sqlite_url).stdout)
    for s in doc["sessions"]:
        for key in ("current_muscle", "current_side", "orders"):
            s.pop(key)
    old = tmp_path / "old.json"
    old.write_text(json.dumps(doc))
    other = f"sqlite:///{tmp_path / 'other.db'}"
    r = run_cli("import", str(old), "--db", other)
    assert r.returncode == 0, r.stderr
    back = json.loads(run_cli("export", "--db", other).stdout)
    assert [(s["current_muscle"], s["orders"]) for s in back["sessions"]] == [(None, {})] * len(doc["sessions"])
    doc["sessions"][0]["orders"] = {"levator_scapulae-left": ["muscle_shortening"]}
    old.write_text(json.dumps(doc))
    r = run_cli("import", str(old), "--db", f"sqlite:///{tmp_path / 'third.db'}")
    assert r.returncode == 2 and "sessions[0].orders" in r.stderr and "Traceback" not in r.stderr


# --------------------------------------------------------------------------- real processes


def _relieve(*args: str) -> subprocess.Popen:
    env = {**os.environ, "PYTHONPATH": str(REPO / "src")}
    return subprocess.Popen([sys.executable, "-m", "relieve", *args], env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)


def _steps(db: str) -> list[dict]:
    from relieve.store import open_store

    with open_store(db) as store:
        h = store.history(phases=True)
    return h


def test_sigkill_between_steps_keeps_the_steps_and_resumes(sqlite_url, tmp_path):
    doc = write_script(tmp_path, techniques=["muscle_shortening", "repositioning", "strain_counterstrain"],
                       pain_after=[5, 4, 3])
    proc = _relieve("session", "--script", doc, "--time-scale", "0.01", "--db", sqlite_url)
    try:
        # Wait for the first stored step. The session ends by itself (its timers are
        # short), so this loop ends too; the poll count only guards against a hang and
        # is generous (several minutes), since a busy machine may be slow.
        for _ in range(15_000):
            h = _steps(sqlite_url) if Path(sqlite_url[10:]).exists() else []
            if h and h[0]["steps"]:
                break
            assert proc.poll() is None, proc.stderr.read()
            time.sleep(0.02)
        else:
            raise AssertionError("the session never finished a step")
        proc.send_signal(signal.SIGKILL)
        proc.wait(30)
    finally:
        if proc.poll() is None:
            proc.kill()
    [s] = _steps(sqlite_url)
    assert s["status"] == "in_progress"
    done = [x["technique"] for x in s["steps"]]
    assert done and done == ["muscle_shortening", "repositioning", "strain_counterstrain"][: len(done)]
    assert len(done) < 3
    r = run_cli("session", "--resume", s["id"][:8], "--script", doc, "--time-scale", "0.01", "--db", sqlite_url)
    assert r.returncode == 0, r.stderr
    [after] = _steps(sqlite_url)
    assert after["status"] == "completed"
    assert [(x["technique"], x["pain_after"]) for x in after["steps"]] == [
        ("muscle_shortening", 5), ("repositioning", 4), ("strain_counterstrain", 3)]
    assert after["steps"][: len(done)] == s["steps"]
    # no phase stored twice
    keys = [(p["step_seq"], p["phase_index"]) for p in after["phases"]]
    assert len(keys) == len(set(keys))
    r = run_cli("session", "--resume", "--script", doc, "--db", sqlite_url)
    assert r.returncode == 2 and "no unfinished session" in r.stderr


def test_a_session_and_history_at_once(sqlite_url, tmp_path):
    run_cli("db", "upgrade", "--db", sqlite_url)
    doc = write_script(tmp_path, techniques=["muscle_shortening", "repositioning"], pain_after=[5, 3])
    writer = _relieve("session", "--script", doc, "--time-scale", "0.01", "--db", sqlite_url)
    second = _relieve("session", "--script", doc, "--time-scale", "0.01", "--db", sqlite_url)
    readers = 0
    try:
        while writer.poll() is None or second.poll() is None:
            reader = _relieve("history", "--json", "--db", sqlite_url)
            out, err = reader.communicate(timeout=60)
            assert reader.returncode == 0, err
            json.loads(out)
            readers += 1
    finally:
        for p in (writer, second):
            if p.poll() is None:
                p.kill()
    assert writer.wait() == 0 and second.wait() == 0, (writer.stderr.read(), second.stderr.read())
    assert readers >= 1
    h = _steps(sqlite_url)
    assert len(h) == 2 and all(s["status"] == "completed" and len(s["steps"]) == 2 for s in h)
    from relieve.store import open_store

    with open_store(sqlite_url) as store, store.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA integrity_check").scalar() == "ok"


# --------------------------------------------------------------------------- practice and reminders


def test_practice_spaced_repetition_and_proficiency(sqlite_url):
    from relieve.sessions import FakeClock
    from relieve.sessions.practice import answer, drill, due_cards, proficiency
    from relieve.store import open_store
    import random
    from datetime import timedelta

    clock = FakeClock()
    rng = random.Random(3)
    target = [("levator_scapulae", "left")]
    with open_store(sqlite_url) as store:
        for day in range(4):
            for key in due_cards(store.cards(), clock.now(), target, 10):
                d = drill(key, rng)
                assert len(set(d.options)) == len(d.options) >= 3
                answer(store, clock, d, d.answer)
            clock.sleep(timedelta(days=3).total_seconds())
        assert proficiency(store.cards()) == {"levator_scapulae": 0.5}   # three of six cards (one side)
        d = drill("levator_scapulae:left:ends", rng)
        answer(store, clock, d, (d.answer + 1) % len(d.options))
        assert "levator_scapulae:left:ends" in due_cards(store.cards(), clock.now(), target, 10)


def test_practice_cli(sqlite_url):
    r = run_cli("practice", "--muscle", "levator_scapulae:left", "--count", "3", "--seed", "1", "--db", sqlite_url,
                input="1\n2\n3\n")
    assert r.returncode == 0, r.stderr
    assert "of 3 right" in r.stdout and "Proficiency" in r.stdout
    r = run_cli("practice", "--muscle", "nope:left", "--db", sqlite_url)
    assert r.returncode == 2 and "--muscle[0]" in r.stderr


def test_remind_with_a_fake_clock(monkeypatch, sqlite_url, tmp_path):
    from relieve.cli import practice
    from relieve.sessions import FakeClock

    # a history with a recurring left levator scapulae
    for _ in range(2):
        run_cli("session", "--script", write_script(tmp_path, pain_after=[3]), "--time-scale", "0.001", "--db", sqlite_url)
    clock = FakeClock(datetime(2026, 1, 5, 18, 0, tzinfo=timezone.utc))
    monkeypatch.setattr(practice, "CLOCK_FACTORY", lambda: clock)
    monkeypatch.setenv("TZ", "UTC")
    time.tzset()
    try:
        r = run_cli("remind", "--every", "30m", "--for", "8h", "--quiet", "22:00-07:00", "--db", sqlite_url)
    finally:
        monkeypatch.delenv("TZ")
        time.tzset()
    assert r.returncode == 0, r.stderr
    # 18:30 .. 02:00 every 30 min = 16 moments; 22:00-01:30 (8) and 02:00 (1) are quiet
    assert "7 reminder(s) given" in r.stdout
    words = " ".join(r.stdout.split())
    # a movement toward the stretch of the recurring left levator scapulae: away from the left
    assert "For your left levator scapulae:" in words and "to the right" in words and "to the left" not in words
    assert sum(clock.slept) == 8 * 3600


@pytest.mark.parametrize("args, field", [
    (["--every", "soon"], "--every"),
    (["--every", "30m", "--for", "0m"], "--for"),
    (["--every", "30m", "--quiet", "25:00-07:00"], "--quiet"),
])
def test_remind_bad_input(args, field):
    r = run_cli("remind", *args)
    assert r.returncode == 2 and field in r.stderr


def test_remind_stops_cleanly_on_ctrl_c():
    from datetime import timedelta

    from relieve.sessions import FakeClock
    from relieve.sessions.remind import run_reminders

    class StopAfterTwo(FakeClock):
        def sleep(self, seconds):
            if len(self.slept) == 2:
                raise KeyboardInterrupt
            super().sleep(seconds)

    given = []
    n = run_reminders(StopAfterTwo(), timedelta(minutes=30), None, None, [("levator_scapulae", "left")],
                      lambda t, m: given.append(m.text))
    assert n == 2 and len(given) == 2


def test_an_export_refused_for_its_cross_references_echoes_values_shortened():
    """A value echoed in the cross-reference checks of an export (an answer's card, a
    repeated session id) is shortened like every other echo: a 200,000-character card
    makes a message of a few hundred characters, not of 600,000."""
    import relieve
    from relieve.contract.session import EXPORT_FORMAT, EXPORT_VERSION, parse_export

    answer = {"card": "x" * 200_000, "answered_at": "2026-01-01T00:00:00Z", "correct": True}
    doc = {"format": EXPORT_FORMAT, "version": EXPORT_VERSION, "sessions": [], "measures": [],
           "practice": {"cards": [], "answers": [answer] * 3}}
    with pytest.raises(relieve.ValidationError) as info:
        parse_export(doc)
    assert [p for p, _ in info.value.problems] == [f"practice.answers[{i}].card" for i in range(3)]
    assert len(str(info.value)) < 1_000 and "is not among practice.cards" in str(info.value)
