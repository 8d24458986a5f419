from __future__ import annotations

from flask import current_app, redirect, render_template, request, url_for

from app.core import registry
from app.core.cache import SharedCache, blank_form_page
from app.core.text import single_line
from app.extensions import limiter

# The anonymous home page, shared by every visitor: rendered once per worker, URL and language in
# a request of its own that cannot see the visitor's session (`blank_form_page`), and kept for
# PARTICIPA_HOME_CACHE_SECONDS. It shows what every capability offers now (the `home` hooks),
# whose models this package may not name: only its age clears it, as the setting promises.
_HOME_PAGE = SharedCache("public.home_page", (), ttl=15.0)


@limiter.exempt
def home():
    """What a citizen can do now. For anonymous visitors without pending messages the page is
    the same for everyone, so each worker keeps it for PARTICIPA_HOME_CACHE_SECONDS (15 s by
    default, off under TESTING unless set): the busiest page stays fast when a QR poster or a
    broadcast sends a crowd to it at once. Signed-in staff and visitors with messages waiting
    always get a fresh page."""
    ttl = current_app.config.get("PARTICIPA_HOME_CACHE_SECONDS", 0 if current_app.testing else 15)
    if ttl <= 0:
        return _home_page()
    _HOME_PAGE.ttl = ttl  # the setting is read per request (tests and operators may change it)
    return blank_form_page(_HOME_PAGE, "home", lambda _marks: _home_page(), csrf=False, url=request.path)


def _home_page() -> str:
    sections = []
    for provider in registry.get().home:
        sections.extend(provider())
    return render_template("public/home.html", sections=sections)


def privacy():
    return render_template("public/privacy.html")


def terms():
    return render_template("public/terms.html")


def accessibility():
    return render_template("public/accessibility.html")


def sitemap():
    rules = registry.get().nav
    return render_template("public/sitemap.html", items=[i for i in rules if i.area == "public"])


@limiter.limit("60 per minute")
def search():
    query = single_line(request.args.get("q") or "")[:100]
    results = []
    if len(query) >= 2:
        for provider in registry.get().search:
            results.extend(provider(query))
    return render_template("public/search.html", query=query, results=results[:100])


def set_language(lang: str):
    """Language switch link target: remembers the choice and returns to the page (no JS)."""
    target = request.args.get("next") or url_for("public.home")
    if not target.startswith("/") or target.startswith("//"):
        target = url_for("public.home")
    sep = "&" if "?" in target else "?"
    return redirect(f"{target}{sep}lang={lang}" if lang in ("es", "en") else target)
