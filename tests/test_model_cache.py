"""The on-disk cache of the default model, and the compiled kernel.

Every test points ``RELIEVE_CACHE_DIR`` at its own temporary directory, so the user's
cache is never read or written here.
"""

from __future__ import annotations

import json
import os
import pickle
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from relieve.model import UpperBodyModel, _aot, _cache, _kernel, default_model, load_own_model

MODEL_FILE = Path(__file__).resolve().parents[1] / "src" / "relieve" / "model" / "data" / "upper_body.yaml"
NAME = "upper_body"


@pytest.fixture()
def cache(tmp_path, monkeypatch) -> Path:
    monkeypatch.setenv(_cache.ENV_VAR, str(tmp_path))
    return tmp_path


def fresh_default_model() -> UpperBodyModel:
    """``default_model()`` as a new process would run it (past the per-process memo)."""
    return default_model.__wrapped__()


def random_postures(body, n, seed):
    rng = np.random.default_rng(seed)
    lo = np.array([body.ranges[v][0] for v in body.posture_variables])
    hi = np.array([body.ranges[v][1] for v in body.posture_variables])
    return lo + (hi - lo) * rng.random((n, len(lo)))


def cache_file(root: Path) -> Path:
    return root / f"{NAME}.model"


def run_python(code: str, cache_root: Path, **env) -> subprocess.CompletedProcess:
    environ = {**os.environ, _cache.ENV_VAR: str(cache_root), **env}
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=environ)


# --------------------------------------------------------------------------- the model


def test_cached_model_equals_a_fresh_build(cache):
    built = fresh_default_model()
    assert _cache.last_event[NAME] == "built and stored"
    loaded = fresh_default_model()
    assert _cache.last_event[NAME] == "loaded"
    reference = load_own_model(MODEL_FILE)
    assert loaded is not built
    for body in (built, loaded):
        assert body.posture_variables == reference.posture_variables
        assert dict(body.ranges) == dict(reference.ranges)
        assert body.muscle_sides == reference.muscle_sides
        assert body.model.muscle_names == reference.model.muscle_names
        assert body.landmark_ids == reference.landmark_ids
        assert dict(body.groups) == dict(reference.groups)
        np.testing.assert_array_equal(body.drive_matrix, reference.drive_matrix)
        np.testing.assert_array_equal(body.neutral_bundle_lengths, reference.neutral_bundle_lengths)
        p = random_postures(body, 500, seed=3)
        np.testing.assert_array_equal(body.lengths(p), reference.lengths(p))
        np.testing.assert_array_equal(body.length_change_pct_batch(p), reference.length_change_pct_batch(p))
        np.testing.assert_array_equal(
            body.landmark_position("acromion", "left", p[7]), reference.landmark_position("acromion", "left", p[7])
        )
        for muscle in ("levator_scapulae", "scalenes"):
            assert body.length_change_pct(muscle, "right", {"neck_rotation": 30.0}) == reference.length_change_pct(
                muscle, "right", {"neck_rotation": 30.0}
            )


def test_cached_model_stays_immutable(cache):
    fresh_default_model()
    body = fresh_default_model()
    assert _cache.last_event[NAME] == "loaded"
    with pytest.raises(AttributeError):
        body.ranges = {}
    with pytest.raises(TypeError):
        body.ranges["neck_flexion"] = (0, 1)
    with pytest.raises(ValueError):
        body.drive_matrix[0, 0] = 1.0
    with pytest.raises(ValueError):
        body.neutral_bundle_lengths[0] = 1.0


def test_a_second_process_takes_the_model_from_the_cache(cache):
    code = (
        "import json, sys\n"
        "from relieve.model import _cache, default_model\n"
        "body = default_model()\n"
        "print(json.dumps({'event': _cache.last_event['upper_body'],\n"
        "                  'parsed_yaml': 'relieve.model._own' in sys.modules,\n"
        "                  'pct': body.length_change_pct('levator_scapulae', 'left', {'neck_rotation': 30.0})}))\n"
    )
    first = run_python(code, cache)
    assert first.returncode == 0, first.stderr
    second = run_python(code, cache)
    assert second.returncode == 0, second.stderr
    a, b = json.loads(first.stdout), json.loads(second.stdout)
    assert a["event"] == "built and stored" and a["parsed_yaml"]
    assert b["event"] == "loaded" and not b["parsed_yaml"]
    assert a["pct"] == b["pct"]


@pytest.mark.parametrize(
    "damage",
    [
        lambda data: data[: len(data) // 2],  # truncated
        lambda data: data[:-1] + bytes([data[-1] ^ 0x01]),  # one bit flipped in the payload
        lambda data: data[:10],  # cut inside the header
        lambda data: b"",
        lambda data: b"\x00" * len(data),
    ],
    ids=["truncated", "bit-flip", "short-header", "empty", "zeros"],
)
def test_a_damaged_cache_file_is_rebuilt_and_rewritten(cache, damage):
    fresh_default_model()
    path = cache_file(cache)
    path.write_bytes(damage(path.read_bytes()))
    body = fresh_default_model()
    assert _cache.last_event[NAME] == "built and stored"
    assert body.model.muscle_names == load_own_model(MODEL_FILE).model.muscle_names
    fresh_default_model()
    assert _cache.last_event[NAME] == "loaded"


def test_a_stale_key_is_rebuilt(cache):
    fresh_default_model()
    path = cache_file(cache)
    data = bytearray(path.read_bytes())
    start = len(_cache._MAGIC)
    data[start : start + 64] = b"0" * 64  # the key of some other model file or version
    path.write_bytes(bytes(data))
    fresh_default_model()
    assert _cache.last_event[NAME] == "built and stored"
    fresh_default_model()
    assert _cache.last_event[NAME] == "loaded"


def test_the_key_follows_the_file_the_version_and_the_code(monkeypatch):
    import relieve._version

    source = MODEL_FILE.read_bytes()
    key = _cache.model_key(source)
    assert key == _cache.model_key(source)
    assert _cache.model_key(source + b"\n# an edit\n") != key
    monkeypatch.setattr(relieve._version, "__version__", "999.0")
    assert _cache.model_key(source) != key
    monkeypatch.undo()
    monkeypatch.setattr(_cache, "_CODE", (*_cache._CODE[:-1], MODEL_FILE))  # as if a source file changed
    assert _cache.model_key(source) != key


def test_load_or_build_calls_the_builder_only_when_needed(cache):
    calls = []

    def build():
        calls.append(1)
        return {"n": len(calls)}

    assert _cache.load_or_build("thing", "a" * 64, build) == {"n": 1}
    assert _cache.load_or_build("thing", "a" * 64, build) == {"n": 1}
    assert len(calls) == 1
    assert _cache.load_or_build("thing", "b" * 64, build) == {"n": 2}  # another key: stale
    assert _cache.load_or_build("thing", "b" * 64, build) == {"n": 2}
    assert len(calls) == 2


def test_a_payload_of_the_wrong_kind_is_not_trusted(cache):
    """Even with a matching digest, anything but an UpperBodyModel is rebuilt."""
    key = _cache.model_key(MODEL_FILE.read_bytes())
    assert _cache._write(cache_file(cache), key, {"not": "a model"}) == ""
    body = fresh_default_model()
    assert isinstance(body, UpperBodyModel)
    assert _cache.last_event[NAME] == "built and stored"
    payload = b"this is not a pickle"
    import hashlib

    blob = _cache._MAGIC + key.encode() + b"\n" + hashlib.sha256(payload).hexdigest().encode() + b"\n" + payload
    cache_file(cache).write_bytes(blob)
    assert isinstance(fresh_default_model(), UpperBodyModel)
    assert _cache.last_event[NAME] == "built and stored"


def test_an_unwritable_cache_directory_builds_in_memory(tmp_path, monkeypatch):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a directory")
    monkeypatch.setenv(_cache.ENV_VAR, str(blocker / "cache"))
    body = fresh_default_model()
    assert isinstance(body, UpperBodyModel)
    assert _cache.last_event[NAME].startswith("built (not stored")


def test_the_file_is_replaced_atomically(cache, monkeypatch):
    fresh_default_model()
    before = cache_file(cache).read_bytes()

    def fail(*args):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", fail)
    assert _cache._write(cache_file(cache), "c" * 64, {"x": 1}) == "No space left on device"
    monkeypatch.undo()
    assert cache_file(cache).read_bytes() == before  # the old file is intact
    assert sorted(p.name for p in cache.iterdir()) == [cache_file(cache).name]  # no temporary file left


def test_the_cache_directory_defaults_to_the_user_cache(monkeypatch):
    import platformdirs

    monkeypatch.delenv(_cache.ENV_VAR, raising=False)
    assert _cache.cache_dir() == Path(platformdirs.user_cache_dir("relieve"))


def test_read_only_arrays_and_mapping_views_survive_the_round_trip():
    from types import MappingProxyType

    frozen = np.arange(6.0).reshape(2, 3)
    frozen.setflags(write=False)
    value = {"a": frozen, "b": np.ones(2), "c": MappingProxyType({"x": MappingProxyType({"y": 1})})}
    back = pickle.loads(_cache._dumps(value))
    np.testing.assert_array_equal(back["a"], frozen)
    assert not back["a"].flags.writeable and back["b"].flags.writeable
    assert isinstance(back["c"], MappingProxyType) and isinstance(back["c"]["x"], MappingProxyType)


# --------------------------------------------------------------------------- the kernel


def test_the_compiled_kernel_and_the_jit_agree(cache):
    """Whichever implementation this process uses, the JIT gives the same lengths."""
    body = default_model()
    p = random_postures(body, 300, seed=11)
    here = body.bundle_lengths(p)
    code = (
        "import sys, numpy as np\n"
        "from relieve.model import default_model, _kernel\n"
        "p = np.load(sys.argv[1])\n"
        "np.save(sys.argv[2], default_model().bundle_lengths(p))\n"
        "print(_kernel.implementation().kind)\n"
    )
    np.save(cache / "p.npy", p)
    out = subprocess.run(
        [sys.executable, "-c", code, str(cache / "p.npy"), str(cache / "jit.npy")],
        capture_output=True, text=True, env={**os.environ, _cache.ENV_VAR: str(cache), "RELIEVE_KERNEL": "jit"},
    )
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "jit"
    np.testing.assert_allclose(np.load(cache / "jit.npy"), here, rtol=1e-14, atol=0)


def test_with_the_compiled_kernel_a_process_never_imports_numba(cache):
    impl = _kernel.implementation()
    if impl.kind != "compiled":
        pytest.skip(f"this machine runs the JIT ({impl.note})")
    code = (
        "import sys\n"
        "from relieve.model import default_model, _kernel\n"
        "body = default_model()\n"
        "body.lengths(body.postures_array([{'neck_rotation': 30.0}, {'neck_flexion': -20.0}]))\n"
        "body.body_poses(body.postures_array([{'neck_rotation': 30.0}]))\n"
        "print(_kernel.implementation().kind, 'numba' in sys.modules)\n"
    )
    out = run_python(code, cache)
    assert out.returncode == 0, out.stderr
    assert out.stdout.split() == ["compiled", "False"]


def test_a_compiled_module_whose_digest_does_not_match_is_not_loaded(tmp_path):
    name = _aot.module_name()
    path = tmp_path / (name + _aot._EXT)
    path.write_bytes(b"\x7fELF not really a library")
    (tmp_path / f"{name}.sha256").write_text("0" * 64)
    assert _aot._load(tmp_path, name) is None
    (tmp_path / f"{name}.sha256").unlink()
    assert _aot._load(tmp_path, name) is None  # no digest: not loaded either


def test_the_jit_can_be_asked_for(monkeypatch):
    monkeypatch.setattr(_kernel, "_chosen", None)
    monkeypatch.setenv("RELIEVE_KERNEL", "jit")
    impl = _kernel.implementation()
    assert impl.kind == "jit" and hasattr(impl.lengths, "py_func")


def test_a_failed_build_falls_back_to_the_jit_and_is_retried_a_day_later(tmp_path, monkeypatch):
    monkeypatch.setattr(_aot, "_directories", lambda: iter([tmp_path]))
    calls = []

    def failing(directory, name):
        calls.append(name)
        return "error: command 'gcc' failed: No such file or directory\n"

    monkeypatch.setattr(_aot, "_run_build", failing)
    module, note = _aot.load_or_build()
    assert module is None and "gcc" in note
    marker = tmp_path / f"{_aot.module_name()}.failed"
    assert "gcc" in marker.read_text()
    module, note = _aot.load_or_build()  # not tried again at once
    assert module is None and len(calls) == 1
    day_ago = marker.stat().st_mtime - _aot._RETRY_AFTER_S - 60
    os.utime(marker, (day_ago, day_ago))
    _aot.load_or_build()
    assert len(calls) == 2


def test_while_another_process_builds_the_kernel_this_one_does_not_wait(tmp_path, monkeypatch):
    fcntl = pytest.importorskip("fcntl")
    monkeypatch.setattr(_aot, "_directories", lambda: iter([tmp_path]))
    monkeypatch.setattr(_aot, "_run_build", lambda directory, name: pytest.fail("must not build"))
    fd = os.open(tmp_path / f"{_aot.module_name()}.lock", os.O_RDWR | os.O_CREAT)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)  # as the building process holds it
        module, note = _aot.load_or_build()
    finally:
        os.close(fd)
    assert module is None and "another process" in note


# ------------------------------------------------------------------ packaged data files


def test_packaged_data_is_parsed_once_then_read_back(cache, monkeypatch):
    from relieve import _data

    first = _data.packaged_yaml("relieve.anatomy", "muscles.yaml")
    stored = cache / "relieve.anatomy.muscles.yaml.parsed"
    assert stored.is_file()

    def must_not_parse(text, name):
        raise AssertionError(f"{name} parsed again")

    monkeypatch.setattr(_data, "parse_yaml", must_not_parse)
    again = _data.packaged_yaml("relieve.anatomy", "muscles.yaml")
    assert again == first and again is not first  # each call its own object
    again["muscles"].clear()
    assert _data.packaged_yaml("relieve.anatomy", "muscles.yaml") == first


@pytest.mark.parametrize("damage", ["truncated", "flipped", "stale key", "not a cache file"])
def test_a_damaged_or_stale_parse_is_parsed_again(cache, damage):
    from relieve import _data

    first = _data.packaged_yaml("relieve.anatomy", "regions.yaml")
    stored = cache / "relieve.anatomy.regions.yaml.parsed"
    blob = stored.read_bytes()
    start = len(_data._MAGIC)
    broken = {
        "truncated": blob[:-20],
        "flipped": blob[:-1] + bytes([blob[-1] ^ 0xFF]),
        "stale key": blob[:start] + b"0" * 64 + blob[start + 64:],
        "not a cache file": b"regions: []\n",
    }[damage]
    stored.write_bytes(broken)
    assert _data.packaged_yaml("relieve.anatomy", "regions.yaml") == first
    assert stored.read_bytes() == blob  # rewritten whole


def test_packaged_data_without_a_cache_directory_is_parsed_each_time(tmp_path, monkeypatch):
    from relieve import _data, _filecache

    monkeypatch.setattr(_filecache, "cache_dir", lambda: None)
    assert _data.packaged_yaml("relieve.anatomy", "regions.yaml")
    assert not any(tmp_path.iterdir())
