"""Citizen downloads of a published accountability report (PDF and DOCX)."""

from __future__ import annotations

from flask import abort

from app.accountability import queries
from app.core.exports import download

DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def report_or_404(report_id: int, published_only: bool = False):
    report = queries.get(report_id, published_only=published_only)
    if report is None:
        abort(404)
    return report


def report_download(report, kind: str):
    name = f"informe-rendicion-de-cuentas-{report.id}.{kind}"
    if kind == "pdf":
        return download(report.pdf, name, "application/pdf", inline=True)
    return download(report.docx, name, DOCX_TYPE)


def report_pdf(report_id: int):
    return report_download(report_or_404(report_id, published_only=True), "pdf")


def report_docx(report_id: int):
    return report_download(report_or_404(report_id, published_only=True), "docx")
