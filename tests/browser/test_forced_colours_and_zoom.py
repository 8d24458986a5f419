"""Forced colours (Windows high contrast) and 200 % zoom.

- In forced colours every plan progress bar and every chart bar is still drawn: the filled part
  opts out of colour forcing (`forced-color-adjust: none`) in a system colour that differs from
  the page background, with a non-zero width where the figure is not zero, and the bar's track
  keeps a visible border.
- At 200 % zoom a 1280-px window is a 640-px CSS viewport (and a 640-px one is 320 px): no page
  scrolls sideways, the staff lists of surveys and consultations and the consent box included.
"""

from __future__ import annotations

import pytest

from app.extensions import db as _db
from tests.browser.conftest import SMALL_PHONE, _page, staff_login
from tests.browser.test_consultations import _consultation
from tests.browser.test_plans import plan_with_follow_up  # noqa: F401 - the fixture
from tests.conftest import PASSWORD

pytestmark = pytest.mark.browser

ZOOMED_WINDOW = {"width": 640, "height": 400}  # a 1280×800 window at 200 %

BARS = """(selector) => Array.from(document.querySelectorAll(selector)).map(el => {
  const style = getComputedStyle(el);
  const track = el.parentElement;
  const trackStyle = getComputedStyle(track);
  const rect = el.querySelector('rect');
  return {cls: el.getAttribute('class') || '', width: el.getBoundingClientRect().width,
          adjust: style.forcedColorAdjust, background: style.backgroundColor,
          fill: rect ? getComputedStyle(rect).fill : null,
          pageBackground: getComputedStyle(document.body).backgroundColor,
          trackBorder: parseFloat(trackStyle.borderTopWidth), trackBorderStyle: trackStyle.borderTopStyle};
})"""

SIDEWAYS = """() => { const s = document.scrollingElement;
  const wide = Array.from(document.querySelectorAll('body *')).filter(el => !el.closest('.table-scroll *')
    && el.getBoundingClientRect().right
    > s.clientWidth + 1).slice(0, 6).map(el => el.tagName.toLowerCase() + '.'
    + (el.getAttribute('class') || '')
    + '#' + (el.id || '') + ' ' + Math.round(el.getBoundingClientRect().right));
  return {scroll: s.scrollWidth, client: s.clientWidth, wide}; }"""


def _no_sideways_scroll(page, path):
    state = page.evaluate(SIDEWAYS)
    assert state["scroll"] <= state["client"], (path, state)


def test_plan_progress_bars_are_drawn_in_forced_colours(phone, plan_with_follow_up):  # noqa: F811
    phone.emulate_media(forced_colors="active")
    assert phone.evaluate("() => matchMedia('(forced-colors: active)').matches")
    for path in ("/planes/", f"/planes/{plan_with_follow_up.id}"):
        phone.visit(path)
        bars = phone.evaluate(BARS, ".plan-bar > span")
        assert bars, path
        for bar in bars:
            assert bar["adjust"] == "none", bar
            assert bar["background"] not in ("rgba(0, 0, 0, 0)", "transparent", bar["pageBackground"]), bar
            assert bar["trackBorder"] > 0 and bar["trackBorderStyle"] != "none", (
                bar
            )  # the empty part shows its edge
        filled = [b for b in bars if "w-0" not in b["cls"]]
        assert filled and all(b["width"] > 0 for b in filled), path


def test_chart_bars_are_drawn_in_forced_colours(phone, make_user, catalogs):
    from app.characterization.demo import demo_profiles

    demo_profiles(300)
    analyst = make_user("analyst")
    staff_login(phone, analyst.email, PASSWORD)
    phone.emulate_media(forced_colors="active")
    phone.visit("/gestion/caracterizacion/")
    bars = phone.evaluate(BARS, "svg.hbar-bar")
    assert len(bars) > 10
    for bar in bars:
        assert bar["adjust"] == "none", bar
        assert bar["fill"] not in (None, "none", bar["pageBackground"]), bar
        assert bar["width"] > 0, bar


@pytest.mark.parametrize("viewport", [ZOOMED_WINDOW, SMALL_PHONE], ids=["640", "320"])
def test_no_page_scrolls_sideways_at_200_percent_zoom(
    chromium,
    live_server,
    db,
    make_user,
    catalogs,
    plan_with_follow_up,  # noqa: F811
    viewport,
):
    from app.surveys import commands as surveys
    from app.surveys import presets

    c = _consultation(_db)
    survey = surveys.create_survey(
        surveys.SurveySettings(
            title="Evaluación del taller de presupuesto participativo de la comuna 3",
            open_link=True,
            profile_variables=["life_course"],
        ),
        template=presets.EVENT_EVALUATION,
        actor="test",
    )
    surveys.set_published(survey, True, actor="test")
    admin = make_user("admin")
    for page in _page(chromium, live_server, viewport):
        citizen = [
            "/",
            "/consultas/",
            f"/consultas/{c.slug}",
            "/urna/",
            "/asistencia/codigo",
            "/eventos/",
            "/encuestas/",
            f"/encuestas/{survey.slug}",
            "/planes/",
            f"/planes/{plan_with_follow_up.id}",
            "/privacidad",
        ]
        for path in citizen:
            page.goto(live_server + path)
            _no_sideways_scroll(page, path)
        # The consent box (with the data-protection address) fits in its own width.
        page.goto(live_server + f"/consultas/{c.slug}")
        box = page.evaluate(
            "() => { const b = document.getElementById('autorizacion');"
            " return {scroll: b.scrollWidth, client: b.clientWidth}; }"
        )
        assert box["scroll"] <= box["client"], box
        staff_login(page, admin.email, PASSWORD)
        for path in (
            "/gestion/",
            "/gestion/encuestas/",
            "/gestion/consultas/",
            f"/gestion/consultas/{c.id}",
            f"/gestion/encuestas/{survey.id}",
            "/gestion/planes/",
            "/gestion/eventos/",
            "/gestion/urna/",
        ):
            response = page.goto(live_server + path)
            assert response.status == 200, path
            _no_sideways_scroll(page, path)
