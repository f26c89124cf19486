"""The web app under load, on loopback, from a second process.

`relieve serve` runs as a subprocess on a free port with a temporary SQLite database;
this process is the load generator: CLIENTS connections (HTTP/1.1 keep-alive, raw
asyncio streams, so the generator costs the shared cores little), each sending its
next request as soon as the previous answer arrives (a closed loop), until REQUESTS
answers or LIMIT_S seconds, whichever comes first; then it stops.

- POST /api/assess with the findings of the identification vignettes, in turn;
- GET /api/plan for one muscle-side (levator scapulae, left): the plan is computed
  once and remembered, so this measures the serving path;
- the cold start of `relieve serve`: from the command's start to the first page (/).

With 2 cores, WORKERS (2) uvicorn workers are used for the load runs; the single-worker
figures are printed too. By Little's law a closed loop of 50 clients at R answers per
second has a mean latency of 50/R: 300 answers/s means a mean near 167 ms, so the p99
target of 50 ms (issue 14) can only be met well above 1,000 answers/s.
"""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml

from _common import REPO, table

CLIENTS = 50
REQUESTS = 4000
WARM_REQUESTS = 500
LIMIT_S = 20.0
WORKERS = 2
COLD_ROUNDS = 3
TARGETS = {"assess_p99_ms": 50.0, "assess_rps": 300.0, "plan_p99_ms": 100.0}
VIGNETTES = REPO / "tests" / "vignettes" / "identification.yaml"
PLAN_PATH = "/api/plan?muscle=levator_scapulae&side=left"


def _relieve() -> list[str]:
    script = Path(sys.executable).with_name("relieve")
    return [str(script)] if script.exists() else [sys.executable, "-m", "relieve"]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _findings() -> list[bytes]:
    cases = yaml.safe_load(VIGNETTES.read_text(encoding="utf-8"))
    return [json.dumps(c["findings"]).encode() for c in cases]


def _get_once(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=2) as s:
            s.sendall(b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
            return s.recv(64).startswith(b"HTTP/1.1 200")
    except OSError:
        return False


class Server:
    """`relieve serve` on a free port; ``started_s``: from start to the first page."""

    def __init__(self, work: Path, workers: int = 1, name: str = "bench"):
        self.port = _free_port()
        env = {**os.environ, "RELIEVE_CACHE_DIR": str(work / "cache")}
        env.pop("RELIEVE_DATABASE_URL", None)
        argv = [*_relieve(), "serve", "--port", str(self.port), "--db", f"sqlite:///{work / (name + '.db')}",
                "--workers", str(workers)]
        start = time.perf_counter()
        self.process = subprocess.Popen(argv, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        for _ in range(6000):  # polls, at most about 60 s
            if self.process.poll() is not None:
                raise RuntimeError(f"relieve serve stopped: {self.process.stderr.read().decode()[-500:]}")
            if _get_once(self.port):
                break
            time.sleep(0.01)
        else:
            self.stop()
            raise RuntimeError("relieve serve did not answer within 60 s")
        self.started_s = time.perf_counter() - start

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


def _request(method: str, path: str, body: bytes = b"") -> bytes:
    head = f"{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n"
    if method == "POST":
        head += f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n"
    return (head + "\r\n").encode() + body


async def _client(port: int, requests: list[bytes], state: dict, latencies: list[float], statuses: dict) -> None:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        while state["left"] > 0 and time.perf_counter() < state["deadline"]:
            state["left"] -= 1
            request = requests[state["next"] % len(requests)]
            state["next"] += 1
            start = time.perf_counter()
            writer.write(request)
            status_line = await reader.readline()
            length = 0
            while True:
                line = await reader.readline()
                if line in (b"\r\n", b""):
                    break
                name, _, value = line.partition(b":")
                if name.strip().lower() == b"content-length":
                    length = int(value)
            await reader.readexactly(length)
            latencies.append(time.perf_counter() - start)
            status = status_line.split(b" ")[1].decode()
            statuses[status] = statuses.get(status, 0) + 1
    finally:
        writer.close()


async def _load(port: int, requests: list[bytes], count: int = REQUESTS) -> dict:
    latencies: list[float] = []
    statuses: dict[str, int] = {}
    state = {"left": count, "next": 0, "deadline": time.perf_counter() + LIMIT_S}
    start = time.perf_counter()
    await asyncio.gather(*(_client(port, requests, state, latencies, statuses) for _ in range(CLIENTS)))
    elapsed = time.perf_counter() - start
    latencies.sort()
    return {
        "n": len(latencies), "seconds": elapsed, "rps": len(latencies) / elapsed,
        "p50_ms": 1000 * statistics.median(latencies),
        "p99_ms": 1000 * latencies[min(len(latencies) - 1, int(0.99 * len(latencies)))],
        "mean_ms": 1000 * statistics.fmean(latencies), "statuses": statuses,
    }


def _warm(port: int, requests: list[bytes]) -> None:
    """An untimed run first, over as many connections, so that every worker has loaded
    the model, computed the plan and warmed its caches."""
    asyncio.run(_load(port, requests, WARM_REQUESTS))


def _runs(work: Path, workers: int) -> dict:
    assess = [_request("POST", "/api/assess", body) for body in _findings()]
    plan = [_request("GET", PLAN_PATH)]
    server = Server(work, workers, name=f"load{workers}")
    try:
        _warm(server.port, assess + plan)
        return {"assess": asyncio.run(_load(server.port, assess)), "plan": asyncio.run(_load(server.port, plan))}
    finally:
        server.stop()


def main() -> dict:
    work = Path(tempfile.mkdtemp(prefix="relieve-bench-web-"))
    try:
        Server(work, name="warmup").stop()  # the cache directory and the OS file cache
        cold = []
        for i in range(COLD_ROUNDS):
            server = Server(work, name=f"cold{i}")
            cold.append(server.started_s)
            server.stop()
        results = {workers: _runs(work, workers) for workers in (1, WORKERS)}
    finally:
        shutil.rmtree(work, ignore_errors=True)

    rows = []
    for workers, result in results.items():
        a, p = result["assess"], result["plan"]
        label = f"{workers} worker{'s' if workers > 1 else ''}"
        rows += [
            [f"POST /api/assess, {label}: answers/s", f"{a['rps']:,.0f}", f">= {TARGETS['assess_rps']:.0f}",
             _verdict(a["rps"] >= TARGETS["assess_rps"])],
            [f"POST /api/assess, {label}: p99 ms", f"{a['p99_ms']:.1f}", f"<= {TARGETS['assess_p99_ms']:.0f}",
             _verdict(a["p99_ms"] <= TARGETS["assess_p99_ms"])],
            [f"  p50 / mean ms (Little: {CLIENTS}/R = {1000 * CLIENTS / a['rps']:.0f} ms)",
             f"{a['p50_ms']:.1f} / {a['mean_ms']:.1f}", "(information)", ""],
            [f"GET /api/plan (one muscle), {label}: p99 ms", f"{p['p99_ms']:.1f}",
             f"<= {TARGETS['plan_p99_ms']:.0f}", _verdict(p["p99_ms"] <= TARGETS["plan_p99_ms"])],
            [f"  answers/s, p50 ms", f"{p['rps']:,.0f}, {p['p50_ms']:.1f}", "(information)", ""],
        ]
        bad = {s: n for r in (a, p) for s, n in r["statuses"].items() if s != "200"}
        if bad:
            rows.append([f"  answers other than 200 ({label})", str(bad), "none", "NOT met"])
    rows.append([f"cold start of relieve serve to the first page, s (median of {COLD_ROUNDS})",
                 f"{statistics.median(cold):.2f}", "(printed)", ""])
    print(table(["measure", "value", "target", ""], rows,
                title=f"The web app on loopback: {CLIENTS} closed-loop clients, at most {REQUESTS:,} requests or "
                      f"{LIMIT_S:.0f} s per run, {os.cpu_count()} cores shared with the load generator"))
    chosen = results[WORKERS]
    print(f"\nFIGURE: POST /api/assess {chosen['assess']['rps']:,.0f} answers/s, p99 {chosen['assess']['p99_ms']:.0f} ms "
          f"(targets >= {TARGETS['assess_rps']:.0f}/s, <= {TARGETS['assess_p99_ms']:.0f} ms); GET /api/plan p99 "
          f"{chosen['plan']['p99_ms']:.0f} ms (<= {TARGETS['plan_p99_ms']:.0f}); with {WORKERS} workers; cold start "
          f"{statistics.median(cold):.2f} s")
    return {"results": results, "cold_s": statistics.median(cold)}


def _verdict(ok: bool) -> str:
    return "met" if ok else "NOT met"


if __name__ == "__main__":
    main()
