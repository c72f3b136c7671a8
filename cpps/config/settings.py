"""Settings, read only from the environment.

`CPPS_ENV=development` (the default) is the embedded set-up: SQLite file, in-process tasks, local
memory cache. `CPPS_ENV=production` refuses to start without a secret key, allowed hosts and a
pseudonym key, and turns on every HTTPS protection `manage.py check --deploy` asks for.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import dj_database_url
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parents[2]
VAR_DIR = Path(os.environ.get("CPPS_VAR_DIR", BASE_DIR / "var"))

CPPS_ENV = os.environ.get("CPPS_ENV", "development")
PRODUCTION = CPPS_ENV == "production"
if CPPS_ENV not in {"development", "production"}:
    raise ImproperlyConfigured("CPPS_ENV must be 'development' or 'production'.")


def env_flag(name: str, *, default: bool) -> bool:
    """Read a yes/no environment variable."""
    raw = os.environ.get(name)
    if raw is None:
        return default
    return raw.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    """Read a comma-separated environment variable."""
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


def env_number(name: str, default: str, *, kind: type[int] | type[float] = int) -> Any:
    """Read a non-negative number, refusing anything else with the variable's name."""
    raw = os.environ.get(name, default).strip()
    try:
        value = kind(raw)
    except ValueError:
        value = -1
    if value < 0:
        raise ImproperlyConfigured(f"{name} must be a number of 0 or more, not {raw!r}.")
    return value


def required_in_production(name: str, development_default: str) -> str:
    """Read a secret that production must set and development may default."""
    value = os.environ.get(name, "")
    if value:
        return value
    if PRODUCTION:
        raise ImproperlyConfigured(f"Set the {name} environment variable in production.")
    return development_default


DEBUG = env_flag("DEBUG", default=False)
SECRET_KEY = required_in_production(
    "SECRET_KEY", "development-only-secret-key-not-for-production-use-0123456789abcdef"
)
# The pseudonym key turns channel identities into per-process pseudonyms. It lives outside the
# database so that a copy of the database alone cannot re-identify anyone.
# Twilio's auth token signs every SMS and voice webhook; without it every webhook is refused.
TWILIO_AUTH_TOKEN = os.environ.get("TWILIO_AUTH_TOKEN", "")
PSEUDONYM_KEY = required_in_production("PSEUDONYM_KEY", "development-only-pseudonym-key")
# Outbound text messages (e.g. SMS invitations): "outbox" keeps them in the database unsent,
# "twilio" sends them with the account SID and auth token, from a number or a messaging service.
TWILIO_ACCOUNT_SID = os.environ.get("TWILIO_ACCOUNT_SID", "")
TWILIO_FROM_NUMBER = os.environ.get("TWILIO_FROM_NUMBER", "")
TWILIO_MESSAGING_SERVICE_SID = os.environ.get("TWILIO_MESSAGING_SERVICE_SID", "")
SMS_BACKEND = os.environ.get("SMS_BACKEND", "outbox")
_twilio_sender = TWILIO_FROM_NUMBER or TWILIO_MESSAGING_SERVICE_SID
if SMS_BACKEND == "twilio" and not (TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN and _twilio_sender):
    raise ImproperlyConfigured(
        "SMS_BACKEND=twilio needs TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN and TWILIO_FROM_NUMBER or "
        "TWILIO_MESSAGING_SERVICE_SID."
    )
# Messages go to the background task in batches, each batch this many seconds after the last.
SMS_BATCH_SIZE = env_number("SMS_BATCH_SIZE", "50")
SMS_BATCH_SECONDS = env_number("SMS_BATCH_SECONDS", "30")
SMS_TIMEOUT_SECONDS = env_number("SMS_TIMEOUT_SECONDS", "10", kind=float)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "" if PRODUCTION else "127.0.0.1,localhost,testserver")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "csp",
    "cpps.common",
    "cpps.accounts",
    "cpps.jurisdictions",
    "cpps.audit",
    "cpps.processes",
    "cpps.channels",
    "cpps.participation",
    "cpps.listening",
    "cpps.priorities",
    "cpps.accountability",
    "cpps.panels",
    "cpps.deliberation",
    "cpps.publishing",
    "cpps.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "cpps.common.middleware.PseudonymKeyGuardMiddleware",
    "cpps.common.middleware.InProcessWatchdogMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "cpps.common.middleware.HostileInputMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "cpps.common.middleware.DomainErrorMiddleware",
    "cpps.participation.web.DeviceCookieMiddleware",
    "cpps.common.middleware.ServiceOutageMiddleware",
    "django_ratelimit.middleware.RatelimitMiddleware",
]

ROOT_URLCONF = "cpps.config.urls"
WSGI_APPLICATION = "cpps.config.wsgi.application"
ASGI_APPLICATION = "cpps.config.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "cpps" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "cpps.accounts.context_processors.navigation",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{VAR_DIR / 'cpps.sqlite3'}"),
        conn_max_age=env_number("DATABASE_CONN_MAX_AGE", "60"),
        # A connection kept between requests is checked before reuse, so the first request after
        # a database restart (or a terminated backend) reconnects instead of failing.
        conn_health_checks=True,
    )
}
_database_options = DATABASES["default"].setdefault("OPTIONS", {})
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    # Readers never wait for the writer (WAL); a write transaction takes the write lock when it
    # begins (BEGIN IMMEDIATE), so two writers queue behind the busy timeout instead of one
    # failing with "database is locked" when it upgrades a read lock.
    _database_options["timeout"] = env_number("DATABASE_BUSY_TIMEOUT", "20", kind=float)
    _database_options["transaction_mode"] = "IMMEDIATE"
    _database_options["init_command"] = "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL"
elif DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # Only statements sent through cpps.common.db.planned_once_cursor are ever prepared (the
    # ORM binds on the client). "off" for a transaction-mode pooler older than PgBouncer 1.21.
    _prepare_off = os.environ.get("DATABASE_PREPARE_AFTER", "").strip().lower() == "off"
    _database_options["prepare_threshold"] = (
        None if _prepare_off else env_number("DATABASE_PREPARE_AFTER", "5")
    )
    # A server that accepts connections but never answers fails a request within seconds
    # instead of holding a web worker; 0 turns either limit off.
    _database_options["connect_timeout"] = env_number("DATABASE_CONNECT_TIMEOUT", "5")
    _statement_ms = round(1000 * env_number("DATABASE_STATEMENT_TIMEOUT", "30", kind=float))
    _database_options["options"] = f"-c statement_timeout={_statement_ms}"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = os.environ.get("REDIS_URL", "")
# Seconds any Redis call (cache, rate limits, publishing a task) may take before it fails, so a
# Redis that is down or hung costs a request a clear 503, not a worker's whole timeout.
REDIS_TIMEOUT = env_number("REDIS_TIMEOUT", "2", kind=float)
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "OPTIONS": {"socket_connect_timeout": REDIS_TIMEOUT, "socket_timeout": REDIS_TIMEOUT},
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    # A single embedded process shares one memory cache, which is all login rate limiting needs.
    SILENCED_SYSTEM_CHECKS = ["django_ratelimit.E003", "django_ratelimit.W001"]
# Rendered page fragments are kept in each process's memory, never in Redis: a public page
# must still render while Redis is down, and a fragment is cheap to render again.
CACHES["fragments"] = {
    "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
    "LOCATION": "fragments",
    "OPTIONS": {"MAX_ENTRIES": 2000},
}

CELERY_BROKER_URL = REDIS_URL or "memory://"
# Nothing reads task results: the tasks write their outcome to the database.
# The one small-cell rule of every published page and export (cpps.common.disclosure): no count
# of 1 to SMALL_CELL_THRESHOLD - 1 people is shown, directly or by subtraction.
SMALL_CELL_THRESHOLD = env_number("SMALL_CELL_THRESHOLD", "10")
if SMALL_CELL_THRESHOLD < 2:
    raise ImproperlyConfigured(
        f"SMALL_CELL_THRESHOLD must be 2 or more (1 protects nobody), not {SMALL_CELL_THRESHOLD}."
    )
# The licence of the open data (an SPDX identifier and its page), shown in the catalogue.
OPEN_DATA_LICENSE = os.environ.get("OPEN_DATA_LICENSE", "CC-BY-4.0")
OPEN_DATA_LICENSE_URL = os.environ.get(
    "OPEN_DATA_LICENSE_URL", "https://creativecommons.org/licenses/by/4.0/"
)

CELERY_TASK_IGNORE_RESULT = True
# Without a broker the same tasks run in-process, so the embedded set-up needs no worker.
CELERY_TASK_ALWAYS_EAGER = not REDIS_URL
CELERY_TASK_EAGER_PROPAGATES = True
# A task is acknowledged only once it has finished, and handed back to the queue if its worker
# dies, so a killed worker loses nothing (every task is safe to run twice: see each task).
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# A task is told to stop at the soft limit and its process killed at the hard one; the
# watchdog returns work silent for longer than the hard limit to a state the user can retry.
TASK_TIME_LIMIT = env_number("TASK_TIME_LIMIT", "1800")
TASK_SOFT_TIME_LIMIT = env_number("TASK_SOFT_TIME_LIMIT", str(int(TASK_TIME_LIMIT * 0.95)))
if not 0 < TASK_SOFT_TIME_LIMIT < TASK_TIME_LIMIT:
    raise ImproperlyConfigured(
        "TASK_SOFT_TIME_LIMIT must be more than 0 and less than TASK_TIME_LIMIT "
        f"({TASK_TIME_LIMIT} s), not {TASK_SOFT_TIME_LIMIT}."
    )
CELERY_TASK_TIME_LIMIT = TASK_TIME_LIMIT
CELERY_TASK_SOFT_TIME_LIMIT = TASK_SOFT_TIME_LIMIT
# Publishing a task to a broker that is down fails within a few seconds.
CELERY_BROKER_CONNECTION_TIMEOUT = REDIS_TIMEOUT
CELERY_TASK_PUBLISH_RETRY_POLICY = {
    "max_retries": 1,
    "interval_start": 0,
    "interval_step": 0.5,
    "interval_max": 1,
}
CELERY_BROKER_TRANSPORT_OPTIONS = {
    # A task taken by a worker that vanished (kill -9 of the whole worker) goes back to the
    # queue after this many seconds; it must exceed the hard time limit.
    "visibility_timeout": env_number(
        "TASK_VISIBILITY_TIMEOUT", str(max(3600, 2 * TASK_TIME_LIMIT))
    ),
    "socket_connect_timeout": REDIS_TIMEOUT,
    # Above the 1-second BRPOP the workers wait on, so an idle queue is not taken for a hung one.
    "socket_timeout": max(3.0, REDIS_TIMEOUT),
}
if CELERY_BROKER_TRANSPORT_OPTIONS["visibility_timeout"] <= TASK_TIME_LIMIT:
    raise ImproperlyConfigured(
        f"TASK_VISIBILITY_TIMEOUT must be more than TASK_TIME_LIMIT ({TASK_TIME_LIMIT} s)."
    )

AUTH_USER_MODEL = "accounts.User"
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "home"
LOGIN_RATE = os.environ.get("LOGIN_RATE", "10/m")
RATELIMIT_VIEW = "cpps.accounts.views.login_rate_limited"

LANGUAGE_CODE = "en"
LANGUAGES = [("en", "English"), ("es", "Español")]
LOCALE_PATHS = [BASE_DIR / "cpps" / "locale"]
USE_I18N = True
TIME_ZONE = os.environ.get("TIME_ZONE", "America/Chicago")
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"
STATICFILES_DIRS = [BASE_DIR / "cpps" / "static"]
# Development serves static files straight from the source folders; production collects them.
WHITENOISE_USE_FINDERS = not PRODUCTION
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if PRODUCTION
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
if PRODUCTION:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = env_flag("SECURE_SSL_REDIRECT", default=True)
    SECURE_HSTS_SECONDS = env_number("SECURE_HSTS_SECONDS", "31536000")
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = env_flag("SECURE_HSTS_PRELOAD", default=True)
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
BEHIND_PROXY = env_flag("BEHIND_PROXY", default=False)
if BEHIND_PROXY:
    # Only behind a proxy that sets these headers itself; otherwise clients could spoof them.
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    USE_X_FORWARDED_HOST = True
    # Every request arrives from the proxy's address: sign-in limits count the client's own,
    # read where open processes read it (the entry the proxy appended to X-Forwarded-For).
    RATELIMIT_IP_META_KEY = "cpps.participation.web.client_address"

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
        "base-uri": [SELF],
        "object-src": [NONE],
    }
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
}
