"""Hostile input on every form: more than 200 payloads (whitespace, oversized, control characters,
NUL, right-to-left override, SQL / HTML / template injection, invalid UTF-8 bytes, huge numbers,
arrays for scalars, spreadsheet formulas) sent to every public and staff form, as each role.

Forms are discovered, not listed: the test fills the demonstration data, then, as an anonymous
visitor and as each staff role, follows the links of the site from the home page and the staff
home (one page per route of the app's url_map), and collects every <form> of every page (one per
route and set of fields). A request carries a different payload in each field. In the quick run
(the default, well under a minute) every form gets one payload of every kind (`CORE`) and a share
of the others, and across the forms every payload is sent; with `PARTICIPA_HOSTILE_FULL=1` every
form gets every payload (several minutes). It asserts, for every response:

- never a server error (no 500: a refused value is a 4xx page, an accepted one a 2xx/3xx);
- every error shown next to a field is ours, in Spanish: never WTForms' default wording, in
  English or in WTForms' own Spanish;

and, at the end, that no text column of any table holds a whitespace-only value (a "code" such as
'\\t\\t\\t') or a NUL character.
"""

from __future__ import annotations

import html
import os
import re
import time as clock
from html.parser import HTMLParser
from urllib.parse import urlencode, urlsplit

from sqlalchemy import String, Text, select

from app.core import registry
from app.extensions import db as _db
from app.extensions import limiter
from tests.conftest import Client
from tests.core.test_form_messages import wtforms_defaults

# ---------------------------------------------------------------------------- payloads

_BASE: list = [
    # whitespace
    " ", "   ", "\t", "\t\t\t", "\n", "\r\n", "\n\n\n", " \t\n\r ", "\u00a0", "\u2003", "\u3000", "\u200b",
    "\ufeff", " \u00a0\t",
    # control characters, NUL
    "\x00", "a\x00b", "\x00\x00\x00", "\x07", "\x08", "\x1b[31mrojo", "\x7f", "\x1f", "\x0b\x0c",
    # right-to-left and bidi
    "\u202eabc", "\u202egpj.exe", "\u2066x\u2069", "\u200f\u200e", "\u061c",
    # SQL injection
    "' OR 1=1 -- ", "' OR '1'='1", "1; DROP TABLE event;--", "\" OR \"\"=\"", "1' UNION SELECT NULL--",
    "'; SELECT pg_sleep(5);--", "admin'--", "%' AND 1=0 UNION ALL SELECT 1--", "\\", "\\'", "''",
    # HTML / script
    "<script>alert(1)</script>", "<img src=x onerror=alert(1)>", "\"><svg onload=alert(1)>", "</textarea><b>x",
    "javascript:alert(1)", "<a href='javascript:x'>x</a>", "&lt;b&gt;", "<!--", "<![CDATA[x]]>",
    # template injection
    "{{7*7}}", "{{config}}", "{% for x in range(9) %}x{% endfor %}", "${7*7}", "#{7*7}", "<%= 7*7 %>",
    "{{''.__class__.__mro__}}", "%(name)s", "%s%s%s%n", "{0}",
    # spreadsheet formulas
    "=1+1", "+1+1", "-1+1", "@SUM(A1)", "=HYPERLINK(\"http://x\")", "a;=1", "a,=1",
    # numbers
    "0", "-1", "-0", "1e309", "-1e309", "NaN", "inf", "-inf", "9" * 30, "99999999999999999999", "0x10", "1,5",
    "1.5", "1 000", "٣", "²", "1_000", "+57", "2147483648", "-9223372036854775809",
    # dates and times
    "2026-02-30", "0000-00-00", "9999-12-31", "31/12/2026", "2026-13-01", "25:61", "T", "2026-01-01T99:99",
    # paths and encodings
    "../../etc/passwd", "%00", "%2e%2e%2f", "file:///etc/passwd", "C:\\Windows", "%ff%fe",
    # unicode
    "🙂", "👩🏽‍🌾", "e\u0301\u0301\u0301", "Ω≈ç√", "ﷺ", "Ｔｅｓｔ", "𝕏", "\ud7ff",
    # invalid UTF-8 (raw bytes in the request body)
    b"\xff\xfe", b"\xc3\x28", b"\xa0\xa1", b"\xe2\x28\xa1", b"\xf0\x28\x8c\x28", b"abc\x80def",
    # oversized
    "A" * 5_000, "9" * 10_000, "é" * 3_000, "a b " * 3_000, "<" * 2_000, "\t" * 2_000,
]


def _payloads() -> list:
    """The base payloads and, for text ones, the same inside ordinary text and doubled (a
    payload at the start, in the middle and repeated hits different checks): over 200."""
    out = list(_BASE)
    for value in _BASE:
        if isinstance(value, str) and len(value) < 100:
            out.append(f"Juan {value} Pérez")
            out.append(value * 2)
    return out


PAYLOADS = _payloads()
# One of each kind first, so that every form meets every kind even in the quick run.
CORE = ["\t\t\t", " ", "\x00", "a\x00b", "\u202eabc", "' OR 1=1 -- ", "<script>alert(1)</script>", "{{7*7}}",
        b"\xff\xfe", "9" * 30, "1e309", "=1+1", "A" * 5_000, "\x1b[31mrojo", "2026-02-30", "-1", "\u00a0"]
# Requests per form in the quick run (every form gets CORE and a share of the rest; across the
# forms every payload is sent). PARTICIPA_HOSTILE_FULL=1 sends every payload to every form.
QUICK_REQUESTS = 6
FULL = os.environ.get("PARTICIPA_HOSTILE_FULL") == "1"

# ---------------------------------------------------------------------------- discovery


class _Forms(HTMLParser):
    """The forms of a page: action, method and fields (name, kind, value, options)."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.forms: list[dict] = []
        self.links: list[str] = []
        self._form = None
        self._select = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "a" and a.get("href"):
            self.links.append(a["href"])
        elif tag == "form":
            self._form = {"action": a.get("action") or "", "method": (a.get("method") or "get").lower(), "fields": {}}
            self.forms.append(self._form)
        elif self._form is None:
            return
        elif tag == "input" and a.get("name"):
            kind = (a.get("type") or "text").lower()
            field = self._form["fields"].setdefault(a["name"], {"kind": kind, "value": a.get("value", ""), "options": []})
            if kind in ("radio", "checkbox"):
                field["options"].append(a.get("value", "on"))
        elif tag == "textarea" and a.get("name"):
            self._form["fields"][a["name"]] = {"kind": "textarea", "value": "", "options": []}
        elif tag == "select" and a.get("name"):
            self._select = self._form["fields"][a["name"]] = {"kind": "select", "value": "", "options": []}
        elif tag == "option" and self._select is not None:
            self._select["options"].append(a.get("value", ""))

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None
        elif tag == "select":
            self._select = None


SKIP_LINKS = re.compile(r"\.(csv|xlsx|pdf|png|svg|ics|json|js|css|txt|xml)(\?|$)|/salir|/static/|^/?\?lang")
SKIP_ACTIONS = re.compile(r"/salir$")


def _discover(app, client, starts: list[str], max_pages: int = 150) -> tuple[dict, set]:
    """Crawl from `starts`: {(method, action endpoint, field names): (page path, form)} and the
    endpoints visited. A form is one per route and set of fields (the same button on each row of
    a table is one form)."""
    adapter = app.url_map.bind("participa.test")
    seen_endpoints, queue, visited, forms = set(), list(starts), set(), {}
    while queue and len(visited) < max_pages:
        path = queue.pop(0)
        if path in visited:
            continue
        visited.add(path)
        try:
            endpoint, _args = adapter.match(urlsplit(path).path, method="GET")
        except Exception:  # noqa: BLE001 - not a route of ours (or not GET)
            continue
        if endpoint in seen_endpoints and endpoint != "static":
            continue
        seen_endpoints.add(endpoint)
        response = client.get(path)
        assert response.status_code < 500, (path, response.status_code)
        if response.status_code != 200 or "html" not in response.mimetype:
            continue
        parser = _Forms()
        parser.feed(response.get_data(as_text=True))
        for link in parser.links:
            link = html.unescape(link)
            if link.startswith("/") and not link.startswith("//") and not SKIP_LINKS.search(link):
                queue.append(link.split("#")[0])
        for form in parser.forms:
            action = form["action"] or path
            if not action.startswith("/") or SKIP_ACTIONS.search(action) or not form["fields"]:
                continue
            try:
                target, _a = adapter.match(urlsplit(action).path, method=form["method"].upper())
            except Exception:  # noqa: BLE001 - a form posting outside our routes
                target = urlsplit(action).path
            key = (form["method"], target, tuple(sorted(form["fields"])))
            form["action"] = action
            forms.setdefault(key, (path, form))
    return forms, seen_endpoints


# ---------------------------------------------------------------------------- attack

KEEP = {"csrf_token"}


def _encode(fields: dict) -> str:
    pairs = []
    for name, value in fields.items():
        for v in value if isinstance(value, list) else [value]:
            pairs.append((name, v))
    return urlencode(pairs)


def _requests_for(form: dict, offset: int) -> list[dict]:
    """Bodies that put payloads in the form's fields (each field a different payload per request):
    every kind of CORE, then the payloads from `offset` on (all of them with FULL), plus one body
    with arrays for every scalar."""
    names = [n for n, f in form["fields"].items() if n not in KEEP and f["kind"] not in ("file", "submit")]
    if not names:
        return []
    base = {n: f["value"] for n, f in form["fields"].items() if f["kind"] not in ("file", "submit")
            and (f["kind"] not in ("radio", "checkbox") or n in KEEP)}
    sequence = CORE + PAYLOADS[offset:] + PAYLOADS[:offset]
    rounds = -(-len(sequence) // len(names))
    if not FULL:
        rounds = min(rounds, max(QUICK_REQUESTS, -(-len(CORE) // len(names))))
    bodies = []
    for r in range(rounds):
        body = dict(base)
        for i, name in enumerate(names):
            body[name] = sequence[(r * len(names) + i) % len(sequence)]
        bodies.append(body)
    bodies.append({**base, **{n: ["1", "<b>2</b>", "\t"] for n in names}})  # arrays for scalars
    return bodies


def _errors_in(page: str) -> list[str]:
    return [re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", m))).replace("Error:", "").strip()
            for m in re.findall(r'<p class="error"[^>]*>(.*?)</p>', page, re.S)]


def _attack(client, forms: dict, defaults: set, problems: list, stats: dict) -> int:
    sent = 0
    for method, _target, _names, form in ((k[0], k[1], k[2], v[1]) for k, v in forms.items()):
        action = form["action"]
        offset = (stats.setdefault("forms", 0) * 53) % len(PAYLOADS)
        stats["forms"] += 1
        for body in _requests_for(form, offset):
            encoded = _encode(body)
            if method == "post":
                response = client.post(action, data=encoded, content_type="application/x-www-form-urlencoded")
            else:
                response = client.get(f"{action}?{encoded}")
            sent += 1
            if response.status_code >= 500:
                problems.append(f"{response.status_code} {method.upper()} {action}")
                continue
            stats[response.status_code] = stats.get(response.status_code, 0) + 1
            if "html" in response.mimetype:
                text = response.get_data(as_text=True)
                errors = _errors_in(text)
                stats["errors"] = stats.get("errors", 0) + len(errors)
                for error in errors:
                    if error in defaults or any(d in error for d in defaults if len(d) > 12):
                        problems.append(f"library wording on {action}: {error!r}")
    return sent


def _whitespace_values(db) -> list[str]:
    """Text cells that are whitespace only, or hold a NUL, in any table."""
    found = []
    for table in db.metadata.sorted_tables:
        for column in table.columns:
            if not isinstance(column.type, String | Text):
                continue
            for (value,) in db.session.execute(select(column).where(column.is_not(None))):
                if isinstance(value, str) and ((value and not value.strip()) or "\x00" in value):
                    found.append(f"{table.name}.{column.name}={value!r}")
    return found


def test_every_form_refuses_hostile_input_cleanly_with_our_spanish_messages(app, db, catalogs, make_user):
    started = clock.monotonic()
    assert len(PAYLOADS) >= 200
    with app.test_request_context("/", base_url=app.config["PARTICIPA_BASE_URL"]):
        for _order, _name, step in sorted(registry.get().demo, key=lambda s: s[0]):
            if _name != "characterisation profiles":
                step()
    db.session.remove()
    defaults = wtforms_defaults()
    problems: list[str] = []
    limiter.enabled = False  # the limits are tested elsewhere; here every request must reach the form
    try:
        visitors = [("anonymous", Client(app.test_client()), None)]
        for role in ("admin", "editor", "analyst", "steward"):
            user = make_user(role, email=f"hostil-{role}@prueba.gov.co")
            browser = Client(app.test_client())
            browser.login(user)
            visitors.append((role, browser, user))
        discovered, sent, endpoints, stats = {}, 0, set(), {}
        for role, browser, _user in visitors:
            starts = ["/"] if role == "anonymous" else ["/gestion/", "/"]
            forms, seen = _discover(app, browser, starts)
            endpoints |= seen
            new = {k: v for k, v in forms.items() if k not in discovered}
            discovered.update(new)
            sent += _attack(browser, new, defaults, problems, stats)
    finally:
        limiter.enabled = True
    _db.session.rollback()
    stored = _whitespace_values(_db)
    elapsed = clock.monotonic() - started
    print(f"\n{len(discovered)} forms on {len(endpoints)} routes, {sent} hostile requests, {elapsed:.1f} s, {stats}")
    assert not problems, "\n".join(sorted(set(problems))[:40])
    assert not stored, stored[:20]
    staff = {k for k, (page, _f) in discovered.items() if page.startswith("/gestion")}
    public = set(discovered) - staff
    assert len(public) >= 5 and len(staff) >= 20, (len(public), len(staff))
