"""Configuration from the environment: secrets, entity identity, database URL, SQLite pragmas."""

import stat

import pytest
from sqlalchemy import text

from app import config as config_module
from app import create_app
from app.config import ConfigError, database_url

PRODUCTION = {
    "PARTICIPA_ENV": "production",
    "SECRET_KEY": "a-long-random-production-secret",
    "PARTICIPA_ENTITY_NAME": "Alcaldía de Cartago",
    "PARTICIPA_DPO_EMAIL": "datos@cartago.gov.co",
}


@pytest.fixture
def env(monkeypatch, tmp_path):
    """A clean environment: no .env file, a temporary instance folder, no Participa variables."""
    monkeypatch.setattr(config_module, "ROOT", tmp_path)  # load_dotenv finds no .env here
    monkeypatch.setattr(config_module, "INSTANCE", tmp_path / "instance")
    for name in (
        "PARTICIPA_ENV",
        "SECRET_KEY",
        "PARTICIPA_ENTITY_NAME",
        "PARTICIPA_DPO_EMAIL",
        "DATABASE_URL",
        "PARTICIPA_BASE_URL",
        "PARTICIPA_PROXY_COUNT",
        "PARTICIPA_HASH_KEY",
    ):
        monkeypatch.delenv(name, raising=False)

    def set_env(**values):
        for name, value in values.items():
            monkeypatch.setenv(name, value)

    return set_env


def test_production_loads_with_its_required_settings(env):
    env(**PRODUCTION)
    cfg = config_module.load()
    assert cfg["PARTICIPA_ENV"] == "production"
    assert cfg["SECRET_KEY"] == PRODUCTION["SECRET_KEY"]
    assert cfg["ENTITY_NAME"] == "Alcaldía de Cartago" and cfg["ENTITY_DPO_EMAIL"] == "datos@cartago.gov.co"


@pytest.mark.parametrize("missing", ["SECRET_KEY", "PARTICIPA_ENTITY_NAME", "PARTICIPA_DPO_EMAIL"])
def test_production_refuses_to_start_without_required_setting(env, missing):
    env(**{k: v for k, v in PRODUCTION.items() if k != missing})
    with pytest.raises(ConfigError, match=missing):
        config_module.load()
    with pytest.raises(ConfigError, match=missing):
        create_app()


def test_production_never_generates_a_secret(env, tmp_path):
    env(**{k: v for k, v in PRODUCTION.items() if k != "SECRET_KEY"})
    with pytest.raises(ConfigError):
        config_module.load()
    assert not (tmp_path / "instance" / "secret_key").exists()


def test_development_generates_a_secret_once_and_reuses_it(env, tmp_path):
    first = config_module.load()["SECRET_KEY"]
    path = tmp_path / "instance" / "secret_key"
    assert path.exists() and path.read_text().strip() == first
    assert len(first) >= 40
    assert stat.S_IMODE(path.stat().st_mode) == 0o600  # readable by the service account only
    assert config_module.load()["SECRET_KEY"] == first
    assert config_module.load()["PARTICIPA_HASH_KEY"] == first  # derived from it unless set apart


def test_an_explicit_secret_wins_over_the_generated_one(env, tmp_path):
    env(SECRET_KEY="from-the-environment")
    assert config_module.load()["SECRET_KEY"] == "from-the-environment"
    assert not (tmp_path / "instance" / "secret_key").exists()


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("postgres://u:p@db:5432/participa", "postgresql+psycopg://u:p@db:5432/participa"),
        ("postgresql://u:p@db/participa", "postgresql+psycopg://u:p@db/participa"),
        ("postgresql+psycopg://u@db/participa", "postgresql+psycopg://u@db/participa"),
        ("sqlite:////var/lib/participa/p.db", "sqlite:////var/lib/participa/p.db"),
    ],
)
def test_database_url_is_normalised_to_psycopg3(raw, expected):
    assert database_url(raw) == expected


def test_default_database_is_sqlite_under_instance(env, tmp_path):
    cfg = config_module.load()
    assert cfg["SQLALCHEMY_DATABASE_URI"] == f"sqlite:///{tmp_path / 'instance' / 'participa.db'}"


def test_environment_database_url_is_normalised(env):
    env(DATABASE_URL="postgres://u@db/x")
    assert config_module.load()["SQLALCHEMY_DATABASE_URI"] == "postgresql+psycopg://u@db/x"


def test_bad_whole_number_is_a_clear_error(env):
    env(PARTICIPA_PROXY_COUNT="two")
    with pytest.raises(ConfigError, match="PARTICIPA_PROXY_COUNT must be a whole number"):
        config_module.load()


def test_secure_cookies_follow_an_https_base_url(env):
    env(PARTICIPA_BASE_URL="https://participa.cartago.gov.co/")
    cfg = config_module.load()
    assert cfg["SESSION_COOKIE_SECURE"] is True
    assert cfg["PARTICIPA_BASE_URL"] == "https://participa.cartago.gov.co"  # no trailing slash
    env(PARTICIPA_BASE_URL="http://127.0.0.1:5000")
    assert config_module.load()["SESSION_COOKIE_SECURE"] is False


def test_sqlite_connections_use_wal_foreign_keys_and_busy_timeout(tmp_path):
    sqlite_app = create_app(
        {"TESTING": True, "SECRET_KEY": "s", "DATABASE_URL": f"sqlite:///{tmp_path / 'p.db'}"}
    )
    with sqlite_app.app_context():
        from app.extensions import db

        with db.engine.connect() as conn:
            assert conn.execute(text("PRAGMA journal_mode")).scalar() == "wal"
            assert conn.execute(text("PRAGMA foreign_keys")).scalar() == 1
            assert conn.execute(text("PRAGMA busy_timeout")).scalar() >= 5000
        db.create_all()
        with pytest.raises(Exception, match="FOREIGN KEY"), db.engine.begin() as conn:
            conn.execute(
                text(
                    "INSERT INTO territory (code, kind, name, zone, subregion, parent_id, position, active, "
                    "confirmed, customized) VALUES ('x', 'barrio', 'X', 'urbana', '', 999, 0, 1, 1, 0)"
                )
            )
        db.engine.dispose()


def test_proxy_count_trusts_forwarded_headers(tmp_path):
    behind = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "s",
            "DATABASE_URL": f"sqlite:///{tmp_path / 'p.db'}",
            "PARTICIPA_PROXY_COUNT": 1,
        }
    )
    response = behind.test_client().get(
        "/healthz", headers={"X-Forwarded-Proto": "https", "X-Forwarded-For": "203.0.113.7"}
    )
    assert "Strict-Transport-Security" in response.headers  # the proxy said HTTPS
    direct = create_app(
        {"TESTING": True, "SECRET_KEY": "s", "DATABASE_URL": f"sqlite:///{tmp_path / 'p.db'}"}
    )
    assert (
        "Strict-Transport-Security"
        not in direct.test_client().get("/healthz", headers={"X-Forwarded-Proto": "https"}).headers
    )  # not trusted without a proxy
