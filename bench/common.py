"""Helpers shared by the benchmark scripts: output, subprocesses, the simulator's
control endpoints and a throwaway PostgreSQL database."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import urllib.request
from urllib.parse import urlsplit, urlunsplit


def out(text: str = "") -> None:
    sys.stdout.write(text + "\n")
    sys.stdout.flush()


def database_url(name: str, default: str, tool: str) -> str:
    """DATABASE_URL's PostgreSQL server, but always the database `name`."""
    parts = urlsplit(os.environ.get("DATABASE_URL") or default)
    if parts.scheme not in ("postgres", "postgresql"):
        sys.exit(f"{tool} needs PostgreSQL: set DATABASE_URL=postgres://...")
    return urlunsplit(parts._replace(path=f"/{name}"))


def admin_url(db_url: str) -> str:
    return urlunsplit(urlsplit(db_url)._replace(path="/postgres"))


def recreate_database(db_url: str) -> None:
    """Drop and create the database of `db_url`, then migrate it (Django is set up)."""
    import psycopg
    from django.core.management import call_command
    from django.db import connections

    name = urlsplit(db_url).path.lstrip("/")
    connections.close_all()
    with psycopg.connect(admin_url(db_url), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    call_command("migrate", verbosity=0)


def stop_group(proc: subprocess.Popen | None, grace: float = 10.0) -> None:
    """Stop a subprocess we started and everything in its process group."""
    if proc is None or proc.poll() is not None:
        return
    try:
        os.killpg(proc.pid, signal.SIGTERM)
    except ProcessLookupError:
        return
    try:
        proc.wait(grace)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(5)


def site_call(port: int, path: str, method: str = "GET") -> dict:
    """GET or POST one of the simulator's control endpoints (/_truth, /_round)."""
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}{path}", method=method, data=b"" if method else None
    )
    with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
        body = response.read()
    return json.loads(body) if body.strip().startswith(b"{") else {}
