"""The one settings module. Everything that differs between machines comes from env vars.

Embedded profile (default): SQLite under ./var/, DEBUG off, localhost only.
Scale-out profile: DATABASE_URL=postgres://..., MINQING_HTTPS=1, ALLOWED_HOSTS=...
"""

import secrets
from pathlib import Path

import dj_database_url
from django.utils.csp import CSP

from minqing.lib.env import env_bool, env_int, env_list, env_str

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(env_str("MINQING_VAR_DIR", str(BASE_DIR / "var")))
VAR_DIR.mkdir(parents=True, exist_ok=True)


def _secret_key() -> str:
    """Env wins; otherwise a key generated once into var/ so restarts keep sessions."""
    from_env = env_str("SECRET_KEY")
    if from_env:
        return from_env
    key_file = VAR_DIR / "secret_key"
    if not key_file.exists():
        key_file.write_text(secrets.token_urlsafe(64))
        key_file.chmod(0o600)
    return key_file.read_text().strip()


SECRET_KEY = _secret_key()
DEBUG = env_bool("MINQING_DEBUG", False)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])
# The public address residents reach; printed into contact cards' QR codes.
SITE_URL = env_str("MINQING_SITE_URL", "http://127.0.0.1:8000").rstrip("/")

INSTALLED_APPS = [
    "minqing.web.admin_site.MinQingAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_tasks_db",
    "axes",
    "minqing.audit",
    "minqing.org",
    "minqing.households",
    "minqing.cases",
    "minqing.notify",
    "minqing.portal",
    "minqing.fieldwork",
    "minqing.textanalysis",
    "minqing.demo",
    "minqing.web",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    # Before the CSRF check, which is the first to read a form body (see the class).
    "minqing.web.middleware.FormEncodingMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "minqing.web.middleware.IdleTimeoutMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    # axes must come last so it sees the outcome of authentication.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "minqing.urls"
WSGI_APPLICATION = "minqing.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.csp",
                "minqing.web.context_processors.shell",
            ],
        },
    },
]

# --- Database -----------------------------------------------------------------------------
DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL", f"sqlite:///{VAR_DIR / 'minqing.sqlite3'}"),
        conn_max_age=env_int("MINQING_CONN_MAX_AGE", 0),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["OPTIONS"] = {
        # IMMEDIATE takes the write lock at BEGIN, so concurrent writers queue instead of
        # failing with "database is locked" half-way through a transaction.
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        # synchronous=FULL: an acknowledged submission must survive a power cut.
        "init_command": (
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON;"
        ),
    }
else:
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
    # Test databases are created from template0 so they carry the cluster's UTF-8 locale
    # and not whatever a template1 was altered to.
    DATABASES["default"]["TEST"] = {"TEMPLATE": "template0", "CHARSET": "UTF8"}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Tasks --------------------------------------------------------------------------------
TASKS = {
    "default": {
        "BACKEND": env_str("MINQING_TASKS_BACKEND", "django_tasks_db.DatabaseBackend"),
        "QUEUES": ["default"],
    }
}

# --- Auth ---------------------------------------------------------------------------------
AUTH_USER_MODEL = "org.User"
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Idle timeout: the session is renewed (at most once a minute, see web.middleware) and dies
# after this many minutes of silence, so a phone left on a village desk does not stay signed in.
SESSION_COOKIE_AGE = env_int("MINQING_SESSION_IDLE_MINUTES", 120) * 60
SESSION_SAVE_EVERY_REQUEST = False
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"

# Sign-in lockout (minqing.web.lockout): wrong passwords per account and address, and per
# account across all addresses (a guesser spreading tries over many addresses). Both lift
# after the cool-off, so an outsider can delay a sign-in but never lock an account for
# good; failures during a lock do not prolong it. The county administrator lifts a lock
# sooner in the admin (登录锁定).
AXES_FAILURE_LIMIT = env_int("MINQING_LOGIN_FAILURE_LIMIT", 5)
MINQING_ACCOUNT_FAILURE_LIMIT = env_int("MINQING_ACCOUNT_FAILURE_LIMIT", 10)
AXES_COOLOFF_TIME = env_int("MINQING_LOGIN_COOLOFF_MINUTES", 30) / 60  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"], "username"]
AXES_HANDLER = "minqing.web.lockout.LockoutHandler"
AXES_LOCKOUT_CALLABLE = "minqing.web.lockout.lockout_response"
AXES_USERNAME_CALLABLE = "minqing.web.lockout.username_of"
AXES_CLIENT_IP_CALLABLE = "minqing.web.lockout.client_ip"
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False

# --- Security -----------------------------------------------------------------------------
HTTPS = env_bool("MINQING_HTTPS", False)
SECURE_SSL_REDIRECT = HTTPS
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
SECURE_HSTS_SECONDS = 31536000 if HTTPS else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = HTTPS
SECURE_HSTS_PRELOAD = HTTPS
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if HTTPS else None
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# Nothing may load from outside the deployment: the policy names only 'self'.
# Inline <script> blocks need the per-request nonce ({{ csp_nonce }}).
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:", "blob:"],
    "style-src": [CSP.SELF, CSP.UNSAFE_INLINE],
    "script-src": [CSP.SELF, CSP.NONCE],
    "font-src": [CSP.SELF, "data:"],
    "connect-src": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
    "form-action": [CSP.SELF],
    "base-uri": [CSP.SELF],
}

# --- Notifications (minqing.notify) -------------------------------------------------------
# Channel backends by dotted path; a deployment's SMS gateway plugs in here. The defaults
# write to var/outbox/ so the embedded profile never sends anything off the machine.
MINQING_SMS_BACKEND = env_str("MINQING_SMS_BACKEND", "minqing.notify.backends.FileSMSBackend")
MINQING_EMAIL_BACKEND = env_str(
    "MINQING_EMAIL_BACKEND", "minqing.notify.backends.DjangoEmailBackend"
)
# Mail uses Django 6.1's MAILERS (EMAIL_BACKEND is deprecated). Development and the embedded
# demo write one file per message under var/outbox/email/; a production (HTTPS) deployment
# or one naming MINQING_SMTP_HOST sends by SMTP (default: the host's own MTA on port 25).
if env_str("MINQING_SMTP_HOST") or HTTPS:
    MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {
                "host": env_str("MINQING_SMTP_HOST", "localhost"),
                "port": env_int("MINQING_SMTP_PORT", 25),
                "username": env_str("MINQING_SMTP_USER"),
                "password": env_str("MINQING_SMTP_PASSWORD"),
                "use_tls": env_bool("MINQING_SMTP_TLS", False),
                "timeout": 20,
            },
        }
    }
else:
    MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.filebased.EmailBackend",
            "OPTIONS": {"file_path": str(VAR_DIR / "outbox" / "email")},
        }
    }
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "minqing@localhost")
MINQING_NOTIFY_MAX_ATTEMPTS = env_int("MINQING_NOTIFY_MAX_ATTEMPTS", 6)
# A row claimed longer ago than this is presumed orphaned by a crashed worker and retried.
MINQING_NOTIFY_CLAIM_TIMEOUT = env_int("MINQING_NOTIFY_CLAIM_TIMEOUT", 600)  # seconds

# --- Language and time --------------------------------------------------------------------
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
TIME_ZONE = env_str("MINQING_TIME_ZONE", "Asia/Shanghai")
USE_TZ = True

# --- Static files -------------------------------------------------------------------------
STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = VAR_DIR / "staticfiles"
STATIC_ROOT.mkdir(exist_ok=True)  # whitenoise warns about a missing root before collectstatic
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
MEDIA_ROOT = VAR_DIR / "media"
MEDIA_URL = "media/"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("MINQING_LOG_LEVEL", "WARNING")},
}

# Shared password of the demo county's accounts; printed by `make run`, listed in README.
MINQING_DEMO_PASSWORD = "minqing-demo-2026"  # noqa: S105 (public demo data only)

# Periodic jobs the scheduler enqueues: (task path, every N seconds). Each is idempotent.
MINQING_PERIODIC_JOBS = [
    ("minqing.cases.tasks.scan_deadlines_task", env_int("MINQING_DEADLINE_SCAN_SECONDS", 300)),
    # Safety sweep of the notification outbox (deliveries normally run on commit).
    ("minqing.notify.tasks.deliver_outbox", env_int("MINQING_OUTBOX_SWEEP_SECONDS", 60)),
    ("minqing.web.tasks.optimize_database", 6 * 3600),
    # 热点: daily re-clustering of each county's matters (idempotent per day).
    (
        "minqing.textanalysis.hotspot_tasks.refresh_hotspots_task",
        env_int("MINQING_HOTSPOT_SECONDS", 24 * 3600),
    ),
    # 分析模型: retrain a county's models once enough newly confirmed matters arrived.
    ("minqing.textanalysis.tasks.retrain_models_task", env_int("MINQING_RETRAIN_SECONDS", 86400)),
    ("minqing.textanalysis.tasks.warm_keyword_counts_task", 86400),
]
# Trained text models, one file per version (rollback = switch to an older file).
MINQING_MODEL_DIR = Path(env_str("MINQING_MODEL_DIR", str(VAR_DIR / "models")))

# Largest attachment accepted on a case (photos are re-encoded without EXIF).
MINQING_ATTACHMENT_MAX_MB = env_int("MINQING_ATTACHMENT_MAX_MB", 10)
# Residents' portal, per address and hour: submissions before the challenge, submissions
# at all, and status lookups (track + rate).
MINQING_PORTAL_LIMITS = {
    "submit_free": env_int("MINQING_PORTAL_SUBMIT_FREE", 3),
    "submit_per_hour": env_int("MINQING_PORTAL_SUBMIT_PER_HOUR", 30),
    "track_per_hour": env_int("MINQING_PORTAL_TRACK_PER_HOUR", 30),
}
MINQING_BEHIND_PROXY = env_bool("MINQING_BEHIND_PROXY", False)
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
