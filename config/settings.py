"""Settings, all from the environment.

With no variables set this is a development site on a SQLite file. With
DEBUG=0 it is a production site: SECRET_KEY and ALLOWED_HOSTS must then be
given, and ``manage.py check --deploy`` reports nothing.
"""

import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DEBUG", True)

SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off.")
    SECRET_KEY = "django-insecure-development-only-key-do-not-use-in-production"

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]" if DEBUG else "")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "config.apps.SiteAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.contrib.sitemaps",
    # The form widgets' templates, so that project templates can override them (FORM_RENDERER).
    "django.forms",
    "django_filters",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "axes",
    "supporters",
    "assessments",
    "seminars",
    "simple_history",
    "supporters.referrals",
    # Last: its post_migrate handler (the staff group) must run after
    # Django's, which creates the permissions it grants.
    "config.apps.KernelConfig",
]

MIDDLEWARE = [
    "config.middleware.HealthCheckMiddleware",
    "django.middleware.security.SecurityMiddleware",
    # After the HTTPS redirect; checks the host before serving a page (supporters/cache.py).
    "supporters.middleware.PublicPageCacheMiddleware",
    "config.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # No LocaleMiddleware: the site has one language (LANGUAGES), so there is
    # nothing to negotiate, and its "Vary: Accept-Language" would split a
    # shared cache's copies of each public page by the browser's languages.
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    # Deny by default: every view declares who may use it (config/access.py).
    "config.access.AccessPolicyMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"

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
            ],
        },
    },
    # Parts rendered once per entry of a long list (config/jinja2.py).
    {
        "BACKEND": "django.template.backends.jinja2.Jinja2",
        "NAME": "jinja2",
        "DIRS": [BASE_DIR / "templates" / "jinja2"],
        "APP_DIRS": False,
        "OPTIONS": {
            "environment": "config.jinja2.environment",
            # A whole Jinja2 page (the list) draws the layout, which shows the messages.
            # ``page_links``: the page's url() and static() (config/jinja2.py).
            "context_processors": [
                "django.contrib.messages.context_processors.messages",
                "config.jinja2.page_links",
            ],
        },
    },
]

# Widgets render with the project's templates too (templates/django/forms/ overrides).
FORM_RENDERER = "django.forms.renderers.TemplatesSetting"

WSGI_APPLICATION = "config.wsgi.application"

DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=int(os.environ.get("CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # A busy timeout lets concurrent development requests wait instead of failing;
    # IMMEDIATE transactions take the write lock when they begin, so that two
    # writers (a page saving an entry and the outbox's sender thread, say) wait
    # for each other instead of one failing at once with "database is locked"
    # (a deferred transaction cannot wait to turn its read into a write).
    DATABASES["default"].setdefault("OPTIONS", {}).update(timeout=20, transaction_mode="IMMEDIATE")

# Behind PgBouncer in transaction pooling: no server-side cursors (exports
# stream with .iterator()), which would outlive the transaction that opened them.
if env_bool("DATABASE_TRANSACTION_POOLING", False):
    DATABASES["default"]["DISABLE_SERVER_SIDE_CURSORS"] = True

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Django's rules, worded naturally (config/passwords.py).
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "config.passwords.UserAttributeSimilarityValidator"},
    {"NAME": "config.passwords.MinimumLengthValidator"},
    {"NAME": "config.passwords.CommonPasswordValidator"},
    {"NAME": "config.passwords.NumericPasswordValidator"},
]

LANGUAGE_CODE = "ja"
LANGUAGES = [("ja", "日本語")]
TIME_ZONE = "Asia/Tokyo"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "media/"
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", BASE_DIR / "media"))
STORAGES = {
    # Uploaded files: the local disk by default; any Django storage backend
    # (e.g. an S3-compatible one) can be named here for several containers.
    "default": {"BACKEND": os.environ.get("MEDIA_STORAGE_BACKEND", "django.core.files.storage.FileSystemStorage")},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "config.storage.StaticFilesStorage"  # whitenoise's, each URL looked up once
        )
    },
}

AUTHENTICATION_BACKENDS = ["config.auth.LockoutBackend", "config.auth.EmailBackend"]

# Brute-force protection on login (django-axes): 5 failures for one account
# from one address lock that pair out for 30 minutes.
AXES_FAILURE_LIMIT = int(os.environ.get("AXES_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = timedelta(minutes=30)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_USERNAME_CALLABLE = "config.auth.axes_username"
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_VERBOSE = False
LOGIN_URL = "login"
# After login each role lands on its own start page (config/navigation.py); a
# signed-in user no app claims lands here.
LOGIN_REDIRECT_URL = "start"
START_PAGE_FALLBACK = "/"
LOGOUT_REDIRECT_URL = "/"

# E-mail: console in development; SMTP from the environment otherwise.
EMAIL_BACKEND = os.environ.get(
    "EMAIL_BACKEND",
    "django.core.mail.backends.console.EmailBackend" if DEBUG else "django.core.mail.backends.smtp.EmailBackend",
)
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "セキュリティ対策支援者リスト <noreply@example.jp>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
# Mail is queued in the database (config/mail.py) and sent by `manage.py
# send_queued_mail`; with this on, each process also drains the outbox in a
# thread after every commit that queued mail (development: `make run`).
MAIL_SEND_AFTER_COMMIT = env_bool("MAIL_SEND_AFTER_COMMIT", DEBUG)
# Links in e-mails sent outside a request (reviews, reminders) start with this.
SITE_URL = os.environ.get("SITE_URL", "http://localhost:8000").rstrip("/")

# Cache (also the rate-limit counters): Redis when REDIS_URL is set, else the
# database, so that every process and container shares it.
if os.environ.get("REDIS_URL"):
    CACHES = {"default": {"BACKEND": "config.redis_cache.RedisCache", "LOCATION": os.environ["REDIS_URL"]}}
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.db.DatabaseCache", "LOCATION": "django_cache"}}
# The directory's rendered pages (supporters/cache.py): in each process's
# memory, bounded in bytes, keyed by the directory version in "default" (one
# read per hit), so never stale after a change. Off under DEBUG, so template
# edits show at once. The parts of pages that outlive a version (each entry's
# list row, each filter group) have their own bound, so that a stream of
# distinct searches, each stored whole, does not push them out.
# Pages each web process serves itself before it takes visitors (config/warmup.py):
# the list builds its index of every entry and its templates are compiled.
WARM_UP_PATHS = env_list("WARM_UP_PATHS", "/,/supporters/")
# Then these functions (dotted paths): the entries' stored markup into memory.
WARM_UP_TASKS = env_list("WARM_UP_TASKS", "supporters.markup.keep_stored")
PAGE_CACHE = env_bool("PAGE_CACHE", not DEBUG)
for _alias, _variable in (("pages", "PAGE_CACHE_MAX_BYTES"), ("fragments", "PAGE_FRAGMENTS_MAX_BYTES")):
    CACHES[_alias] = {
        "BACKEND": "supporters.cache.BoundedMemoryCache",
        "LOCATION": _alias,
        "OPTIONS": {"MAX_ENTRIES": 1_000_000, "MAX_BYTES": int(os.environ.get(_variable, str(64 * 1024 * 1024)))},
    }
# How long a CDN or reverse proxy may serve a public page without asking
# again; 0 (the default): it may store pages but revalidates each reuse (ETag).
PAGE_CACHE_SHARED_MAX_AGE = int(os.environ.get("PAGE_CACHE_SHARED_MAX_AGE", "0"))
# A WSGI layer around Django's application (config/wsgi.py), named here as
# MIDDLEWARE names its classes: the page cache's hits answered before Django's
# request handling (supporters/front.py; itself only while PAGE_CACHE is on).
WSGI_FRONT = "supporters.front.wrap"
SESSION_ENGINE = "django.contrib.sessions.backends.db"
RATELIMIT_USE_CACHE = "default"
RATELIMIT_ENABLE = env_bool("RATELIMIT_ENABLE", True)

# The client's address (config/client.py), one answer for the login lock-out,
# every rate limit and the contact relay. Behind load balancers: the header
# they write (``X-Forwarded-For`` or ``HTTP_X_FORWARDED_FOR``) and how many of
# them append to it; the client is that many entries from the right.
CLIENT_IP_HEADER = os.environ.get("CLIENT_IP_HEADER", "").strip().upper().replace("-", "_")
if CLIENT_IP_HEADER and not CLIENT_IP_HEADER.startswith("HTTP_"):
    CLIENT_IP_HEADER = "HTTP_" + CLIENT_IP_HEADER
try:
    TRUSTED_PROXY_COUNT = int(os.environ.get("TRUSTED_PROXY_COUNT", "1"))
except ValueError:
    raise ImproperlyConfigured(
        "TRUSTED_PROXY_COUNT must be a whole number (the proxies in front of the site)."
    ) from None
if TRUSTED_PROXY_COUNT < 1:
    raise ImproperlyConfigured("TRUSTED_PROXY_COUNT must be 1 or more.")
RATELIMIT_IP_META_KEY = "config.client.client_ip"
AXES_CLIENT_IP_CALLABLE = "config.client.client_ip"

# Content Security Policy: no inline scripts or styles anywhere.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'none'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}

# Security headers. Production values apply whenever DEBUG is off.
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = True
if not DEBUG:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", str(60 * 60 * 24 * 365)))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True

# Structured logs: one JSON object per line in production (LOG_FORMAT=plain to read by eye).
LOG_FORMAT = os.environ.get("LOG_FORMAT", "plain" if DEBUG else "json")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
        "json": {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "fmt": "%(asctime)s %(levelname)s %(name)s %(message)s %(process)d",
            "rename_fields": {"asctime": "time", "levelname": "level", "name": "logger"},
        },
    },
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": LOG_FORMAT}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
    },
}

# Staff read an entry's history; going back goes through a change, not a revert.
SIMPLE_HISTORY_REVERT_DISABLED = True

# The sitemaps robots.txt names (URL names; the directory serves its own).
SITEMAP_URL_NAMES = ["supporters:sitemap"]

# The public list: 20 rows a page (issue A).
SUPPORTERS_PAGE_SIZE = 20
# Where 「掲載内容の誤りを報告」 goes (the list's office at IPA).
LIST_OFFICE_EMAIL = os.environ.get("LIST_OFFICE_EMAIL", "shienlist-office@example.jp")
# IPA's 情報処理安全確保支援士検索サービス: one specialist's public record by 登録番号.
RISS_LOOKUP_URL = os.environ.get("RISS_LOOKUP_URL", "https://riss.ipa.go.jp/r?r={registration_no}")
# How long review usually takes, as 「専門家として掲載を希望する方へ」 tells applicants (working days).
SUPPORTERS_REVIEW_DAYS = int(os.environ.get("SUPPORTERS_REVIEW_DAYS", "10"))

# Seminars (issue D): largest PDF material staff may upload.
SEMINARS_MATERIAL_MAX_BYTES = 10 * 1024 * 1024
