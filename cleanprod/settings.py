"""Django settings for cleanprod.

Every deployment-specific value comes from an environment variable read through the typed
helpers below; a malformed value stops start-up with ImproperlyConfigured instead of being
guessed.
"""

import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("CLEANPROD_VAR_DIR", BASE_DIR / "var"))


def env_str(name: str, default: str) -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    if raw.lower() in {"1", "true", "yes", "on"}:
        return True
    if raw.lower() in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name}={raw!r} is not a boolean; use true or false.")


def env_int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    try:
        return int(raw)
    except ValueError as error:
        raise ImproperlyConfigured(f"{name}={raw!r} is not an integer.") from error


# Off by default, so users see the product's own error pages; developers set CLEANPROD_DEBUG=true.
DEBUG = env_bool("CLEANPROD_DEBUG", False)
# NOTE: the fallback key is for the embedded single-machine set-up only; any deployment
# reachable by others must set CLEANPROD_SECRET_KEY.
SECRET_KEY = env_str("CLEANPROD_SECRET_KEY", "cleanprod-local-development-key-change-me")
ALLOWED_HOSTS = env_str("CLEANPROD_ALLOWED_HOSTS", "127.0.0.1,localhost,testserver").split(",")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "simple_history",
    "django_tasks",
    "django_tasks_db",
    "ninja",
    "cleanprod.organization",
    "cleanprod.resources",
    "cleanprod.metering",
    "cleanprod.production",
    "cleanprod.ingest",
    "cleanprod.indicators",
    "cleanprod.diagnosis",
    "cleanprod.dashboards",
    "cleanprod.alerts",
    "cleanprod.audits",
    "cleanprod.options",
    "cleanprod.reports",
    "cleanprod.api",
    "cleanprod.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
]

ROOT_URLCONF = "cleanprod.urls"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "organization:site-list"
LOGOUT_REDIRECT_URL = "login"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "cleanprod" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

WSGI_APPLICATION = "cleanprod.wsgi.application"

DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL", f"sqlite:///{VAR_DIR / 'cleanprod.sqlite3'}"),
        conn_max_age=env_int("CLEANPROD_DB_CONN_MAX_AGE", 0),
    )
}
# Lets two test runs share one PostgreSQL server without dropping each other's database.
if test_database := env_str("CLEANPROD_TEST_DATABASE", ""):
    DATABASES["default"]["TEST"] = {"NAME": test_database}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets pages read while an import writes; IMMEDIATE takes the write lock at the
    # start of a transaction so two writers queue instead of failing half-way through.
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": env_int("CLEANPROD_SQLITE_TIMEOUT", 60),
    }

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = env_str("REDIS_URL", "")
if REDIS_URL:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}}
else:
    # A file cache is shared by the web and worker processes, unlike the local-memory cache;
    # import progress travels through it.
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(VAR_DIR / "cache"),
        }
    }

TASKS = {
    "default": {
        "BACKEND": env_str("CLEANPROD_TASK_BACKEND", "django_tasks_db.DatabaseBackend"),
    }
}

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("Simplified Chinese")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"
STATICFILES_DIRS = [BASE_DIR / "cleanprod" / "static"]
MEDIA_ROOT = VAR_DIR / "media"

# Uploaded import files are written to disk and streamed, never held in memory.
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "loggers": {
        "cleanprod": {"handlers": ["console"], "level": env_str("CLEANPROD_LOG_LEVEL", "INFO")},
        # Django logs unhandled request errors here; by default only to e-mail when DEBUG is off.
        "django.request": {"handlers": ["console"], "level": "ERROR", "propagate": False},
    },
}

# Rows per chunk in the import pipeline: one chunk's parsed values, counter state and
# rollups are held in memory at a time.
CLEANPROD_IMPORT_CHUNK_ROWS = env_int("CLEANPROD_IMPORT_CHUNK_ROWS", 100_000)

# Readings that arrive over HTTP, MQTT or Modbus dated more than this many minutes after the
# server's clock are rejected as a wrong device clock or time zone (file imports keep them).
CLEANPROD_FUTURE_TOLERANCE_MINUTES = env_int("CLEANPROD_FUTURE_TOLERANCE_MINUTES", 10)

# Statutory deadlines of mandatory cleaner production audits (《清洁生产审核办法》, 2016). An audit
# starts within 2 months and finishes within 1 year of the list's publication. Sites that use or
# discharge toxic or hazardous substances audit again at most 5 years after the previous audit.
CLEANPROD_AUDIT_START_MONTHS = env_int("CLEANPROD_AUDIT_START_MONTHS", 2)
CLEANPROD_AUDIT_FINISH_MONTHS = env_int("CLEANPROD_AUDIT_FINISH_MONTHS", 12)
CLEANPROD_AUDIT_TOXIC_INTERVAL_YEARS = env_int("CLEANPROD_AUDIT_TOXIC_INTERVAL_YEARS", 5)

# Outgoing e-mail (alert notifications). Without a host, mail is written to the console log.
EMAIL_HOST = env_str("CLEANPROD_EMAIL_HOST", "")
EMAIL_PORT = env_int("CLEANPROD_EMAIL_PORT", 25)
EMAIL_HOST_USER = env_str("CLEANPROD_EMAIL_USER", "")
EMAIL_HOST_PASSWORD = env_str("CLEANPROD_EMAIL_PASSWORD", "")
EMAIL_USE_TLS = env_bool("CLEANPROD_EMAIL_USE_TLS", False)
DEFAULT_FROM_EMAIL = env_str("CLEANPROD_EMAIL_FROM", "cleanprod@localhost")
EMAIL_BACKEND = (
    "django.core.mail.backends.smtp.EmailBackend" if EMAIL_HOST else "django.core.mail.backends.console.EmailBackend"
)

# Repeats of one cause within this many hours are counted on the open alert.
# A notification delivery is attempted up to DELIVERY_ATTEMPTS times. Each retry is queued
# RETRY_SECONDS × the attempt number later.
CLEANPROD_ALERT_GROUPING_HOURS = env_int("CLEANPROD_ALERT_GROUPING_HOURS", 24)
# An import reaching further back is checked only over its last this many days.
CLEANPROD_ALERT_BACKFILL_DAYS = env_int("CLEANPROD_ALERT_BACKFILL_DAYS", 14)
CLEANPROD_ALERT_DELIVERY_ATTEMPTS = env_int("CLEANPROD_ALERT_DELIVERY_ATTEMPTS", 3)
CLEANPROD_ALERT_RETRY_SECONDS = env_int("CLEANPROD_ALERT_RETRY_SECONDS", 5)
# Scheme, host and port under which users reach this server. E-mails and webhooks link to alert
# pages with it, because a receiver cannot follow a relative link.
CLEANPROD_BASE_URL = env_str("CLEANPROD_BASE_URL", "http://127.0.0.1:8000")

# The MQTT broker that `cleanprod mqtt` subscribes to.
CLEANPROD_MQTT_HOST = env_str("CLEANPROD_MQTT_HOST", "127.0.0.1")
CLEANPROD_MQTT_PORT = env_int("CLEANPROD_MQTT_PORT", 1883)
