"""Account rules shared by the commands: the package's error, what a password and an e-mail
address must be, and how a password is stored."""

from __future__ import annotations

import re
import unicodedata

from flask import current_app
from flask_babel import gettext as _
from werkzeug.security import generate_password_hash
from zxcvbn import zxcvbn

MIN_PASSWORD = 12
PRODUCT_NAME = "participa"
DEMO_PASSWORD = "demo-participa-2026"  # published in the README: never accepted for a real account
MIN_GUESSES_SCORE = 3  # zxcvbn score: 3 means about 10^8 guesses or more
# Words of an entity's name too general to refuse on their own.
_GENERIC_NAME_WORDS = {
    "alcaldia",
    "distrito",
    "municipio",
    "municipal",
    "gobernacion",
    "departamento",
    "especial",
    "turistico",
    "cultural",
    "portuario",
    "biodiverso",
    "ciencia",
    "tecnologia",
    "innovacion",
    "santa",
    "santiago",
    "san",
}


class AccountError(ValueError):
    """A refused account operation; the message is shown to the person.

    `field` names the form field the message belongs next to ("email", "password", "current",
    "role"…), so the route can show it in the right place.
    """

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.field = field


def hash_password(password: str) -> str:
    """scrypt (memory-hard), through Werkzeug."""
    return generate_password_hash(password, method="scrypt")


def _plain(value: str) -> str:
    """Lower case without accents: "Medellín" and "medellin" are the same word here."""
    decomposed = unicodedata.normalize("NFKD", value or "")
    return "".join(c for c in decomposed if not unicodedata.combining(c)).lower()


def _entity_words() -> list[str]:
    words = re.findall(r"[a-z0-9]+", _plain(current_app.config.get("ENTITY_NAME", "")))
    return [w for w in words if len(w) >= 4 and w not in _GENERIC_NAME_WORDS]


def check_password_strength(password: str, email: str = "", *, allow_demo: bool = False) -> None:
    """Refuse passwords shorter than MIN_PASSWORD, containing the e-mail's user part, too
    repetitive, containing the product's or the entity's name, the published demo password, or
    easy to guess: common and leaked passwords, words, names, keyboard patterns and dates, as
    scored by zxcvbn (its frequency lists ship with the package; nothing is looked up online).
    Raises AccountError(field="password") with a message in the visitor's language.
    `allow_demo`: the development demo's own users only."""
    password = password or ""
    if len(password) < MIN_PASSWORD:
        raise AccountError(
            _("La contraseña debe tener al menos %(n)s caracteres.", n=MIN_PASSWORD), "password"
        )
    if len(password) > 512:
        raise AccountError(_("La contraseña puede tener como máximo %(n)s caracteres.", n=512), "password")
    if allow_demo and password == DEMO_PASSWORD and current_app.config["PARTICIPA_ENV"] != "production":
        return
    plain = _plain(password)
    user_part = _plain(email.split("@")[0]) if email else ""
    if len(user_part) >= 3 and user_part in plain:
        raise AccountError(_("La contraseña no puede contener el usuario del correo."), "password")
    if len(set(password)) < 5:
        raise AccountError(_("La contraseña es demasiado repetitiva; usa una frase más variada."), "password")
    if _plain(DEMO_PASSWORD) in plain:
        raise AccountError(_("Esa es la contraseña pública de la demostración; escoge otra."), "password")
    if PRODUCT_NAME in plain or any(word in plain for word in _entity_words()):
        raise AccountError(
            _("La contraseña no puede contener el nombre del portal ni el de la entidad."), "password"
        )
    inputs = [PRODUCT_NAME, DEMO_PASSWORD, *_entity_words(), *([user_part] if user_part else [])]
    if zxcvbn(password[:100], user_inputs=inputs)["score"] < MIN_GUESSES_SCORE:
        raise AccountError(
            _(
                "Esa contraseña es demasiado común o fácil de adivinar (aparece en listas de claves "
                "filtradas o sigue un patrón conocido). Usa una frase de varias palabras."
            ),
            "password",
        )


def normalise_email(email: str) -> str:
    return (email or "").strip().lower()


_EMAIL = re.compile(
    r"^[^@\s<>\"'(),;:]+@[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)+$"
)


def valid_email(email: str) -> bool:
    """A plausible e-mail address (one @, a domain with a dot, no spaces or markup)."""
    return 3 <= len(email) <= 255 and bool(_EMAIL.match(email))
