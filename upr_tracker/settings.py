"""UPR Tracker settings: one file, every deploy-time choice read from the environment."""

import re
from pathlib import Path

from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured

from .env import (
    database_from_url,
    email_from_url,
    env_bool,
    env_int,
    env_list,
    env_str,
    redis_url,
)

BASE_DIR = Path(__file__).resolve().parent.parent

DEBUG = env_bool("DEBUG", False)
SECRET_KEY = env_str("SECRET_KEY")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off.")
    SECRET_KEY = "insecure-development-key-only-for-debug-mode"
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])
# Unset: links follow the request's host (see recommendations/absolute_urls.py).
SITE_URL = env_str("SITE_URL", "").rstrip("/")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.contrib.postgres",
    "django_filters",
    "simple_history",
    "allauth",
    "allauth.account",
    "axes",
    "rest_framework",
    "rest_framework_api_key",
    "drf_spectacular",
    "corsheaders",
    "recommendations",
    "jurisdictions",
    "api",
    "opendata",
    "embeds",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "upr_tracker.middleware.RejectNulInPath",
    "upr_tracker.middleware.DropNulFromQuery",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Before CommonMiddleware, as django-cors-headers asks; it acts only on /api/.
    "corsheaders.middleware.CorsMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # After sessions, before CommonMiddleware, as Django asks: the language comes from the
    # /es/ prefix, then the language cookie, then Accept-Language.
    "upr_tracker.language.LanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "csp.middleware.CSPMiddleware",
    # Last, as django-axes asks: it turns a lockout raised during login into a response.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "upr_tracker.urls"
WSGI_APPLICATION = "upr_tracker.wsgi.application"

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
                "jurisdictions.reports.basket.context",
                "upr_tracker.language.languages",
            ],
            # {% localized obj "field" %}: content in the visitor's language, on every page.
            "builtins": ["recommendations.templatetags.bilingual"],
        },
    },
]

# PostgreSQL only. Without DATABASE_URL: the embedded server of upr_tracker/embedded_postgres,
# started on first connection with its data in var/postgres/ (or EMBEDDED_POSTGRES_DIR) and
# stopped when the last process using it exits.
DATABASES = {
    "default": database_from_url("DATABASE_URL")
    or {
        "ENGINE": "upr_tracker.embedded_postgres",
        "NAME": "upr_tracker",
        "DATA_DIR": Path(env_str("EMBEDDED_POSTGRES_DIR") or BASE_DIR / "var" / "postgres"),
        "CONN_MAX_AGE": 60,
    }
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Without Redis everything stays in-process: a local-memory cache and eager Celery tasks.
REDIS_URL = redis_url("REDIS_URL")
# The cache fails soft (upr_tracker/cache.py): with Redis down, pages are computed afresh
# and the rate limits let requests through. A second is the longest a request waits on it.
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "upr_tracker.cache.FailSoftRedisCache",
            "LOCATION": REDIS_URL,
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_RESULT_BACKEND = None
CELERY_TASK_ALWAYS_EAGER = not REDIS_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SOFT_TIME_LIMIT = env_int("CELERY_TASK_SOFT_TIME_LIMIT", 600, minimum=1)
CELERY_TASK_TIME_LIMIT = CELERY_TASK_SOFT_TIME_LIMIT + 60
# Recovery after a crash (README, Background jobs): Redis hands an unacknowledged task to
# another worker once it has waited the visibility timeout, at that worker's next sweep.
# 840 s plus a sweep every 30 s brings a lost task back within 15 minutes of a worker
# coming back. Every task's hard limit (at most 780 s) is shorter, so a task that is still
# running is never handed out a second time, and so is every retry countdown (a task
# waiting for its countdown is unacknowledged too).
CELERY_VISIBILITY_TIMEOUT = env_int("CELERY_VISIBILITY_TIMEOUT", 840, minimum=1)
UNACKED_RESTORE_SECONDS = 30
if CELERY_VISIBILITY_TIMEOUT < 100:
    # A short timeout (the worker-kill tests) also needs a sweep every second.
    UNACKED_RESTORE_SECONDS = 1
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": CELERY_VISIBILITY_TIMEOUT,
    # kombu sweeps every interval x throttle seconds (default 10 x 10 = 100 s).
    "unacked_restore_interval": UNACKED_RESTORE_SECONDS,
    "unacked_restore_throttle": 1,
}
# Upstream sync limits: the largest export kept, and the time after which a run starts no
# new download (it leaves the import of the last one time within the task's 720 s limit).
UPSTREAM_MAX_BYTES = env_int("UPSTREAM_MAX_BYTES", 100 * 1024 * 1024, minimum=1)
UPSTREAM_SYNC_DEADLINE_SECONDS = env_int("UPSTREAM_SYNC_DEADLINE_SECONDS", 600, minimum=1)
# Report builds run on a queue of their own, served by their own worker (README,
# Background jobs), so a burst of them never delays statuses, imports or mail.
CELERY_TASK_ROUTES = {"jurisdictions.tasks.build_report": {"queue": "reports"}}
# Large report builds: new ones per visitor (account, or address) an hour, at most this
# many waiting or running at once, and how long a finished build and its file are kept.
REPORT_BUILDS_PER_CLIENT_PER_HOUR = env_int("REPORT_BUILDS_PER_CLIENT_PER_HOUR", 10, minimum=1)
REPORT_BUILDS_WAITING_MAX = env_int("REPORT_BUILDS_WAITING_MAX", 20, minimum=1)
REPORT_BUILD_RETENTION_HOURS = env_int("REPORT_BUILD_RETENTION_HOURS", 7 * 24, minimum=1)
CELERY_TIMEZONE = "UTC"
CELERY_BEAT_SCHEDULE = {
    "nightly-full-status-refresh": {
        "task": "jurisdictions.tasks.refresh_recommendation_statuses",
        "schedule": crontab(hour=2, minute=15),
    },
    "daily-commitment-statuses": {
        "task": "jurisdictions.tasks.refresh_commitment_statuses",
        "schedule": crontab(hour=1, minute=30),
    },
    "imports-every-minute": {
        "task": "recommendations.tasks.maintain_imports",
        "schedule": 60.0,
    },
    "report-builds-every-minute": {
        "task": "jurisdictions.tasks.maintain_report_builds",
        "schedule": 60.0,
    },
    "webhook-events-every-minute": {
        "task": "jurisdictions.tasks.send_waiting_events",
        "schedule": 60.0,
    },
    "daily-upstream-sync": {
        "task": "recommendations.tasks.sync_upstream",
        "schedule": crontab(hour=3, minute=0),
    },
    "weekly-link-check": {
        "task": "jurisdictions.tasks.check_evidence_links",
        "schedule": crontab(hour=4, minute=0, day_of_week="sunday"),
    },
    "daily-bulk-data": {
        "task": "opendata.tasks.build_bulk_data",
        "schedule": crontab(hour=2, minute=45),
    },
    "weekly-digests": {
        "task": "jurisdictions.tasks.send_digests",
        "schedule": crontab(hour=7, minute=0, day_of_week="monday"),
    },
    "daily-search-digests": {
        "task": "jurisdictions.tasks.send_search_digests",
        "schedule": crontab(hour=6, minute=30),
        "args": ["daily"],
    },
    "weekly-search-digests": {
        "task": "jurisdictions.tasks.send_search_digests",
        "schedule": crontab(hour=7, minute=15, day_of_week="monday"),
        "args": ["weekly"],
    },
}

_email = email_from_url("EMAIL_URL")
EMAIL_BACKEND = _email.pop("EMAIL_BACKEND")
globals().update(_email)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "UPR Tracker <noreply@localhost>")

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Accounts: email and password only. Staff join by invitation (/manage/invitations/...), so
# the public sign-up form is closed by the adapter. Axes comes first so that a locked-out
# address is refused before any password is checked.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
ACCOUNT_ADAPTER = "jurisdictions.account_adapter.InvitationOnlyAdapter"
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_EMAIL_VERIFICATION = "none"
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_PASSWORD_RESET_BY_CODE_ENABLED = False
ACCOUNT_DEFAULT_HTTP_PROTOCOL = "http" if DEBUG else "https"
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "staff:home"
# A name, not a path: resolved in the language of the page signing out.
ACCOUNT_LOGOUT_REDIRECT_URL = "recommendations:home"
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5, minimum=1)
AXES_COOLOFF_TIME = 1  # hours
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False
AXES_USERNAME_FORM_FIELD = "login"
# allauth passes the address as `email=` to authenticate() but posts it as `login`; the
# callable reads either, so each failure is held against one account on one address.
AXES_USERNAME_CALLABLE = "jurisdictions.account_adapter.lockout_username"
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
# The same client address as allauth's and the subscription form's rate limits: behind a
# proxy the socket address is the proxy's, which would lock an account for every client.
AXES_CLIENT_IP_CALLABLE = "upr_tracker.proxy.client_ip"

# Public subscription form: confirmation mails per address, and requests per client (a
# client past its limit gets a 429 page). django-ratelimit's counters live in the cache.
SUBSCRIBE_MAILS_PER_ADDRESS_PER_HOUR = env_int("SUBSCRIBE_MAILS_PER_ADDRESS_PER_HOUR", 3)
SUBSCRIBE_REQUESTS_PER_CLIENT_PER_HOUR = env_int(
    "SUBSCRIBE_REQUESTS_PER_CLIENT_PER_HOUR", 10, minimum=1
)
RATELIMIT_IP_META_KEY = "upr_tracker.proxy.client_ip"
# A counter that cannot be read (Redis down) lets the request through; the cache logs it.
RATELIMIT_FAIL_OPEN = True

# Webhooks (jurisdictions/follow/webhooks.py): the first wait before a retry, doubling
# each time; how long a delivery is retried; failed attempts in a row that disable a hook.
WEBHOOK_RETRY_BASE_SECONDS = env_int("WEBHOOK_RETRY_BASE_SECONDS", 60, minimum=1)
WEBHOOK_RETRY_WINDOW_SECONDS = env_int("WEBHOOK_RETRY_WINDOW_SECONDS", 24 * 3600, minimum=1)
WEBHOOK_DISABLE_AFTER_FAILURES = env_int("WEBHOOK_DISABLE_AFTER_FAILURES", 15, minimum=1)

# Outbound fetches (link checker, upstream sync) refuse internal addresses. Only tests that
# serve files from 127.0.0.1 turn this on; it is deliberately not read from the environment.
FETCH_ALLOW_LOOPBACK = False

# Opt in now to Django 6's https default for scheme-less URLs typed into forms.
FORMS_URLFIELD_ASSUME_HTTPS = True

# English at today's addresses, Spanish under /es/ (see "Languages" in README.md).
LANGUAGE_CODE = "en"
LANGUAGES = [("en", "English"), ("es", "Español")]
LOCALE_PATHS = [BASE_DIR / "locale"]
# Django's own date and number formats per language, with the few this project changes.
FORMAT_MODULE_PATH = ["upr_tracker.formats"]
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(BASE_DIR / "media")))
MEDIA_URL = "media/"
# Recommendation imports: the largest upload, the largest a spreadsheet may unpack to
# (a zip bomb is refused before it is read), and how long uploaded files are kept.
IMPORT_MAX_UPLOAD_MB = env_int("IMPORT_MAX_UPLOAD_MB", 50, minimum=1)
IMPORT_MAX_UNPACKED_MB = env_int("IMPORT_MAX_UNPACKED_MB", 200, minimum=1)
IMPORT_FILE_RETENTION_DAYS = env_int("IMPORT_FILE_RETENTION_DAYS", 30, minimum=1)
# The daily bulk files (opendata/): where each day's set is written, how many days are
# kept, and who publishes them (named in the data.json catalogue).
OPEN_DATA_DIR = Path(env_str("OPEN_DATA_DIR", str(MEDIA_ROOT / "opendata")))
OPEN_DATA_RETENTION_DAYS = env_int("OPEN_DATA_RETENTION_DAYS", 30, minimum=1)
OPEN_DATA_PUBLISHER = env_str("OPEN_DATA_PUBLISHER", "UPR Tracker")
OPEN_DATA_CONTACT_EMAIL = env_str("OPEN_DATA_CONTACT_EMAIL", "")

# Production hardening follows DEBUG so that `check --deploy` is clean when DEBUG is off.
# X-Forwarded-* headers come from whoever sends the request; they are believed only when
# the operator says a reverse proxy in front of the app sets them (upr_tracker/proxy.py).
BEHIND_PROXY = env_bool("BEHIND_PROXY", False)
if BEHIND_PROXY:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", not DEBUG)
SESSION_COOKIE_SECURE = not DEBUG
# The visitor's language (upr_tracker/language.py): a year, over HTTPS, not for scripts.
LANGUAGE_COOKIE_AGE = 365 * 24 * 3600
LANGUAGE_COOKIE_SECURE = not DEBUG
LANGUAGE_COOKIE_HTTPONLY = True
LANGUAGE_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SECURE = not DEBUG
SESSION_COOKIE_HTTPONLY = True
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEBUG
SECURE_HSTS_PRELOAD = not DEBUG
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_AGE = 60 * 60 * 24 * 14

# Content Security Policy (django-csp 4): pages are server-rendered with no inline script
# or style, so everything comes from this origin. The admin's own scripts are static files.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
        "base-uri": ["'self'"],
        "object-src": ["'none'"],
    }
}

# The public read API (api/). Rates as django-ratelimit writes them: requests/period.
API_RATE_ANONYMOUS = env_str("API_RATE_ANONYMOUS", "60/m")
API_RATE_WITH_KEY = env_str("API_RATE_WITH_KEY", "1000/m")
for _name, _rate in [
    ("API_RATE_ANONYMOUS", API_RATE_ANONYMOUS),
    ("API_RATE_WITH_KEY", API_RATE_WITH_KEY),
]:
    if not re.fullmatch(r"[1-9][0-9]*/[smhd]", _rate):
        raise ImproperlyConfigured(f"{_name}: write a rate as requests/period, e.g. 60/m.")
REST_FRAMEWORK = {
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": [],
    "DEFAULT_AUTHENTICATION_CLASSES": [],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.AllowAny"],
    "UNAUTHENTICATED_USER": None,
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "api.errors.exception_handler",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "UPR Tracker API",
    "DESCRIPTION": "Read-only open data: the UN Universal Periodic Review recommendations "
    "made to the United States and other states, the reviews, vocabularies and "
    "jurisdictions, and the published state and local commitments that act on them.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SCHEMA_PATH_PREFIX": "/api/v1",
    "SERVE_AUTHENTICATION": [],
    "SERVE_PERMISSIONS": ["rest_framework.permissions.AllowAny"],
    "DISABLE_ERRORS_AND_WARNINGS": True,
    # Its deploy check regenerates the document and warns that slug filters default to
    # strings (they are strings); tests/test_api.py checks the document itself.
    "ENABLE_DJANGO_DEPLOY_CHECK": False,
}
# Any origin may read the API from a browser; nothing else on the site is shared.
CORS_URLS_REGEX = r"^/api/.*$"
CORS_ALLOW_ALL_ORIGINS = True
CORS_ALLOW_METHODS = ["GET", "HEAD", "OPTIONS"]
CORS_ALLOW_HEADERS = ["authorization", "if-none-match", "if-modified-since"]
CORS_EXPOSE_HEADERS = ["ETag", "Last-Modified", "Retry-After"]

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO").upper()},
    # The embedded server's start and stop are routine; its warnings and errors still show.
    "loggers": {"embedded_postgres": {"level": "WARNING"}},
}
