"""Newsroom settings: one module, driven by environment variables (see .env.example)."""

import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent
# An empty value counts as unset, like every variable here.
VAR_DIR = Path(os.environ.get("NEWSROOM_VAR_DIR") or BASE_DIR / "var")


def env_str(name: str, default: str | None = None) -> str | None:
    value = os.environ.get(name)
    return default if value is None or value == "" else value


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in ("1", "true", "yes", "on")


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    return default if value is None or value == "" else int(value)


def env_list(name: str, default: str = "") -> list[str]:
    return [
        item.strip()
        for item in (env_str(name, default) or "").split(",")
        if item.strip()
    ]


DEBUG = env_bool("DEBUG", True)

SECRET_KEY = env_str("SECRET_KEY")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off.")
    SECRET_KEY = "dev-only-insecure-key-do-not-use-in-production"  # noqa: S105
# Earlier keys, comma-separated: signed links and encrypted webhook secrets made with
# them stay readable after a rotation.
SECRET_KEY_FALLBACKS = env_list("SECRET_KEY_FALLBACKS")

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]" if DEBUG else "")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_htmx",
    "ninja",  # the API's docs page then uses its bundled static files, not a CDN
    "stories",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "stories.security.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
]

ROOT_URLCONF = "newsroom.urls"

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
]

WSGI_APPLICATION = "newsroom.wsgi.application"

# Database: PostgreSQL (psycopg 3) in production and CI; a SQLite file under var/ by
# default so a fresh machine runs with nothing but Python.
DATABASE_URL = env_str("DATABASE_URL")
if not DATABASE_URL:
    if not DEBUG:
        raise ImproperlyConfigured("DATABASE_URL must be set when DEBUG is off.")
    DATABASE_URL = f"sqlite:///{VAR_DIR / 'newsroom.sqlite3'}"
DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=60)}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # web, worker and beat share the file: WAL lets readers run beside the writer,
    # IMMEDIATE takes the write lock up front instead of failing on upgrade.
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 30,
    }
else:
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

_VALIDATORS = "django.contrib.auth.password_validation"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": f"{_VALIDATORS}.UserAttributeSimilarityValidator"},
    {"NAME": f"{_VALIDATORS}.MinimumLengthValidator"},
    {"NAME": f"{_VALIDATORS}.CommonPasswordValidator"},
    {"NAME": f"{_VALIDATORS}.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-us"
# The zone times are shown in (storage is always UTC); every shown time names it.
TIME_ZONE = env_str("NEWSROOM_TIME_ZONE", env_str("TIME_ZONE", "UTC"))
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = VAR_DIR / "staticfiles"
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

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "/"
LOGOUT_REDIRECT_URL = "/"

# Production hardening; `manage.py check --deploy` passes with DEBUG=False and these.
if not DEBUG:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"

# --- Security ---
# Headers on every response (stories/security.py adds CSP and Permissions-Policy; the
# rest come from Django's SecurityMiddleware and XFrameOptionsMiddleware). No page
# has inline script or style attributes; htmx is a static file and its injected
# indicator <style> is switched off in base.html's htmx-config.
NEWSROOM_CSP = env_str(
    "NEWSROOM_CSP",
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; "
    "form-action 'self'; frame-ancestors 'none'",
)
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
# Login rate limiting: after this many failed logins for one username from one
# address, that pair is refused for the rest of the window (seconds, from the first
# failure). Counts live in the cache: set NEWSROOM_CACHE_URL=redis://... in production
# so every web process shares them (the default cache is per process).
NEWSROOM_LOGIN_MAX_FAILURES = env_int("NEWSROOM_LOGIN_MAX_FAILURES", 5)
NEWSROOM_LOGIN_LOCKOUT_SECONDS = env_int("NEWSROOM_LOGIN_LOCKOUT_SECONDS", 900)
NEWSROOM_CACHE_URL = env_str("NEWSROOM_CACHE_URL", "")
if NEWSROOM_CACHE_URL and NEWSROOM_CACHE_URL.startswith(("redis://", "rediss://")):
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": NEWSROOM_CACHE_URL,
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
# How long a claimed article stays out of the due set before the next beat may claim
# it again (a check lost with the broker, or a dead worker, is redone after this).
NEWSROOM_CLAIM_LEASE_SECONDS = env_int("NEWSROOM_CLAIM_LEASE_SECONDS", 600)
# Signed links in alert messages (unsubscribe, mute, ...) expire after this many days.
NEWSROOM_ALERT_LINK_MAX_AGE_DAYS = env_int("NEWSROOM_ALERT_LINK_MAX_AGE_DAYS", 60)
# Messages (which may carry a new webhook secret once) live in the session, not a
# cookie.
MESSAGE_STORAGE = "django.contrib.messages.storage.session.SessionStorage"
# --- end Security ---

# Celery. Redis in production and CI; by default kombu's filesystem transport under
# var/broker, which needs no server and works across the web, worker and beat processes.
EMBEDDED_BROKER_URL = "filesystem://"
CELERY_BROKER_URL = env_str("CELERY_BROKER_URL", EMBEDDED_BROKER_URL)
if CELERY_BROKER_URL.startswith("filesystem://"):
    _broker_dir = VAR_DIR / "broker"
    # kombu's filesystem transport expects its folders to exist.
    for _folder in ("queue", "control"):
        (_broker_dir / _folder).mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_broker_dir / "queue"),
        "data_folder_out": str(_broker_dir / "queue"),
        "control_folder": str(_broker_dir / "control"),
        "store_processed": False,
    }
else:
    # Keep visibility_timeout well above the task time limits (STYLE.md §5).
    # A task whose worker died unacked is redelivered after this many seconds.
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "visibility_timeout": env_int("NEWSROOM_BROKER_VISIBILITY_TIMEOUT", 3600)
    }
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_RESULT_SERIALIZER = "json"
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True  # a killed worker's check is redelivered
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SOFT_TIME_LIMIT = 90
CELERY_TASK_TIME_LIMIT = 120
CELERY_TASK_IGNORE_RESULT = True
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")
CELERY_BEAT_SCHEDULE = {
    "enqueue-due-articles": {
        "task": "stories.tasks.enqueue_due_articles",
        "schedule": float(env_int("NEWSROOM_TICK_SECONDS", 10)),
    },
}

# Newsroom itself.
# Fetching private/loopback/link-local addresses is refused unless this is on
# (local development, the demo site and tests).
NEWSROOM_ALLOW_PRIVATE_HOSTS = env_bool("NEWSROOM_ALLOW_PRIVATE_HOSTS", False)
# Or allow just these private "host" / "host:port" entries (e.g. an intranet site).
NEWSROOM_ALLOWED_PRIVATE_HOSTS = env_list("NEWSROOM_ALLOWED_PRIVATE_HOSTS")
# Ports public hosts may be fetched on (SSRF guard: no 2375, 6379, 8080 … by default).
NEWSROOM_ALLOWED_PORTS = [int(p) for p in env_list("NEWSROOM_ALLOWED_PORTS", "80,443")]
NEWSROOM_FETCH_TIMEOUT = float(env_int("NEWSROOM_FETCH_TIMEOUT", 20))
NEWSROOM_MAX_PAGE_BYTES = env_int("NEWSROOM_MAX_PAGE_BYTES", 5_000_000)
# Adaptive schedule bounds, in seconds.
NEWSROOM_MIN_INTERVAL = env_int("NEWSROOM_MIN_INTERVAL", 300)
NEWSROOM_MAX_INTERVAL = env_int("NEWSROOM_MAX_INTERVAL", 86400)
NEWSROOM_RETIRE_AFTER_DAYS = env_int("NEWSROOM_RETIRE_AFTER_DAYS", 30)
NEWSROOM_CLAIM_BATCH = env_int("NEWSROOM_CLAIM_BATCH", 500)
# Per-host pacing: at most this many checks of one source are queued per tick.
NEWSROOM_PER_SOURCE_PER_TICK = env_int("NEWSROOM_PER_SOURCE_PER_TICK", 10)
# Checks per Celery task (one message/ack per batch), and a batch's time budget in
# seconds before the rest is queued again (keep it under CELERY_TASK_SOFT_TIME_LIMIT).
NEWSROOM_CHECK_BATCH = env_int("NEWSROOM_CHECK_BATCH", 25)
# Share of checks the cheap fingerprint path calls unchanged that also run the full
# path, to catch a fingerprint that hid a change (stories/fastpath.py). 0 turns the
# audit off, 1 audits every such check.
NEWSROOM_AUDIT_SHARE = float(os.environ.get("NEWSROOM_AUDIT_SHARE", "0.02"))
NEWSROOM_BATCH_SECONDS = env_int("NEWSROOM_BATCH_SECONDS", 45)
# Stories are readable without login unless this is off.
NEWSROOM_PUBLIC_STORIES = env_bool("NEWSROOM_PUBLIC_STORIES", True)
# API (/api/v1/): requests per minute per token or logged-in user, and per address
# for anonymous readers; changes newer than this many seconds are held back from
# change lists so a page never skips one still being committed.
NEWSROOM_API_REQUESTS_PER_MINUTE = env_int("NEWSROOM_API_REQUESTS_PER_MINUTE", 120)
NEWSROOM_API_ANONYMOUS_PER_MINUTE = env_int("NEWSROOM_API_ANONYMOUS_PER_MINUTE", 30)
NEWSROOM_API_SETTLE_SECONDS = env_int("NEWSROOM_API_SETTLE_SECONDS", 5)
# How often an open story page asks for new changes, in seconds.
NEWSROOM_POLL_SECONDS = env_int("NEWSROOM_POLL_SECONDS", 10)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}
    },
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {"trafilatura": {"level": "WARNING"}, "httpx": {"level": "WARNING"}},
}

# --- Discovery ---
# Feeds and sitemaps bring articles in; grouping puts them into stories.
# How often the scheduler looks for feeds due a poll, in seconds.
NEWSROOM_FEED_TICK_SECONDS = env_int("NEWSROOM_FEED_TICK_SECONDS", 60)
# A feed (and so its source) is flagged as failing after this many failed polls.
NEWSROOM_FEED_FAILING_AFTER = env_int("NEWSROOM_FEED_FAILING_AFTER", 3)
# An article shows as failing in admin after this many failed checks in a row.
NEWSROOM_ARTICLE_FAILING_AFTER = env_int("NEWSROOM_ARTICLE_FAILING_AFTER", 3)
# Largest feed or sitemap accepted, in bytes.
NEWSROOM_MAX_FEED_BYTES = env_int("NEWSROOM_MAX_FEED_BYTES", 10_000_000)
# Grouping scores (0..1, stories/matching.py): at or above ACCEPT an article joins
# a story; at or above PROPOSE (and below ACCEPT) a listed story gets a proposal for
# an editor. A candidate story (one outlet so far) is listed once an article of
# another outlet joins it with FORM or more. On the grouping dev corpus the closest
# articles of different stories score 0.11 and same-story articles start to stay
# apart above 0.15; in tests/fixtures/feeds a related-but-other article (protests in
# Yerevan next to the Karabakh story) scores up to 0.17 and should stay out.
NEWSROOM_GROUPING_ACCEPT = float(os.environ.get("NEWSROOM_GROUPING_ACCEPT", "0.18"))
NEWSROOM_GROUPING_PROPOSE = float(os.environ.get("NEWSROOM_GROUPING_PROPOSE", "0.1"))
NEWSROOM_GROUPING_FORM = float(os.environ.get("NEWSROOM_GROUPING_FORM", "0.18"))
# Two stories one article matches this well (or better) have converged: merged.
NEWSROOM_GROUPING_MERGE = float(os.environ.get("NEWSROOM_GROUPING_MERGE", "0.3"))
# Titles of stories grouping forms come from headlines in this language when one of
# the story's articles is in it (ISO 639-1).
NEWSROOM_EDITOR_LANGUAGE = env_str("NEWSROOM_EDITOR_LANGUAGE", "en")
# Only stories with an article seen in the last N days take new articles by
# similarity (rules work regardless).
NEWSROOM_GROUPING_WINDOW_DAYS = env_int("NEWSROOM_GROUPING_WINDOW_DAYS", 14)
CELERY_BEAT_SCHEDULE["poll-feeds"] = {
    "task": "stories.tasks.poll_due_feeds",
    "schedule": float(NEWSROOM_FEED_TICK_SECONDS),
}
CELERY_BEAT_SCHEDULE["group-articles"] = {
    "task": "stories.tasks.group_new_articles",
    "schedule": float(NEWSROOM_FEED_TICK_SECONDS),
}
# --- end Discovery ---

# --- Alerts ---
# Email: the console backend prints messages unless EMAIL_HOST names an SMTP server.
EMAIL_HOST = env_str("EMAIL_HOST", "")
EMAIL_BACKEND = env_str(
    "EMAIL_BACKEND",
    "django.core.mail.backends.smtp.EmailBackend"
    if EMAIL_HOST
    else "django.core.mail.backends.console.EmailBackend",
)
EMAIL_PORT = env_int("EMAIL_PORT", 587)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", True)
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 20)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "Newsroom <newsroom@localhost>")
# The site's public address: absolute links in e-mails, webhooks, chat messages and
# feeds start with it. NEWSROOM_BASE_URL is the older name of the same setting.
NEWSROOM_BASE_URL = env_str(
    "NEWSROOM_SITE_URL", env_str("NEWSROOM_BASE_URL", "http://localhost:8000")
).rstrip("/")
NEWSROOM_WEBHOOK_TIMEOUT = float(env_int("NEWSROOM_WEBHOOK_TIMEOUT", 10))
NEWSROOM_WEBHOOK_USER_AGENT = env_str(
    "NEWSROOM_WEBHOOK_USER_AGENT", "NewsroomWebhook/0.1 (+https://github.com/newsroom)"
)
# At most one message per subscription per this many seconds; changes in between wait
# and go out together.
NEWSROOM_ALERT_COALESCE_SECONDS = env_int("NEWSROOM_ALERT_COALESCE_SECONDS", 60)
# Attempts per message before it is recorded as failed; backoff starts here, doubles.
NEWSROOM_ALERT_MAX_ATTEMPTS = env_int("NEWSROOM_ALERT_MAX_ATTEMPTS", 6)
NEWSROOM_ALERT_RETRY_SECONDS = env_int("NEWSROOM_ALERT_RETRY_SECONDS", 30)
NEWSROOM_ALERT_MAX_RETRY_SECONDS = env_int("NEWSROOM_ALERT_MAX_RETRY_SECONDS", 1800)
# A subscription whose endpoint fails this many messages in a row is paused.
NEWSROOM_ALERT_PAUSE_AFTER = env_int("NEWSROOM_ALERT_PAUSE_AFTER", 5)
NEWSROOM_ALERT_MUTE_HOURS = env_int("NEWSROOM_ALERT_MUTE_HOURS", 24)
# Daily digests go out at this hour (UTC); hourly ones at the top of each hour.
NEWSROOM_DIGEST_HOUR = env_int("NEWSROOM_DIGEST_HOUR", 7)
CELERY_BEAT_SCHEDULE["send-digests"] = {
    "task": "stories.tasks.send_digests",
    "schedule": 300.0,
}
CELERY_BEAT_SCHEDULE["sweep-deliveries"] = {
    "task": "stories.tasks.sweep_deliveries",
    "schedule": 60.0,
}
