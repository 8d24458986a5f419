"""Page-level presentation helpers shared by every template.

- **Error summary slot.** `templates/_macros/forms.html`'s `error_summary` hands its HTML to
  `error_summary_slot()` instead of printing it where the macro is called; `base.html` renders the
  page's content first, then prints the collected summaries as the first thing in `<main>` and
  starts the page title with "Error:" (GOV.UK's error summary pattern). A page with no error pays
  nothing but one attribute lookup.
- **Numbers.** One filter, `number`, for every figure shown: Colombian format in Spanish (decimal
  comma, thousands point: 12.345,6), English format in English; `digits` fixes the decimals.
- **GOV.CO.** The entity's identity for the GOV.CO top bar and footer comes from configuration
  (`ENTITY_*`, see `app.config`).
"""

from __future__ import annotations

import re

from flask import has_request_context, request
from markupsafe import Markup


def _slot() -> list:
    # Kept on the request (not on `g`, which an app context held open by tests would share).
    req = request._get_current_object()
    slot = getattr(req, "participa_error_summaries", None)
    if slot is None:
        slot = req.participa_error_summaries = []
    return slot


def error_summary_slot(html: str) -> str:
    """Keep an error summary's HTML for the top of `<main>`; returns '' to print in its place."""
    if not has_request_context():
        return Markup(html)
    _slot().append(Markup(html))
    return ""


def error_summaries() -> Markup:
    """The summaries collected while rendering this page's content (empty when none)."""
    if not has_request_context():
        return Markup("")
    return Markup("").join(_slot())


def page_has_errors() -> bool:
    return has_request_context() and bool(
        getattr(request._get_current_object(), "participa_error_summaries", None)
    )


def format_number(value, digits: int | None = None) -> str:
    """12.345,6 in Spanish (es_CO), 12,345.6 in English; '' for None. `digits` fixes the decimals
    (a float shown without `digits` keeps up to three)."""
    if value is None or value == "":
        return ""
    from flask_babel import format_decimal

    if digits is None:
        return format_decimal(value)
    pattern = "#,##0" + ("." + "0" * digits if digits > 0 else "")
    return format_decimal(value, format=pattern)


def format_percent(value, digits: int = 0) -> str:
    """A percentage already on the 0–100 scale: '45 %' / '45%'; '—' for None."""
    from app.core.i18n import selected_language

    if value is None:
        return "—"
    text = format_number(value, digits)
    return f"{text}\u00a0%" if selected_language() == "es" else f"{text}%"


def default_trail() -> list[tuple[str, str]]:
    """The breadcrumb links above the current page: Inicio, then Gestión on staff pages, then the
    section's index (the menu item of the same blueprint) unless this page is that index.
    A template adds deeper links with `{% set trail = [...] %}` (see `_macros/nav.html`)."""
    from flask import request, url_for
    from flask_babel import gettext as _
    from flask_login import current_user

    from app.core import registry

    trail = [(_("Inicio"), url_for("public.home"))]
    endpoint = request.endpoint or ""
    staff = request.path.startswith("/gestion/")
    if staff and endpoint != "accounts.home":
        trail.append((_("Gestión"), url_for("accounts.home")))
    blueprint = endpoint.rsplit(".", 1)[0] if "." in endpoint else ""
    area = "staff" if staff else "public"
    candidates = [
        (url_for(i.endpoint), i)
        for i in registry.get().nav
        if i.area == area
        and i.endpoint.rsplit(".", 1)[0] == blueprint
        and (i.permission is None or (current_user.is_authenticated and current_user.can(i.permission)))
    ]
    prefixed = sorted((c for c in candidates if request.path.startswith(c[0])), key=lambda c: -len(c[0]))
    # The account pages share one blueprint with user management: only a real prefix counts there.
    section = prefixed[0] if prefixed else (candidates[0] if candidates and blueprint != "accounts" else None)
    if section and section[1].endpoint != endpoint:
        trail.append((str(section[1].label()), section[0]))
    return trail


_PLAIN_NUMBER = re.compile(r"-?\d+(\.\d+)?")


def format_figure(display):
    """A figure computed elsewhere and handed over as text ('1234', '2.162', '<5', '12 %'):
    plain numbers are shown in the page's format, anything else as it is."""
    if isinstance(display, bool) or display is None:
        return display
    if isinstance(display, int | float):
        return format_number(display)
    text = str(display)
    if _PLAIN_NUMBER.fullmatch(text):
        return format_number(float(text) if "." in text else int(text))
    return display


_FEMININE = ("alcaldía", "gobernación", "personería", "contraloría", "secretaría", "empresa")


def entity_with_article(name: str | None = None) -> str:
    """The entity's name as a sentence needs it: 'la Alcaldía de Medellín', 'el Distrito de…'
    in Spanish, 'the Alcaldía de Medellín' in English. PARTICIPA_ENTITY_ARTICLE ('la', 'el' or
    'none') overrides the guess from the first word."""
    from flask import current_app

    from app.core.i18n import selected_language

    name = name or current_app.config["ENTITY_NAME"]
    article = (current_app.config.get("ENTITY_ARTICLE") or "").strip().lower()
    if article == "none":
        return name
    if selected_language() == "en":
        return f"the {name}"
    if article not in ("la", "el"):
        article = "la" if name.split(" ", 1)[0].lower() in _FEMININE else "el"
    return f"{article} {name}"


def sentence(text):
    """A sentence whose placeholder ended in a time ('… 10:00 a. m.') keeps one final period."""
    if text is None:
        return text
    fixed = str(text).replace(" m..", " m.").replace("\u00a0m..", "\u00a0m.")
    return Markup(fixed) if isinstance(text, Markup) else fixed


def spanish_content(text):
    """Staff-written content (titles, questions, topics) is written in Spanish: on the English
    site it is marked lang="es" so screen readers read it with Spanish rules."""
    from markupsafe import escape

    from app.core.i18n import selected_language

    if text is None or text == "" or selected_language() == "es":
        return text
    return Markup('<span lang="es">%s</span>') % escape(text)


def _get(obj, name: str):
    """An attribute of a model instance, or a key of the plain dict a registry hook hands over."""
    if obj is None:
        return None
    if isinstance(obj, dict):
        return obj.get(name)
    return getattr(obj, name, None)


def _english(obj, field: str):
    value = _get(obj, f"{field}_en")
    return value.strip() if isinstance(value, str) and value.strip() else None


def localized(obj, field: str, note: bool = True):
    """Staff-written content (a title, a question, a topic) in the page's language.

    Spanish site: the Spanish text. English site: the English version staff wrote
    (`<field>_en`) when there is one; otherwise the Spanish text marked `lang="es"` followed by a
    visible "Spanish only" note (`note=False` leaves the note out, e.g. inside a short label that
    sits next to another note)."""
    from flask_babel import gettext as _
    from markupsafe import escape

    from app.core.i18n import selected_language

    text = _get(obj, field)
    if selected_language() == "es" or not text:
        return text or ""
    english = _english(obj, field)
    if english:
        return english
    html = Markup('<span lang="es">%s</span>') % escape(text)
    if note:
        html += Markup(' <span class="lang-note">(%s)</span>') % _("solo en español")
    return html


def localized_text(obj, field: str) -> str:
    """The same choice as `localized`, as plain text (for <title>, attributes, e-mails)."""
    from app.core.i18n import selected_language

    text = _get(obj, field) or ""
    if selected_language() == "es":
        return text
    return _english(obj, field) or text


def localized_options(obj, field: str = "options") -> list[str]:
    """A list of staff-written labels (a question's options) in the page's language: the English
    list only when it has one label for every Spanish one."""
    from app.core.i18n import selected_language

    spanish = list(_get(obj, field) or [])
    english = list(_get(obj, f"{field}_en") or [])
    if selected_language() == "en" and len(english) == len(spanish) and all(str(e).strip() for e in english):
        return [str(e).strip() for e in english]
    return spanish


def spanish_only(obj, field: str) -> bool:
    """True on the English site when this field has no English version (shown in Spanish)."""
    from app.core.i18n import selected_language

    if selected_language() != "en" or not _get(obj, field):
        return False
    if field == "options":
        return localized_options(obj, field) == list(_get(obj, field))
    return not _english(obj, field)


def register(app) -> None:
    env = app.jinja_env
    env.globals["default_trail"] = default_trail
    env.globals["entity_the"] = entity_with_article
    env.globals["error_summary_slot"] = error_summary_slot
    env.globals["error_summaries"] = error_summaries
    env.globals["page_has_errors"] = page_has_errors
    env.filters["number"] = format_number
    env.filters["percent"] = format_percent
    env.filters["figure"] = format_figure
    env.filters["sentence"] = sentence
    env.filters["es"] = spanish_content
    env.globals["tr"] = localized
    env.globals["tr_text"] = localized_text
    env.globals["spanish_only"] = spanish_only
