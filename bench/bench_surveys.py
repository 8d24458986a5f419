"""Surveys at scale: 250,000 responses to a 12-question survey (BENCH_QUICK=1: 10,000).

Measures, on SQLite and PostgreSQL:
- the staff results page (every chart and indicator, aggregated in SQL), best of 5, target < 1 s;
- the CSV and XLSX exports (one row per response, one column per question), run in a fresh child
  process, peak RSS target < 200 MB.

    python bench/bench_surveys.py            # full size
    BENCH_QUICK=1 python bench/bench_surveys.py
"""

from __future__ import annotations

import os
import random
import subprocess
import sys
import time as clock
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import PY, QUICK, ROOT, databases, env_for, header, peak_rss_mb_of_child, reset_postgres  # noqa: E402

N = 10_000 if QUICK else 250_000
EMAIL, PASSWORD = "bench-analyst@prueba.gov.co", "contraseña-de-bench-123"


def _app():
    from app import create_app

    return create_app({"RATELIMIT_STORAGE_URI": "memory://", "PARTICIPA_BASE_URL": "http://bench.test"})


def child_load(n: int) -> None:
    """Create the schema, one 12-question survey and n responses (bulk inserts)."""
    from sqlalchemy import insert

    from app.accounts import commands as accounts
    from app.catalogs import commands as catalogs
    from app.core import time
    from app.extensions import db
    from app.surveys import commands
    from app.surveys.models import (
        LONG,
        MULTIPLE,
        NPS,
        RATING,
        SINGLE,
        YESNO,
        SurveyAnswer,
        SurveyResponse,
        random_bigint,
    )

    app = _app()
    with app.app_context():
        db.create_all()
        catalogs.load("medellin")
        accounts.create_user(EMAIL, PASSWORD, "analyst", name="Bench", actor="bench")
        survey = commands.create_survey(
            commands.SurveySettings(title="Encuesta de escala", results_public=True), actor="bench"
        )
        sid = survey.sections[0].id
        specs = [commands.QuestionData(sid, RATING, f"Calificación {i}", required=True) for i in range(1, 8)]
        specs += [
            commands.QuestionData(sid, NPS, "Recomendación"),
            commands.QuestionData(
                sid, SINGLE, "Horario", options=["Mañana", "Tarde", "Noche", "Fin de semana"]
            ),
            commands.QuestionData(
                sid, MULTIPLE, "Medios", options=["Radio", "Redes", "WhatsApp", "JAC", "Web"], max_choices=3
            ),
            commands.QuestionData(sid, YESNO, "¿Participaste antes?"),
            commands.QuestionData(sid, LONG, "Sugerencias"),
        ]
        questions = [commands.add_question(survey, s) for s in specs]
        commands.set_published(survey, True, actor="bench")
        assert len(questions) == 12
        rng = random.Random(250)
        today = time.today()
        batch = 5000
        for start in range(0, n, batch):
            responses, answers = [], []
            for _ in range(min(batch, n - start)):
                rid = random_bigint()
                responses.append({"id": rid, "survey_id": survey.id, "on_date": today, "channel": "link"})
                for q in questions:
                    if q.kind == RATING:
                        answers.append(
                            {
                                "response_id": rid,
                                "question_id": q.id,
                                "choice": 0,
                                "value": rng.randint(1, 5),
                                "text": None,
                            }
                        )
                    elif q.kind == NPS:
                        answers.append(
                            {
                                "response_id": rid,
                                "question_id": q.id,
                                "choice": 0,
                                "value": rng.randint(0, 10),
                                "text": None,
                            }
                        )
                    elif q.kind == SINGLE:
                        answers.append(
                            {
                                "response_id": rid,
                                "question_id": q.id,
                                "choice": 0,
                                "value": rng.randint(1, 4),
                                "text": None,
                            }
                        )
                    elif q.kind == MULTIPLE:
                        for v in rng.sample(range(1, 6), rng.randint(1, 3)):
                            answers.append(
                                {
                                    "response_id": rid,
                                    "question_id": q.id,
                                    "choice": v,
                                    "value": v,
                                    "text": None,
                                }
                            )
                    elif q.kind == YESNO:
                        answers.append(
                            {
                                "response_id": rid,
                                "question_id": q.id,
                                "choice": 0,
                                "value": rng.randint(0, 1),
                                "text": None,
                            }
                        )
                    elif rng.random() < 0.3:
                        answers.append(
                            {
                                "response_id": rid,
                                "question_id": q.id,
                                "choice": 0,
                                "value": None,
                                "text": "Que los eventos sean en la tarde y con más tiempo para preguntas. "
                                * 2,
                            }
                        )
            if db.engine.dialect.name == "postgresql":  # COPY: the load is setup, not what we measure
                cursor = db.session.connection().connection.driver_connection.cursor()
                with cursor.copy("COPY survey_response (id, survey_id, on_date, channel) FROM STDIN") as copy:
                    for r in responses:
                        copy.write_row((r["id"], r["survey_id"], r["on_date"], r["channel"]))
                with cursor.copy(
                    "COPY survey_answer (response_id, question_id, choice, value, text) FROM STDIN"
                ) as copy:
                    for a in answers:
                        copy.write_row(
                            (a["response_id"], a["question_id"], a["choice"], a["value"], a["text"])
                        )
            else:
                db.session.execute(insert(SurveyResponse), responses)
                db.session.execute(insert(SurveyAnswer), answers)
            db.session.commit()
        if db.engine.dialect.name == "postgresql":
            with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
                conn.exec_driver_sql("VACUUM ANALYZE")
        else:
            db.session.execute(db.text("ANALYZE"))
            db.session.commit()
        print(survey.id)


def _client(app):
    import re

    client = app.test_client()
    page = client.get("/gestion/ingresar").get_data(as_text=True)
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
    assert (
        client.post(
            "/gestion/ingresar", data={"email": EMAIL, "password": PASSWORD, "csrf_token": token}
        ).status_code
        == 302
    )
    return client


def child_results(survey_id: int) -> None:
    from bench.common import timed

    app = _app()
    with app.app_context():
        client = _client(app)

        def load():
            response = client.get(f"/gestion/encuestas/{survey_id}/resultados")
            assert response.status_code == 200 and "<svg" in response.get_data(as_text=True)

        print(f"{timed(load, repeat=5):.3f}")


def child_export(survey_id: int, fmt: str) -> None:
    app = _app()
    with app.app_context():
        client = _client(app)
        start = clock.perf_counter()
        response = client.get(f"/gestion/encuestas/{survey_id}/exportar.{fmt}", buffered=False)
        size = lines = 0
        for chunk in response.response:
            size += len(chunk)
            if fmt == "csv":
                lines += chunk.count("\n") if isinstance(chunk, str) else chunk.count(b"\n")
        response.close()
        print(f"{clock.perf_counter() - start:.1f} {size} {lines}")


def main() -> None:
    header(
        f"Surveys: {N:,} responses × 12 questions",
        ("BENCH_QUICK=1 " if QUICK else "") + "python bench/bench_surveys.py",
    )
    failed = False
    for name, url in databases():
        if name == "postgresql":
            reset_postgres(url)
        env = env_for(url)
        start = clock.perf_counter()
        result = subprocess.run(
            [PY, __file__, "--child", "load", str(N)], cwd=ROOT, env=env, capture_output=True, text=True
        )
        if result.returncode:
            raise RuntimeError(result.stderr[-3000:])
        survey_id = int(result.stdout.strip().splitlines()[-1])
        print(f"  [{name}] loaded {N:,} responses in {clock.perf_counter() - start:.0f} s")
        out = subprocess.run(
            [PY, __file__, "--child", "results", str(survey_id)],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
        )
        if out.returncode:
            raise RuntimeError(out.stderr[-3000:])
        seconds = float(out.stdout.strip().splitlines()[-1])
        ok = seconds < 1.0
        failed |= not ok
        print(f"  [{name}] results page: {seconds * 1000:.0f} ms (best of 5) {'OK' if ok else 'OVER 1 s'}")
        for fmt in ("csv", "xlsx"):
            peak, stdout = peak_rss_mb_of_child(
                [PY, __file__, "--child", "export", str(survey_id), fmt], env=env
            )
            secs, size, lines = stdout.strip().splitlines()[-1].split()
            ok = peak < 200
            failed |= not ok
            print(
                f"  [{name}] {fmt.upper()} export: {int(size) / 1e6:.1f} MB in {secs} s"
                f"{f', {int(lines) - 1:,} rows' if fmt == 'csv' else ''}; peak RSS {peak:.0f} MB "
                f"{'OK' if ok else 'OVER 200 MB'}"
            )
    if failed:
        sys.exit(1)


if __name__ == "__main__":
    if len(sys.argv) > 2 and sys.argv[1] == "--child":
        os.chdir(ROOT)
        kind = sys.argv[2]
        if kind == "load":
            child_load(int(sys.argv[3]))
        elif kind == "results":
            child_results(int(sys.argv[3]))
        else:
            child_export(int(sys.argv[3]), sys.argv[4])
    else:
        main()
