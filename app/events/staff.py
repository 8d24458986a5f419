"""Staff routes under /gestion/eventos/: events, QR materials, projection, live count,
attendance list, paper entry (the list, and the anonymous slips apart), closing and exports."""

from __future__ import annotations

from flask import Response, abort, current_app, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user

from app.catalogs import queries as catalogs
from app.core import audit, time
from app.core import exports as core_exports
from app.core.auth import office_choices, permission_required
from app.core.documents import qr_png, qr_svg
from app.core.text import single_line
from app.events import commands, documents, exports, queries, rules, tokens
from app.events.forms import (
    CONVOCATION_CHANNELS,
    SLIP_ROWS,
    CancelForm,
    CloseForm,
    EventForm,
    PaperRowForm,
    RowCorrectionForm,
    SlipsForm,
    event_data,
    signature,
)
from app.events.models import Attendance
from app.events.rules import EventError
from app.extensions import db


def _event(event_id: int, *, manage: bool = False):
    event = queries.get(event_id)
    if event is None:
        abort(404)
    if manage and not rules.can_manage(current_user, event):
        abort(403)
    return event


def _office_choices():
    """Editors with offices choose among theirs; others among all."""
    return office_choices(current_user, catalogs.office_choices())


def _dashboard_url(event) -> str | None:
    """The characterisation dashboard filtered to this event, when that page exists."""
    from app.events.models import CLOSED, PUBLISHED

    # Only events the dashboard lists (published or closed): a draft's link would be refused.
    if "characterization.dashboard_view" not in current_app.view_functions or event.status not in (
        PUBLISHED,
        CLOSED,
    ):
        return None
    return url_for("characterization.dashboard_view", capacidad="events", objeto=f"events:{event.id}")


@permission_required("content.view")
def index():
    status = request.args.get("estado", "")
    query = (single_line(request.args.get("q", "")) or "")[:100]
    page = int(request.args.get("pagina", "1")) if request.args.get("pagina", "1").isdigit() else 1
    events, has_more = queries.staff_events(status=status, query=query, page=max(1, min(page, 10000)))
    return render_template(
        "events/staff/index.html",
        events=events,
        has_more=has_more,
        page=page,
        status=status,
        query=query,
        counts=queries.counts_for(e.id for e in events),
        kind_labels=catalogs.labels("event_kind"),
    )


@permission_required("content.edit")
def new():
    start, end = rules.default_window()
    form = EventForm(
        office_choices=_office_choices(),
        data={"opens_before_min": start, "closes_after_min": end, "fixed_link_enabled": True}
        if request.method == "GET"
        else None,
    )
    if form.validate_on_submit():
        try:
            event = commands.create_event(event_data(form), current_user)
        except EventError as exc:
            form.offices.errors.append(str(exc))
        else:
            flash(_("Evento creado como borrador. Revísalo y publícalo cuando esté listo."), "success")
            return redirect(url_for("events_staff.detail", event_id=event.id))
    return render_template("events/staff/form.html", form=form, event=None), (422 if form.errors else 200)


@permission_required("content.view")
def detail(event_id: int):
    event = _event(event_id)
    counts = queries.counts_by_channel(event.id)
    return render_template(
        "events/staff/detail.html",
        event=event,
        can_manage=rules.can_manage(current_user, event),
        counts=counts,
        total=sum(counts.values()),
        state=rules.sign_in_state(event),
        window=rules.window(event),
        sign_in_url=tokens.sign_in_url(event),
        code_url=tokens.code_url(),
        code=tokens.display_code(event.short_code),
        dashboard_url=_dashboard_url(event),
        kind_labels=catalogs.labels("event_kind"),
        territory_names=catalogs.territory_names(),
        office_names=dict(catalogs.office_choices()),
        value_groups=catalogs.labels("value_group"),
        channel_names={k: str(v) for k, v in CONVOCATION_CHANNELS.items()},
    )


@permission_required("content.edit")
def edit(event_id: int):
    event = _event(event_id, manage=True)
    form = EventForm(office_choices=_office_choices(), obj=event if request.method == "GET" else None)
    if request.method == "GET":
        local_start, local_end = time.to_local(event.starts_at), time.to_local(event.ends_at)
        form.day.data, form.start.data, form.end.data = (
            local_start.date(),
            local_start.time(),
            local_end.time(),
        )
        form.offices.data, form.targets.data, form.channels.data = (
            event.office_codes,
            event.target_codes,
            event.channels,
        )
        form.territory.data = event.territory or ""
    if form.validate_on_submit():
        try:
            commands.update_event(event, event_data(form), current_user)
        except EventError as exc:
            form.offices.errors.append(str(exc))
        else:
            flash(_("Cambios guardados."), "success")
            return redirect(url_for("events_staff.detail", event_id=event.id))
    return render_template("events/staff/form.html", form=form, event=event), (422 if form.errors else 200)


def _act(event, fn, ok_message: str):
    try:
        fn()
    except EventError as exc:
        flash(str(exc), "error")
    else:
        flash(ok_message, "success")
    return redirect(url_for("events_staff.detail", event_id=event.id))


@permission_required("content.edit")
def publish(event_id: int):
    event = _event(event_id, manage=True)
    return _act(
        event, lambda: commands.publish(event, current_user), _("El evento quedó publicado en la agenda.")
    )


@permission_required("content.edit")
def toggle_link(event_id: int):
    event = _event(event_id, manage=True)
    enable = request.form.get("activar") == "1"
    message = (
        _("El enlace fijo y el código escrito funcionan.")
        if enable
        else _("El enlace fijo y el código escrito quedaron desactivados: solo sirve el QR de la proyección.")
    )
    return _act(event, lambda: commands.set_fixed_link(event, enable, current_user), message)


@permission_required("content.edit")
def renew_link(event_id: int):
    event = _event(event_id, manage=True)
    return _act(
        event,
        lambda: commands.renew_link(event, current_user),
        _("Enlace y código renovados. Los carteles anteriores ya no sirven: imprime el nuevo."),
    )


@permission_required("content.edit")
def cancel(event_id: int):
    event = _event(event_id, manage=True)
    form = CancelForm()
    if form.validate_on_submit():
        return _act(
            event,
            lambda: commands.cancel(event, form.reason.data, current_user),
            _("El evento quedó cancelado."),
        )
    return render_template("events/staff/cancel.html", form=form, event=event), (422 if form.errors else 200)


@permission_required("content.edit")
def close(event_id: int):
    event = _event(event_id, manage=True)
    total = queries.count(event.id)
    form = CloseForm(data={"attendance_total": total} if request.method == "GET" else None)
    if form.validate_on_submit():
        try:
            commands.close(
                event, form.attendance_total.data, form.summary.data, form.commitments.data, current_user
            )
        except EventError as exc:
            flash(str(exc), "error")
        else:
            flash(_("Evento cerrado. El listado de asistencia quedó en firme."), "success")
            return redirect(url_for("events_staff.detail", event_id=event.id))
    return render_template("events/staff/close.html", form=form, event=event, total=total), (
        422 if form.errors else 200
    )


# ---------------------------------------------------------------------------- QR materials


@permission_required("content.edit")
def qr_png_file(event_id: int):
    event = _event(event_id, manage=True)
    return core_exports.download(
        qr_png(tokens.sign_in_url(event), box_size=16, border=4), f"qr-evento-{event.id}.png", "image/png"
    )


@permission_required("content.edit")
def qr_svg_file(event_id: int):
    event = _event(event_id, manage=True)
    return core_exports.download(
        qr_svg(tokens.sign_in_url(event), border=4), f"qr-evento-{event.id}.svg", "image/svg+xml"
    )


@permission_required("content.edit")
def poster(event_id: int):
    event = _event(event_id, manage=True)
    return core_exports.download(
        documents.poster(event), f"cartel-evento-{event.id}.pdf", "application/pdf", inline=True
    )


@permission_required("content.edit")
def paper_sheet(event_id: int):
    event = _event(event_id, manage=True)
    return core_exports.download(
        documents.paper_sheet(event), f"planilla-evento-{event.id}.pdf", "application/pdf", inline=True
    )


@permission_required("content.edit")
def slips_pdf(event_id: int):
    """The anonymous characterisation slips to print (two per page) and the territory codes."""
    event = _event(event_id, manage=True)
    pages = request.args.get("hojas", type=int)
    pages = min(max(pages, 1), 100) if pages else None
    return core_exports.download(
        documents.slips(event, pages), f"fichas-evento-{event.id}.pdf", "application/pdf", inline=True
    )


# ---------------------------------------------------------------------------- projection & live count


@permission_required("content.edit")
def projection(event_id: int):
    event = _event(event_id, manage=True)
    # Projection mode (the default): the typed code rotates with the QR. `?codigo=fijo` shows the
    # poster's fixed code instead, only while the event allows its fixed link.
    fixed = request.args.get("codigo") == "fijo" and event.fixed_link_enabled
    code = tokens.display_code(event.short_code if fixed else tokens.rotating_code(event))
    return render_template(
        "events/staff/projection.html",
        event=event,
        url=tokens.rotating_url(event),
        total=queries.count(event.id),
        state=rules.sign_in_state(event),
        code=code,
        fixed=fixed,
        code_url=tokens.code_url(),
        refresh=min(30, tokens.rotation_seconds_left() + 1),
    )


@permission_required("content.edit")
def projection_svg(event_id: int):
    event = _event(event_id, manage=True)
    return Response(
        qr_svg(tokens.rotating_url(event), border=2),
        mimetype="image/svg+xml",
        headers={"Cache-Control": "no-store"},
    )


@permission_required("content.edit")
def projection_json(event_id: int):
    event = _event(event_id, manage=True)
    url = tokens.rotating_url(event)
    count = queries.count(event.id)
    return jsonify(
        {
            "url": url,
            "qr": url_for("events_staff.projection_svg", event_id=event.id, t=url.rsplit(".", 1)[-1]),
            "code": tokens.display_code(tokens.rotating_code(event)),
            "count": count,
            "count_word": _signatures_word(count),
            "state": rules.sign_in_state(event),
            "next_in": tokens.rotation_seconds_left(),
        }
    )


def _signatures_word(n: int) -> str:
    """The word after a live count ("1 firma", "12 firmas"), for the page's script."""
    return ngettext("firma", "firmas", n)


@permission_required("content.view")
def live(event_id: int):
    event = _event(event_id)
    counts = queries.counts_by_channel(event.id)
    return render_template(
        "events/staff/live.html",
        event=event,
        counts=counts,
        total=sum(counts.values()),
        state=rules.sign_in_state(event),
        updated=time.now(),
        channels=documents.channel_labels(),
    )


@permission_required("content.view")
def count_json(event_id: int):
    event = _event(event_id)
    counts = queries.counts_by_channel(event.id)
    total = sum(counts.values())
    return jsonify(
        {
            "total": total,
            "total_word": _signatures_word(total),
            "channels": counts,
            "state": rules.sign_in_state(event),
            "updated": f"{time.local_now():%H:%M:%S}",
        }
    )


# ---------------------------------------------------------------------------- attendance list & paper entry


@permission_required("content.view")
def attendance(event_id: int):
    event = _event(event_id)
    if current_user.can("identities.view"):
        level = "identities"
    elif current_user.can("names.view") and rules.can_manage(current_user, event):
        level = "names"
    else:
        level = "counts"
    rows = list(queries.attendance_rows(event.id)) if level != "counts" else []
    counts = queries.counts_by_channel(event.id)
    return render_template(
        "events/staff/attendance.html",
        event=event,
        level=level,
        rows=rows,
        counts=counts,
        total=sum(counts.values()),
        channels=documents.channel_labels(),
        doc_types=catalogs.labels("document_type"),
        can_correct=level != "counts" and rules.can_manage(current_user, event),
    )


@permission_required("content.edit")
def paper(event_id: int):
    event = _event(event_id, manage=True)
    form = PaperRowForm()
    result, status = None, 200
    if request.method == "POST":
        if form.validate_on_submit():
            try:
                result = commands.paper_entry(event, signature(form), current_user)
            except EventError as exc:
                flash(str(exc), "error")
                return redirect(url_for("events_staff.detail", event_id=event.id))
            if result.status == "duplicate":
                form.doc_number.errors.append(
                    _(
                        "Este documento ya está en el listado (firmó el %(at)s por %(channel)s). "
                        "No se guardó de nuevo.",
                        at=f"{time.to_local(result.attendance.signed_at):%H:%M}",
                        channel=documents.channel_labels().get(result.attendance.channel, ""),
                    )
                )
                status = 409
            elif result.status == "again":
                flash(_("Esa fila ya estaba guardada; no se duplicó."), "info")
                return redirect(url_for("events_staff.paper", event_id=event.id), code=303)
            else:
                flash(
                    _("Fila guardada (%(n)s en total). Sigue con la siguiente.", n=queries.count(event.id)),
                    "success",
                )
                return redirect(url_for("events_staff.paper", event_id=event.id), code=303)
        else:
            status = 422
    if request.method == "GET":
        form.nonce.data = tokens.new_nonce()
    recent = queries.recent_paper_rows(event.id) if current_user.can("names.view") else []
    return render_template(
        "events/staff/paper.html", event=event, form=form, total=queries.count(event.id), recent=recent
    ), status


def _slip_rows() -> int:
    rows = request.args.get("filas", type=int)
    return rows if rows in SLIP_ROWS else SLIP_ROWS[1]


@permission_required("content.edit")
def slips(event_id: int):
    """Digitise a stack of anonymous characterisation slips: one or several per page. They go to
    the profile buffer with no identity, apart from the attendance list (commands.enter_slips)."""
    event = _event(event_id, manage=True)
    rows = _slip_rows()
    form = SlipsForm()
    status = 200
    if request.method == "POST":
        if form.validate_on_submit():
            try:
                answers = [slip.answers() for slip in form.filled()]
                result = commands.enter_slips(event, answers, form.nonce.data, current_user)
            except EventError as exc:
                flash(str(exc), "error")
                return redirect(url_for("events_staff.detail", event_id=event.id))
            if result.status == "again":
                flash(_("Esa página de fichas ya estaba guardada; no se guardó de nuevo."), "info")
            else:
                flash(
                    ngettext(
                        "Guardaste %(num)d ficha. Sigue con las siguientes.",
                        "Guardaste %(num)d fichas. Sigue con las siguientes.",
                        result.stored,
                    ),
                    "success",
                )
                if result.sensitive_dropped:
                    flash(
                        ngettext(
                            "En %(num)d ficha de una persona menor de edad no se guardaron etnia, "
                            "discapacidad "
                            "ni víctima: en papel no hay autorización de su representante legal.",
                            "En %(num)d fichas de personas menores de edad no se guardaron etnia, "
                            "discapacidad "
                            "ni víctima: en papel no hay autorización de su representante legal.",
                            result.sensitive_dropped,
                        ),
                        "warning",
                    )
            return redirect(url_for("events_staff.slips", event_id=event.id, filas=rows), code=303)
        status = 422
    else:
        form.nonce.data = tokens.new_nonce()
    while len(form.slips) < rows:
        form.slips.append_entry()
    return render_template(
        "events/staff/slips.html",
        event=event,
        form=form,
        rows=rows,
        row_choices=SLIP_ROWS,
        entered=queries.slips_entered(event.id),
    ), status


@permission_required("names.view")
def correct_row(event_id: int, row_id: int):
    """Correct or void one row of the official list, with a reason kept in the audit log."""
    event = _event(event_id, manage=True)
    row = db.session.get(Attendance, row_id)
    if row is None or row.event_id != event.id:
        abort(404)
    identities = current_user.can("identities.view")
    form = RowCorrectionForm()
    status = 200
    if request.method == "GET":
        form.name.data, form.contact.data = row.name, row.contact
        if identities:
            form.doc_type.data, form.doc_number.data = row.doc_type, row.doc_number
    elif form.validate_on_submit():
        try:
            if form.action.data == "void":
                commands.void_row(event, row, form.reason.data, current_user)
                flash(
                    _("La fila quedó anulada; sigue en el listado oficial marcada como anulada."), "success"
                )
            else:
                data = {"name": form.name.data or "", "contact": form.contact.data or ""}
                if identities:
                    data.update(doc_type=form.doc_type.data or "", doc_number=form.doc_number.data or "")
                changed = commands.correct_row(event, row, data, form.reason.data, current_user)
                flash(
                    _("Fila corregida.") if changed else _("No cambiaste ningún dato."),
                    "success" if changed else "info",
                )
            return redirect(url_for("events_staff.attendance", event_id=event.id), code=303)
        except EventError as exc:
            db.session.rollback()
            form.reason.errors = [*form.reason.errors, str(exc)]
            status = 422
    else:
        status = 422
    return render_template(
        "events/staff/correct_row.html", event=event, row=row, form=form, identities=identities
    ), status


@permission_required("exports.personal")
def export(event_id: int, fmt: str):
    event = _event(event_id)
    if fmt in ("csv", "xlsx"):
        from app.core.i18n import selected_language
        from app.events import export_jobs

        rows = export_jobs.row_count(event.id)
        if export_jobs.should_queue(rows):  # large: prepared in the background ("Mis descargas")
            export_jobs.request_export(fmt, event, owner=current_user, lang=selected_language(), rows=rows)
            return redirect(url_for("downloads.index"))
    if fmt == "csv":
        return exports.csv(event)
    if fmt == "xlsx":
        return exports.xlsx(event)
    if fmt == "pdf":
        body = documents.official_list(event, queries.attendance_rows(event.id), identities=True)
        audit.record(
            "export",
            target="events.attendance",
            details={
                "format": "pdf",
                "filters": {"event": event.id},
                "rows": queries.count(event.id),
                "personal": True,
                "completed": True,
            },
        )
        return core_exports.download(
            body, f"asistencia-evento-{event.id}.pdf", "application/pdf", inline=True
        )
    abort(404)
