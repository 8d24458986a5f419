"""Screenshots of what a citizen (and a staff member) sees on a 390-px phone, for the README.

    .venv/bin/python scripts/screenshots.py [--out docs/screenshots] [--width 390]

Builds a throw-away SQLite database with the demo data (`flask participa demo`), serves the app
on a local port, and saves PNGs with Debian's Chromium through Playwright: home,
sign-in (QR link), consultation, urna virtual, results, and one staff page (the first 844-px
screen of each, as a phone shows it). Also saves the
consultation after an empty submit, to show the error summary. Nothing outside `--out` is
written; the database lives in a temporary directory.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import threading
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
CHROMIUM = os.environ.get("PARTICIPA_CHROMIUM", "/usr/bin/chromium")


def build_app(tmp: Path):
    from app import create_app
    from app.extensions import db

    app = create_app(
        {
            "DATABASE_URL": f"sqlite:///{tmp / 'demo.db'}",
            "RATELIMIT_ENABLED": False,
            "PARTICIPA_BASE_URL": "http://127.0.0.1",
        }
    )
    with app.app_context():
        db.create_all()
    result = app.test_cli_runner().invoke(args=["participa", "demo"], catch_exceptions=False)
    if result.exit_code != 0:  # pragma: no cover - a broken demo is a bug to see at once
        raise SystemExit(result.output)
    return app


def pages(app) -> dict[str, str]:
    """name -> path of each page to capture, from the demo data (plus one event open for
    signing now, as an attendee finds it when scanning the poster)."""
    import secrets
    from datetime import timedelta

    from sqlalchemy import select

    from app.consultations.models import Consultation
    from app.core import time
    from app.events import commands as events
    from app.events.models import PUBLISHED, Event, EventOffice
    from app.extensions import db

    with app.app_context():
        consultations = db.session.scalars(select(Consultation).order_by(Consultation.id)).all()
        open_c = next(c for c in consultations if c.state() == "open")
        closed = next((c for c in consultations if c.state() == "closed"), open_c)
        start = time.now().replace(microsecond=0) - timedelta(minutes=15)
        event = Event(
            kind="DIA",
            title="Espacio de diálogo: presupuesto participativo",
            status=PUBLISHED,
            starts_at=start,
            ends_at=start + timedelta(hours=2),
            place="Biblioteca pública Belén",
            territory="16",
            token=secrets.token_urlsafe(16),
            secret=secrets.token_urlsafe(32),
            short_code=events.new_short_code(),
            opens_before_min=60,
            closes_after_min=60,
        )
        event.offices = [EventOffice(office_code="DAP")]
        db.session.add(event)
        db.session.commit()
        targets = {
            "home": "/",
            "sign-in": f"/asistencia/{event.token}",
            "consultation": f"/consultas/{open_c.slug}",
            "urna": "/urna/",
            "results": f"/consultas/{closed.slug}/resultados",
        }
    return targets


def main(argv=None) -> int:
    import logging

    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default=str(ROOT / "docs" / "screenshots"))
    parser.add_argument("--width", type=int, default=390)
    args = parser.parse_args(argv)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)

    from playwright.sync_api import sync_playwright
    from werkzeug.serving import make_server

    from app.accounts.cli import DEMO_PASSWORD, DEMO_USERS

    with tempfile.TemporaryDirectory() as tmp:
        app = build_app(Path(tmp))
        server = make_server("127.0.0.1", 0, app, threaded=True)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        base = f"http://127.0.0.1:{server.server_port}"
        targets = pages(app)
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=["--no-sandbox"])
            page = browser.new_page(viewport={"width": args.width, "height": 844}, locale="es-CO")
            for name, path in targets.items():
                page.goto(base + path)
                page.screenshot(path=str(out / f"{name}.png"))  # the first screen, as a phone shows it
                print(f"{name}: {path}")
            # The error summary after an empty submit of the consultation.
            page.goto(base + targets["consultation"])
            page.locator("form.consultation-form button[type=submit]").last.click()
            page.wait_for_load_state()
            page.screenshot(path=str(out / "consultation-error.png"))
            # One staff page: the urna inbox, signed in as the demo editor.
            email = next(e for e, role, _n in DEMO_USERS if role == "editor")
            page.goto(base + "/gestion/ingresar")
            page.fill("#email", email)
            page.fill("#password", DEMO_PASSWORD)
            page.locator("main button[type=submit]").click()
            page.wait_for_load_state()
            page.goto(base + "/gestion/urna/")
            page.screenshot(path=str(out / "staff-urna.png"))
            browser.close()
        server.shutdown()
    print(f"saved in {out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
