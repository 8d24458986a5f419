"""Configuration read from environment variables (and `.env`, if present).

Every variable is listed in the README's configuration table. `create_app(config)` applies a
dict of overrides on top of these values (tests use it).
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from dotenv import load_dotenv

ROOT = Path(__file__).resolve().parent.parent
INSTANCE = Path(os.environ.get("PARTICIPA_INSTANCE_PATH", ROOT / "instance"))


class ConfigError(RuntimeError):
    """Raised when the environment cannot run the app safely (e.g. production without secrets)."""


def _env(name: str, default: str | None = None) -> str | None:
    value = os.environ.get(name)
    return value if value not in (None, "") else default


def _int(name: str, default: int) -> int:
    try:
        return int(_env(name, str(default)))
    except ValueError as exc:
        raise ConfigError(f"{name} must be a whole number") from exc


def _dev_secret(filename: str) -> str:
    """A random secret generated once and kept under instance/ (development only)."""
    INSTANCE.mkdir(parents=True, exist_ok=True)
    path = INSTANCE / filename
    if not path.exists():
        path.write_text(secrets.token_urlsafe(48))
        path.chmod(0o600)
    return path.read_text().strip()


def database_url(raw: str | None) -> str:
    """Normalise DATABASE_URL: default SQLite under instance/, psycopg 3 for PostgreSQL."""
    if not raw:
        INSTANCE.mkdir(parents=True, exist_ok=True)
        return f"sqlite:///{INSTANCE / 'participa.db'}"
    if raw.startswith("postgres://"):
        raw = "postgresql://" + raw[len("postgres://") :]
    if raw.startswith("postgresql://"):
        raw = "postgresql+psycopg://" + raw[len("postgresql://") :]
    return raw


def engine_options(uri: str) -> dict:
    """SQLAlchemy engine options for a database URI: SQLite waits up to 15 s for a lock.
    (Pooled connections that sat idle are checked before use: `app.core.db.ping_when_idle`.)"""
    if uri.startswith("sqlite"):
        return {"connect_args": {"timeout": 15}}
    return {}


def load() -> dict:
    """Build the configuration dict from the environment."""
    load_dotenv(ROOT / ".env", override=False)
    production = _env("PARTICIPA_ENV", "development") == "production"
    secret = _env("SECRET_KEY")
    if not secret:
        if production:
            raise ConfigError("SECRET_KEY must be set when PARTICIPA_ENV=production")
        secret = _dev_secret("secret_key")
    uri = database_url(_env("DATABASE_URL"))

    def demo(value: str) -> str:
        """Medellín's identity as a development default; production must set its own."""
        return "" if production else value

    cfg = {
        "PARTICIPA_ENV": "production" if production else "development",
        "SECRET_KEY": secret,
        # Key for the keyed hashes of document numbers (duplicate detection without storing
        # them in the clear). Defaults to a value derived from SECRET_KEY; set it on its own so
        # that rotating SECRET_KEY does not break duplicate detection.
        "PARTICIPA_HASH_KEY": _env("PARTICIPA_HASH_KEY", secret),
        "SQLALCHEMY_DATABASE_URI": uri,
        "SQLALCHEMY_ENGINE_OPTIONS": engine_options(uri),
        "PARTICIPA_BASE_URL": (_env("PARTICIPA_BASE_URL", "http://127.0.0.1:5000") or "").rstrip("/"),
        # Rate-limit counters: Redis whenever one is configured, so every worker and host counts
        # together (app.core.ratelimit.check_storage refuses memory:// with several workers in production).
        "RATELIMIT_STORAGE_URI": _env("RATELIMIT_STORAGE_URI") or _env("REDIS_URL") or "memory://",
        "RATELIMIT_KEY_PREFIX": _env("RATELIMIT_KEY_PREFIX", "participa"),
        "RATELIMIT_HEADERS_ENABLED": False,
        "RATELIMIT_STRATEGY": "moving-window",
        "PARTICIPA_PROXY_COUNT": _int("PARTICIPA_PROXY_COUNT", 0),
        "MAX_CONTENT_LENGTH": _int("PARTICIPA_MAX_CONTENT_LENGTH", 2 * 1024 * 1024),
        "MAX_FORM_PARTS": 2000,
        "WTF_CSRF_TIME_LIMIT": None,  # no time limits on forms (WCAG 2.2.1); tokens bound to session
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": (_env("PARTICIPA_BASE_URL", "") or "").startswith("https://"),
        "REMEMBER_COOKIE_HTTPONLY": True,
        "REMEMBER_COOKIE_SAMESITE": "Lax",
        "PERMANENT_SESSION_LIFETIME": 8 * 3600,
        "BABEL_DEFAULT_LOCALE": "es",
        "BABEL_DEFAULT_TIMEZONE": "America/Bogota",
        "BABEL_TRANSLATION_DIRECTORIES": str(ROOT / "translations"),
        "PARTICIPA_LANGUAGES": ["es", "en"],
        "PARTICIPA_SUPPRESSION_K": _int("PARTICIPA_SUPPRESSION_K", 5),
        # Youngest age that can take part: younger people are left out of the population baseline
        # and of the participants compared on the representativeness page.
        "PARTICIPA_MIN_PARTICIPATION_AGE": _int("PARTICIPA_MIN_PARTICIPATION_AGE", 14),
        # Profile buffer (app/characterization/buffer.py): batch size k, the longest wait in
        # seconds, and where profiles wait (a directory, default instance/profile-spool, or redis://).
        "PARTICIPA_PROFILE_BATCH_K": _int("PARTICIPA_PROFILE_BATCH_K", 5),
        "PARTICIPA_PROFILE_MAX_WAIT": _int("PARTICIPA_PROFILE_MAX_WAIT", 600),
        "PARTICIPA_PROFILE_BUFFER_URL": _env("PARTICIPA_PROFILE_BUFFER_URL", ""),
        # Anonymous home page kept per worker and language for this many seconds (0: off).
        "PARTICIPA_HOME_CACHE_SECONDS": _int("PARTICIPA_HOME_CACHE_SECONDS", 15),
        "PARTICIPA_LOGIN_MAX_FAILURES": _int("PARTICIPA_LOGIN_MAX_FAILURES", 5),
        # Longest lock of one account from one address (backoff 1, 2, 4… minutes up to this).
        "PARTICIPA_LOGIN_LOCK_MINUTES": _int("PARTICIPA_LOGIN_LOCK_MINUTES", 15),
        # Failures of one account from every address (within the window) after which addresses it
        # never signed in from must wait this many seconds between tries (slowed, never locked).
        "PARTICIPA_LOGIN_ACCOUNT_SLOW_AFTER": _int("PARTICIPA_LOGIN_ACCOUNT_SLOW_AFTER", 20),
        "PARTICIPA_LOGIN_ACCOUNT_WINDOW_MINUTES": _int("PARTICIPA_LOGIN_ACCOUNT_WINDOW_MINUTES", 60),
        "PARTICIPA_LOGIN_ACCOUNT_SLOW_SECONDS": _int("PARTICIPA_LOGIN_ACCOUNT_SLOW_SECONDS", 30),
        "PARTICIPA_PRIVACY_POLICY_VERSION": _env("PARTICIPA_PRIVACY_POLICY_VERSION", "2026-01"),
        # Attendance sign-in window around an event's start and end (per-event values override).
        "EVENTS_OPEN_BEFORE_MINUTES": _int("EVENTS_OPEN_BEFORE_MINUTES", 60),
        "EVENTS_CLOSE_AFTER_MINUTES": _int("EVENTS_CLOSE_AFTER_MINUTES", 60),
        # The entity's identity: shown in the top bar, the footer, the privacy policy, PDFs.
        "ENTITY_NAME": _env("PARTICIPA_ENTITY_NAME", "Alcaldía de Medellín"),
        "ENTITY_NIT": _env("PARTICIPA_ENTITY_NIT", demo("890.905.211-1")),
        "ENTITY_ADDRESS": _env(
            "PARTICIPA_ENTITY_ADDRESS",
            demo("Calle 44 N.º 52-165, Centro Administrativo La Alpujarra, Medellín"),
        ),
        "ENTITY_PHONE": _env("PARTICIPA_ENTITY_PHONE", demo("(604) 44 44 144")),
        "ENTITY_EMAIL": _env("PARTICIPA_ENTITY_EMAIL", demo("atencionciudadana@medellin.gov.co")),
        "ENTITY_DPO_EMAIL": _env("PARTICIPA_DPO_EMAIL", "protecciondedatos@medellin.gov.co"),
        "ENTITY_WEBSITE": _env("PARTICIPA_ENTITY_WEBSITE", demo("https://www.medellin.gov.co")),
        "ENTITY_LOGO": _env("PARTICIPA_ENTITY_LOGO", ""),  # a file under static/, e.g. img/logo.png
        "ENTITY_CATALOG": _env("PARTICIPA_ENTITY_CATALOG", "medellin"),
        # 'la' / 'el' before the name in sentences ("de la Alcaldía…"); empty: guessed; 'none': no article.
        "ENTITY_ARTICLE": _env("PARTICIPA_ENTITY_ARTICLE", ""),
        # GOV.CO footer: opening hours, toll-free line, e-mail for judicial notices (empty: not shown).
        "ENTITY_HOURS": _env("PARTICIPA_ENTITY_HOURS", demo("Lunes a viernes de 7:30 a. m. a 5:30 p. m.")),
        "ENTITY_TOLL_FREE": _env("PARTICIPA_ENTITY_TOLL_FREE", demo("01 8000 411 144")),
        "ENTITY_JUDICIAL_EMAIL": _env(
            "PARTICIPA_ENTITY_JUDICIAL_EMAIL", demo("notimedellin.oralidad@medellin.gov.co")
        ),
        # Outgoing mail (notices). Without MAIL_SERVER, notices are written to the log.
        "MAIL_SERVER": _env("MAIL_SERVER"),
        "MAIL_PORT": _int("MAIL_PORT", 587),
        "MAIL_USERNAME": _env("MAIL_USERNAME"),
        "MAIL_PASSWORD": _env("MAIL_PASSWORD"),
        "MAIL_USE_TLS": _env("MAIL_USE_TLS", "1") == "1",
        "MAIL_FROM": _env("MAIL_FROM", "participa@localhost"),
        # Running as a service (docs/operations/services.md). Without PARTICIPA_REDIS_URL, background jobs
        # run in the requesting process and caches agree only within one process.
        "PARTICIPA_REDIS_URL": _env("PARTICIPA_REDIS_URL"),
        # Prefix of every Redis key and queue name: one per entity sharing a Redis server.
        "PARTICIPA_REDIS_PREFIX": _env("PARTICIPA_REDIS_PREFIX", "participa"),
        # Files prepared by background jobs (exports), kept PARTICIPA_DOWNLOAD_DAYS days.
        "PARTICIPA_DOWNLOAD_DIR": _env("PARTICIPA_DOWNLOAD_DIR", str(INSTANCE / "downloads")),
        "PARTICIPA_DOWNLOAD_DAYS": _int("PARTICIPA_DOWNLOAD_DAYS", 7),
        # Exports with more rows than this are prepared in the background ("Mis descargas").
        "PARTICIPA_EXPORT_QUEUE_ROWS": _int("PARTICIPA_EXPORT_QUEUE_ROWS", 20000),
        # Hard limit of one background job, in seconds (then it is marked failed).
        "PARTICIPA_JOB_TIMEOUT": _int("PARTICIPA_JOB_TIMEOUT", 3600),
        # /metrics: served to localhost, or to anyone sending "Authorization: Bearer <token>".
        "PARTICIPA_METRICS_TOKEN": _env("PARTICIPA_METRICS_TOKEN", ""),
        # One JSON line per request on stderr (default in production).
        # Behind nginx: where it serves PARTICIPA_DOWNLOAD_DIR internally (X-Accel-Redirect), e.g.
        # /_descargas/; empty: the app sends files itself.
        "PARTICIPA_ACCEL_REDIRECT": _env("PARTICIPA_ACCEL_REDIRECT", ""),
        "PARTICIPA_JSON_LOGS": _env("PARTICIPA_JSON_LOGS", "1" if production else "0") == "1",
    }
    if production:
        for env_name in ("PARTICIPA_ENTITY_NAME", "PARTICIPA_DPO_EMAIL"):
            if not _env(env_name):
                raise ConfigError(f"{env_name} must be set when PARTICIPA_ENV=production")
    return cfg
