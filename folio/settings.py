"""Django settings, read from the environment.

``FOLIO_HOME``   data folder (originals, page images, SQLite); default ``./folio-data``
``DATABASE_URL`` any dj-database-url URL; default SQLite inside ``FOLIO_HOME``
``REDIS_URL``    Celery broker; default ``redis://localhost:6379/0``
``FOLIO_SECRET_KEY``, ``FOLIO_DEBUG``, ``FOLIO_ALLOWED_HOSTS``: the usual Django knobs.
See docs/configuration.md.
"""
from __future__ import annotations

import os
from pathlib import Path

import dj_database_url

FOLIO_HOME = Path(os.environ.get("FOLIO_HOME", "folio-data")).resolve()
BASE_DIR = Path(__file__).resolve().parent.parent

DEVELOPMENT_SECRET_KEY = "folio-insecure-development-key-change-me"
SECRET_KEY = os.environ.get("FOLIO_SECRET_KEY", DEVELOPMENT_SECRET_KEY)
DEBUG = os.environ.get("FOLIO_DEBUG", "0") == "1"
# FOLIO_PRODUCTION=1: served to a network over HTTPS (see "Production" below and docs/security.md). Without it
# (make demo, tests, `folio serve` on localhost) everything works over plain HTTP.
PRODUCTION = os.environ.get("FOLIO_PRODUCTION", "0") == "1"
ALLOWED_HOSTS = [h for h in os.environ.get("FOLIO_ALLOWED_HOSTS", "localhost,127.0.0.1").split(",") if h]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "reconcile.apps.ReconcileConfig",
    "ingest.apps.IngestConfig",
    "records.apps.RecordsConfig",
    "web.apps.WebConfig",
    "review.apps.ReviewConfig",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "drf_spectacular_sidecar",  # Swagger UI served from here, not a CDN
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "web.security.SecurityHeadersMiddleware",  # CSP, Permissions-Policy (SecurityMiddleware sends the rest)
    "web.security.RequestSizeMiddleware",  # 413 from Content-Length before any body is read; streamed limits
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "folio.urls"

# Login is required everywhere but the login page (LoginRequiredMiddleware); roles are groups (web/roles.py).
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
SESSION_COOKIE_AGE = int(os.environ.get("FOLIO_SESSION_IDLE_SECONDS", str(8 * 3600)))
SESSION_SAVE_EVERY_REQUEST = True  # the age counts from the last request: an idle session ends
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = False  # the page scripts read it to send X-CSRFToken
CSRF_COOKIE_SAMESITE = "Lax"
# Sign-in: every attempt goes through web.throttle (refused after too many failures, counted in the database so
# every web process sees the same count); the login forms say why in Spanish.
AUTHENTICATION_BACKENDS = ["web.throttle.ThrottledModelBackend"]
FOLIO_LOGIN_FAILURES_PER_USER = int(os.environ.get("FOLIO_LOGIN_FAILURES_PER_USER", "5"))
FOLIO_LOGIN_FAILURES_PER_IP = int(os.environ.get("FOLIO_LOGIN_FAILURES_PER_IP", "20"))
FOLIO_LOGIN_WINDOW_SECONDS = int(os.environ.get("FOLIO_LOGIN_WINDOW_SECONDS", "900"))
FOLIO_TOKEN_FAILURES_PER_IP = int(os.environ.get("FOLIO_TOKEN_FAILURES_PER_IP", "20"))
# Behind a reverse proxy every request comes from the proxy: FOLIO_BEHIND_PROXY=1 takes the client's address from
# the last X-Forwarded-For hop (the one the proxy added) and the scheme from X-Forwarded-Proto.
BEHIND_PROXY = os.environ.get("FOLIO_BEHIND_PROXY", "0") == "1"
TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "web.context.roles",
            ]
        },
    }
]
WSGI_APPLICATION = "folio.wsgi.application"

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{FOLIO_HOME / 'folio.sqlite3'}"),
        conn_max_age=60,
    )
}
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    # Several processes (CLI, workers) share the file: wait for locks instead of failing.
    DATABASES["default"].setdefault("OPTIONS", {})["timeout"] = 30
    # Take the write lock when a transaction begins: a read transaction that later writes cannot wait for
    # another writer (SQLite answers "database is locked" at once), an IMMEDIATE one waits up to the timeout.
    DATABASES["default"]["OPTIONS"]["transaction_mode"] = "IMMEDIATE"
    DATABASES["default"]["CONN_MAX_AGE"] = 0

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
LANGUAGE_CODE = "es-mx"
TIME_ZONE = "America/Tijuana"
USE_TZ = True
STATIC_URL = "static/"
STATIC_ROOT = FOLIO_HOME / "static"

# Originals and page images, behind Django's storage API (file system by default).
MEDIA_ROOT = FOLIO_HOME / "media"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
if os.environ.get("FOLIO_STORAGE", "filesystem") == "s3":
    # S3-compatible object storage shared by several machines (pip install 'folio[s3]'); credentials come
    # from AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY as boto3 reads them. See docs/operations.md.
    STORAGES["default"] = {"BACKEND": "storages.backends.s3.S3Storage", "OPTIONS": {
        "bucket_name": os.environ.get("FOLIO_S3_BUCKET", "folio"),
        "endpoint_url": os.environ.get("FOLIO_S3_ENDPOINT_URL") or None,
        "region_name": os.environ.get("FOLIO_S3_REGION") or None,
        "file_overwrite": False,
        "default_acl": None,
    }}

# Pipeline settings (passed into the core as a frozen object, never read from deep inside it).
FOLIO_RENDER_DPI = int(os.environ.get("FOLIO_RENDER_DPI", "300"))
FOLIO_MAX_UPLOAD_MB = int(os.environ.get("FOLIO_MAX_UPLOAD_MB", "200"))
FOLIO_MAX_PAGES = int(os.environ.get("FOLIO_MAX_PAGES", "500"))
FOLIO_MAX_MEGAPIXELS = int(os.environ.get("FOLIO_MAX_MEGAPIXELS", "60"))
FOLIO_TESSERACT_TIMEOUT = float(os.environ.get("FOLIO_TESSERACT_TIMEOUT", "120"))
FOLIO_POPPLER_TIMEOUT = float(os.environ.get("FOLIO_POPPLER_TIMEOUT", "120"))
# A web or API upload examines its files (kind, pages: pdfinfo) inside the request: all of them together get
# this many seconds, so a request of damaged PDFs cannot hold a web process for hours (docs/input-limits.md).
FOLIO_UPLOAD_EXAMINE_SECONDS = float(os.environ.get("FOLIO_UPLOAD_EXAMINE_SECONDS", "60"))

# Uploads (web page and API): many files per request; each file's size is checked by ingest (FOLIO_MAX_UPLOAD_MB).
FOLIO_MAX_UPLOAD_FILES = int(os.environ.get("FOLIO_MAX_UPLOAD_FILES", "500"))
DATA_UPLOAD_MAX_NUMBER_FILES = FOLIO_MAX_UPLOAD_FILES
# A whole request body (all files together): refused with 413 from its Content-Length before it is read;
# multipart bodies are also counted as they stream (web.security), so a file over FOLIO_MAX_UPLOAD_MB or a body
# over this stops the read at once.
FOLIO_MAX_REQUEST_MB = int(os.environ.get("FOLIO_MAX_REQUEST_MB", "1024"))

# The JSON API (folio/api): a token for scripts, the session for the pages; JSON 401/403, never a redirect.
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "web.throttle.ThrottledTokenAuthentication",  # first: anonymous requests get 401; bad tokens throttled
        "rest_framework.authentication.SessionAuthentication",  # CSRF enforced for the pages' scripts
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.MultiPartParser", "rest_framework.parsers.JSONParser"],
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.LimitOffsetPagination",
    "PAGE_SIZE": 50,
    "URL_FORMAT_OVERRIDE": None,  # ?format= names an export format, not a renderer
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Folio API",
    "DESCRIPTION": "Upload scanned reports, follow batches, read and export checked records. See docs/api.md.",
    "VERSION": "1",
    "SERVE_PERMISSIONS": ["rest_framework.permissions.IsAuthenticated"],
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
}

CELERY_BROKER_URL = os.environ.get("REDIS_URL", "redis://localhost:6379/0")
# "inline": pages run in the submitting process, one background thread (the embedded default);
# "sync": in the caller, at commit (scripts, tests); "celery": through Redis to `folio worker` processes.
FOLIO_QUEUE = os.environ.get("FOLIO_QUEUE", "inline")
# The queue service (worker/): see docs/configuration.md and docs/operations.md.
FOLIO_TASK_TIME_LIMIT = int(os.environ.get("FOLIO_TASK_TIME_LIMIT", "600"))  # a page's hard limit, seconds
# A running page's claim holds FOLIO_LEASE_SECONDS and is renewed every FOLIO_HEARTBEAT_SECONDS while its
# process lives (worker/pages.Heartbeat): a worker that dies on another machine is noticed within the lease.
FOLIO_HEARTBEAT_SECONDS = float(os.environ.get("FOLIO_HEARTBEAT_SECONDS", "30"))
FOLIO_LEASE_SECONDS = int(os.environ.get("FOLIO_LEASE_SECONDS", "120"))
FOLIO_VISIBILITY_TIMEOUT = int(os.environ.get("FOLIO_VISIBILITY_TIMEOUT", "7200"))  # Redis redelivers unacked
FOLIO_SWEEP_SECONDS = float(os.environ.get("FOLIO_SWEEP_SECONDS", "60"))  # how often beat runs the sweeper
FOLIO_SWEEP_GRACE_SECONDS = float(os.environ.get("FOLIO_SWEEP_GRACE_SECONDS", "300"))
FOLIO_POISON_AFTER = int(os.environ.get("FOLIO_POISON_AFTER", "3"))  # worker deaths before a page is poison
FOLIO_RETRY_MAX = int(os.environ.get("FOLIO_RETRY_MAX", "5"))  # tries of a transient error
FOLIO_RETRY_BACKOFF = float(os.environ.get("FOLIO_RETRY_BACKOFF", "5"))  # first back-off, seconds (doubles)
FOLIO_WORKER_MAX_TASKS = int(os.environ.get("FOLIO_WORKER_MAX_TASKS", "200"))  # pages per child process
FOLIO_WORKER_MAX_MEMORY_MB = int(os.environ.get("FOLIO_WORKER_MAX_MEMORY_MB", "1500"))  # per child process
if FOLIO_LEASE_SECONDS < 3 * FOLIO_HEARTBEAT_SECONDS:
    raise ValueError("FOLIO_LEASE_SECONDS must be at least three FOLIO_HEARTBEAT_SECONDS (a live page's claim "
                     "survives a missed heartbeat or two)")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"context": {"()": "folio.logcontext.ContextFilter"}},
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(ctx)s%(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain", "filters": ["context"]}},
    "root": {"handlers": ["console"], "level": os.environ.get("FOLIO_LOG_LEVEL", "WARNING")},
}

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# ---------------------------------------------------------------- security headers (every response)
# SecurityMiddleware: nosniff, Referrer-Policy, Cross-Origin-Opener-Policy; XFrameOptionsMiddleware: DENY;
# web.security.SecurityHeadersMiddleware: Content-Security-Policy (no inline script or style anywhere; the
# pages' scripts are static files) and Permissions-Policy.
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
FOLIO_CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; "
             "connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'")
FOLIO_PERMISSIONS_POLICY = ("camera=(), microphone=(), geolocation=(), payment=(), usb=(), interest-cohort=(), "
                            "browsing-topics=()")

# ---------------------------------------------------------------- production (FOLIO_PRODUCTION=1)
# HTTPS only, secure cookies, HSTS; no start with the development key or with debug pages on.
# `manage.py check --deploy --fail-level WARNING` passes with these (tests/test_security_web.py, row 18).
if BEHIND_PROXY:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
CSRF_TRUSTED_ORIGINS = [o for o in os.environ.get("FOLIO_CSRF_TRUSTED_ORIGINS", "").split(",") if o]
if PRODUCTION:
    from django.core.exceptions import ImproperlyConfigured

    if SECRET_KEY == DEVELOPMENT_SECRET_KEY or len(SECRET_KEY) < 50 or len(set(SECRET_KEY)) < 5:
        raise ImproperlyConfigured("FOLIO_PRODUCTION=1 needs FOLIO_SECRET_KEY: 50 or more random characters, e.g. "
                                   "python -c 'import secrets; print(secrets.token_urlsafe(50))'")
    if DEBUG:
        raise ImproperlyConfigured("FOLIO_PRODUCTION=1 with FOLIO_DEBUG=1: debug pages show settings and code; "
                                   "turn one of them off")
    SECURE_SSL_REDIRECT = os.environ.get("FOLIO_SSL_REDIRECT", "1") == "1"
    SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = True
    SESSION_COOKIE_NAME, CSRF_COOKIE_NAME = "__Host-sessionid", "__Host-csrftoken"
    SECURE_HSTS_SECONDS = int(os.environ.get("FOLIO_HSTS_SECONDS", str(365 * 24 * 3600)))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = os.environ.get("FOLIO_HSTS_INCLUDE_SUBDOMAINS", "1") == "1"
    SECURE_HSTS_PRELOAD = os.environ.get("FOLIO_HSTS_PRELOAD", "0") == "1"
    # Preloading is a decision for the whole domain (browsers hard-code it); off unless asked, so its check is quiet.
    SILENCED_SYSTEM_CHECKS = [] if SECURE_HSTS_PRELOAD else ["security.W021"]
