from __future__ import annotations

from time import monotonic

from flask import current_app, redirect, render_template, request, session, url_for

from app.core import registry
from app.core.i18n import selected_language
from app.core.text import single_line
from app.extensions import limiter


@limiter.exempt
def home():
    """What a citizen can do now. For anonymous visitors without pending messages the page is
    the same for everyone, so each worker keeps it for PARTICIPA_HOME_CACHE_SECONDS (15 s by
    default, off under TESTING unless set): the busiest page stays fast when a QR poster or a
    broadcast sends a crowd to it at once."""
    ttl = current_app.config.get("PARTICIPA_HOME_CACHE_SECONDS", 0 if current_app.testing else 15)
    # Anonymous = no user id in the session (checked without loading Flask-Login's user).
    cacheable = ttl > 0 and "_user_id" not in session and not session.get("_flashes")
    cache = current_app.extensions.setdefault("participa_home_cache", {})
    key = selected_language()
    if cacheable:
        hit = cache.get(key)
        if hit is not None and hit[0] > monotonic():
            return hit[1]
    sections = []
    for provider in registry.get().home:
        sections.extend(provider())
    html = render_template("public/home.html", sections=sections)
    if cacheable:
        cache[key] = (monotonic() + ttl, html)
    return html


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
