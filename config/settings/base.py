from datetime import timedelta

from config.env import (
    BASE_DIR,
    VAR_DIR,
    database_config,
    env_int,
    env_keys,
    env_list,
    env_str,
    sentry_options,
)
from config.observability import init_sentry, logging_config

SECRET_KEY = env_str("DJANGO_SECRET_KEY", "dev-only-insecure-key-change-me")
DEBUG = False
ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", "localhost,127.0.0.1")

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "guardian",
    "simple_history",
    "axes",
    "core",
    "accounts",
    "assistance",
    "archives",
    "funds",
    "office",
    "demo",
]

MIDDLEWARE = [
    "core.request_id.RequestIdMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "core.middleware.UploadSizeLimitMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "axes.middleware.AxesMiddleware",
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
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "accounts.context_processors.current_roles",
            ],
        },
    },
]

DATABASES = {"default": database_config()}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
    "guardian.backends.ObjectPermissionBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 8},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "accounts:login"
SESSION_COOKIE_AGE = 8 * 60 * 60
SESSION_EXPIRE_AT_BROWSER_CLOSE = True

# The client's address (`core.client_ip`): the number of reverse proxies in front of the
# application whose X-Forwarded-For entries are trusted; 0 = the server is reached directly
# and the header is ignored (a client could forge it).
TRUSTED_PROXY_COUNT = env_int("DJANGO_TRUSTED_PROXIES", 0)

# Repeated failed log-ins lock the username on that address out (django-axes), by the
# same client address as every access log records: one user's failures never lock out the
# others behind an office's address, nor that user at another address.
AXES_CLIENT_IP_CALLABLE = "core.client_ip.client_ip"
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = timedelta(minutes=30)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False

# django-guardian: object permissions are individual grants, never global fall-backs.
ANONYMOUS_USER_NAME = None
GUARDIAN_RAISE_403 = False

LANGUAGE_CODE = "zh-hans"
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True
LANGUAGES = [("zh-hans", "简体中文")]

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = VAR_DIR / "static"
MEDIA_ROOT = VAR_DIR / "private"

MESSAGE_STORAGE = "django.contrib.messages.storage.session.SessionStorage"

# Personal data (ID and bank card numbers): keys separate from SECRET_KEY, from the
# environment in production. The first PII key encrypts; all decrypt (rotation).
PII_KEYS = env_keys("PII_KEYS")
PII_HASH_KEY = env_str("PII_HASH_KEY")

# Uploaded documents: kept under MEDIA_ROOT (outside the web root), served only through
# a permission-checked view.
DOCUMENT_MAX_BYTES = 10 * 1024 * 1024
FILE_UPLOAD_PERMISSIONS = 0o600

# The default policy region when a command or form does not name one.
DEFAULT_POLICY_REGION = "wuhu"

# Audit history: the reason of a change is free text (an exit's note, a merge's reason),
# never cut at 100 characters.
SIMPLE_HISTORY_HISTORY_CHANGE_REASON_USE_TEXT_FIELD = True

# Text messages to workers (exit re-check results, payment notices): a class with
# `send(phone, text)`. The default writes them to the log; a deployment names its
# gateway's adapter here.
SMS_BACKEND = "core.notify.LogSmsBackend"

# Ledger exports: a year's books of up to this many entries are built in the request; a
# larger one is queued and built by `manage.py export_worker` (under DEBUG, by a thread).
EXPORT_INLINE_MAX_ROWS = 50_000

# Logs go to standard error: readable text here, one JSON object a line in production
# (`LOG_FORMAT=json|text` overrides either), each with the request's X-Request-ID.
LOG_FORMAT = env_str("LOG_FORMAT", "text")
LOGGING = logging_config(LOG_FORMAT)

# Unhandled errors go to a self-hosted Sentry when SENTRY_DSN is set; nothing otherwise.
SENTRY = sentry_options()
if SENTRY["dsn"]:
    init_sentry(
        SENTRY["dsn"],
        environment=SENTRY["environment"],
        release=SENTRY["release"],
        traces_sample_rate=SENTRY["traces_sample_rate"],
    )

# `/health/` (for the load balancer) runs these, in order: a function each, raising when
# its part is down. The task worker's heartbeat is to be added here with the worker.
HEALTH_CHECKS = [
    "core.health.database",
    "core.health.storage",
    "core.health.migrations",
]
CSRF_FAILURE_VIEW = "core.views.csrf_failure"
