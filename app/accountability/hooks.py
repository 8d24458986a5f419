"""What the accountability package gives other pages: its published reports on the transparency
page (section "rendicion")."""

from __future__ import annotations

from flask import url_for
from flask_babel import gettext as _

from app.accountability import queries
from app.core import time


def transparency_items(section: str) -> list[dict]:
    if section != "rendicion":
        return []
    out = []
    for r in queries.reports(published_only=True):
        out.append(
            {
                "title": _("%(title)s (PDF accesible)", title=r.title),
                "url": url_for("accountability.report_pdf", report_id=r.id),
                "text": _("Publicado el %(date)s.", date=time.to_local(r.published_at).strftime("%d/%m/%Y")),
            }
        )
        out.append(
            {
                "title": _("%(title)s (Word editable)", title=r.title),
                "url": url_for("accountability.report_docx", report_id=r.id),
                "text": "",
            }
        )
    return out
