"""gunicorn settings, read from the environment (``make serve`` / ``Procfile.production``).

| variable | default |
|---|---|
| ``GUNICORN_BIND`` | ``0.0.0.0:$PORT`` (``PORT`` default 8000) |
| ``WEB_CONCURRENCY`` | 2 × CPUs + 1, at most 8 (worker processes) |
| ``GUNICORN_THREADS`` | 1 (more: the ``gthread`` worker) |
| ``GUNICORN_TIMEOUT`` | 30 s (a worker silent longer is killed and replaced) |
| ``GUNICORN_GRACEFUL_TIMEOUT`` | 30 s |
| ``GUNICORN_KEEPALIVE`` | 5 s |
| ``GUNICORN_MAX_REQUESTS`` | 0 (off); with ``GUNICORN_MAX_REQUESTS_JITTER`` |
"""

import multiprocessing
import os


def _int(name: str, default: int) -> int:
    raw = os.environ.get(name, "")
    return int(raw) if raw.strip() else default


bind = os.environ.get("GUNICORN_BIND") or f"0.0.0.0:{_int('PORT', 8000)}"
workers = _int("WEB_CONCURRENCY", min(multiprocessing.cpu_count() * 2 + 1, 8))
threads = _int("GUNICORN_THREADS", 1)
worker_class = "gthread" if threads > 1 else "sync"
timeout = _int("GUNICORN_TIMEOUT", 30)
graceful_timeout = _int("GUNICORN_GRACEFUL_TIMEOUT", 30)
keepalive = _int("GUNICORN_KEEPALIVE", 5)
max_requests = _int("GUNICORN_MAX_REQUESTS", 0)
max_requests_jitter = _int("GUNICORN_MAX_REQUESTS_JITTER", 0)
worker_tmp_dir = "/dev/shm" if os.path.isdir("/dev/shm") else None
accesslog = os.environ.get("GUNICORN_ACCESS_LOG", "-")
errorlog = "-"
# The TLS-terminating proxy in front sets X-Forwarded-*; Django decides what to trust from it.
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
