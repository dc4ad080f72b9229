"""Real processes for the tests that need them: a free port, a throw-away redis-server, a Django
server or Celery worker in a subprocess — each stopped by its own process id, never by name."""

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from django.conf import settings

BASE_DIR = Path(settings.BASE_DIR)
PYTHON = sys.executable
BIN = Path(sys.executable).parent


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for_port(port: int, *, timeout: float = 60, proc: subprocess.Popen | None = None) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc is not None and proc.poll() is not None:
            raise RuntimeError(f"process exited with {proc.returncode} before listening on {port}")
        with socket.socket() as sock:
            sock.settimeout(0.5)
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.1)
    raise TimeoutError(f"nothing listens on port {port} after {timeout}s")


def stop(proc: subprocess.Popen, *, sig: int = signal.SIGTERM, timeout: float = 20) -> None:
    """Stop ``proc`` and its children (its own process group)."""
    if proc.poll() is not None:
        return
    try:
        os.killpg(proc.pid, sig)
        proc.wait(timeout=timeout)
    except (ProcessLookupError, subprocess.TimeoutExpired):
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        proc.wait(timeout=timeout)


def spawn(cmd: list[str], *, env: dict, log: Path) -> subprocess.Popen:
    handle = log.open("ab")
    return subprocess.Popen(cmd, cwd=BASE_DIR, env=env, stdout=handle, stderr=subprocess.STDOUT, start_new_session=True)


def redis_available() -> bool:
    return shutil.which("redis-server") is not None


@contextmanager
def redis_server(port: int, tmp_path: Path) -> Iterator[subprocess.Popen]:
    """A throw-away redis-server on ``port`` (never the shared 6379)."""
    assert port != 6379
    proc = spawn(
        ["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", str(tmp_path)],
        env=dict(os.environ),
        log=tmp_path / f"redis-{port}.log",
    )
    try:
        wait_for_port(port, timeout=20, proc=proc)
        yield proc
    finally:
        stop(proc)


def django_env(**overrides: str) -> dict:
    """The environment of a child process on the same database as this test (its test database)."""
    env = dict(os.environ)
    env["DJANGO_SETTINGS_MODULE"] = "backoffice.settings.test"
    env.update(overrides)
    return env


def database_url() -> str:
    from django.db import connection

    s = connection.settings_dict
    if connection.vendor == "postgresql":
        return f"postgres://{s['USER']}:{s['PASSWORD'] or ''}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"
    return f"sqlite:///{s['NAME']}"
