"""Staff pages under /gestion/encuestas/: list, builder, preview, QR, results, comparison, exports."""

from __future__ import annotations

from flask import Response, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf import FlaskForm

from app.catalogs import queries as catalogs
from app.characterization import disclosure
from app.characterization.forms import QUESTIONS as PROFILE_QUESTIONS
from app.core import documents, registry, time
from app.core.auth import login_required, may, permission_required
from app.extensions import db
from app.surveys import bursts, commands, exports, forms, queries, results, rules
from app.surveys.models import Survey, SurveyQuestion, SurveySection

# ------------------------------------------------------------------------------ access


def can_edit(survey: Survey) -> bool:
    return may(current_user, "content.edit", [survey.office_code] if survey.office_code else [])


def can_see_results(survey: Survey) -> bool:
    return current_user.can("dashboards.view") or can_edit(survey)


def can_export(survey: Survey) -> bool:
    return current_user.can("exports.anonymised") or can_edit(survey)


def _survey(survey_id: int, check=can_edit) -> Survey:
    survey = queries.get(survey_id)
    if survey is None:
        abort(404)
    if not check(survey):
        abort(403)
    return survey


def _event_choices():
    return [(int(i), str(label)) for i, label in registry.get().call("event_options")]


def _survey_form(survey: Survey | None = None, formdata=None) -> forms.SurveyForm:
    kwargs = {}
    if survey is not None and formdata is None:
        kwargs = {
            "obj": survey,
            "data": {
                "event_id": str(survey.event_id) if survey.event_id else "",
                "opens_at": time.to_local(survey.opens_at) if survey.opens_at else None,
                "closes_at": time.to_local(survey.closes_at) if survey.closes_at else None,
                "office_code": survey.office_code or "",
            },
        }
    form = forms.SurveyForm(
        formdata=formdata,
        event_choices=_event_choices(),
        office_choices=catalogs.office_choices(),
        with_template=survey is None,
        **kwargs,
    )
    return form


def _office_allowed(form: forms.SurveyForm) -> bool:
    code = form.office_code.data
    if not may(current_user, "content.edit", [code] if code else []):
        form.office_code.errors = [
            *form.office_code.errors,
            _("Solo puedes crear encuestas de las dependencias que gestionas."),
        ]
        return False
    return True


# ------------------------------------------------------------------------------ list and settings


@permission_required("content.view")
def index():
    surveys = queries.newest_first()
    counts = queries.response_counts()
    events = {s.event_id: queries.event_of(s) for s in surveys if s.event_id}
    return render_template(
        "surveys/staff/index.html",
        surveys=surveys,
        counts=counts,
        events=events,
        can_edit=can_edit,
        can_see_results=can_see_results,
    )


@permission_required("content.edit")
def new():
    form = _survey_form(formdata=request.form if request.method == "POST" else None)
    if request.method == "GET" and request.args.get("plantilla") in dict(form.template.choices):
        form.template.data = request.args["plantilla"]
    if request.method == "POST" and form.validate() and _office_allowed(form):
        try:
            survey = commands.create_survey(
                forms.settings_from(form), template=form.template.data or None, actor=current_user
            )
        except commands.SurveyError as exc:
            form[exc.field or "title"].errors = [str(exc)]
        else:
            flash(
                _("Encuesta creada como borrador. Revisa sus preguntas y publícala cuando esté lista."),
                "success",
            )
            return redirect(url_for(".builder", survey_id=survey.id))
    return render_template("surveys/staff/settings.html", form=form, survey=None), 422 if form.errors else 200


@permission_required("content.edit")
def settings(survey_id: int):
    survey = _survey(survey_id)
    form = _survey_form(survey, request.form if request.method == "POST" else None)
    if request.method == "POST" and form.validate() and _office_allowed(form):
        try:
            commands.update_survey(survey, forms.settings_from(form), actor=current_user)
        except commands.SurveyError as exc:
            form[exc.field or "title"].errors = [str(exc)]
        else:
            flash(_("Cambios guardados."), "success")
            return redirect(url_for(".builder", survey_id=survey.id))
    return render_template(
        "surveys/staff/settings.html", form=form, survey=survey
    ), 422 if form.errors else 200


@permission_required("content.edit")
def publish(survey_id: int):
    survey = _survey(survey_id)
    FlaskForm().validate_on_submit() or abort(400)
    publish_it = request.args.get("accion") != "retirar"
    try:
        commands.set_published(survey, publish_it, actor=current_user)
    except commands.SurveyError as exc:
        flash(str(exc), "error")
    else:
        flash(
            _("Encuesta publicada.") if publish_it else _("Encuesta retirada: ya no recibe respuestas."),
            "success",
        )
    return redirect(url_for(".builder", survey_id=survey.id))


@permission_required("content.edit")
def delete(survey_id: int):
    survey = _survey(survey_id)
    FlaskForm().validate_on_submit() or abort(400)
    try:
        commands.delete_survey(survey, actor=current_user)
    except commands.SurveyError as exc:
        flash(str(exc), "error")
        return redirect(url_for(".builder", survey_id=survey.id))
    flash(_("Encuesta borrada."), "success")
    return redirect(url_for(".index"))


# ------------------------------------------------------------------------------ builder


@permission_required("content.edit")
def builder(survey_id: int):
    """The questionnaire: sections, questions, reorder buttons; the add-section form posts here."""
    survey = _survey(survey_id)
    section_form = forms.SectionForm()
    if request.method == "POST":
        if section_form.validate():
            commands.add_section(survey, section_form.title.data, section_form.description.data or "")
            flash(_("Sección agregada."), "success")
            return redirect(url_for(".builder", survey_id=survey.id))
    by_id = {q.id: q for q in survey.questions}
    return render_template(
        "surveys/staff/builder.html",
        survey=survey,
        section_form=section_form,
        action_form=FlaskForm(),
        conditions={q.id: rules.condition_text(q, by_id) for q in survey.questions},
        kind_labels=forms.KIND_LABELS,
        responses=queries.response_count(survey),
        event=queries.event_of(survey),
        public_url=current_app.config["PARTICIPA_BASE_URL"] + url_for("surveys.answer", slug=survey.slug),
    ), (422 if section_form.errors else 200)


def _section(survey: Survey, section_id: int) -> SurveySection:
    section = db.session.get(SurveySection, section_id)
    if section is None or section.survey_id != survey.id:
        abort(404)
    return section


def _question(survey: Survey, question_id: int) -> SurveyQuestion:
    question = db.session.get(SurveyQuestion, question_id)
    if question is None or question.survey_id != survey.id:
        abort(404)
    return question


def _move_or_delete(survey: Survey, item, action: str, move, delete, deleted: str, anchor: str):
    """The builder's subir / bajar / borrar buttons, for a section or a question; back to the builder
    (at the item, unless it was deleted)."""
    FlaskForm().validate_on_submit() or abort(400)
    try:
        if action == "borrar":
            delete(item)
            flash(deleted, "success")
            anchor = ""
        else:
            move(item, -1 if action == "subir" else 1)
    except commands.SurveyError as exc:
        flash(str(exc), "error")
    return redirect(url_for(".builder", survey_id=survey.id) + anchor)


@permission_required("content.edit")
def section(survey_id: int, section_id: int):
    survey = _survey(survey_id)
    section = _section(survey, section_id)
    form = forms.SectionForm(obj=section)
    if form.validate_on_submit():
        commands.update_section(
            section,
            form.title.data,
            form.description.data or "",
            title_en=form.title_en.data or "",
            description_en=form.description_en.data or "",
        )
        flash(_("Sección guardada."), "success")
        return redirect(url_for(".builder", survey_id=survey.id))
    return render_template(
        "surveys/staff/section.html", survey=survey, section=section, form=form
    ), 422 if form.errors else 200


@permission_required("content.edit")
def section_action(survey_id: int, section_id: int, action: str):
    survey = _survey(survey_id)
    return _move_or_delete(
        survey,
        _section(survey, section_id),
        action,
        commands.move_section,
        commands.delete_section,
        _("Sección borrada."),
        f"#seccion-{section_id}",
    )


def _question_form(survey: Survey, question: SurveyQuestion | None, formdata=None) -> forms.QuestionForm:
    data = None
    if question is not None and formdata is None:
        data = {
            "section_id": question.section_id,
            "kind": question.kind,
            "text": question.text,
            "help": question.help,
            "required": question.required,
            "options": "\n".join(question.options or []),
            "max_choices": question.max_choices,
            "text_en": question.text_en,
            "help_en": question.help_en,
            "options_en": "\n".join(question.options_en or []),
            "condition": f"{question.condition_question_id}:{question.condition_value}"
            if question.condition_question_id
            else "",
        }
    elif formdata is None:
        wanted = request.args.get("seccion", type=int)
        data = {"section_id": wanted, "kind": "rating"}
    form = forms.QuestionForm(formdata=formdata, data=data)
    form.section_id.choices = [(s.id, s.title) for s in survey.sections]
    form.condition.choices = [("", _("— Siempre —"))] + rules.condition_options(survey, before=question)
    return form


@permission_required("content.edit")
def new_question(survey_id: int):
    survey = _survey(survey_id)
    return _question_page(
        survey, None, lambda data: commands.add_question(survey, data), _("Pregunta agregada.")
    )


@permission_required("content.edit")
def question(survey_id: int, question_id: int):
    survey = _survey(survey_id)
    question = _question(survey, question_id)

    def save(data):
        commands.update_question(question, data)
        return question

    return _question_page(survey, question, save, _("Pregunta guardada."))


def _question_page(survey, question, save, done: str):
    """The question editor (new or existing): on a valid POST `save(data)` stores it and returns
    the question; a rule it breaks is shown next to its field (or on top), the input kept."""
    form = _question_form(survey, question, request.form if request.method == "POST" else None)
    if request.method == "POST" and form.validate():
        try:
            saved = save(forms.question_data(form))
        except commands.SurveyError as exc:
            if exc.field:
                form[exc.field].errors = [str(exc)]
            else:
                flash(str(exc), "error")
        else:
            flash(done, "success")
            return redirect(url_for(".builder", survey_id=survey.id) + f"#pregunta-{saved.id}")
    return render_template("surveys/staff/question.html", survey=survey, question=question, form=form), (
        422 if request.method == "POST" else 200
    )


@permission_required("content.edit")
def question_action(survey_id: int, question_id: int, action: str):
    survey = _survey(survey_id)
    return _move_or_delete(
        survey,
        _question(survey, question_id),
        action,
        commands.move_question,
        commands.delete_question,
        _("Pregunta borrada."),
        f"#pregunta-{question_id}",
    )


@permission_required("content.edit")
def preview(survey_id: int):
    """The survey as a citizen sees it; submitting checks the answers and stores nothing."""
    survey = _survey(survey_id)
    form = forms.answer_form(survey, request.form if request.method == "POST" else None)
    if request.method == "POST" and forms.validate_answer_form(form, survey) is not None:
        flash(_("Vista previa: las respuestas son válidas. No se guardó nada."), "success")
        return redirect(url_for(".preview", survey_id=survey.id))
    event = queries.event_of(survey)
    return render_template(
        "surveys/public/answer.html",
        survey=survey,
        form=form,
        event=event,
        preview=True,
        action=url_for(".preview", survey_id=survey.id),
    ), 422 if form.errors else 200


@permission_required("content.view")
def qr(survey_id: int, fmt: str):
    survey = _survey(survey_id, check=lambda s: True)
    url = current_app.config["PARTICIPA_BASE_URL"] + url_for("surveys.answer", slug=survey.slug)
    if fmt == "png":
        return Response(documents.qr_png(url), mimetype="image/png")
    return Response(documents.qr_svg(url), mimetype="image/svg+xml")


# ------------------------------------------------------------------------------ results


@login_required
def results_page(survey_id: int):
    survey = _survey(survey_id, check=can_see_results)
    filters = results.clean_filters(survey, request.args.to_dict())
    viewer = disclosure.viewer_for(current_user) if filters else None
    data = results.compute(survey, filters, viewer=viewer)
    variables = results.filterable_variables(survey)
    options = {}
    for v in variables:
        if v == "territory":
            options[v] = catalogs.territory_choices()
        else:
            options[v] = catalogs.choices(v)
    if bursts.purge(survey.id):
        db.session.commit()
    return render_template(
        "surveys/staff/results.html",
        survey=survey,
        results=data,
        variables=variables,
        bursts=bursts.flagged(survey.id),
        burst_thresholds=bursts.THRESHOLDS,
        options=options,
        questions_text=PROFILE_QUESTIONS,
        note=disclosure.note(viewer) if viewer else "",
        legend=disclosure.legend(viewer) if viewer else "",
        can_export=can_export(survey),
        event=queries.event_of(survey),
    )


@login_required
def text_answers(survey_id: int, question_id: int):
    survey = _survey(survey_id, check=can_see_results)
    question = _question(survey, question_id)
    filters = results.clean_filters(survey, request.args.to_dict())
    page = max(1, min(request.args.get("pagina", 1, type=int) or 1, 100000))
    viewer = disclosure.viewer_for(current_user) if filters else None
    total_group = results.compute(survey, filters, viewer=viewer).responses if filters else 1
    texts, total = ([], 0) if total_group is None else results.text_answers(question, page, filters)
    return render_template(
        "surveys/staff/texts.html",
        survey=survey,
        question=question,
        texts=texts,
        total=total,
        page=page,
        pages=max(1, -(-total // results.TEXT_PAGE)),
        filters=filters,
    )


@login_required
def export(survey_id: int, fmt: str):
    survey = _survey(survey_id, check=can_export)
    name = f"encuesta-{survey.slug}.{fmt}"
    return exports.csv(survey, name) if fmt == "csv" else exports.xlsx(survey, name)


@permission_required("content.view")
def compare():
    """Side-by-side indicators of several surveys (typically the evaluations of several events)."""
    candidates = [s for s in queries.newest_first(published_only=True) if can_see_results(s)]
    wanted = set(request.args.getlist("encuesta", type=int))
    chosen = [s for s in candidates if s.id in wanted][:8]
    columns = [(s, results.compute(s)) for s in chosen]
    rows = results.side_by_side(columns)
    events = {s.id: queries.event_of(s) for s in candidates}
    return render_template(
        "surveys/staff/compare.html",
        candidates=candidates,
        columns=columns,
        rows=rows,
        events=events,
        wanted=wanted,
    )
