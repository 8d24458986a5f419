"""A citizen answers a consultation on a phone (390×844) with the keyboard only; axe finds nothing."""

from datetime import timedelta

from sqlalchemy import select

from app.consultations.models import Consultation, ConsultationResponse, ConsultationTopic
from app.core import time


def _consultation(db):
    now = time.now()
    c = Consultation(
        slug="temas-navegador",
        title="¿Sobre qué temas quieres que te rindamos cuentas?",
        introduction="Elige hasta dos temas.",
        office_code="DAP",
        opens_at=now - timedelta(days=1),
        closes_at=now + timedelta(days=5),
        max_choices=2,
        variables=["life_course", "sex", "ethnicity"],
        rule="device",
        is_public=True,
    )
    c.topics = [
        ConsultationTopic(office_code=o, title=t, description=d, position=i)
        for i, (o, t, d) in enumerate(
            [
                ("SMOV", "Movilidad y andenes", "Rutas y andenes."),
                ("SEDU", "Calidad de la educación", "Colegios."),
                ("SSAL", "Salud mental", "Jóvenes."),
                ("SMA", "Calidad del aire", "Árboles."),
            ],
            1,
        )
    ]
    db.session.add(c)
    db.session.commit()
    return c


def _tab_to(page, selector: str, limit: int = 200) -> None:
    """Press Tab until the element matching `selector` has the focus (keyboard only)."""
    for _ in range(limit):
        if page.evaluate("(s) => document.activeElement === document.querySelector(s)", selector):
            return
        page.keyboard.press("Tab")
    raise AssertionError(f"could not reach {selector} with Tab")


def test_answer_with_keyboard_only_on_a_phone(phone, db, catalogs):
    c = _consultation(db)
    topics = [t.id for t in c.topics]
    phone.visit("/consultas/")
    phone.visit(f"/consultas/{c.slug}")

    # Too many topics: a clear message next to the field, choices kept.
    for tid in topics[:3]:
        _tab_to(phone, f"#topic-{tid}")
        phone.keyboard.press("Space")
    _tab_to(phone, "#profile-consent")
    phone.keyboard.press("Space")
    _tab_to(phone, "form.consultation-form > button[type=submit]")
    with phone.expect_navigation():
        phone.keyboard.press("Enter")
    phone.check()
    assert "puedes elegir hasta 2" in phone.inner_text("#topics-error")
    assert phone.is_checked(f"#topic-{topics[2]}")

    # Untick one and send.
    _tab_to(phone, f"#topic-{topics[2]}")
    phone.keyboard.press("Space")
    _tab_to(phone, "#profile-sex-0")  # a radio group: Tab enters it, Space picks
    phone.keyboard.press("Space")
    _tab_to(phone, "form.consultation-form > button[type=submit]")
    with phone.expect_navigation(url="**/gracias**"):
        phone.keyboard.press("Enter")
    phone.check()
    assert "Recibimos tu respuesta" in phone.inner_text("h1")
    db.session.expire_all()
    assert db.session.scalar(select(ConsultationResponse)).profile_id is not None

    # Back on the consultation: it says this browser already answered.
    phone.visit(f"/consultas/{c.slug}")
    assert "Ya respondiste esta consulta" in phone.inner_text("main")


def test_results_with_rules_bursts_and_verified_filter_are_accessible(desktop, db, catalogs, make_user):
    from app.consultations import tally
    from app.consultations.models import ConsultationBurst
    from tests.browser.conftest import staff_login
    from tests.conftest import PASSWORD

    c = _consultation(db)
    c.results_published_at = time.now()
    for rule, topic, n in (("device", 0, 7), ("document", 1, 6)):
        for _ in range(n):
            tally.add(c.id, None, [c.topics[topic].id], rule)
    db.session.add(
        ConsultationBurst(
            consultation_id=c.id, kind="address", window_start=time.now(), window_minutes=1, n=12
        )
    )
    db.session.commit()
    desktop.visit(f"/consultas/{c.slug}/resultados")
    assert desktop.locator("#tabla-reglas").is_visible()
    make_user("steward", email="custodia-consultas@prueba.gov.co")
    staff_login(desktop, "custodia-consultas@prueba.gov.co", PASSWORD)
    desktop.visit(f"/gestion/consultas/{c.id}/resultados")
    assert "12 respuestas desde una misma dirección" in desktop.locator("#rafagas").inner_text()
    desktop.click("text=Ver solo respuestas verificadas")
    desktop.wait_for_load_state()
    desktop.check()
    assert "Respuestas verificadas: 6." in desktop.inner_text("main")
