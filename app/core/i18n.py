"""Language selection: Spanish (Colombia) by default, English complete.

`?lang=en` (or `?lang=es`) switches and is remembered in the session. Dates and numbers use
Colombian formats (locale es_CO) in Spanish.
"""

from __future__ import annotations

from flask import current_app, request, session

LOCALES = {"es": "es_CO", "en": "en"}


def selected_language() -> str:
    """'es' or 'en' for this request (worked out once per request: forms ask for it a dozen times)."""
    if not request:
        return current_app.config["BABEL_DEFAULT_LOCALE"]
    req = request._get_current_object()
    lang = getattr(req, "participa_language", None)
    if lang is None:
        lang = req.args.get("lang", "")
        if lang not in LOCALES:
            stored = session.get("lang")
            lang = stored if stored in LOCALES else current_app.config["BABEL_DEFAULT_LOCALE"]
        req.participa_language = lang
    return lang


def locale_selector() -> str:
    return LOCALES[selected_language()]


_WTFORMS: dict[str, object] = {}


def wtforms_translations() -> None:
    """before_request hook: WTForms' own messages in this request's language, parsed once per
    process. Flask-WTF otherwise parses WTForms' catalogue file again on every request that
    builds a form; it uses one already placed on `request.wtforms_translations`."""
    locale = locale_selector()
    if locale not in _WTFORMS:
        from babel.support import Translations
        from wtforms.i18n import messages_path

        _WTFORMS[locale] = Translations.load(messages_path(), [locale], domain="wtforms")
    request.wtforms_translations = _WTFORMS[locale]


def remember_language(response):
    """after_request hook: keep `?lang=` for the next pages."""
    lang = request.args.get("lang")
    if lang in LOCALES and session.get("lang") != lang:
        session["lang"] = lang
    return response


def label(entry, lang: str | None = None) -> str:
    """The label of a catalog entry (anything with label_es / label_en) in the current language."""
    lang = lang or selected_language()
    if lang == "en" and getattr(entry, "label_en", None):
        return entry.label_en
    return entry.label_es
