"""Citizen pages: deposit, receipt, lookup, status, public archive and figures."""

from __future__ import annotations

from datetime import datetime, timedelta

from flask import (
    abort,
    after_this_request,
    current_app,
    flash,
    make_response,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from sqlalchemy import select

from app.characterization.forms import answers_of
from app.core import time
from app.core.exports import download
from app.core.i18n import selected_language
from app.core.ratelimit import device_key, ip_key, limit_public_post
from app.extensions import db, limiter

from . import commands, notices, queries, receipt_document, rules
from .forms import DepositForm, LookupForm
from .models import BallotNotice

SESSION_RECEIPT = "ballot_receipt"
RECEIPT_KEPT = timedelta(minutes=30)  # how long this browser can show the receipt (and its code) again
LOOKUP_PER_DEVICE = "10 per minute;60 per hour"
LOOKUP_PER_IP = "600 per hour"
SESSION_ACCESS = "ballot_access"  # radicados this browser proved it holds the code of
MAX_REMEMBERED = 10


def _remember(radicado: str) -> None:
    known = [r for r in session.get(SESSION_ACCESS, []) if r != radicado]
    session[SESSION_ACCESS] = (known + [radicado])[-MAX_REMEMBERED:]


def _deliver_after_response(question_id: int) -> None:
    """Try the new notices once the citizen's page is sent; a failure leaves them for retry."""
    ids = list(db.session.scalars(select(BallotNotice.id).where(BallotNotice.question_id == question_id)))
    if not ids:
        return
    app = current_app._get_current_object()

    @after_this_request
    def _later(response):
        def run():
            with app.app_context():
                try:
                    notices.deliver_pending(ids=ids)
                except Exception:  # noqa: BLE001 - the notice stays in the outbox for the next run
                    app.logger.exception("Could not deliver ballot notices %s", ids)

        response.call_on_close(run)
        return response


@limit_public_post
def deposit():
    form = DepositForm()
    if not form.nonce.data:
        form.nonce.data = rules.new_nonce()
    if request.method == "GET" and "event" in form and request.args.get("evento", "").isdigit():
        if any(value == request.args["evento"] for value, _label in form.event.choices):
            form.event.data = request.args["evento"]
    if form.validate_on_submit():
        try:
            receipt = commands.deposit(
                form.deposit_data(),
                answers_of(form.profile.form),
                lang=selected_language(),
                nonce=form.nonce.data,
            )
        except commands.DepositError as exc:
            form.text.errors = [*form.text.errors, str(exc)]
        else:
            _remember(receipt.question.radicado)
            if receipt.repeated and _receipt_data():
                return redirect(url_for("ballot.receipt"))  # the same form again: the same receipt
            keep_receipt(
                receipt.question.radicado,
                receipt.code,
                consented=receipt.consented,
                dropped=receipt.sensitive_dropped,
                had_profile=_had_profile_answers(form),
            )
            if receipt.question.email and not receipt.repeated:
                _deliver_after_response(receipt.question.id)
            return redirect(url_for("ballot.receipt"))
    status = 422 if request.method == "POST" else 200
    kinds = {k: v for k, v in rules.KINDS.items() if k not in rules.DATA_KINDS}
    return render_template("ballot/public/deposit.html", form=form, kinds=kinds), status


def receipt():
    data = _receipt_data()
    question = queries.by_radicado(data["radicado"]) if data else None
    if question is None:
        return _receipt_gone()
    response = make_response(
        render_template(
            "ballot/public/receipt.html",
            q=question,
            code=data["code"],
            info=data,
            kept_minutes=int(RECEIPT_KEPT.total_seconds() // 60),
        )
    )
    response.headers["Cache-Control"] = "no-store"  # the code never stays in a shared cache or history
    return response


def receipt_pdf():
    data = _receipt_data()
    question = queries.by_radicado(data["radicado"]) if data else None
    if question is None:
        return _receipt_gone()
    return download(
        receipt_document.pdf(question, data["code"]), f"{question.radicado}.pdf", "application/pdf"
    )


def forget_receipt():
    session.pop(SESSION_RECEIPT, None)
    flash(
        _(
            "Borramos el código de este navegador. Consulta tu solicitud con el radicado y el código que "
            "guardaste."
        ),
        "info",
    )
    return redirect(url_for("ballot.lookup"))


@limiter.limit(LOOKUP_PER_DEVICE, key_func=device_key, methods=["POST"])
@limiter.limit(LOOKUP_PER_IP, key_func=ip_key, methods=["POST"])
def lookup():
    form = LookupForm()
    not_found = False
    if form.validate_on_submit():
        question = queries.lookup(form.radicado.data, form.code.data)
        if question is not None:
            _remember(question.radicado)
            return redirect(url_for("ballot.status", radicado=question.radicado))
        not_found = True
    status = 422 if request.method == "POST" else 200
    return render_template("ballot/public/lookup.html", form=form, not_found=not_found), status


def status(radicado: str):
    question = queries.by_radicado(radicado) if radicado in session.get(SESSION_ACCESS, []) else None
    if question is None:
        return redirect(url_for("ballot.lookup"))
    return render_template("ballot/public/status.html", q=question, overdue=rules.is_overdue(question))


def archive():
    q = (request.args.get("q") or "").strip()[:100]
    try:
        page = max(1, min(int(request.args.get("pagina", 1)), 10000))
    except ValueError:
        page = 1
    rows, total = queries.archive(q, page)
    pages = max(1, -(-total // queries.ARCHIVE_PAGE_SIZE))
    return render_template("ballot/public/archive.html", rows=rows, total=total, q=q, page=page, pages=pages)


def archive_detail(question_id: int):
    question = queries.public_question(question_id)
    if question is None:
        abort(404)
    return render_template("ballot/public/archive_detail.html", q=question)


def figures():
    years = queries.years() or [time.today().year]
    try:
        year = int(request.args.get("anio", years[0]))
    except ValueError:
        year = years[0]
    if year not in years:
        year = years[0]
    return render_template("ballot/public/figures.html", f=queries.figures(year), years=years, year=year)


def keep_receipt(radicado: str, code: str, *, consented: bool, dropped: bool, had_profile: bool) -> None:
    """Keep this browser's receipt (radicado and lookup code) for RECEIPT_KEPT, so reloading the
    receipt page shows the code again."""
    session[SESSION_RECEIPT] = {
        "radicado": radicado,
        "code": code,
        "consented": consented,
        "dropped": dropped,
        "had_profile": had_profile,
        "until": (time.now() + RECEIPT_KEPT).isoformat(),
    }


def _receipt_data() -> dict | None:
    """The receipt of this browser's last deposit, while it is kept (reloading the receipt page
    shows the code again; after RECEIPT_KEPT, or "I saved it", only radicado and code open it)."""
    data = session.get(SESSION_RECEIPT)
    if not data:
        return None
    try:
        until = datetime.fromisoformat(data.get("until", ""))
    except (TypeError, ValueError):
        until = None
    if until is None or time.now() > until:
        session.pop(SESSION_RECEIPT, None)
        return None
    return data


def _receipt_gone():
    flash(
        _(
            "El código de consulta ya no se muestra en este navegador. Consulta tu solicitud con el radicado "
            "y el "
            "código que guardaste."
        ),
        "info",
    )
    return redirect(url_for("ballot.lookup"))


def _had_profile_answers(form) -> bool:
    section = form.profile.form
    skip = {"consent", "guardian_consent", "csrf_token"}
    return any(f.data not in (None, "", [], False) for name, f in section._fields.items() if name not in skip)
