"""Settings for cpdnet: one module, every deploy-specific value from the environment."""

import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

PACKAGE_DIR = Path(__file__).resolve().parent
PROJECT_DIR = PACKAGE_DIR.parent.parent
VAR_DIR = Path(os.environ.get("CPDNET_VAR_DIR", PROJECT_DIR / "var"))


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("CPDNET_DEBUG", False)
SECRET_KEY = os.environ.get("CPDNET_SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG and env_bool("CPDNET_REQUIRE_SECRET_KEY", False):
        raise ImproperlyConfigured("Set CPDNET_SECRET_KEY to a long random value.")
    # Only for local development and tests; production sets CPDNET_REQUIRE_SECRET_KEY=1.
    SECRET_KEY = "dev-only-insecure-key-do-not-use-in-production"  # noqa: S105

ALLOWED_HOSTS = env_list("CPDNET_ALLOWED_HOSTS", "127.0.0.1,localhost,testserver")
CSRF_TRUSTED_ORIGINS = env_list("CPDNET_CSRF_TRUSTED_ORIGINS", "")
SITE_URL = os.environ.get("CPDNET_SITE_URL", "http://127.0.0.1:8000")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django_tasks",
    "django_tasks_db",
    "cpdnet.accounts",
    "cpdnet.audit",
    "cpdnet.schools",
    "cpdnet.hubs",
    "cpdnet.programmes",
    "cpdnet.applications",
    "cpdnet.notifications",
    "cpdnet.delivery",
    "cpdnet.evaluation",
    "cpdnet.events",
    "cpdnet.funding",
    "cpdnet.insights",
    "cpdnet.public",
    "cpdnet.backoffice",
    "cpdnet.api",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "cpdnet.urls"
WSGI_APPLICATION = "cpdnet.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [PACKAGE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{VAR_DIR / 'cpdnet.sqlite3'}"),
        conn_max_age=int(os.environ.get("CPDNET_DB_CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    Path(DATABASES["default"]["NAME"]).parent.mkdir(parents=True, exist_ok=True)
    # A file, not shared-cache memory: concurrent tests then wait for locks instead of failing.
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / "test-cpdnet.sqlite3")}
    # WAL lets the worker and the web process share the file without "database is locked".
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"

LOGIN_URL = "/sign-in/"
LOGIN_REDIRECT_URL = "/account/"

# --- OpenID Connect sign-in (e.g. DfE Sign-in) -------------------------------------------------
# Off unless CPDNET_OIDC_CLIENT_ID is set; then the provider's endpoints must be set too. People
# are matched to accounts by the email the provider has verified (cpdnet.accounts.oidc).
AUTHENTICATION_BACKENDS = ["django.contrib.auth.backends.ModelBackend"]
OIDC_ENABLED = bool(os.environ.get("CPDNET_OIDC_CLIENT_ID"))
if OIDC_ENABLED:
    _oidc_missing = [
        name
        for name in (
            "CPDNET_OIDC_CLIENT_SECRET",
            "CPDNET_OIDC_AUTHORIZATION_ENDPOINT",
            "CPDNET_OIDC_TOKEN_ENDPOINT",
            "CPDNET_OIDC_USER_ENDPOINT",
            "CPDNET_OIDC_JWKS_ENDPOINT",
        )
        if not os.environ.get(name)
    ]
    if _oidc_missing:
        raise ImproperlyConfigured(
            f"CPDNET_OIDC_CLIENT_ID is set, so also set {', '.join(_oidc_missing)}."
        )
    OIDC_RP_CLIENT_ID = os.environ["CPDNET_OIDC_CLIENT_ID"]
    OIDC_RP_CLIENT_SECRET = os.environ["CPDNET_OIDC_CLIENT_SECRET"]
    OIDC_OP_AUTHORIZATION_ENDPOINT = os.environ["CPDNET_OIDC_AUTHORIZATION_ENDPOINT"]
    OIDC_OP_TOKEN_ENDPOINT = os.environ["CPDNET_OIDC_TOKEN_ENDPOINT"]
    OIDC_OP_USER_ENDPOINT = os.environ["CPDNET_OIDC_USER_ENDPOINT"]
    OIDC_OP_JWKS_ENDPOINT = os.environ["CPDNET_OIDC_JWKS_ENDPOINT"]
    OIDC_RP_SIGN_ALGO = os.environ.get("CPDNET_OIDC_SIGN_ALGO", "RS256")
    OIDC_RP_SCOPES = os.environ.get("CPDNET_OIDC_SCOPES", "openid email profile")
    OIDC_REQUIRE_EMAIL_VERIFIED = env_bool("CPDNET_OIDC_REQUIRE_EMAIL_VERIFIED", True)
    OIDC_USE_PKCE = True
    OIDC_TIMEOUT = 10
    OIDC_AUTHENTICATION_CALLBACK_URL = "accounts:oidc-callback"
    LOGIN_REDIRECT_URL_FAILURE = "/sign-in/?failed=oidc"
    AUTHENTICATION_BACKENDS.append("cpdnet.accounts.oidc.VerifiedEmailBackend")
OIDC_PROVIDER_NAME = os.environ.get("CPDNET_OIDC_PROVIDER_NAME", "DfE Sign-in")
# --- end of OpenID Connect ----------------------------------------------------------------------

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATICFILES_DIRS = [PACKAGE_DIR / "static"]
STATIC_ROOT = Path(os.environ.get("CPDNET_STATIC_ROOT", VAR_DIR / "static"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
MEDIA_ROOT = Path(os.environ.get("CPDNET_MEDIA_ROOT", VAR_DIR / "media"))

CACHES = {
    "default": (
        {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": os.environ["CPDNET_CACHE_URL"],
        }
        if os.environ.get("CPDNET_CACHE_URL")
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    )
}
# How long a process may keep its copy of the hub areas when no shared cache tells it of a
# change (see cpdnet.hubs.directory).
HUB_DIRECTORY_MAX_AGE = int(os.environ.get("CPDNET_HUB_DIRECTORY_MAX_AGE", "60"))

# Seconds a catalogue page for signed-out visitors may be served from the cache (0: never).
CATALOGUE_CACHE_SECONDS = int(os.environ.get("CPDNET_CATALOGUE_CACHE_SECONDS", "60"))

TASKS = {
    "default": {
        "BACKEND": os.environ.get("CPDNET_TASKS_BACKEND", "django_tasks_db.DatabaseBackend"),
        "QUEUES": ["default"],
    }
}

EMAIL_BACKEND = os.environ.get(
    "CPDNET_EMAIL_BACKEND", "django.core.mail.backends.filebased.EmailBackend"
)
EMAIL_FILE_PATH = VAR_DIR / "sent-emails"
EMAIL_HOST = os.environ.get("CPDNET_EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("CPDNET_EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("CPDNET_EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("CPDNET_EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("CPDNET_EMAIL_USE_TLS", False)
DEFAULT_FROM_EMAIL = os.environ.get("CPDNET_FROM_EMAIL", "cpdnet <no-reply@example.org>")

SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SESSION_COOKIE_SECURE = env_bool("CPDNET_SECURE_COOKIES", False)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SESSION_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"

# The compact postcode index (built by scripts/build_postcode_index.py from ONSPD).
CPDNET_POSTCODE_INDEX = Path(
    os.environ.get("CPDNET_POSTCODE_INDEX", PACKAGE_DIR / "schools" / "data" / "postcodes.zip")
)

# Days a school approver has to answer before the application lapses, and days a teacher has
# to take up a place offered from the waiting list.
SCHOOL_APPROVAL_DAYS = int(os.environ.get("CPDNET_SCHOOL_APPROVAL_DAYS", "10"))
WAITLIST_OFFER_DAYS = int(os.environ.get("CPDNET_WAITLIST_OFFER_DAYS", "5"))
SIGN_IN_CODE_MINUTES = int(os.environ.get("CPDNET_SIGN_IN_CODE_MINUTES", "15"))
SIGN_IN_MAX_FAILURES = int(os.environ.get("CPDNET_SIGN_IN_MAX_FAILURES", "5"))

# Minutes before a session starts that participants see (and are emailed) its join link, and
# hours before it that they are reminded.
JOIN_LINK_RELEASE_MINUTES = int(os.environ.get("CPDNET_JOIN_LINK_RELEASE_MINUTES", "60"))
SESSION_REMINDER_HOURS = int(os.environ.get("CPDNET_SESSION_REMINDER_HOURS", "24"))
# Largest file a participant or facilitator may upload, in megabytes.
UPLOAD_MAX_MB = int(os.environ.get("CPDNET_UPLOAD_MAX_MB", "20"))
# Newsletter emails sent per task run (each batch is one task on the queue).
NEWSLETTER_BATCH_SIZE = int(os.environ.get("CPDNET_NEWSLETTER_BATCH_SIZE", "200"))
# Who invoices schools and pays bursaries: named on invoices, remittances and payment files.
FUNDING_PAYEE_NAME = os.environ.get("CPDNET_FUNDING_PAYEE_NAME", "National Centre CPD Network")

# Periodic work, enqueued by `cpdnet worker`: task path and how often, in seconds.
PERIODIC_TASKS = {
    # Every 15 minutes: lapse school approvals and waiting-list offers that ran out of time.
    "cpdnet.applications.tasks.expire_overdue_applications_task": 15 * 60,
    # Once a day: delete sign-in codes that have expired.
    "cpdnet.accounts.tasks.delete_expired_sign_in_codes_task": 24 * 60 * 60,
    # Every 5 minutes: email the join link of sessions starting within
    # JOIN_LINK_RELEASE_MINUTES to their participants (once each).
    "cpdnet.programmes.tasks.release_join_links_task": 5 * 60,
    # Every 15 minutes: remind participants of sessions starting within SESSION_REMINDER_HOURS.
    "cpdnet.programmes.tasks.send_session_reminders_task": 15 * 60,
    # Every 15 minutes: email recordings of sessions that have ended since their link was added.
    "cpdnet.programmes.tasks.send_due_recordings_task": 15 * 60,
    # Every 10 minutes: send invoices, credit notes, bank-detail warnings and remittances still
    # unsent 5 minutes after their change committed (a process that died before sending).
    "cpdnet.funding.tasks.send_owed_funding_emails_task": 10 * 60,
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("CPDNET_LOG_LEVEL", "WARNING")},
}
