"""One settings module, driven by environment variables.

Defaults give the embedded setup (SQLite, tasks in-process, console e-mail) so that
``make run`` needs nothing installed; production sets ``DEBUG=0`` and real values.
See README.md for every variable.
"""

from __future__ import annotations

import ipaddress
import os
import sys
import tempfile
from pathlib import Path

import dj_database_url
import plotly
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP

from config.sentry import init_sentry
from config.sso import oidc_apps, saml_apps

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [part.strip() for part in os.environ.get(name, default).split(",") if part.strip()]


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    return int(value) if value else default


DEBUG = env_bool("DEBUG", False)
# The test run is recognised by pytest being loaded, so no variable has to be set for it.
TESTING = env_bool("TESTING", False) or "pytest" in sys.modules

SECRET_KEY = os.environ.get("SECRET_KEY", "")
# Without SECRET_KEY, management commands (migrations, checks) still run with a development
# key that `check --deploy` flags, but the web and worker processes refuse to start unless
# DEBUG is on (config/startup.py, called from wsgi.py, asgi.py and the Celery worker).
SECRET_KEY_IS_SET = bool(SECRET_KEY)
if not SECRET_KEY:
    SECRET_KEY = "django-insecure-development-only-key-never-used-in-production-0123456789"

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost" if DEBUG or TESTING else "")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")
SITE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:8000").rstrip("/")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "crispy_forms",
    "crispy_bootstrap5",
    "django_htmx",
    # Ground floor: people, cohorts, criteria, the portfolio, versions, the one access gate.
    "core",
    # Middle floor: the content a learner makes.
    "evidence",
    "audit",
    "strategy",
    # Top floor: what is made of the content (docs/architecture.md).
    "readiness",
    "assessment",
    "reports",
    "dashboards",
    "credentials",
    "lti",
    "privacy",
    "demo",
    # Single sign-on (OpenID Connect, SAML) and MFA through django-allauth: see the block below.
    "sso",
    "allauth",
    "allauth.account",
    "allauth.socialaccount",
    "allauth.socialaccount.providers.openid_connect",
    "allauth.socialaccount.providers.saml",
    "allauth.mfa",
]

MIDDLEWARE = [
    # First: every log line of the request, and its response, carry the request's id; then the
    # latency of the whole chain is measured (core.observability, core.metrics).
    "core.observability.RequestIdMiddleware",
    "core.metrics.RequestLatencyMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # Turns a log-in refused by the throttle into the paused page (core/throttling.py).
    "core.throttling.LoginThrottleMiddleware",
    # Every page an external quality assurer opens is logged for the centre (core/eqa.py).
    "core.eqa.EqaAccessLogMiddleware",
    # allauth's log-in stages; then staff roles without a second factor go to enrol (sso/).
    "allauth.account.middleware.AccountMiddleware",
    "sso.middleware.RequireMfaMiddleware",
    "sso.middleware.SsoFormActionMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.csp",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "core.context_processors.navigation",
            ],
        },
    },
]

# Database: a SQLite file unless DATABASE_URL names another (PostgreSQL at scale).
if not os.environ.get("DATABASE_URL"):
    (BASE_DIR / "var").mkdir(exist_ok=True)
DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{BASE_DIR / 'var' / 'db.sqlite3'}",
        conn_max_age=env_int("DB_CONN_MAX_AGE", 0),
        conn_health_checks=True,
    )
}
if TESTING and DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # A test database in a file, not in memory: the browser tests' live server answers each
    # request in its own thread, and an in-memory database would be one connection shared by
    # all of them, which SQLite does not allow ("bad parameter or other API misuse" when a
    # page polls while another request runs). One file per test process, removed at the end.
    DATABASES["default"]["TEST"] = {
        "NAME": str(Path(tempfile.gettempdir()) / f"portfolio-test-{os.getpid()}.sqlite3")
    }
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # No JIT compilation: the dashboards' queries hold a subquery per learner, which the
    # planner prices high enough to compile, and compiling them took 3 s for a 140 ms query.
    DATABASES["default"].setdefault("OPTIONS", {})["options"] = "-c jit=off"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "portfolio.User"
AUTHENTICATION_BACKENDS = ["core.throttling.ThrottledModelBackend"]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
if TESTING:
    # Fast hashing keeps the suite quick; production keeps Django's default (PBKDF2).
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
LOGIN_URL = "login"

# --- Single sign-on and MFA (django-allauth; docs/integrations.md) -----------------------------
# OpenID Connect providers from OIDC_PROVIDERS and OIDC_<ID>_*, SAML identity providers from
# SAML_IDPS and SAML_<ID>_* (config/sso.py), or the admin.
# Nobody signs up: an SSO identity links to an invited account through an address its provider
# verified, or through the invitation link itself (sso/adapters.py).
ACCOUNT_ADAPTER = "sso.adapters.AccountAdapter"
# allauth's messages name a person by their name, never a generated username (lti-…).
ACCOUNT_USER_DISPLAY = "sso.adapters.user_display"
SOCIALACCOUNT_ADAPTER = "sso.adapters.SocialAccountAdapter"
ACCOUNT_EMAIL_VERIFICATION = "none"
ACCOUNT_LOGIN_METHODS = {"username"}
SOCIALACCOUNT_EMAIL_AUTHENTICATION = True
SOCIALACCOUNT_EMAIL_AUTHENTICATION_AUTO_CONNECT = True
SOCIALACCOUNT_AUTO_SIGNUP = False
SOCIALACCOUNT_STORE_TOKENS = False
SOCIALACCOUNT_PROVIDERS = {
    "openid_connect": {"APPS": oidc_apps(os.environ), "OAUTH_PKCE_ENABLED": True},
    "saml": {"APPS": saml_apps(os.environ)},
}
SOCIALACCOUNT_REQUESTS_TIMEOUT = env_int("SSO_REQUESTS_TIMEOUT", 10)
# Addresses in these domains sign in through SSO only: the password form refuses them.
SSO_ONLY_DOMAINS = env_list("SSO_ONLY_DOMAINS")
# Roles that must enrol a second factor before anything else ("staff" also covers superusers).
# Off in the test run unless a test sets it, so the suite's force_login personas need no TOTP.
MFA_REQUIRED_ROLES = env_list("MFA_REQUIRED_ROLES", "" if TESTING else "assessor,tutor,iqa,staff,eqa")
# A second factor is an authenticator app (TOTP) or a security key / passkey (WebAuthn, with
# fido2); recovery codes stand in for either. Keys are a second factor only: no passwordless
# log-in or sign-up (MFA_PASSKEY_LOGIN_ENABLED, MFA_PASSKEY_SIGNUP_ENABLED stay off).
MFA_SUPPORTED_TYPES = ["totp", "webauthn", "recovery_codes"]
# The key's relying party is the host the page was served from (ALLOWED_HOSTS guards it); fido2
# accepts https origins and http://localhost, which browsers count as secure, so neither the
# test server nor `make run` opened at http://localhost:8000 needs
# MFA_WEBAUTHN_ALLOW_INSECURE_ORIGIN, which would accept any origin at all: never set it.
# (Browsers refuse keys on a bare IP address such as 127.0.0.1.)
MFA_ADAPTER = "sso.mfa.MfaAdapter"
# allauth's key forms, refusing a garbled answer as a wrong key (sso/mfa.py).
MFA_FORMS = {
    "add_webauthn": "sso.mfa.AddSecurityKeyForm",
    "authenticate_webauthn": "sso.mfa.AuthenticateSecurityKeyForm",
    "reauthenticate_webauthn": "sso.mfa.ReauthenticateSecurityKeyForm",
}
# Encrypts TOTP secrets at rest; keep it when SECRET_KEY is rotated, or enrolments are lost.
MFA_ENCRYPTION_KEY = os.environ.get("MFA_ENCRYPTION_KEY", SECRET_KEY)
MFA_TOTP_ISSUER = os.environ.get("MFA_TOTP_ISSUER", "CFACSD22 portfolio")
LOGIN_REDIRECT_URL = "portfolio:home"
LOGOUT_REDIRECT_URL = "login"
PASSWORD_RESET_TIMEOUT = 60 * 60 * 24  # one day

# Log-in and password-reset throttling (core/throttling.py, docs/security-throttling.md).
# A username from one address: LOGIN_FAILURE_LIMIT failures pause that pair for the window.
LOGIN_FAILURE_LIMIT = env_int("LOGIN_FAILURE_LIMIT", env_int("AXES_FAILURE_LIMIT", 5))
LOGIN_LOCKOUT_MINUTES = env_int("LOGIN_LOCKOUT_MINUTES", env_int("AXES_COOLOFF_MINUTES", 15))
# One address, any usernames: a much higher limit, so one person cannot lock out a classroom.
LOGIN_ADDRESS_FAILURE_LIMIT = env_int("LOGIN_ADDRESS_FAILURE_LIMIT", 50)
# One username, any addresses: growing delays (1 s, 2 s, 4 s… up to the maximum), never a lock;
# addresses the account logged in from recently are exempt.
LOGIN_USERNAME_FREE_FAILURES = env_int("LOGIN_USERNAME_FREE_FAILURES", 10)
LOGIN_USERNAME_MAX_DELAY_SECONDS = env_int("LOGIN_USERNAME_MAX_DELAY_SECONDS", 300)
LOGIN_USERNAME_WINDOW_HOURS = env_int("LOGIN_USERNAME_WINDOW_HOURS", 24)
LOGIN_KNOWN_ADDRESS_DAYS = env_int("LOGIN_KNOWN_ADDRESS_DAYS", 30)
# Password-reset e-mails: at most so many per account, and requests per address, per window.
PASSWORD_RESET_ACCOUNT_LIMIT = env_int("PASSWORD_RESET_ACCOUNT_LIMIT", 3)
# 20: a class of learners behind one address may all have forgotten after a holiday.
PASSWORD_RESET_ADDRESS_LIMIT = env_int("PASSWORD_RESET_ADDRESS_LIMIT", 20)
PASSWORD_RESET_WINDOW_MINUTES = env_int("PASSWORD_RESET_WINDOW_MINUTES", 60)
# Only trust X-Forwarded-For when told how many proxies stand in front of the app.
TRUSTED_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", 0)

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = True
USE_TZ = True
DATE_FORMAT = "j F Y"
SHORT_DATE_FORMAT = "d/m/Y"
DATETIME_FORMAT = "j F Y, H:i"

# Static files: our own and the pinned npm packages, served by WhiteNoise.
STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [
    BASE_DIR / "static",
    ("vendor/bootstrap", BASE_DIR / "node_modules" / "bootstrap" / "dist"),
    ("vendor/htmx", BASE_DIR / "node_modules" / "htmx.org" / "dist"),
    # plotly.js exactly as the pinned plotly Python package ships it (its stylesheet is read
    # from there, core.charts.plotly_css), and the cartesian bundle of the same version
    # (npm), which the pages load: every chart is bars, lines, a histogram or a heat map, and
    # the full bundle is three times the size and injects a map library's inline <style>,
    # which the Content Security Policy refuses.
    ("vendor/plotly", Path(plotly.__file__).resolve().parent / "package_data"),
    ("vendor/plotly-cartesian", BASE_DIR / "node_modules" / "plotly.js-cartesian-dist-min"),
]

# In development and tests WhiteNoise serves straight from the finders; in production
# from STATIC_ROOT after collectstatic, with hashed names and compression.
WHITENOISE_USE_FINDERS = DEBUG or TESTING
WHITENOISE_AUTOREFRESH = DEBUG or TESTING

MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", BASE_DIR / "var" / "media"))
# Media is never served from a public URL: only permission-checked views stream it.
MEDIA_URL = "/media-not-public/"

STORAGE_BACKEND = os.environ.get("STORAGE", "local").strip().lower()
if STORAGE_BACKEND == "s3":
    _default_storage = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": os.environ.get("S3_BUCKET", ""),
            "endpoint_url": os.environ.get("S3_ENDPOINT_URL") or None,
            "region_name": os.environ.get("S3_REGION") or None,
            "access_key": os.environ.get("S3_ACCESS_KEY_ID") or None,
            "secret_key": os.environ.get("S3_SECRET_ACCESS_KEY") or None,
            "default_acl": "private",
            "querystring_auth": True,
            "file_overwrite": False,
        },
    }
elif STORAGE_BACKEND == "local":
    _default_storage = {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": MEDIA_ROOT},
    }
else:
    raise ImproperlyConfigured("STORAGE must be 'local' or 's3'.")
STORAGES = {
    "default": _default_storage,
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG or TESTING
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

# Uploads: Django's own caps on the request, plus a per-file cap the forms check.
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_NUMBER_FILES = 10
DATA_UPLOAD_MAX_NUMBER_FIELDS = 2000
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
MAX_UPLOAD_MB = env_int("MAX_UPLOAD_MB", 20)
MAX_UPLOAD_BYTES = MAX_UPLOAD_MB * 1024 * 1024
# A professional discussion's audio or video recording (evidence.files.check_media): streamed to
# storage from Django's temporary upload file, never read whole into memory.
MAX_MEDIA_UPLOAD_MB = env_int("MAX_MEDIA_UPLOAD_MB", 200)
MAX_MEDIA_UPLOAD_BYTES = MAX_MEDIA_UPLOAD_MB * 1024 * 1024
# Service data (audit imports) has limits of its own: a year of a large service is ~100 MB of CSV.
# The first caps the CSV as read (a .csv.gz or .zip is refused as soon as unpacking passes it),
# the second a compressed file as uploaded. Uploads go in chunks of SERVICE_DATA_CHUNK_MB
# (resumable); one left unfinished is removed after SERVICE_DATA_UPLOAD_EXPIRY_HOURS.
SERVICE_DATA_MAX_UPLOAD_MB = env_int("SERVICE_DATA_MAX_UPLOAD_MB", 200)
SERVICE_DATA_MAX_UPLOAD_BYTES = SERVICE_DATA_MAX_UPLOAD_MB * 1024 * 1024
SERVICE_DATA_MAX_COMPRESSED_MB = env_int("SERVICE_DATA_MAX_COMPRESSED_MB", 50)
SERVICE_DATA_MAX_COMPRESSED_BYTES = SERVICE_DATA_MAX_COMPRESSED_MB * 1024 * 1024
SERVICE_DATA_CHUNK_MB = env_int("SERVICE_DATA_CHUNK_MB", 4)
SERVICE_DATA_UPLOAD_DIR = os.environ.get("SERVICE_DATA_UPLOAD_DIR", str(BASE_DIR / "var" / "uploads"))
SERVICE_DATA_UPLOAD_EXPIRY_HOURS = env_int("SERVICE_DATA_UPLOAD_EXPIRY_HOURS", 24)
# Images above this many pixels are refused before decoding (decompression bombs).
MAX_IMAGE_PIXELS = env_int("MAX_IMAGE_PIXELS", 40_000_000)

# Unsaved text kept for a person while they type (core/drafts.py): days before it goes.
FORM_DRAFT_DAYS = env_int("FORM_DRAFT_DAYS", 30)

# E-mail: printed to the console unless EMAIL_HOST names an SMTP server.
if os.environ.get("EMAIL_HOST"):
    MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {
                "host": os.environ["EMAIL_HOST"],
                "port": env_int("EMAIL_PORT", 587),
                "username": os.environ.get("EMAIL_HOST_USER", ""),
                "password": os.environ.get("EMAIL_HOST_PASSWORD", ""),
                "use_tls": env_bool("EMAIL_USE_TLS", True),
                "timeout": 20,
            },
        }
    }
else:
    MAILERS = {"default": {"BACKEND": "django.core.mail.backends.console.EmailBackend"}}
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "Portfolio <no-reply@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

INVITATION_MAX_AGE_DAYS = env_int("INVITATION_MAX_AGE_DAYS", 14)
# A witness testimony link (evidence.witness): signed, single use, valid this many days.
WITNESS_LINK_MAX_AGE_DAYS = env_int("WITNESS_LINK_MAX_AGE_DAYS", 21)

# Task queue: Redis when REDIS_URL is set. Without it, `make run` (EMBEDDED_WORKER=1) runs a
# real worker and beat on kombu's filesystem transport under var/celery, so progress pages,
# retries and the outbox work as in production with no server to install; tests and one-off
# commands run tasks in-process.
REDIS_URL = os.environ.get("REDIS_URL", "")
EMBEDDED_WORKER = not REDIS_URL and env_bool("EMBEDDED_WORKER", False) and not TESTING
EMBEDDED_BROKER_DIR = Path(os.environ.get("EMBEDDED_BROKER_DIR", BASE_DIR / "var" / "celery"))
CELERY_BROKER_URL = REDIS_URL or ("filesystem://" if EMBEDDED_WORKER else "memory://")
CELERY_RESULT_BACKEND = REDIS_URL or None
CELERY_TASK_ALWAYS_EAGER = not REDIS_URL and not EMBEDDED_WORKER
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_TIME_LIMIT = 300
CELERY_TASK_SOFT_TIME_LIMIT = 240
# A worker process is replaced after a task leaves it above this size (a PDF render with
# many photos is the heaviest), so memory a render held is given back to the machine.
CELERY_WORKER_MAX_MEMORY_PER_CHILD = env_int("WORKER_MAX_MEMORY_MB", 600) * 1024  # KiB

# PDF export: at the soft limit the render is stopped and the job marked failed; at the hard
# limit the worker kills it. A job waiting or running for longer than the hard limit (and a
# minute's grace) was lost, so it is shown as failed with a retry.
EXPORT_SOFT_TIME_LIMIT = env_int("EXPORT_SOFT_TIME_LIMIT", 240)
EXPORT_TIME_LIMIT = env_int("EXPORT_TIME_LIMIT", 300)
EXPORT_MAX_RETRIES = env_int("EXPORT_MAX_RETRIES", 3)
EXPORT_STALE_AFTER = EXPORT_TIME_LIMIT + 60
if not 0 < EXPORT_SOFT_TIME_LIMIT < EXPORT_TIME_LIMIT:
    raise ImproperlyConfigured("EXPORT_SOFT_TIME_LIMIT must be positive and below EXPORT_TIME_LIMIT.")
# A render's heartbeat is written every EXPORT_HEARTBEAT_SECONDS; a running job whose heartbeat
# is older than EXPORT_HEARTBEAT_TIMEOUT lost its worker and is started again by the sweeper
# (up to EXPORT_MAX_RETRIES times, then failed with "Try again").
EXPORT_HEARTBEAT_SECONDS = env_int("EXPORT_HEARTBEAT_SECONDS", 5)
EXPORT_HEARTBEAT_TIMEOUT = env_int("EXPORT_HEARTBEAT_TIMEOUT", 30)
if not 0 < EXPORT_HEARTBEAT_SECONDS < EXPORT_HEARTBEAT_TIMEOUT:
    raise ImproperlyConfigured(
        "EXPORT_HEARTBEAT_SECONDS must be positive and below EXPORT_HEARTBEAT_TIMEOUT."
    )
# Background work goes through the outbox (core.outbox, docs/background-work.md): a row
# written with the action, handed to the broker after the commit, and again by the sweeper,
# which Celery beat runs every OUTBOX_SWEEP_SECONDS (and every worker once at start). A message
# handed over but not run within OUTBOX_REDELIVER_AFTER seconds (the broker lost it) is handed
# over again, at most OUTBOX_MAX_DELIVERIES times. A run holds its message for
# OUTBOX_RUN_LEASE seconds (longer than any task may run), so a second delivery waits.
# Data protection (docs/data-protection.md): a learner's archive of their data is deleted
# PRIVACY_ARCHIVE_DAYS after it is made; preparing one may take PRIVACY_ARCHIVE_TIME_LIMIT
# seconds; it is written to a temporary file in PRIVACY_ARCHIVE_TMP_DIR (the system's by
# default) before it is stored. The retention job runs daily at PRIVACY_RETENTION_HOUR.
PRIVACY_ARCHIVE_DAYS = env_int("PRIVACY_ARCHIVE_DAYS", 7)
PRIVACY_ARCHIVE_TIME_LIMIT = env_int("PRIVACY_ARCHIVE_TIME_LIMIT", 600)
PRIVACY_ARCHIVE_TMP_DIR = os.environ.get("PRIVACY_ARCHIVE_TMP_DIR", "")
PRIVACY_RETENTION_HOUR = env_int("PRIVACY_RETENTION_HOUR", 3)
# LTI (docs/integrations.md): every course's roster is read again nightly at LTI_ROSTER_SYNC_HOUR.
LTI_ROSTER_SYNC_HOUR = env_int("LTI_ROSTER_SYNC_HOUR", 2)
OUTBOX_SWEEP_SECONDS = env_int("OUTBOX_SWEEP_SECONDS", 15)
OUTBOX_REDELIVER_AFTER = env_int("OUTBOX_REDELIVER_AFTER", 600)
OUTBOX_MAX_DELIVERIES = env_int("OUTBOX_MAX_DELIVERIES", 5)
OUTBOX_RUN_LEASE = 660  # longer than any task may run (the service data import: 600 s)
CELERY_BEAT_SCHEDULE = {
    "outbox-sweep": {
        "task": "core.tasks.sweep_outbox",
        "schedule": OUTBOX_SWEEP_SECONDS,
        "options": {"expires": OUTBOX_SWEEP_SECONDS},
    },
    # The retention policy (privacy.retention, docs/data-protection.md), daily at night.
    "privacy-retention": {
        "task": "privacy.tasks.apply_retention",
        "schedule": crontab(hour=PRIVACY_RETENTION_HOUR, minute=15),
        "options": {"expires": 3600},
    },
    # LTI courses' rosters (lti.tasks.read_every_roster, docs/integrations.md), daily at night:
    # it queues one read a course, each its own task.
    "lti-roster-sync": {
        "task": "lti.tasks.read_every_roster",
        "schedule": crontab(hour=LTI_ROSTER_SYNC_HOUR, minute=45),
        "options": {"expires": 3600},
    },
}
# A broker that is down must not hold up a request: handing a message over gives up within
# about two seconds, connection refused or Redis hung (measured: 0.4 s and 2.0-2.4 s), without
# retrying: the outbox keeps the message and its sweeper is the retry.
CELERY_BROKER_CONNECTION_TIMEOUT = 1
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TASK_PUBLISH_RETRY = False
CELERY_RESULT_BACKEND_TRANSPORT_OPTIONS = {"retry_policy": {"max_retries": 0}}
CELERY_REDIS_SOCKET_CONNECT_TIMEOUT = 1
CELERY_REDIS_SOCKET_TIMEOUT = 1
# Redis hands an unacknowledged task to another worker after the visibility timeout; it must
# outlast the longest render, or a slow render would run twice.
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": max(3600, 2 * EXPORT_TIME_LIMIT),
    "socket_connect_timeout": 1,
    "socket_timeout": 2,  # above the worker's one-second wait for new tasks
}
if EMBEDDED_WORKER:
    # The web process drops messages in a folder that the worker reads.
    for _folder in ("queue", "processed"):
        (EMBEDDED_BROKER_DIR / _folder).mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(EMBEDDED_BROKER_DIR / "queue"),
        "data_folder_out": str(EMBEDDED_BROKER_DIR / "queue"),
        "processed_folder": str(EMBEDDED_BROKER_DIR / "processed"),
        # Broadcasts (worker control) too, or kombu writes them to ./control.
        "control_folder": str(EMBEDDED_BROKER_DIR / "control"),
        "store_processed": False,
    }
    # Two processes write one SQLite file: a writer waits for the other instead of failing.
    DATABASES["default"].setdefault("OPTIONS", {}).update({"timeout": 20, "transaction_mode": "IMMEDIATE"})
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = TIME_ZONE

if REDIS_URL:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}}
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
# Each process's own copy of what many pages read and rarely changes (the frameworks' criteria
# trees, core.selectors.cohort_framework_trees; each dataset's KPIs, audit.selectors.kpi_snapshot).
# Never Redis: a page must not fail while Redis is away.
CACHES["local"] = {
    "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
    "LOCATION": "reference-data",
    "OPTIONS": {"MAX_ENTRIES": 500},
}

# The PDF export. Charts go into the PDF as SVG drawn by Kaleido in a headless Chromium
# (Debian's, by default); an empty BROWSER_PATH, or a path where nothing runs, leaves a
# note in the PDF where each chart would be, and the rest of the document still renders.
BROWSER_PATH = os.environ.get("BROWSER_PATH", "/usr/bin/chromium")
PDF_CHART_TIMEOUT_SECONDS = env_int("PDF_CHART_TIMEOUT_SECONDS", 60)
# Each process keeps its chart browser between exports (a Celery worker starts it with its
# process); it is started afresh once its processes together use more than this (PSS, MB).
PDF_CHART_BROWSER_MAX_MB = env_int("PDF_CHART_BROWSER_MAX_MB", 600)
# Every evidence file travels with the PDF (docs/pdf.md, "What the PDF carries"): a PDF's
# pages are merged after its entry, up to this many pages a file (a longer PDF is only
# attached) and this many in all; the originals are attached up to this many MB together.
PDF_MERGE_MAX_PAGES_PER_FILE = env_int("PDF_MERGE_MAX_PAGES_PER_FILE", 40)
PDF_MERGE_MAX_PAGES = env_int("PDF_MERGE_MAX_PAGES", 200)
PDF_ATTACH_MAX_MB = env_int("PDF_ATTACH_MAX_MB", 250)
# Photos are printed downscaled; their originals (a few MB each) are attached too unless this is off.
PDF_ATTACH_IMAGES = env_bool("PDF_ATTACH_IMAGES", False)

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# Content Security Policy: our own origin only; inline script only with the nonce.
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF, CSP.NONCE],
    "img-src": [CSP.SELF, "data:"],
    "font-src": [CSP.SELF],
    "connect-src": [CSP.SELF],
    "form-action": [CSP.SELF],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.NONE],
    "frame-ancestors": [CSP.NONE],
}

X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SESSION_COOKIE_HTTPONLY = True
if not DEBUG and not TESTING:
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 60 * 60 * 24 * 365)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    # The health check and the metrics are probed over plain HTTP from inside the network.
    SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^metrics$"]

DEMO_PASSWORD = os.environ.get("DEMO_PASSWORD", "demo-pass-2026")

# Verifiable credentials at sign-off (docs/credentials.md). The centre's ES256 signing key, as a
# JWK or PEM in CREDENTIAL_SIGNING_KEY, or in the file CREDENTIAL_SIGNING_KEY_FILE (`manage.py
# credential_key` writes one; never commit it). CREDENTIAL_RETIRED_KEYS: a JWKS (inline or a file
# path) of earlier public keys, still published so credentials signed with them verify.
CREDENTIAL_SIGNING_KEY = os.environ.get("CREDENTIAL_SIGNING_KEY", "")
CREDENTIAL_SIGNING_KEY_FILE = os.environ.get(
    "CREDENTIAL_SIGNING_KEY_FILE", str(BASE_DIR / "var" / "credential-signing-key.jwk")
)
CREDENTIAL_RETIRED_KEYS = os.environ.get("CREDENTIAL_RETIRED_KEYS", "")
CREDENTIAL_ISSUER_NAME = os.environ.get("CREDENTIAL_ISSUER_NAME", "Social Customer Service Portfolios")
# Hold every credential until internal quality assurance accepts the version (a cohort's own
# policy, in the admin, overrides this).
CREDENTIALS_REQUIRE_IQA = env_bool("CREDENTIALS_REQUIRE_IQA", False)

# Logs (docs/deployment.md, "Logs and metrics"): one line a record on standard error, with the
# id of the request it belongs to (core.observability). LOG_FORMAT=json writes JSON lines for a
# log collector; the default is JSON in production (DEBUG=0) and plain text in development.
LOG_FORMAT = os.environ.get("LOG_FORMAT", "").strip().lower() or ("text" if DEBUG or TESTING else "json")
if LOG_FORMAT not in {"text", "json"}:
    raise ImproperlyConfigured("LOG_FORMAT must be 'text' or 'json'.")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "core.observability.RequestIdFilter"}},
    "formatters": {
        "text": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"},
        "json": {"()": "core.observability.JsonFormatter"},
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler", "filters": ["request_id"], "formatter": LOG_FORMAT}
    },
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    # WeasyPrint, fontTools, Kaleido and the browser driver under it log every step of every
    # PDF render at INFO; pikepdf announces itself on import.
    "loggers": {
        name: {"level": "WARNING"}
        for name in ("weasyprint", "fontTools", "kaleido", "choreographer", "pikepdf")
    },
}

# Metrics for Prometheus at /metrics (core.metrics): closed (404) unless METRICS_TOKEN or
# METRICS_ALLOWED_ADDRESSES is set; with both, a scrape needs both. With several processes per
# machine (gunicorn), PROMETHEUS_MULTIPROC_DIR names an empty folder they all write to.
METRICS_TOKEN = os.environ.get("METRICS_TOKEN", "")
METRICS_ALLOWED_ADDRESSES = env_list("METRICS_ALLOWED_ADDRESSES")
for _entry in METRICS_ALLOWED_ADDRESSES:
    try:
        ipaddress.ip_network(_entry, strict=False)
    except ValueError as _error:
        raise ImproperlyConfigured(
            f"METRICS_ALLOWED_ADDRESSES: {_entry!r} is not an address or network."
        ) from _error

# Errors to Sentry when SENTRY_DSN is set (config/sentry.py): no personal data, no request bodies.
SENTRY_DSN = os.environ.get("SENTRY_DSN", "")
SENTRY_ENVIRONMENT = os.environ.get("SENTRY_ENVIRONMENT", "production" if not DEBUG else "development")
SENTRY_TRACES_SAMPLE_RATE = float(os.environ.get("SENTRY_TRACES_SAMPLE_RATE", "0") or 0)
if SENTRY_DSN and not TESTING:
    init_sentry(dsn=SENTRY_DSN, environment=SENTRY_ENVIRONMENT, traces_sample_rate=SENTRY_TRACES_SAMPLE_RATE)

# LTI 1.3 (docs/integrations.md, "Moodle" and "Canvas"). Platforms are registered in the admin;
# the tool's RSA key as a PEM in LTI_PRIVATE_KEY or in the file LTI_PRIVATE_KEY_FILE (a DEBUG run
# writes one there; never commit it). LTI_LOGIN_SECONDS: how long a login's state and a launch's
# ticket are good for.
LTI_PRIVATE_KEY = os.environ.get("LTI_PRIVATE_KEY", "")
LTI_PRIVATE_KEY_FILE = os.environ.get("LTI_PRIVATE_KEY_FILE", str(BASE_DIR / "var" / "lti-private-key.pem"))
LTI_LOGIN_SECONDS = int(os.environ.get("LTI_LOGIN_SECONDS", "300"))
