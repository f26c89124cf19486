"""``relieve serve``: the local web app (``relieve.web``), started with uvicorn.

The app is loaded by uvicorn by name (``relieve.web:create_app``), so the command line
stays a thin shell and never imports the web package itself. The database and the
timers' scale reach the app through the environment (``RELIEVE_DATABASE_URL``,
``RELIEVE_WEB_TIME_SCALE``), as a second worker would get them.
"""

from __future__ import annotations

import ipaddress
import os
import sys
import threading

from .._input import ascii_int, ascii_number
from ..errors import RelieveError
from ._store import db_parent

LOOPBACK = ("127.0.0.1", "::1", "localhost")
MAX_WORKERS = 64


def add_parser(sub) -> None:
    p = sub.add_parser("serve", parents=[db_parent()], help="start the local web app (http://127.0.0.1:8000/)",
                       description="Start the local web app: the questions, a body map, the plan with pictures, a "
                                   "timed guided session and the history, in your browser. It binds to 127.0.0.1 "
                                   "(this computer only) unless --host says otherwise.")
    p.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1: this computer only)")
    p.add_argument("--port", default="8000", help="port (default 8000)")
    p.add_argument("--open", action="store_true", help="open the app in a browser once it is up")
    p.add_argument("--time-scale", default="1", metavar="X", help="multiply every session timer by X (rehearsal: 0.01)")
    p.add_argument("--workers", default="1", metavar="N",
                   help=f"worker processes (default 1; at most {MAX_WORKERS}): more answer more requests at once on "
                        "a machine with several cores; they share only the database")
    p.set_defaults(func=cmd_serve)


def parse_port(text: str) -> int:
    port = ascii_int(str(text).strip())
    if port is None or not 1 <= port <= 65535:
        raise RelieveError(f"expected a port number 1-65535, got {text!r}", field="--port")
    return port


def parse_workers(text: str) -> int:
    workers = ascii_int(str(text).strip())
    if workers is None or not 1 <= workers <= MAX_WORKERS:
        raise RelieveError(f"expected a number of workers 1-{MAX_WORKERS}, got {text!r}", field="--workers")
    return workers


def check_host(text: str) -> str:
    host = str(text).strip()
    if host == "localhost":
        return host
    try:
        ipaddress.ip_address(host)
    except ValueError:
        raise RelieveError(f"expected an IP address such as 127.0.0.1, got {host!r}", field="--host") from None
    return host


def address_words(host: str, port: int) -> list[str]:
    """What the command prints: the address, and a warning when others can reach it."""
    shown_host = f"[{host}]" if ":" in host else host
    lines = [f"relieve: serving on http://{shown_host}:{port}/ (Ctrl-C stops it)"]
    if host not in LOOPBACK:
        lines.append(f"relieve: warning: bound to {host}, not 127.0.0.1: other computers on the network can reach "
                     "this app and the health records in its database")
    return lines


def cmd_serve(args) -> int:
    port = parse_port(args.port)
    host = check_host(args.host)
    workers = parse_workers(args.workers)
    scale = ascii_number(str(args.time_scale).strip(), exponent=True)
    if scale is None or not 0 < scale <= 1000:
        raise RelieveError(f"expected a number above 0 and at most 1000, got {args.time_scale!r}", field="--time-scale")
    try:
        import uvicorn
    except ImportError:
        raise RelieveError("the web app needs uvicorn and fastapi: pip install relieve", field="serve") from None
    if args.db:
        os.environ["RELIEVE_DATABASE_URL"] = args.db
    os.environ["RELIEVE_WEB_TIME_SCALE"] = repr(scale)
    for line in address_words(host, port):
        print(line, file=sys.stderr if "warning" in line else sys.stdout, flush=True)
    if args.open:
        url = f"http://{'127.0.0.1' if host in ('0.0.0.0', '::') else host}:{port}/"
        threading.Timer(1.5, _open_browser, (url,)).start()
    options = dict(factory=True, host=host, port=port, log_level="warning", access_log=False, server_header=False)
    try:
        if workers == 1:
            uvicorn.Server(uvicorn.Config("relieve.web:create_app", **options)).run()
        else:
            # A new database is created (migrated) here, once, before the workers start:
            # otherwise two workers' first requests could both try to create it.
            from ..store import open_store

            open_store(args.db or None).close()
            uvicorn.run("relieve.web:create_app", workers=workers, **options)
    except OSError as exc:
        raise RelieveError(f"cannot listen on {host}:{port}: {exc.strerror or exc}", field="--port") from None
    return 0


def _open_browser(url: str) -> None:
    import webbrowser

    webbrowser.open(url)
