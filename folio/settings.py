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

SECRET_KEY = os.environ.get("FOLIO_SECRET_KEY", "folio-insecure-development-key-change-me")
DEBUG = os.environ.get("FOLIO_DEBUG", "0") == "1"
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
CSRF_COOKIE_HTTPONLY = False  # the page scripts read it to send X-CSRFToken
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

# Uploads (web page and API): many files per request; each file's size is checked by ingest (FOLIO_MAX_UPLOAD_MB).
FOLIO_MAX_UPLOAD_FILES = int(os.environ.get("FOLIO_MAX_UPLOAD_FILES", "500"))
DATA_UPLOAD_MAX_NUMBER_FILES = FOLIO_MAX_UPLOAD_FILES

# The JSON API (folio/api): a token for scripts, the session for the pages; JSON 401/403, never a redirect.
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.TokenAuthentication",  # first: anonymous requests get 401
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
FOLIO_LEASE_SECONDS = int(os.environ.get("FOLIO_LEASE_SECONDS", str(FOLIO_TASK_TIME_LIMIT + 120)))
FOLIO_VISIBILITY_TIMEOUT = int(os.environ.get("FOLIO_VISIBILITY_TIMEOUT", "7200"))  # Redis redelivers unacked
FOLIO_SWEEP_SECONDS = float(os.environ.get("FOLIO_SWEEP_SECONDS", "60"))  # how often beat runs the sweeper
FOLIO_SWEEP_GRACE_SECONDS = float(os.environ.get("FOLIO_SWEEP_GRACE_SECONDS", "300"))
FOLIO_POISON_AFTER = int(os.environ.get("FOLIO_POISON_AFTER", "3"))  # worker deaths before a page is poison
FOLIO_RETRY_MAX = int(os.environ.get("FOLIO_RETRY_MAX", "5"))  # tries of a transient error
FOLIO_RETRY_BACKOFF = float(os.environ.get("FOLIO_RETRY_BACKOFF", "5"))  # first back-off, seconds (doubles)
FOLIO_WORKER_MAX_TASKS = int(os.environ.get("FOLIO_WORKER_MAX_TASKS", "200"))  # pages per child process
FOLIO_WORKER_MAX_MEMORY_MB = int(os.environ.get("FOLIO_WORKER_MAX_MEMORY_MB", "1500"))  # per child process
if FOLIO_LEASE_SECONDS <= FOLIO_TASK_TIME_LIMIT:
    raise ValueError("FOLIO_LEASE_SECONDS must be longer than FOLIO_TASK_TIME_LIMIT (a live page never outlives "
                     "its lease)")

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
