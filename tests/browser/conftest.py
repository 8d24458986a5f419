"""Browser tests: real Chromium (Debian's /usr/bin/chromium) through Playwright, at a phone
viewport (390×844) and a desktop one (1280×800). axe-core runs on every page visited through
`browser_page.visit()` or `browser_page.check()`; any WCAG 2.1 A/AA violation fails the test, and
so does any of axe's best-practice rules (landmarks, heading order, unique landmark names…).
"""

from __future__ import annotations

import json
import os
import threading
from pathlib import Path

import pytest
from werkzeug.serving import make_server

ROOT = Path(__file__).resolve().parents[2]
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
CHROMIUM = os.environ.get("PARTICIPA_CHROMIUM", "/usr/bin/chromium")
FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-dev-shm-usage",
]
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]
PHONE = {"width": 390, "height": 844}
SMALL_PHONE = {"width": 320, "height": 640}
DESKTOP = {"width": 1280, "height": 800}


@pytest.fixture(scope="session")
def live_server(app):
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()


@pytest.fixture(scope="session")
def chromium():
    from playwright.sync_api import sync_playwright

    assert Path(CHROMIUM).exists(), (
        f"Chromium not found at {CHROMIUM}: run `make deps` (apt-get install chromium)"
    )
    assert AXE.exists(), "axe-core missing: run `make deps` (npm ci)"
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=FLAGS)
        yield browser
        browser.close()


class AxePage:
    """A Playwright page that runs axe-core after every visit."""

    def __init__(self, page, base_url: str):
        self.page, self.base = page, base_url
        self.checked: list[str] = []

    def __getattr__(self, name):
        return getattr(self.page, name)

    def visit(self, path: str, *, expect_status: int | None = 200):
        response = self.page.goto(self.base + path if path.startswith("/") else path)
        if expect_status is not None:
            assert response is not None and response.status == expect_status, (
                path,
                response and response.status,
            )
        self.check()
        return response

    def check(self):
        """Run axe-core on the current page; fail on any WCAG 2.1 A/AA or best-practice violation."""
        self.page.evaluate(AXE.read_text(encoding="utf-8"))
        result = self.page.evaluate(
            "async (tags) => await axe.run(document, {runOnly: {type: 'tag', values: tags}, resultTypes: "
            "['violations']})",
            WCAG_TAGS,
        )
        violations = [
            {
                "id": v["id"],
                "impact": v["impact"],
                "help": v["help"],
                "nodes": [n["target"] for n in v["nodes"]][:5],
            }
            for v in result["violations"]
        ]
        self.checked.append(self.page.url)
        assert not violations, f"axe violations on {self.page.url}:\n" + json.dumps(
            violations, indent=1, ensure_ascii=False
        )


def _page(chromium, live_server, viewport):
    context = chromium.new_context(
        viewport=viewport, bypass_csp=True, locale="es-CO", java_script_enabled=True
    )
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield AxePage(page, live_server)
    context.close()


@pytest.fixture
def phone(chromium, live_server):
    """A page at 390×844."""
    yield from _page(chromium, live_server, PHONE)


@pytest.fixture
def desktop(chromium, live_server):
    """A page at 1280×800."""
    yield from _page(chromium, live_server, DESKTOP)


@pytest.fixture(params=["phone", "desktop"])
def any_viewport(request, chromium, live_server):
    """Runs the test at both viewports."""
    yield from _page(chromium, live_server, PHONE if request.param == "phone" else DESKTOP)


def staff_login(page: AxePage, email: str, password: str):
    page.visit("/gestion/ingresar")
    page.fill("#email", email)
    page.fill("#password", password)
    page.click("button[type=submit]")
    page.wait_for_load_state()


CHECK_SUMMARY = """() => {
  const summary = document.getElementById('error-summary');
  const main = document.querySelector('main');
  const links = Array.from(summary.querySelectorAll('a')).map(a => a.getAttribute('href'));
  const targets = links.map(h => { const el = document.getElementById(h.slice(1));
    return el ? el.tagName.toLowerCase() : null; });
  return {focused: document.activeElement === summary, first: main.firstElementChild === summary,
          title: document.title, links, targets};
}"""


def assert_guiding_summary(page, expected_links: int | None = None):
    """GOV.UK's error summary after a failed submit: the title starts with "Error:", the summary is
    the first thing in <main> and has the focus, and each link, followed with the keyboard, puts the
    focus on a field (input, select or textarea) that exists on the page."""
    state = page.evaluate(CHECK_SUMMARY)
    assert state["title"].startswith("Error:"), state["title"]
    assert state["focused"] and state["first"], state
    assert state["links"] and all(t in ("input", "select", "textarea") for t in state["targets"]), state
    if expected_links is not None:
        assert len(state["links"]) == expected_links, state
    for href in dict.fromkeys(state["links"]):
        page.focus(f'#error-summary a[href="{href}"]')
        page.keyboard.press("Enter")
        assert page.evaluate("() => '#' + document.activeElement.id") == href
    return state
