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


def wtforms_translations() -> None:
    """before_request hook: WTForms' own messages replaced by ours (`app.core.form_messages`), in
    this request's language. Flask-WTF uses the object placed on `request.wtforms_translations`
    (and does not parse WTForms' catalogue file); plain WTForms forms get the same object."""
    from app.core import form_messages

    form_messages.install()
    request.wtforms_translations = form_messages.CATALOGUE


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
