"""Settings shared by every environment; each value has a working local default."""

from datetime import timedelta
from decimal import Decimal
from importlib import import_module
from pathlib import Path

import dj_database_url
from django.utils.translation import gettext_lazy as _

from backoffice.settings.env import env_bool, env_int, env_list, env_str

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = BASE_DIR / "var"
VAR_DIR.mkdir(exist_ok=True)

DEV_SECRET_KEY = "dev-only-insecure-key-change-me"
SECRET_KEY = env_str("DJANGO_SECRET_KEY", DEV_SECRET_KEY)
#: Error pages (DEBUG) and error mails mask secrets: *_URL, *_KEY, *_PASSWORD, *_SECRET and any
#: value with credentials in it (``scheme://user:password@host``).
DEFAULT_EXCEPTION_REPORTER_FILTER = "core.debug.SecretMaskingReporterFilter"
DEBUG = env_bool("DJANGO_DEBUG", True)
ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]", "testserver"])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "import_export",
    "core",
    "shops",
    "reports",
    "tickets",
    "complaints",
    "badges",
    "storefront",
    "notifications",
    "workbench",
    "axes",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "core.middleware.RejectNulCharactersMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "core.middleware.ChosenLanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "backoffice.urls"
WSGI_APPLICATION = "backoffice.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "core.context_processors.portal_navigation",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
        conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 0),
        conn_health_checks=env_bool("DATABASE_CONN_HEALTH_CHECKS", True),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # The few statements the code prepares (``core.setbased.prepared_cursor``: run on every urge)
    # are planned once per connection; by default PostgreSQL re-plans a prepared statement while
    # its generic plan looks costlier than the custom ones, as it does for the coverage
    # subqueries. Django's own statements are never prepared, so this setting touches only those.
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault("options", "-c plan_cache_mode=force_generic_plan")
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Several processes (web, worker, beat) share the file (SPEC §10 "the embedded default holds
    # concurrent use"): WAL lets readers run beside the one writer; IMMEDIATE takes the write
    # lock when a transaction begins, so a transaction that reads before it writes waits for the
    # lock (busy timeout) instead of failing its lock upgrade at once with "database is locked".
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "timeout": env_int("SQLITE_BUSY_TIMEOUT", 20),
            "transaction_mode": "IMMEDIATE",
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        }
    )

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
]

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("Simplified Chinese")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"
STATICFILES_DIRS = [BASE_DIR / "static"]

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "portal:home"
LOGOUT_REDIRECT_URL = "login"

# --- Tokens and logins (SPEC §9) ----------------------------------------------------------
#: Days until a merchant or ops API token expires, and a platform service token (0 = never).
API_TOKEN_DAYS = env_int("API_TOKEN_DAYS", 90)
API_PLATFORM_TOKEN_DAYS = env_int("API_PLATFORM_TOKEN_DAYS", 365)
#: Login lock-out (django-axes), portal and admin alike: after AXES_FAILURE_LIMIT failures for
#: one username from one address, that pair is locked for AXES_COOLOFF_MINUTES.
AUTHENTICATION_BACKENDS = ["axes.backends.AxesStandaloneBackend", "django.contrib.auth.backends.ModelBackend"]
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("AXES_COOLOFF_MINUTES", 15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False

# --- Mail (reminders) -------------------------------------------------------------------
EMAIL_BACKEND = env_str("DJANGO_EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = env_str("DJANGO_EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("DJANGO_EMAIL_PORT", 25)
EMAIL_HOST_USER = env_str("DJANGO_EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env_str("DJANGO_EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("DJANGO_EMAIL_USE_TLS", False)
DEFAULT_FROM_EMAIL = env_str("DJANGO_DEFAULT_FROM_EMAIL", "backoffice@localhost")

# --- REST API ---------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "core.api.authentication.HashedTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PARSER_CLASSES": [
        "core.api.parsers.JSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "DEFAULT_PAGINATION_CLASS": "core.api.pagination.Pagination",
    "PAGE_SIZE": 20,
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "core.api.exception_handler.api_exception_handler",
    "DEFAULT_THROTTLE_CLASSES": ["core.api.throttling.MerchantRateThrottle"],
    "DEFAULT_THROTTLE_RATES": {"merchant": env_str("MERCHANT_API_RATE", "600/min")},
}

SPECTACULAR_SETTINGS = {
    "TITLE": "Delivery-guarantee back office API",
    "DESCRIPTION": "报备、催发货工单、投诉与申诉、48h揽收打标 — v1 contract (SPEC §8).",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.AllowAny"],
    "SERVE_AUTHENTICATION": [],
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {
        "NotificationKindEnum": "notifications.models.Notification.Kind",
        "ShopKindEnum": "shops.models.Shop.Kind",
    },
    # Every operation documents its error answers ({"code", "detail"}): core/api/schema.py.
    "POSTPROCESSING_HOOKS": ["drf_spectacular.hooks.postprocess_schema_enums", "core.api.schema.document_error_responses"],
}

# --- Celery -----------------------------------------------------------------------------
# Default: a broker that needs no server (files under var/), results in a SQLite file.
CELERY_BROKER_URL = env_str("CELERY_BROKER_URL", "filesystem://localhost//")
CELERY_BROKER_TRANSPORT_OPTIONS = (
    {
        "data_folder_in": str(VAR_DIR / "broker"),
        "data_folder_out": str(VAR_DIR / "broker"),
        "processed_folder": str(VAR_DIR / "broker-processed"),
        "store_processed": False,
        "control_folder": str(VAR_DIR / "broker-control"),  # not ./control in the working directory
    }
    if CELERY_BROKER_URL.startswith("filesystem")
    # Redis re-delivers an unacknowledged task (a killed worker) after this many seconds; no
    # countdown, ETA or retry back-off may exceed it.
    else {"visibility_timeout": env_int("CELERY_VISIBILITY_TIMEOUT", 3600)}
)
if CELERY_BROKER_URL.startswith("filesystem"):
    (VAR_DIR / "broker").mkdir(exist_ok=True)
    (VAR_DIR / "broker-processed").mkdir(exist_ok=True)
CELERY_RESULT_BACKEND = env_str(
    "CELERY_RESULT_BACKEND",
    CELERY_BROKER_URL if CELERY_BROKER_URL.startswith("redis") else f"db+sqlite:///{VAR_DIR / 'celery-results.sqlite3'}",
)
CELERY_TIMEZONE = TIME_ZONE
CELERY_ENABLE_UTC = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_IGNORE_RESULT = True
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")
# Each app keeps its periodic tasks in ``<app>/schedule.py`` (``BEAT_SCHEDULE``, crontab + expires).
CELERY_BEAT_SCHEDULE: dict = {}
for _app in ("core", "reports", "tickets", "complaints", "badges", "storefront", "workbench"):
    try:
        CELERY_BEAT_SCHEDULE.update(import_module(f"{_app}.schedule").BEAT_SCHEDULE)
    except ModuleNotFoundError as _exc:
        if _exc.name != f"{_app}.schedule":
            raise

# --- Domain settings (SPEC defaults) ----------------------------------------------------
ORDER_DEFAULT_SHIP_WINDOW = timedelta(hours=48)
REPORT_MAX_WINDOW = timedelta(days=30)
REPORT_MAX_BACKDATE = timedelta(hours=24)
TICKET_REPLY_WINDOW = timedelta(hours=24)
TICKET_REMINDER_BEFORE_DUE = timedelta(hours=4)
COMPLAINT_PENALTY_RATE = Decimal("0.05")
# Ops exports (django-import-export): only who may view a list may export it.
IMPORT_EXPORT_EXPORT_PERMISSION_CODE = "view"
IMPORT_EXPORT_ESCAPE_FORMULAE_ON_EXPORT = True  # a cell starting with = + - @ is not run as a formula
# Inbox notifications also mailed through the outbox (task opened / 4 hours left: tickets mails them).
NOTIFICATION_MAIL_KINDS = [
    "task_overdue",
    "complaint_filed",
    "complaint_judged",
    "appeal_decided",
    "report_decided",
    "spot_check_result",
]
SPOT_CHECK_RATE = Decimal("0.02")  # share of yesterday's auto-approved reports sampled (rounded up)
SPOT_CHECK_SHOP_MINIMUM = 5  # a shop with this many auto-approvals in a day gets at least one check
COMPLAINT_PENALTY_MIN = Decimal("5.00")
COMPLAINT_PENALTY_MAX = Decimal("30.00")
APPEAL_WINDOW = timedelta(days=7)
BADGE_RATE_THRESHOLD = Decimal("0.98")
BADGE_RANKING_BOOST = Decimal("1.2")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("DJANGO_LOG_LEVEL", "INFO")},
}
