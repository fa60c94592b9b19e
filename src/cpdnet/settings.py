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
# Known to everyone who reads this file, so accepted only with CPDNET_DEBUG=1 (see the checks at
# the end of this module): with it, approval links and unsubscribe tokens could be forged.
DEVELOPMENT_SECRET_KEY = "dev-only-insecure-key-do-not-use-in-production"  # noqa: S105
SECRET_KEY = os.environ.get("CPDNET_SECRET_KEY", "") or (DEVELOPMENT_SECRET_KEY if DEBUG else "")

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
    "csp",
    # Serves the API docs (Swagger UI) from its own static files instead of a public CDN.
    "ninja",
    "cpdnet.privacy",
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
    "cpdnet.accreditation",
    "cpdnet.insights",
    "cpdnet.public",
    "cpdnet.backoffice",
    "cpdnet.api",
    "cpdnet.operations",
    "django_guid",
]

MIDDLEWARE = [
    # First and last: django-prometheus times every request and counts it per view.
    "django_prometheus.middleware.PrometheusBeforeMiddleware",
    # The request id (from nginx's X-Request-ID, or made here) on every log record.
    "django_guid.middleware.guid_middleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "cpdnet.accounts.middleware.StaffIdleTimeoutMiddleware",
    "cpdnet.rate_limits.TooManyRequestsMiddleware",
    # A database that cannot be reached, then (handled first) one that is only busy: 503s.
    "cpdnet.database_busy.DatabaseUnavailableMiddleware",
    "django_prometheus.middleware.PrometheusAfterMiddleware",
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
                "cpdnet.operations.replica.figures_freshness",
                "cpdnet.public.navigation.navigation",
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
# Reports and insights read from a streaming replica when one is set (cpdnet.operations.replica);
# a replica that does not answer within CONNECT_TIMEOUT seconds is skipped for the primary.
DATABASE_REPLICA_URL = os.environ.get("DATABASE_REPLICA_URL", "")
if DATABASE_REPLICA_URL:
    DATABASES["replica"] = dj_database_url.parse(
        DATABASE_REPLICA_URL,
        conn_max_age=int(os.environ.get("CPDNET_DB_CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
    if DATABASES["replica"]["ENGINE"] == "django.db.backends.postgresql":
        DATABASES["replica"]["OPTIONS"] = {"connect_timeout": 2}
    # Tests read the replica's rows from the test database itself.
    DATABASES["replica"]["TEST"] = {"MIRROR": "default"}
DATABASE_ROUTERS = ["cpdnet.operations.replica.ReportingReplicaRouter"]
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
# insights.SchoolEngagement has a covering index (INCLUDE) for PostgreSQL; SQLite builds the
# same index on its key columns and would warn about the included one on every command.
SILENCED_SYSTEM_CHECKS = ["models.W040"]
AUTH_USER_MODEL = "accounts.User"

LOGIN_URL = "/sign-in/"
LOGIN_REDIRECT_URL = "/my/"

# --- OpenID Connect sign-in (e.g. DfE Sign-in) -------------------------------------------------
# Off unless CPDNET_OIDC_CLIENT_ID is set; then the provider's endpoints must be set too. People
# are matched to accounts by the email the provider has verified (cpdnet.accounts.oidc).
# Passwords are checked only inside the sign-in policy (cpdnet.accounts.sign_in_policy).
AUTHENTICATION_BACKENDS = ["cpdnet.accounts.backends.PolicyPasswordBackend"]
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

# Shared by every web process and worker: rate limits and cached pages must be counted and seen
# the same everywhere. `database` is Django's DatabaseCache (table cpdnet_cache, created by
# `cpdnet createcachetable`); per-process memory only for development (CPDNET_DEBUG=1).
CACHE_URL = os.environ.get("CPDNET_CACHE_URL", "").strip()
if CACHE_URL.startswith(("redis://", "rediss://")):
    CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": CACHE_URL}
    }
elif CACHE_URL == "database":
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": "cpdnet_cache",
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
# How long a process may keep its copy of the hub areas when no shared cache tells it of a
# change (see cpdnet.hubs.directory).
HUB_DIRECTORY_MAX_AGE = int(os.environ.get("CPDNET_HUB_DIRECTORY_MAX_AGE", "60"))
# Seconds a process answers from its copy before reading the shared version again (a change
# made in another process shows within this time).
HUB_DIRECTORY_CHECK_SECONDS = float(os.environ.get("CPDNET_HUB_DIRECTORY_CHECK_SECONDS", "1"))

# Seconds a catalogue page for signed-out visitors may be served from the cache (0: never).
CATALOGUE_CACHE_SECONDS = int(os.environ.get("CPDNET_CATALOGUE_CACHE_SECONDS", "60"))

TASKS = {
    "default": {
        "BACKEND": os.environ.get(
            "CPDNET_TASKS_BACKEND", "cpdnet.operations.request_ids.RequestTracingDatabaseBackend"
        ),
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
# Shown on the help, privacy and accessibility pages.
CONTACT_EMAIL = os.environ.get("CPDNET_CONTACT_EMAIL", "help@example.org")

SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# On by default in production; CPDNET_SECURE_COOKIES=0 only for a plain-http local demo.
SECURE_COOKIES = env_bool("CPDNET_SECURE_COOKIES", not DEBUG)
SESSION_COOKIE_SECURE = SECURE_COOKIES
CSRF_COOKIE_SECURE = SECURE_COOKIES
SECURE_SSL_REDIRECT = SECURE_COOKIES
# Load balancers check health over plain http inside the network.
SECURE_REDIRECT_EXEMPT = [r"^(healthz|readyz|metrics)/?$"]
SECURE_HSTS_SECONDS = (
    int(os.environ.get("CPDNET_HSTS_SECONDS", str(365 * 24 * 60 * 60))) if SECURE_COOKIES else 0
)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("CPDNET_HSTS_INCLUDE_SUBDOMAINS", True)
SECURE_HSTS_PRELOAD = env_bool("CPDNET_HSTS_PRELOAD", True)
SESSION_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"

# Content Security Policy (django-csp): scripts and styles only from our own static files. The
# one inline script (base.html, govuk-frontend's js-enabled line) is allowed by its hash, not a
# nonce, because pages for signed-out visitors are served from the cache.
BASE_INLINE_SCRIPT_HASH = "'sha256-GUQ5ad8JK5KmEWmROf3LZd9ge94daqNvd8xy9YS1iDw='"
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'", BASE_INLINE_SCRIPT_HASH],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
    }
}

# The compact postcode index (built by scripts/build_postcode_index.py from ONSPD).
CPDNET_POSTCODE_INDEX = Path(
    os.environ.get("CPDNET_POSTCODE_INDEX", PACKAGE_DIR / "schools" / "data" / "postcodes.zip")
)

# Days a school approver has to answer before the application lapses, and days a teacher has
# to take up a place offered from the waiting list.
SCHOOL_APPROVAL_DAYS = int(os.environ.get("CPDNET_SCHOOL_APPROVAL_DAYS", "10"))
WAITLIST_OFFER_DAYS = int(os.environ.get("CPDNET_WAITLIST_OFFER_DAYS", "5"))
SIGN_IN_CODE_MINUTES = int(os.environ.get("CPDNET_SIGN_IN_CODE_MINUTES", "15"))
# Hours after confirming an offering's completion during which staff may undo it (places go
# back to accepted and the certificates it issued are withdrawn).
COMPLETION_UNDO_HOURS = int(os.environ.get("CPDNET_COMPLETION_UNDO_HOURS", "48"))
# Messages the people running one offering may send its participants in 24 hours.
PARTICIPANT_MESSAGES_PER_DAY = int(os.environ.get("CPDNET_PARTICIPANT_MESSAGES_PER_DAY", "5"))

# --- Sign-in policy (cpdnet.accounts.sign_in_policy; docs/security.md) ---------------------------
# Wrong passwords or codes for one account within SIGN_IN_LOCKOUT_MINUTES after which the account
# is locked for SIGN_IN_LOCKOUT_MINUTES (kept in the database, so shared by every process).
SIGN_IN_MAX_FAILURES = int(os.environ.get("CPDNET_SIGN_IN_MAX_FAILURES", "5"))
SIGN_IN_LOCKOUT_MINUTES = int(os.environ.get("CPDNET_SIGN_IN_LOCKOUT_MINUTES", "15"))
# Who must use more than a password: `any` (a password or an emailed code is enough),
# `second_factor` (a password and then an emailed code; single sign-on also accepted) or `sso`
# (only the OpenID Connect provider). Applies to the roles in STAFF_SIGN_IN_ROLES and to Django
# admin accounts.
STAFF_SIGN_IN = os.environ.get("CPDNET_STAFF_SIGN_IN", "any").strip().lower()
if STAFF_SIGN_IN not in {"any", "second_factor", "sso"}:
    raise ImproperlyConfigured("CPDNET_STAFF_SIGN_IN must be any, second_factor or sso.")
if STAFF_SIGN_IN == "sso" and not OIDC_ENABLED:
    raise ImproperlyConfigured("CPDNET_STAFF_SIGN_IN=sso needs CPDNET_OIDC_CLIENT_ID and the rest.")
STAFF_SIGN_IN_ROLES = env_list("CPDNET_STAFF_SIGN_IN_ROLES", "national_staff,hub_staff,assessor")
# Staff (the same people) are signed out after this many minutes without a request.
STAFF_IDLE_MINUTES = int(os.environ.get("CPDNET_STAFF_IDLE_MINUTES", "30"))
# API tokens expire this many days after they are made (`cpdnet create-token --days N`).
API_TOKEN_DAYS = int(os.environ.get("CPDNET_API_TOKEN_DAYS", "90"))

# Client address: REMOTE_ADDR, unless it is one of these proxies (IPs or CIDRs); then the header
# the proxy sets (nginx: `proxy_set_header X-Real-IP $remote_addr;`).
TRUSTED_PROXIES = env_list("CPDNET_TRUSTED_PROXIES", "")
CLIENT_IP_HEADER = os.environ.get("CPDNET_CLIENT_IP_HEADER", "X-Real-IP")

# Rate limits (cpdnet.rate_limits): "COUNT/SECONDS" per client address ("ip"), per account or
# email address ("account") and over everyone ("all"). Each can be changed by an environment
# variable CPDNET_RATE_<SCOPE>_<KIND>, e.g. CPDNET_RATE_SIGN_IN_FAILURE_IP=120/600. The per-address
# limits leave room for a whole school, trust or local-authority network behind one address;
# see docs/security.md.
_DEFAULT_RATE_LIMITS = {
    # Wrong passwords, codes and links (right ones are not counted against the address).
    "sign_in_failure": {"ip": "60/600", "all": "3000/60"},
    # Sign-in emails asked for (each sends an email).
    "sign_in_code_request": {"ip": "60/600", "account": "5/900", "all": "2000/60"},
    # A local-authority broadband network puts many schools behind one address, and a
    # newsletter sends their teachers to one webinar within minutes.
    "event_registration": {"ip": "600/600", "account": "10/3600", "all": "6000/60"},
    "newsletter_sign_up": {"ip": "30/600", "account": "5/3600", "all": "2000/60"},
    # Enough for someone checking a pile of certificates; codes are far too many to try.
    "certificate_check": {"ip": "30/60", "all": "3000/60"},
    "page_feedback": {"ip": "60/3600", "all": "3000/60"},
    # Answers about one page from one address.
    "page_feedback_one_page": {"ip": "5/3600"},
    "application": {"ip": "120/600", "account": "20/3600", "all": "3000/60"},
    # Bad API tokens, apart from sign-in so a forgotten integration cannot stop a school's
    # people signing in; a token is never guessed, so a few mistakes are plenty.
    "api_token_failure": {"ip": "30/600", "all": "3000/60"},
}
RATE_LIMITS = {
    scope: {
        kind: os.environ.get(f"CPDNET_RATE_{scope.upper()}_{kind.upper()}", rate)
        for kind, rate in kinds.items()
    }
    for scope, kinds in _DEFAULT_RATE_LIMITS.items()
}

# Who to tell about a security problem (SECURITY.md, /.well-known/security.txt).
SECURITY_CONTACT = os.environ.get("CPDNET_SECURITY_CONTACT", "mailto:security@example.org")
SECURITY_TXT_EXPIRES_DAYS = int(os.environ.get("CPDNET_SECURITY_TXT_EXPIRES_DAYS", "180"))
SECURITY_POLICY_URL = os.environ.get("CPDNET_SECURITY_POLICY_URL", "")
# --- end of the sign-in policy -------------------------------------------------------------------

# Minutes before a session starts that participants see (and are emailed) its join link, and
# hours before it that they are reminded.
JOIN_LINK_RELEASE_MINUTES = int(os.environ.get("CPDNET_JOIN_LINK_RELEASE_MINUTES", "60"))
SESSION_REMINDER_HOURS = int(os.environ.get("CPDNET_SESSION_REMINDER_HOURS", "24"))
# Largest file a participant or facilitator may upload, in megabytes.
UPLOAD_MAX_MB = int(os.environ.get("CPDNET_UPLOAD_MAX_MB", "20"))
# Newsletter emails sent per task run (each batch is one task on the queue).
NEWSLETTER_BATCH_SIZE = int(os.environ.get("CPDNET_NEWSLETTER_BATCH_SIZE", "200"))
# Who invoices schools and pays bursaries: named on invoices, remittances and payment files.
# PD Lead accreditation (docs/accreditation.md).
ACCREDITATION_VALIDITY_YEARS = int(os.environ.get("CPDNET_ACCREDITATION_VALIDITY_YEARS", "3"))
# Share of "accredit" recommendations also moderated; every other recommendation always is.
ACCREDITATION_MODERATION_SHARE = float(
    os.environ.get("CPDNET_ACCREDITATION_MODERATION_SHARE", "0.2")
)
# Days before an accreditation's end when the holder is reminded to renew.
ACCREDITATION_RENEWAL_REMINDER_DAYS = (90, 30, 7)
# Seconds a page of the public register is kept (changes make it stale at once; 0 turns it off).
ACCREDITATION_REGISTER_CACHE_SECONDS = int(
    os.environ.get("CPDNET_ACCREDITATION_REGISTER_CACHE_SECONDS", "60")
)
ACCREDITATION_PG_CERT_FEE = os.environ.get("CPDNET_ACCREDITATION_PG_CERT_FEE", "1250.00")
# Days after a "not accredited" outcome during which the candidate may appeal against it.
ACCREDITATION_APPEAL_DAYS = int(os.environ.get("CPDNET_ACCREDITATION_APPEAL_DAYS", "28"))
FUNDING_PAYEE_NAME = os.environ.get("CPDNET_FUNDING_PAYEE_NAME", "National Centre CPD Network")

# Periodic work, enqueued by `cpdnet worker`: task path and how often, in seconds.
# Minutes an email owed by a state change waits for its own task before the outbox sweep sends
# it, and how many times the sweep tries an email that keeps failing.
OUTBOX_SWEEP_AFTER_MINUTES = int(os.environ.get("CPDNET_OUTBOX_SWEEP_AFTER_MINUTES", "5"))
OUTBOX_MAX_ATTEMPTS = 5

PERIODIC_TASKS = {
    # Every minute: send emails owed by a state change that are still unsent
    # OUTBOX_SWEEP_AFTER_MINUTES after it (the process died before their task was enqueued).
    "cpdnet.notifications.tasks.send_owed_emails_task": 60,
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
    # Every 5 minutes: send residential joining instructions still owed 5 minutes after the
    # place was given (each once).
    "cpdnet.notifications.tasks.send_unsent_joining_instructions_task": 5 * 60,
    # Once a day: anonymise or delete personal data kept past PERSONAL_DATA_RETENTION_DAYS.
    "cpdnet.privacy.tasks.apply_retention_task": 24 * 60 * 60,
    # Every 10 minutes: send invoices, credit notes, bank-detail warnings and remittances still
    # unsent 5 minutes after their change committed (a process that died before sending).
    "cpdnet.funding.tasks.send_owed_funding_emails_task": 10 * 60,
    # Once a day: owe each accredited PD Lead the renewal reminder whose day has come
    # (ACCREDITATION_RENEWAL_REMINDER_DAYS before the end, each once).
    "cpdnet.accreditation.tasks.send_renewal_reminders_task": 24 * 60 * 60,
    # Once a day: lapse accreditations past their end that were not renewed.
    "cpdnet.accreditation.tasks.lapse_expired_accreditations_task": 24 * 60 * 60,
}

# How long personal data is kept, in days, before the daily retention run anonymises or deletes
# it (what each covers, and why these defaults: docs/privacy.md).
PERSONAL_DATA_RETENTION_DAYS = {
    # After the offering ends: applications, their history and everything written for a place.
    "applications": int(os.environ.get("CPDNET_RETAIN_APPLICATIONS_DAYS", str(3 * 365))),
    # After the event ends: webinar and event registrations.
    "registrations": int(os.environ.get("CPDNET_RETAIN_REGISTRATIONS_DAYS", "365")),
    # After the entry is written: personal details in the audit trail (the entry stays).
    "audit": int(os.environ.get("CPDNET_RETAIN_AUDIT_DAYS", str(6 * 365))),
    # After it is given: comments left in "Is this page useful?".
    "page_feedback": int(os.environ.get("CPDNET_RETAIN_PAGE_FEEDBACK_DAYS", "365")),
    # After it is decided: requests from schools to work with a different hub.
    "hub_change_requests": int(os.environ.get("CPDNET_RETAIN_HUB_CHANGE_REQUESTS_DAYS", "365")),
    # After it is sent: the address and subject on the record of emails sent.
    "sent_emails": int(os.environ.get("CPDNET_RETAIN_SENT_EMAILS_DAYS", "180")),
    # After it finishes: background task results (arguments, return values, errors).
    "task_results": int(os.environ.get("CPDNET_RETAIN_TASK_RESULTS_DAYS", "30")),
    # After it expires: a browser's sign-in session (as `clearsessions`).
    "sessions": int(os.environ.get("CPDNET_RETAIN_EXPIRED_SESSIONS_DAYS", "0")),
}

# /metrics answers only requests from these addresses or networks (comma-separated IPs or CIDRs,
# as seen by cpdnet's client address) or with `Authorization: Bearer CPDNET_METRICS_TOKEN`;
# with neither set it answers nobody.
METRICS_ALLOWED_IPS = env_list("CPDNET_METRICS_ALLOWED_IPS", "")
METRICS_TOKEN = os.environ.get("CPDNET_METRICS_TOKEN", "")
# The proxy's health probes come over plain http from inside.
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$", r"^metrics$"]

# Request ids: nginx sends its $request_id as X-Request-ID; the answer carries it back.
DJANGO_GUID = {
    "GUID_HEADER_NAME": "X-Request-ID",
    "VALIDATE_GUID": False,
    "RETURN_HEADER": True,
    "EXPOSE_HEADER": False,
    "IGNORE_URLS": ["healthz", "readyz", "metrics"],
}

# Logs: one JSON object per line (CPDNET_LOG_FORMAT=text for people reading a terminal), each
# with the request id (`correlation_id`) of the request or task it belongs to.
LOG_FORMAT = os.environ.get("CPDNET_LOG_FORMAT", "json")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "django_guid.log_filters.CorrelationId"}},
    "formatters": {
        "json": {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "format": "%(asctime)s %(levelname)s %(name)s %(process)d %(message)s "
            "%(correlation_id)s",
            "rename_fields": {"asctime": "time", "levelname": "level", "name": "logger"},
        },
        "text": {
            "format": "%(asctime)s %(levelname)s [%(correlation_id)s] %(name)s: %(message)s",
        },
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "filters": ["request_id"],
            "formatter": "text" if LOG_FORMAT == "text" else "json",
        }
    },
    "root": {"handlers": ["console"], "level": os.environ.get("CPDNET_LOG_LEVEL", "WARNING")},
    "loggers": {
        # Task enqueued/started lines join a request to its tasks; keep them at INFO.
        "cpdnet.operations": {"level": os.environ.get("CPDNET_OPERATIONS_LOG_LEVEL", "INFO")},
    },
}


# Production (debug off) refuses to start with settings that fail open; one line says why.
if not DEBUG:
    if not SECRET_KEY:
        raise ImproperlyConfigured(
            "Set CPDNET_SECRET_KEY to a random value of 50 or more characters "
            "(or CPDNET_DEBUG=1 for development)."
        )
    if SECRET_KEY == DEVELOPMENT_SECRET_KEY:
        raise ImproperlyConfigured("CPDNET_SECRET_KEY is the public development key: change it.")
    if len(SECRET_KEY) < 50:
        raise ImproperlyConfigured("CPDNET_SECRET_KEY is too short: use 50 or more characters.")
    if CACHES["default"]["BACKEND"].endswith("LocMemCache"):
        raise ImproperlyConfigured(
            "Set CPDNET_CACHE_URL to redis://... or database (then run `cpdnet createcachetable`): "
            "rate limits must be shared by every process."
        )
