"""Breadcrumbs on every page below the home page: one macro in base.html, no template opts out
but the home page, and every page without URL arguments shows them (public and staff)."""

from pathlib import Path

TEMPLATES = Path(__file__).resolve().parents[2] / "templates"


def test_no_template_but_the_home_page_drops_the_breadcrumbs():
    dropping = sorted(
        str(p.relative_to(TEMPLATES))
        for p in TEMPLATES.rglob("*.html")
        if p.name != "base.html"
        and "_macros" not in p.parts
        and (
            "block breadcrumbs" in p.read_text(encoding="utf-8")
            or "no_breadcrumbs" in p.read_text(encoding="utf-8")
        )
    )
    assert dropping == ["public/home.html"]


def _html_pages(app, client, prefix):
    for rule in app.url_map.iter_rules():
        if "GET" not in rule.methods or rule.arguments or not rule.rule.startswith(prefix):
            continue
        if rule.endpoint in ("static", "public.healthz") or "." in rule.rule.rsplit("/", 1)[-1]:
            continue
        response = client.get(rule.rule)
        if response.status_code == 200 and response.mimetype == "text/html":
            yield rule.rule, response.get_data(as_text=True)


def test_every_public_and_staff_page_shows_where_you_are(app, client, catalogs, login_as):
    seen = 0
    for path, html in _html_pages(app, client, "/"):
        if path == "/":
            assert 'class="breadcrumbs"' not in html
            continue
        assert html.count('<nav class="breadcrumbs"') == 1, path
        assert 'aria-current="page"' in html.split('<nav class="breadcrumbs"', 1)[1].split("</nav>", 1)[0], (
            path
        )
        seen += 1
    login_as("admin")
    for path, html in _html_pages(app, client, "/gestion/"):
        crumbs = html.split('<nav class="breadcrumbs"', 1)
        assert len(crumbs) == 2, path
        if path != "/gestion/":
            assert 'href="/gestion/"' in crumbs[1].split("</nav>", 1)[0], path  # Inicio › Gestión › …
        seen += 1
    assert seen > 20
