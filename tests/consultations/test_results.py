"""Results: ranking, breakdowns protected by the disclosure layer, exports equal to the page, hooks."""

import csv
import io
import re
from html import unescape

from tests.conftest import Client
from tests.consultations.conftest import answer, fresh_g


def _crowd(app, c):
    """12 women in Castilla (05) choosing topics 0 and 1; 8 men in La Candelaria (10) choosing 0
    and 2; 3 men in El Poblado (14) choosing 3; 2 people without consent choosing 4."""
    for _ in range(12):
        answer(Client(app.test_client()), c, [0, 1], profile={"territory": "05", "sex": "2"})
    for _ in range(8):
        answer(Client(app.test_client()), c, [0, 2], profile={"territory": "10", "sex": "1"})
    for _ in range(3):
        answer(Client(app.test_client()), c, [3], profile={"territory": "14", "sex": "1"})
    for _ in range(2):
        answer(Client(app.test_client()), c, [4], consent=False)
    fresh_g()


def near(text: str, n: int) -> bool:
    """A protected figure: n moved by at most 2, never under 5."""
    return text.isdigit() and int(text) >= 5 and abs(int(text) - n) <= 2


def _tables(html: str) -> list[list[str]]:
    """Every row of every table of the page, as text cells."""
    rows = []
    for tr in re.findall(r"<tr>(.*?)</tr>", html, re.S):
        cells = [
            re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", cell))).strip()
            for cell in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", tr, re.S)
        ]
        rows.append(cells)
    return rows


def test_public_results_are_protected(app, client, make_consultation):
    c = make_consultation(published=True)
    _crowd(app, c)
    html = client.get(f"/consultas/{c.slug}/resultados").get_data(as_text=True)
    rows = _tables(html)
    ranking = {r[0]: r[1] for r in rows if len(r) == 2}
    assert near(ranking["Movilidad y andenes"], 20) and near(ranking["Calidad de la educación"], 12)
    assert ranking["Calidad del aire"] == "x"  # 3 people: the marker
    territory_rows = {r[0]: r for r in rows if len(r) == 3}
    castilla = next(v for k, v in territory_rows.items() if "Castilla" in k)
    poblado = next(v for k, v in territory_rows.items() if "El Poblado" in k)
    assert near(castilla[1], 12) and poblado[1] == "x"
    assert "Calidad del aire" not in poblado[2]
    shown = [int(n.replace(".", "")) for r in rows for n in re.findall(r"\((\d[\d.]*)\)", " ".join(r))]
    assert all(n >= 5 for n in shown)  # no visible count under k anywhere
    assert re.search(r"Respuestas recibidas: (\d+)\.", html) and "Estas cifras están protegidas" in html
    assert near(re.search(r"Respuestas recibidas: (\d+)\.", html)[1], 25)
    assert near(re.search(r"Solo cuentan las (\d+) respuestas", html)[1], 23)
    assert "«x»: cifra protegida" in html and "Cada cifra cuenta respuestas, no personas." in html
    again = client.get(f"/consultas/{c.slug}/resultados").get_data(as_text=True)
    assert _tables(again) == rows  # the same figures every time: nothing to average away


def test_dense_breakdown_shows_each_territory_ranking(app, client, make_consultation):
    c = make_consultation(published=True)
    for territory, size in (("05", 12), ("10", 8), ("07", 7), ("16", 6)):
        for i in range(size):
            answer(
                Client(app.test_client()), c, [0, 1] if i % 3 else [0, 2], profile={"territory": territory}
            )
    fresh_g()
    rows = {
        r[0]: r
        for r in _tables(client.get(f"/consultas/{c.slug}/resultados").get_data(as_text=True))
        if len(r) == 3
    }
    castilla = next(v for k, v in rows.items() if "Castilla" in k)
    top = re.match(r"Movilidad y andenes \((\d+)\)", castilla[2])
    assert near(castilla[1], 12) and top and near(top[1], 12)


def test_steward_sees_exact_counts_editor_does_not(app, client, make_consultation, make_user):
    c = make_consultation(office="SMOV")
    _crowd(app, c)
    client.login(make_user("steward"))
    html = client.get(f"/gestion/consultas/{c.id}/resultados").get_data(as_text=True)
    rows = _tables(html)
    assert ["Calidad del aire", "3"] in rows and ["Movilidad y andenes", "20"] in rows
    assert "Ves las cifras exactas" in html
    fresh_g()
    editor = Client(app.test_client())
    editor.login(make_user("editor", email="movilidad@prueba.gov.co", offices=("SMOV",)))
    rows = _tables(editor.get(f"/gestion/consultas/{c.id}/resultados").get_data(as_text=True))
    assert ["Calidad del aire", "x"] in rows


def test_breakdown_by_population_group(app, client, make_consultation):
    c = make_consultation(published=True)
    _crowd(app, c)
    html = client.get(f"/consultas/{c.slug}/resultados?por=sex").get_data(as_text=True)
    rows = {r[0]: r for r in _tables(html) if len(r) == 3}
    mujer = next(v for k, v in rows.items() if k.lower().startswith("mujer"))
    assert near(mujer[1], 12)
    assert (
        client.get(f"/consultas/{c.slug}/resultados?por=nope").status_code == 200
    )  # falls back to territory


def test_csv_export_equals_results_page(app, client, make_consultation, db):
    from sqlalchemy import select

    from app.core.audit import AuditEntry

    c = make_consultation(published=True)
    _crowd(app, c)
    html = client.get(f"/consultas/{c.slug}/resultados?por=territory").get_data(as_text=True)
    page_rows = _tables(html)
    response = client.get(f"/consultas/{c.slug}/resultados.csv?por=territory")
    assert response.status_code == 200
    exported = list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff")), delimiter=";"))[
        1:
    ]
    ranking = [[r[3], r[4]] for r in exported if r[0] == "Ranking general"]
    rules = [[r[1], r[4]] for r in exported if r[0] == "Regla de una respuesta por persona"]
    assert rules == [["Desde un navegador: una por navegador (sin verificar identidad)", "25"]]
    assert rules + ranking == [r for r in page_rows if len(r) == 2 and r[0] not in ("Categoría", "Regla")]
    groups = {}
    for section, group, _rank, topic, value in exported[1:]:
        if section == "Comuna o corregimiento":
            groups.setdefault(group, []).append((topic, value))
    for label, people, tops in (r for r in page_rows if len(r) == 3 and r[0] != "Comuna o corregimiento"):
        assert groups[label][0] == ("Respuestas del grupo", people)
        listed = " ".join(f"{t} ({v})" for t, v in groups[label][1:])
        assert listed == tops or (not groups[label][1:] and "Muy pocas respuestas" in tops)
    assert exported[0][:4] == ["Respuestas", "", "", ""] and near(exported[0][4], 25)
    xlsx = client.get(f"/consultas/{c.slug}/resultados.xlsx")
    assert xlsx.status_code == 200 and xlsx.data[:2] == b"PK"
    assert db.session.scalar(select(AuditEntry).where(AuditEntry.target == "consultations.results.public"))


def test_hooks(app, client, make_consultation):
    from app.core import registry

    c = make_consultation(published=True, state="closed")
    make_consultation(slug="abierta")
    reg = registry.get(app)
    with app.test_request_context():
        options = dict(reg.call("topic_options"))
        assert options[c.topics[0].id].endswith("Movilidad y andenes")
        summary = reg.call("topic_summary", c.topics[0].id)[0]
        assert summary["url"] == f"/consultas/{c.slug}/temas/{c.topics[0].id}"
        assert reg.call("topic_summary", 999999) == []
        assert [i["url"] for i in reg.call("transparency_items", "rendicion")] == [
            f"/consultas/{c.slug}/resultados"
        ]
        assert len(reg.call("transparency_items", "consulta")) == 2
        assert reg.call("transparency_items", "control") == []
        objects = reg.call("characterization_objects")
        assert {o["capability"] for o in objects} >= {"consultations"}
    home = client.get("/").get_data(as_text=True)
    assert "/consultas/abierta" in home and f'/consultas/{c.slug}"' not in home
    search = client.get("/buscar?q=calidad del aire").get_data(as_text=True)
    assert "/consultas/abierta" in search
    assert client.get("/buscar?q=%00aire%25_").status_code == 200  # NUL and LIKE wildcards are harmless
