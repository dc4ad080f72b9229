"""Running for real (SPEC §10), checked in fresh interpreters as a deployment loads them:
production serves static files with WhiteNoise and keeps database connections; SQLite is set up
for concurrent use; wsgi/celery default to production; gunicorn reads its settings from the
environment."""

import json
import os
import runpy
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PRODUCTION_ENV = {
    "DJANGO_SECRET_KEY": "x" * 50,
    "DJANGO_ALLOWED_HOSTS": "backoffice.example.com",
    "DATABASE_URL": "postgres://u:p@db.example.com:5432/backoffice",
    "CELERY_BROKER_URL": "redis://redis.example.com:6379/0",
}
PROBE = (
    "import json; from django.conf import settings as s; d = s.DATABASES['default']; "
    "print(json.dumps({'middleware': s.MIDDLEWARE, 'static': s.STORAGES['staticfiles']['BACKEND'], "
    "'conn': [d['CONN_MAX_AGE'], d['CONN_HEALTH_CHECKS']], 'options': d.get('OPTIONS', {}), "
    "'visibility': s.CELERY_BROKER_TRANSPORT_OPTIONS.get('visibility_timeout'), "
    "'control': s.CELERY_BROKER_TRANSPORT_OPTIONS.get('control_folder')}))"
)


def run(code: str, **env) -> dict:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_", "CELERY_", "GUNICORN_"))}
    clean.pop("WEB_CONCURRENCY", None)
    clean.update(env)
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=clean, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_production_serves_static_files_and_keeps_connections():
    got = run(PROBE, DJANGO_SETTINGS_MODULE="backoffice.settings.production", **PRODUCTION_ENV)
    security = got["middleware"].index("django.middleware.security.SecurityMiddleware")
    assert got["middleware"][security + 1] == "whitenoise.middleware.WhiteNoiseMiddleware"
    assert got["static"] == "whitenoise.storage.CompressedManifestStaticFilesStorage"
    assert got["conn"] == [60, True]
    assert got["visibility"] == 3600
    tuned = run(
        PROBE,
        DJANGO_SETTINGS_MODULE="backoffice.settings.production",
        DATABASE_CONN_MAX_AGE="0",
        CELERY_VISIBILITY_TIMEOUT="7200",
        **PRODUCTION_ENV,
    )
    assert tuned["conn"] == [0, True] and tuned["visibility"] == 7200


def test_sqlite_default_is_set_up_for_concurrent_writers():
    got = run(PROBE, DJANGO_SETTINGS_MODULE="backoffice.settings.base")
    assert got["options"]["transaction_mode"] == "IMMEDIATE"
    assert "journal_mode=WAL" in got["options"]["init_command"]
    assert got["options"]["timeout"] == 20
    assert got["control"].endswith("var/broker-control")  # not ./control wherever a worker starts
    assert "whitenoise.middleware.WhiteNoiseMiddleware" not in got["middleware"]  # development: runserver serves static


def test_wsgi_and_celery_default_to_production_settings():
    code = "import json, os; import backoffice.celery, backoffice.wsgi; print(json.dumps(os.environ['DJANGO_SETTINGS_MODULE']))"
    assert run(code, **PRODUCTION_ENV) == "backoffice.settings.production"


def test_gunicorn_reads_its_settings_from_the_environment(monkeypatch):
    for key, value in {
        "GUNICORN_BIND": "127.0.0.1:9001",
        "WEB_CONCURRENCY": "3",
        "GUNICORN_THREADS": "4",
        "GUNICORN_TIMEOUT": "45",
    }.items():
        monkeypatch.setenv(key, value)
    conf = runpy.run_path(str(ROOT / "backoffice" / "gunicorn.conf.py"))
    assert (conf["bind"], conf["workers"], conf["threads"], conf["worker_class"], conf["timeout"]) == (
        "127.0.0.1:9001",
        3,
        4,
        "gthread",
        45,
    )
    for key in ("GUNICORN_BIND", "WEB_CONCURRENCY", "GUNICORN_THREADS", "GUNICORN_TIMEOUT"):
        monkeypatch.delenv(key)
    monkeypatch.setenv("PORT", "8123")
    conf = runpy.run_path(str(ROOT / "backoffice" / "gunicorn.conf.py"))
    assert conf["bind"] == "0.0.0.0:8123" and conf["threads"] == 1 and conf["worker_class"] == "sync" and conf["workers"] >= 1


def test_development_entry_points_name_the_development_settings():
    procfile = (ROOT / "Procfile").read_text()
    assert procfile.count("backoffice.settings.base") == 3 and "runserver 127.0.0.1:" in procfile
    assert "gunicorn --config backoffice/gunicorn.conf.py backoffice.wsgi" in (ROOT / "Procfile.production").read_text()
    assert not (ROOT / "control").exists()
