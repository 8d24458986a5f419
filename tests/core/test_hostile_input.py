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
import re
import time as clock
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlencode, urlsplit

from flask import templating as flask_templating
from flask import url_for as _url_for
from flask_babel import LazyString
from markupsafe import escape
from sqlalchemy import String, Text, select
from sqlalchemy import text as _text
from wtforms import Form as WTForm

from app.accounts import commands as account_commands
from app.core import registry
from app.extensions import db as _db
from app.extensions import limiter
from tests.conftest import Client
from tests.core.test_form_messages import wtforms_defaults

ROOT = Path(__file__).resolve().parents[2]

# ---------------------------------------------------------------------------- payloads

_BASE: list = [
    # whitespace
    " ",
    "   ",
    "\t",
    "\t\t\t",
    "\n",
    "\r\n",
    "\n\n\n",
    " \t\n\r ",
    "\u00a0",
    "\u2003",
    "\u3000",
    "\u200b",
    "\ufeff",
    " \u00a0\t",
    # control characters, NUL
    "\x00",
    "a\x00b",
    "\x00\x00\x00",
    "\x07",
    "\x08",
    "\x1b[31mrojo",
    "\x7f",
    "\x1f",
    "\x0b\x0c",
    # right-to-left and bidi
    "\u202eabc",
    "\u202egpj.exe",
    "\u2066x\u2069",
    "\u200f\u200e",
    "\u061c",
    # SQL injection
    "' OR 1=1 -- ",
    "' OR '1'='1",
    "1; DROP TABLE event;--",
    '" OR ""="',
    "1' UNION SELECT NULL--",
    "'; SELECT pg_sleep(5);--",
    "admin'--",
    "%' AND 1=0 UNION ALL SELECT 1--",
    "\\",
    "\\'",
    "''",
    # HTML / script
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    '"><svg onload=alert(1)>',
    "</textarea><b>x",
    "javascript:alert(1)",
    "<a href='javascript:x'>x</a>",
    "&lt;b&gt;",
    "<!--",
    "<![CDATA[x]]>",
    # template injection
    "{{7*7}}",
    "{{config}}",
    "{% for x in range(9) %}x{% endfor %}",
    "${7*7}",
    "#{7*7}",
    "<%= 7*7 %>",
    "{{''.__class__.__mro__}}",
    "%(name)s",
    "%s%s%s%n",
    "{0}",
    # spreadsheet formulas
    "=1+1",
    "+1+1",
    "-1+1",
    "@SUM(A1)",
    '=HYPERLINK("http://x")',
    "a;=1",
    "a,=1",
    # numbers
    "0",
    "-1",
    "-0",
    "1e309",
    "-1e309",
    "NaN",
    "inf",
    "-inf",
    "9" * 30,
    "99999999999999999999",
    "0x10",
    "1,5",
    "1.5",
    "1 000",
    "٣",
    "²",
    "1_000",
    "+57",
    "2147483648",
    "-9223372036854775809",
    # dates and times
    "2026-02-30",
    "0000-00-00",
    "9999-12-31",
    "31/12/2026",
    "2026-13-01",
    "25:61",
    "T",
    "2026-01-01T99:99",
    # paths and encodings
    "../../etc/passwd",
    "%00",
    "%2e%2e%2f",
    "file:///etc/passwd",
    "C:\\Windows",
    "%ff%fe",
    # unicode
    "🙂",
    "👩🏽‍🌾",
    "e\u0301\u0301\u0301",
    "Ω≈ç√",
    "ﷺ",
    "Ｔｅｓｔ",
    "𝕏",
    "\ud7ff",
    # invalid UTF-8 (raw bytes in the request body)
    b"\xff\xfe",
    b"\xc3\x28",
    b"\xa0\xa1",
    b"\xe2\x28\xa1",
    b"\xf0\x28\x8c\x28",
    b"abc\x80def",
    # oversized
    "A" * 5_000,
    "9" * 10_000,
    "é" * 3_000,
    "a b " * 3_000,
    "<" * 2_000,
    "\t" * 2_000,
]


PAYLOAD_COUNT = 210


def _payloads() -> list:
    """The base payloads, then the short text ones inside ordinary text and doubled (a payload at
    the start, in the middle and repeated hits different checks), up to PAYLOAD_COUNT."""
    out = list(_BASE)
    for value in _BASE:
        if isinstance(value, str) and len(value) < 100:
            out += [f"Juan {value} Pérez", value * 2]
    return out[:PAYLOAD_COUNT]


PAYLOADS = _payloads()
# What each kind of field meets first (then its share of every payload): a choice field a blank
# that is not empty, an invented code, a NUL, invalid bytes; a number huge, negative or not a
# number; a date impossible dates.
_CHOICE = [
    "\t\t\t",
    " ",
    "\u00a0",
    "\x00",
    "zz-no-existe",
    "' OR 1=1 -- ",
    b"\xff\xfe",
    "9" * 30,
    "-1",
    "<script>alert(1)</script>",
]
_NUMBER = ["\t\t\t", " ", "1e309", "-1", "9" * 30, "NaN", "1,5", "٣", "\x00", "0x10"]
_DATE = [
    "\t\t\t",
    " ",
    "2026-02-30",
    "0000-00-00",
    "9999-12-31",
    "31/12/2026",
    "2026-01-01T99:99",
    "25:61",
    "\x00",
    b"\xff\xfe",
]
_TEXT = [
    "\t\t\t",
    " ",
    "\x00",
    "a\x00b",
    "\u202eabc",
    "' OR 1=1 -- ",
    "<script>alert(1)</script>",
    "{{7*7}}",
    b"\xff\xfe",
    "A" * 5_000,
]
FIRST = {
    "select": _CHOICE,
    "radio": _CHOICE,
    "checkbox": _CHOICE,
    "number": _NUMBER,
    "range": _NUMBER,
    "date": _DATE,
    "datetime-local": _DATE,
    "time": _DATE,
    "month": _DATE,
}

# POST routes not attacked here, each with its reason. Every other route that accepts POST is
# found (by crawling as each role, or from the url map with arguments taken from the demo data)
# and attacked; a new route is attacked without being listed.
EXCLUDED = {
    "accounts.logout": "ends the session every other request of the crawl relies on; it reads no field "
    "(tests/accounts/test_sessions.py)",
}

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
            self._form = {
                "action": a.get("action") or "",
                "method": (a.get("method") or "get").lower(),
                "fields": {},
            }
            self.forms.append(self._form)
        elif self._form is None:
            return
        elif tag == "input" and a.get("name"):
            kind = (a.get("type") or "text").lower()
            field = self._form["fields"].setdefault(
                a["name"], {"kind": kind, "value": a.get("value", ""), "options": []}
            )
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


SKIP_LINKS = re.compile(
    r"\.(csv|xlsx|pdf|png|svg|ics|json|js|css|txt|xml|docx)(\?|$)"
    r"|/salir|/static/|^/?\?lang"
)


def _forms_of(html_text: str) -> _Forms:
    parser = _Forms()
    parser.feed(html_text)
    return parser


def _add_forms(adapter, page: str, parser: _Forms, forms: dict, role: str) -> None:
    """Key every form of a page by (method, endpoint, field names): one per route and set of fields
    (the same button on each row of a table is one form)."""
    for form in parser.forms:
        action = html.unescape(form["action"] or page)
        if not action.startswith("/") or form["method"] not in ("get", "post"):
            continue
        try:
            target, _a = adapter.match(urlsplit(action).path, method=form["method"].upper())
        except Exception:  # noqa: BLE001 - a form posting outside our routes
            continue
        if (form["method"] == "get" and not form["fields"]) or target in EXCLUDED:
            continue
        form["action"], form["page"], form["role"] = action, page, role
        forms.setdefault((form["method"], target, tuple(sorted(form["fields"]))), form)


def _crawl(app, client, role: str, starts: list[str], forms: dict, max_pages: int = 150) -> set:
    """Follow the site's links from `starts` (one page per route) and collect its forms."""
    adapter = app.url_map.bind("participa.test")
    seen_endpoints, queue, visited = set(), list(starts), set()
    while queue and len(visited) < max_pages:
        path = queue.pop(0)
        if path in visited:
            continue
        visited.add(path)
        try:
            endpoint, _args = adapter.match(urlsplit(path).path, method="GET")
        except Exception:  # noqa: BLE001 - not a route of ours (or not GET)
            continue
        if endpoint in seen_endpoints:
            continue
        seen_endpoints.add(endpoint)
        response = client.get(path)
        assert response.status_code < 500, (path, response.status_code)
        if response.status_code != 200 or "html" not in response.mimetype:
            continue
        parser = _forms_of(response.get_data(as_text=True))
        for link in parser.links:
            link = html.unescape(link)
            if link.startswith("/") and not link.startswith("//") and not SKIP_LINKS.search(link):
                queue.append(link.split("#")[0])
        _add_forms(adapter, path, parser, forms, role)
    return seen_endpoints


def _first(table: str, where: str = "1=1", column: str = "id") -> object:
    """The first row's `column` (a query over the demo data, built from our own names only)."""
    sql = f"SELECT {column} FROM {table} WHERE {where} ORDER BY id LIMIT 1"  # noqa: S608 - our names
    return _db.session.execute(_text(sql)).scalar()


def _argument(endpoint: str, name: str, converter, values: dict):
    """A value for a URL argument, from the demo data (None when there is none)."""
    blueprint = endpoint.split(".")[0]
    if hasattr(converter, "items"):  # <any(a, b):action>: the first choice
        return sorted(converter.items)[0]
    if endpoint == "events.profile_step":
        return _event_in_progress()[0]  # the event the anonymous browser signed (`_seed`)
    parent = {k: v for k, v in values.items() if isinstance(v, int)}
    tables = {
        "consultation_id": ("consultation",),
        "event_id": ("event",),
        "plan_id": ("plan",),
        "survey_id": ("survey",),
        "user_id": ("staff_user",),
        "item_id": ("transparency_item",),
        "proposal_id": ("consultation_proposal", f"consultation_id = {parent.get('consultation_id')}"),
        "topic_id": ("consultation_topic", f"consultation_id = {parent.get('consultation_id')}"),
        "row_id": ("event_attendance", f"event_id = {parent.get('event_id')}"),
        "action_id": ("plan_action", f"plan_id = {parent.get('plan_id')}"),
        "section_id": ("survey_section", f"survey_id = {parent.get('survey_id')}"),
    }
    if name == "task_id":
        actions = f"SELECT id FROM plan_action WHERE plan_id = {parent.get('plan_id')}"  # noqa: S608
        tables[name] = ("plan_task", f"action_id IN ({actions})")
    elif name == "question_id" and blueprint == "surveys_staff":
        sections = f"SELECT id FROM survey_section WHERE survey_id = {parent.get('survey_id')}"  # noqa: S608
        tables[name] = ("survey_question", f"section_id IN ({sections})")
    elif name == "question_id":
        data = "kind LIKE 'data_%'" if "data_request" in endpoint else "kind NOT LIKE 'data_%'"
        if endpoint in ("ballot_staff.public_version", "ballot_staff.unpublish"):
            data += " AND status IN ('answered', 'closed')"
        tables[name] = ("ballot_question", data)
    elif name == "report_id":
        tasks = (
            "SELECT t.id FROM plan_task t JOIN plan_action a ON a.id = t.action_id "  # noqa: S608
            f"WHERE a.plan_id = {parent.get('plan_id')}"
        )
        tables[name] = (
            ("plan_report", f"task_id IN ({tasks})")
            if blueprint == "plans_staff"
            else ("accountability_report",)
        )
    elif name == "slug":
        if blueprint == "consultations":
            return _first("consultation", "is_public = true", "slug")
        return _first("survey", "published = true", "slug")
    elif name == "token":
        return _event_in_progress()[1]
    elif name in ("kind", "entry_id", "list_key") or (name == "action" and blueprint == "catalogs"):
        return _catalog_argument(name, values)
    if name not in tables:
        return None
    return _first(*tables[name])


def _event_in_progress() -> tuple[int, str]:
    from app.core import time

    sql = (
        "SELECT id, token FROM event WHERE status = 'published' AND starts_at <= :now "
        "ORDER BY starts_at DESC LIMIT 1"
    )
    return tuple(_db.session.execute(_text(sql), {"now": time.now()}).one())


def _seed(app, anonymous) -> None:
    """What the demo leaves out and some forms need: a transparency item, an accountability report,
    a personal-data request, and a signature in the anonymous browser (the page after signing)."""
    from app.accountability import commands, queries
    from app.core import time
    from app.transparency.commands import ItemData, save_item
    from app.transparency.rules import SECTIONS

    save_item(
        None,
        ItemData(section=SECTIONS[0][0], title="Informe de gestión", url="/planes/", text="Informe anual."),
        actor="prueba",
    )
    with app.test_request_context("/", base_url=app.config["PARTICIPA_BASE_URL"]):
        commands.generate(queries.year_period(time.today().year), actor=None)
    assert (
        anonymous.submit(
            "/urna/datos-personales",
            {
                "kind": "data_claim",
                "name": "Luz Marina Gómez",
                "doc_type": "CC",
                "doc_number": "1036222333",
                "email": "luz@example.co",
                "rights": ["delete"],
            },
        ).status_code
        == 302
    )
    event_id, token = _event_in_progress()
    page = anonymous.get(f"/asistencia/{token}").get_data(as_text=True)
    fields = {
        f: v["value"]
        for form in _forms_of(page).forms
        for f, v in form["fields"].items()
        if v["kind"] == "hidden"
    }
    signed = anonymous.post(
        f"/asistencia/{token}",
        data={
            **fields,
            "name": "Ana Gómez",
            "doc_type": "CC",
            "doc_number": "1036999888",
            "contact": "3001234567",
            "consent": "y",
        },
    )
    assert signed.status_code in (302, 303), signed.get_data(as_text=True)[:300]
    _db.session.remove()


def _catalog_argument(name: str, values: dict):
    """Catalog entries: an option of the first list; `<action>` moves it up (harmless)."""
    if name == "list_key":
        return _first("catalog_entry", column="list_key")
    if name == "kind":
        return "option"
    if name == "action":
        return "subir"
    return _first("catalog_entry")


def _url_for_rule(app, rule) -> str | None:
    values: dict = {}
    parents = ("consultation_id", "event_id", "plan_id", "survey_id")
    for name in sorted(rule.arguments, key=lambda n: n not in parents):  # parents first
        value = _argument(rule.endpoint, name, rule._converters[name], values)
        if value is None:
            return None
        values[name] = value
    with app.test_request_context(base_url="http://participa.test"):
        try:
            return _url_for(rule.endpoint, **values)
        except Exception:  # noqa: BLE001 - a rule this resolver cannot fill
            return None


def _from_url_map(app, visitors: list, forms: dict) -> list[str]:
    """Every POST route not met by the crawl: fetch its page (as the first role allowed to) and
    take its form; a POST-only route, or a page that shows no form now (nothing to act on), is
    posted as a button (its CSRF token and an unexpected field). Returns the routes that could
    not be reached."""
    adapter = app.url_map.bind("participa.test")
    missing = []
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule):
        found = {key[1] for key in forms}
        if "POST" not in (rule.methods or ()) or rule.endpoint in found or rule.endpoint in EXCLUDED:
            continue
        url = _url_for_rule(app, rule)
        if url is None:
            missing.append(f"{rule.endpoint} ({rule.rule}): no demo object for its arguments")
            continue
        allowed = None
        for role, browser in visitors[1:] + visitors[:1]:
            if "GET" not in rule.methods:
                allowed = allowed or "admin"
                break
            response = browser.get(url)
            assert response.status_code < 500, (url, response.status_code)
            if response.status_code != 200 or "html" not in response.mimetype:
                continue
            allowed = allowed or role
            _add_forms(adapter, url, _forms_of(response.get_data(as_text=True)), forms, role)
            if rule.endpoint in {k[1] for k in forms}:
                break
        if rule.endpoint in {k[1] for k in forms}:
            continue
        if allowed is None:
            missing.append(f"{rule.endpoint} ({url}): no role may open it")
            continue
        forms[("post", rule.endpoint, ("csrf_token",))] = {
            "action": url,
            "method": "post",
            "page": None,
            "role": allowed,
            "fields": {"csrf_token": {"kind": "hidden", "value": "", "options": []}},
        }
    return missing


# ---------------------------------------------------------------------------- attack

KEEP = {"csrf_token"}


def _encode(fields: dict) -> bytes:
    pairs = []
    for name, value in fields.items():
        for v in value if isinstance(value, list) else [value]:
            pairs.append((name, v))
    return urlencode(pairs).encode("ascii")


def _bodies(form: dict, offset: int) -> tuple[list[dict], set]:
    """Bodies that put payloads in the form's fields, and the payloads sent. Each field first
    meets the payloads of its kind (FIRST), then the fields share PAYLOADS (from `offset`, each
    request a different payload in each field) until every payload has been sent to the form;
    one more body sends arrays for every scalar. A form without fields (a button: publish, move,
    delete) has nothing to carry payloads; it is posted with the text kinds in an unexpected
    field, which must change nothing and break nothing."""
    fields = {
        n: f for n, f in form["fields"].items() if n not in KEEP and f["kind"] not in ("file", "submit")
    }
    base = {
        n: f["value"]
        for n, f in form["fields"].items()
        if f["kind"] not in ("file", "submit", "radio", "checkbox")
    }
    names = list(fields) or ["campo_inesperado"]
    kinds = [fields[n]["kind"] if n in fields else "text" for n in names]
    firsts = [FIRST.get(k, _TEXT) for k in kinds]
    head = max(len(f) for f in firsts)
    sequence = PAYLOADS[offset:] + PAYLOADS[:offset]
    rounds = head + (-(-len(sequence) // len(names)) if fields else 0)
    bodies, sent = [], set()
    for r in range(rounds):
        body = dict(base)
        for i, name in enumerate(names):
            if r < head:
                value = firsts[i][r % len(firsts[i])]
            else:
                value = sequence[((r - head) * len(names) + i) % len(sequence)]
            body[name] = value
            sent.add(value)
        bodies.append(body)
    bodies.append({**base, **{n: ["1", "<b>2</b>", "\t"] for n in names}})  # arrays for scalars
    full = set(range(head)) | {len(bodies) - 1}
    return [(body, i in full) for i, body in enumerate(bodies)], sent


_ORIGINAL_RENDER = flask_templating._render
_RENDER = {"full": True}


def _render_or_errors(app, template, context):
    """The page (first rounds and the array round) or, for the rest of the payloads, only the
    errors of the view's forms, as the page's error macro writes them: the view, its form and its
    services run in full, only the page's HTML is skipped (most of a request's time)."""
    if _RENDER["full"]:
        return _ORIGINAL_RENDER(app, template, context)

    def messages(errors):
        for value in errors.values() if isinstance(errors, dict) else [errors]:
            if isinstance(value, dict):
                yield from messages(value)
            elif isinstance(value, list):
                yield from (m for m in value if isinstance(m, str | LazyString))

    out = []
    for value in context.values():
        if isinstance(value, WTForm):
            out += [f'<p class="error">{escape(str(m))}</p>' for m in messages(value.errors)]
    return "".join(out)


class _Sender:
    """Send one encoded body as a browser (its cookies, its address: staff sessions are bound to
    them) and give back (status, mimetype, HTML text)."""

    def __init__(self, app, browser):
        self.browser = browser.c

    def send(self, method: str, action: str, body: bytes) -> tuple[int, str, str]:
        if method == "get":
            separator = "&" if "?" in action else "?"
            response = self.browser.get(f"{action}{separator}{body.decode('ascii')}")
        else:
            response = self.browser.post(action, data=body, content_type="application/x-www-form-urlencoded")
        mimetype = response.mimetype or ""
        return response.status_code, mimetype, response.get_data(as_text=True) if "html" in mimetype else ""


def _errors_in(page: str) -> list[str]:
    return [
        re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", m))).replace("Error:", "").strip()
        for m in re.findall(r'<p class="error"[^>]*>(.*?)</p>', page, re.S)
    ]


def _our_messages():
    """A test of 'our own Spanish messages': one or more sentences of our catalogue (exact, or with
    their placeholders filled by anything), as a field's errors are written one after another."""
    from babel.messages.pofile import read_po

    with (ROOT / "translations" / "messages.pot").open("rb") as handle:
        ids = [i for m in read_po(handle) if m.id for i in ([m.id] if isinstance(m.id, str) else m.id)]
    alternatives = sorted(
        {re.sub(r"%(?:\\\(\w+\\\))?[sd]", ".+?", re.escape(re.sub(r"\s+", " ", i).strip())) for i in ids},
        key=len,
        reverse=True,
    )
    one = "(?:" + "|".join(alternatives) + ")"
    pattern = re.compile(f"{one}(?: {one})*", re.S)
    exact = {re.sub(r"\s+", " ", i).strip() for i in ids}
    return lambda message: message in exact or pattern.fullmatch(message) is not None


def _attack(app, visitors: dict, forms: dict, checks: dict, problems: list, stats: dict) -> None:
    for number, (key, form) in enumerate(sorted(forms.items(), key=lambda kv: str(kv[0]))):
        method, endpoint = key[0], key[1]
        token = None
        if method == "post":
            page = form["page"] or ("/urna/" if form["role"] == "anonymous" else "/gestion/cuenta/clave")
            token = visitors[form["role"]].csrf(page)
        wsgi = _Sender(app, visitors[form["role"]])
        bodies, sent = _bodies(form, (number * 53) % len(PAYLOADS))
        cpu = clock.process_time()
        carriers = {
            n for n, f in form["fields"].items() if n not in KEEP and f["kind"] not in ("file", "submit")
        }
        if carriers:  # a form whose only field is a file is a button here (uploads: test_uploads.py)
            stats["payloads"][endpoint] = max(stats["payloads"].get(endpoint, 0), len(sent))
        else:
            stats["buttons"].add(endpoint)
        for body, full in bodies:
            if token:
                body["csrf_token"] = token
            _RENDER["full"] = full
            try:
                status, mimetype, page = wsgi.send(method, form["action"], _encode(body))
            finally:
                _RENDER["full"] = True
            stats["requests"] += 1
            stats[status] = stats.get(status, 0) + 1
            if status >= 500:
                problems.append(f"{status} {method.upper()} {form['action']}")
                continue
            errors = _errors_in(page) if page else []
            stats["errors"] += len(errors)
            if status == 422 and full and not errors and 'class="error-summary"' not in page:
                problems.append(f"422 without a message: {method.upper()} {form['action']}")
            for error in errors:
                if error in checks["defaults"] or any(d in error for d in checks["long_defaults"]):
                    problems.append(f"library wording on {form['action']}: {error!r}")
                elif not checks["ours"](error):
                    problems.append(f"not one of our Spanish messages on {form['action']}: {error!r}")
        stats["cpu"][endpoint] = stats["cpu"].get(endpoint, 0) + clock.process_time() - cpu


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


def test_every_form_refuses_hostile_input_cleanly_with_our_spanish_messages(
    app, db, catalogs, make_user, monkeypatch
):
    started = clock.monotonic()
    assert len(PAYLOADS) >= 200
    with app.test_request_context("/", base_url=app.config["PARTICIPA_BASE_URL"]):
        for _order, _name, step in sorted(registry.get().demo, key=lambda s: s[0]):
            if _name != "characterisation profiles":
                step()
    db.session.remove()
    defaults = wtforms_defaults()
    checks = {
        "defaults": defaults,
        "long_defaults": [d for d in defaults if len(d) > 12],
        "ours": _our_messages(),
    }
    problems: list[str] = []
    limiter.enabled = False  # the limits are tested elsewhere; here every request must reach the form
    try:
        visitors = [("anonymous", Client(app.test_client()))]
        for role in ("admin", "editor", "analyst", "steward"):
            browser = Client(app.test_client())
            browser.login(make_user(role, email=f"hostil-{role}@prueba.gov.co"))
            visitors.append((role, browser))
        _seed(app, visitors[0][1])
        forms: dict = {}
        for role, browser in visitors[:2]:  # the other roles' forms come from the url map
            _crawl(app, browser, role, ["/"] if role == "anonymous" else ["/gestion/", "/"], forms)
        unreached = _from_url_map(app, visitors, forms)
        discovered = clock.monotonic() - started
        stats = {"requests": 0, "errors": 0, "payloads": {}, "cpu": {}, "buttons": set()}
        monkeypatch.setattr(flask_templating, "_render", _render_or_errors)
        # A password check costs a deliberate ~0.1 s (scrypt, also for unknown accounts): here no
        # payload is anyone's password, and the check's cost is not what this test measures.
        monkeypatch.setattr(account_commands, "check_password_hash", lambda _hash, _password: False)
        _attack(app, dict(visitors), forms, checks, problems, stats)
    finally:
        limiter.enabled = True
    _db.session.rollback()
    stored = _whitespace_values(_db)
    elapsed = clock.monotonic() - started
    payloads = stats.pop("payloads")
    costly = sorted(stats.pop("cpu").items(), key=lambda kv: -kv[1])[:8]
    print("most costly forms (CPU s):", ", ".join(f"{e} {t:.1f}" for e, t in costly))
    print(
        f"\n{len(forms)} forms, {len(payloads)} routes, {stats['requests']} hostile requests, "
        f"discovery {discovered:.1f} s, total {elapsed:.1f} s, {stats}"
    )
    assert not unreached, "\n".join(unreached)
    assert not problems, "\n".join(sorted(set(problems))[:40])
    assert not stored, stored[:20]
    posts = {r.endpoint for r in app.url_map.iter_rules() if "POST" in (r.methods or ())}
    attacked = set(payloads) | stats.pop("buttons")
    assert posts - set(EXCLUDED) <= attacked, sorted(posts - set(EXCLUDED) - attacked)
    assert min(payloads.values()) >= 200, sorted(payloads.items(), key=lambda kv: kv[1])[:5]
