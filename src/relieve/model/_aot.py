"""The kernel compiled ahead of time: built once by numba, loaded without numba.

``import numba`` and loading numba's on-disk cache of the JIT take about 0.35-0.45 s
on the project's 2-core machine, two to three times a whole ``python -c "import
numpy"``, before a single muscle length is computed; ``relieve plan`` then needs a
few thousand postures, about 10 ms of kernel time. So the functions of
``_kernel.py`` - the same source, not a second implementation - are compiled by
numba ahead of time (``numba.pycc``) into a small extension module, which later
processes load in about 1.5 ms, digest check included, without importing numba.

It is compiled for the platform's generic CPU, not for this machine's, so a copy
on a shared disk cannot crash another machine; on the kernel alone that costs about
5-10 % against the JIT (measured: 2.6 against 2.4-2.5 us per posture of the default
model, one thread).

Where it lives: beside numba's own cache of the JIT, in this package's
``__pycache__``; if that is not writable, in ``<cache dir>/kernel`` (see
``_cache.cache_dir``). Its name carries a hash of ``_kernel.py``, of this file,
of the NumPy version and of the interpreter's extension suffix, so editing the
kernel or upgrading NumPy or Python builds a new one.

How it is built: the first process that needs the kernel and finds no module runs
``python -m relieve.model._aot DIR NAME`` (about 10 s of CPU, once; it needs a C
compiler and setuptools), holding a lock so that concurrent processes do not build
it twice; they use the JIT meanwhile. The build compiles into a temporary
directory, checks the module against the JIT on a small model that uses every branch
of the kernel, and only then moves it into place (atomically, with a sha256 beside
it). A module whose digest does not match is never loaded. If the build fails (no C
compiler, a numba without ``pycc``), the reason is written to ``NAME.failed`` and
the JIT is used; the build is tried again a day later.
"""

from __future__ import annotations

import hashlib
import importlib.machinery
import importlib.util
import os
import sys
import time
from contextlib import contextmanager
from pathlib import Path

import numpy as np

_HERE = Path(__file__).resolve().parent
_SOURCES = ("_kernel.py", "_aot.py")
_EXT = importlib.machinery.EXTENSION_SUFFIXES[0]
_BUILD_TIMEOUT_S = 900
_RETRY_AFTER_S = 24 * 3600

# Exported signatures: every array in any layout ("A"), as ``Model._kernel_plan`` and
# ``Model._joint_inputs`` build them.
_F1, _F2, _F3, _F4, _I1 = "float64[:]", "float64[:, :]", "float64[:, :, :]", "float64[:, :, :, :]", "int64[:]"
_CHAIN_ARGS = (
    f"{_F2}, {_F2}, {_F2}, "  # cos_a, sin_a, amounts
    f"{_I1}, {_F3}, {_F3}, {_F2}, {_F3}, {_F2}, {_F2}, "  # parent .. const_t
    f"{_I1}, {_I1}, {_I1}, {_F3}, {_F3}, boolean[:], {_F3}, "  # rotation steps
    f"{_I1}, {_F2}, int64"  # translation steps, free_root
)
SIGNATURES = {
    "lengths": (
        f"void({_CHAIN_ARGS}, {_I1}, {_F2}, {_I1}, {_F2}, {_I1}, "  # straight segments
        f"{_I1}, {_F2}, {_I1}, {_F2}, {_I1}, {_I1}, {_I1}, {_F3}, {_F2}, {_F2}, "  # wrapping segments, ellipsoids
        f"{_F1}, {_F2})"
    ),
    "poses": f"void({_CHAIN_ARGS}, {_F4}, {_F3})",
}


def module_name() -> str:
    digest = hashlib.sha256()
    for name in _SOURCES:
        digest.update((_HERE / name).read_bytes())
    digest.update(f"|numpy {np.__version__}|{_EXT}".encode())
    return "relieve_kernel_" + digest.hexdigest()[:24]


def _directories():
    """Candidate homes of the module, in order (the second only computed if needed)."""
    yield _HERE / "__pycache__"
    from ._cache import cache_dir

    root = cache_dir()
    if root is not None:
        yield root / "kernel"


def _writable(directory: Path) -> bool:
    try:
        directory.mkdir(parents=True, exist_ok=True)
    except OSError:
        return False
    return os.access(directory, os.W_OK | os.X_OK)


# --------------------------------------------------------------------------- loading


def load_or_build():
    """``(module, "")`` with ``lengths`` and ``poses``, or ``(None, why not)``."""
    name = module_name()
    writable = None
    for directory in _directories():
        module = _load(directory, name)
        if module is not None:
            return module, ""
        if writable is None and _writable(directory):
            writable = directory
    if writable is None:
        return None, "no writable directory for the compiled kernel"
    failed = writable / f"{name}.failed"
    try:
        if time.time() - failed.stat().st_mtime < _RETRY_AFTER_S:
            return None, f"building the compiled kernel failed (see {failed})"
    except OSError:
        pass
    with _exclusive(writable / f"{name}.lock") as mine:
        if not mine:
            return None, "another process is building the compiled kernel"
        module = _load(writable, name)  # built by another process since we looked?
        if module is not None:
            return module, ""
        problem = _run_build(writable, name)
        module = None if problem else _load(writable, name)
        if module is None:
            problem = problem or "the compiled kernel was built but does not load"
            try:
                failed.write_text(problem, encoding="utf-8")
            except OSError:
                pass
            last = (problem.strip().splitlines() or ["?"])[-1]
            return None, f"building the compiled kernel failed: {last}"
    return module, ""


def _load(directory: Path, name: str):
    """The module, if it is there and its bytes match the digest written beside it."""
    path = directory / (name + _EXT)
    try:
        expected = (directory / f"{name}.sha256").read_text(encoding="ascii").strip()
        actual = hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError:
        return None
    if actual != expected:
        return None
    return _import(path, name)


def _import(path: Path, name: str):
    try:
        spec = importlib.util.spec_from_file_location(name, path)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
    except Exception:  # noqa: BLE001 - any failure means: not usable
        return None
    if not (callable(getattr(module, "lengths", None)) and callable(getattr(module, "poses", None))):
        return None
    return module


@contextmanager
def _exclusive(path: Path):
    """An advisory lock on ``path``: yields True if this process holds it, False if
    another one does. Where ``fcntl`` is missing every process "holds" it (a second
    build is wasted work, not harm: modules are moved into place atomically)."""
    try:
        import fcntl
    except ImportError:  # pragma: no cover - Windows
        yield True
        return
    try:
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    except OSError:
        yield False
        return
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            yield False
            return
        yield True
    finally:
        os.close(fd)  # releases the lock


def _run_build(directory: Path, name: str) -> str:
    """Build in a child process; "" on success, else what went wrong."""
    import subprocess  # here: a process that loads the module never needs it

    env = dict(os.environ)
    package_root = str(_HERE.parents[1])  # the directory holding ``relieve``
    env["PYTHONPATH"] = os.pathsep.join(p for p in (package_root, env.get("PYTHONPATH", "")) if p)
    env["RELIEVE_KERNEL"] = "jit"  # the child uses the JIT; it must not build recursively
    try:
        done = subprocess.run(
            [sys.executable, "-m", "relieve.model._aot", str(directory), name],
            env=env,
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            timeout=_BUILD_TIMEOUT_S,
        )
    except (OSError, subprocess.SubprocessError) as exc:
        return f"could not run the build: {exc}"
    if done.returncode != 0:
        return (done.stderr or done.stdout or f"exit code {done.returncode}")[-4000:]
    return ""


# --------------------------------------------------------------------------- building


def build(directory: Path, name: str) -> None:
    """Compile ``_kernel``'s kernels into ``directory/name<ext>`` (run in a child process)."""
    import shutil
    import tempfile
    import warnings

    from . import _kernel

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # pycc is "pending deprecation" in numba >= 0.57
        import numba.pycc.compiler as pycc_compiler
        from numba.pycc import CC

    class _Flags(pycc_compiler.Flags):
        """pycc's flags, but the exported functions release the GIL like the JIT's
        ``nogil=True``, so two threads can run two chunks at once."""

        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            self.release_gil = True

    jit = _kernel.jit_implementation()
    work = Path(tempfile.mkdtemp(prefix=f"{name}-", dir=directory))
    try:
        pycc_compiler.Flags = _Flags
        cc = CC(name)
        cc.output_dir = str(work)
        cc.export("lengths", SIGNATURES["lengths"])(jit.lengths.py_func)
        cc.export("poses", SIGNATURES["poses"])(jit.poses.py_func)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            cc.compile()
        built = work / (name + _EXT)
        module = _import(built, name)
        if module is None:
            raise RuntimeError(f"the module {built} does not import")
        _check_against_jit(module, jit)
        digest = hashlib.sha256(built.read_bytes()).hexdigest()
        target = directory / (name + _EXT)
        os.replace(built, target)
        note = work / "digest"
        note.write_text(digest + "\n", encoding="ascii")
        os.replace(note, directory / f"{name}.sha256")
        (directory / f"{name}.failed").unlink(missing_ok=True)
        if directory.resolve() == (_HERE / "__pycache__").resolve():
            _remove_older_builds(directory, name)
    finally:
        shutil.rmtree(work, ignore_errors=True)


def _remove_older_builds(directory: Path, name: str) -> None:
    """Remove modules built from other versions of the kernel from the package's own
    ``__pycache__`` (which serves this source only; the shared user cache directory
    may serve other installations and is left alone). Only files untouched for an
    hour go, so a build of another version in progress (a process started before an
    edit) is not disturbed; a process that still has a module loaded keeps it."""
    cutoff = time.time() - 3600
    for path in directory.glob("relieve_kernel_*"):
        try:
            if not path.name.startswith(name) and path.stat().st_mtime < cutoff:
                path.unlink()
        except OSError:
            pass


def _check_against_jit(module, jit) -> None:
    """The compiled module must give the JIT's numbers on a model that uses every
    branch of the kernel: tilted and axis-aligned rotation axes, constant rotations,
    translations, a fixed root, several bodies per muscle, a path wrapping over an
    ellipsoid on a moving body (straight at some postures, wrapped at others)."""
    from ._functions import Linear
    from ._model import Coordinate, Joint, Model, Muscle, PathPoint, Transform, TransformAxis, WrapEllipsoid

    tilt = Transform.from_xyz_body_fixed((0.2, -0.1, 0.3), (0.01, 0.02, -0.03))
    joints = [
        Joint("j1", "ground", "a", tilt, Transform(), (
            TransformAxis("rotation", (0.0, 0.0, 1.0), "q1", Linear(1.0)),
            TransformAxis("rotation", (1.0, 1.0, 0.5), "q2", Linear(0.7)),
            TransformAxis("translation", (0.0, 1.0, 0.0), "q3", Linear(1.0)),
        )),
        Joint("j2", "a", "b", Transform(translation=np.array([0.0, 0.3, 0.0])), tilt, (
            TransformAxis("rotation", (0.0, 1.0, 0.0), "q4", Linear(-1.0)),
            TransformAxis("rotation", (1.0, 0.0, 0.0), None, Linear(0.0, 0.4)),  # stays between two
            TransformAxis("rotation", (0.3, 0.0, 1.0), "q2", Linear(0.5)),
            TransformAxis("rotation", (0.0, 0.0, 1.0), None, Linear(0.0, -0.2)),
        )),
    ]
    coordinates = [Coordinate(n, range=(-1.0, 1.0)) for n in ("q1", "q2", "q3", "q4")]
    coordinates[2] = Coordinate("q3", range=(-0.05, 0.05), motion="translational")
    muscles = [
        Muscle("m1", (PathPoint("ground", (0.0, 0.1, 0.05)), PathPoint("a", (0.02, 0.1, 0.0)),
                      PathPoint("b", (0.01, 0.05, 0.02)))),
        Muscle("m2", (PathPoint("a", (0.0, 0.0, 0.04)), PathPoint("b", (0.0, 0.2, -0.03)))),
        Muscle("m3", (PathPoint("ground", (0.0, 0.05, -0.08)), PathPoint("a", (0.0, 0.1, 0.0)),
                      PathPoint("b", (0.0, 0.05, 0.08))), ("e",)),
    ]
    ellipsoid = WrapEllipsoid("e", "a", (0.03, 0.05, 0.04), Transform.from_xyz_body_fixed((0.1, 0.2, -0.1), (0.02, 0.16, 0.0)))
    model = Model("check", coordinates, joints, muscles, wrap_objects=[ellipsoid])
    rng = np.random.default_rng(0)
    q = rng.uniform(-1.0, 1.0, (64, 4)) * np.array([1.0, 1.0, 0.05, 1.0])
    full = model._full_coordinates(q)
    inputs = model._joint_inputs(full)
    got, want = np.empty((64, 3)), np.empty((64, 3))
    module.lengths(*inputs, *model._kernel_args, model._constant_length, got)
    jit.lengths(*inputs, *model._kernel_args, model._constant_length, want)
    rooted = list(model._kernel_args)
    rooted[16] = np.int64(0)  # the root body held fixed, as for a model no point of which is on the ground
    got_rooted, want_rooted = np.empty((64, 3)), np.empty((64, 3))
    module.lengths(*inputs, *rooted, model._constant_length, got_rooted)
    jit.lengths(*inputs, *rooted, model._constant_length, want_rooted)
    nb = len(model._body_order) + 1
    r1, p1 = np.empty((64, nb, 3, 3)), np.empty((64, nb, 3))
    r2, p2 = np.empty_like(r1), np.empty_like(p1)
    module.poses(*inputs, *model._kernel_args[:16], np.int64(-1), r1, p1)
    jit.poses(*inputs, *model._kernel_args[:16], np.int64(-1), r2, p2)
    pairs = (("lengths", got, want), ("lengths (fixed root)", got_rooted, want_rooted), ("rotations", r1, r2),
             ("origins", p1, p2))
    for label, a, b in pairs:
        if not np.allclose(a, b, rtol=1e-13, atol=1e-15):
            raise RuntimeError(f"the compiled kernel's {label} differ from the JIT's by {np.abs(a - b).max():.3g}")


if __name__ == "__main__":
    build(Path(sys.argv[1]), sys.argv[2])
