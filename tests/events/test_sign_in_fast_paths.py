"""The fast paths of the QR sign-in (see docs/development/hot-paths.md), attacked: the shared
thanks page never shows one attendee's survey link to another, never shows a staff member's bar to
a citizen (nor a citizen's cached page to staff), and the anonymous pages stop rewriting the
session cookie on every request."""

import itertools
import re

from app.core import registry
from tests.conftest import Client
from tests.events.conftest import attendee, hidden_fields

TOKEN = re.compile(r"/encuestas/responder/e\?t=(tok\d+)(?:&amp;|&)x=1")


def _sign_with_own_client(app, path: str, doc: str):
    phone = Client(app.test_client())
    fields = hidden_fields(phone.get(path).get_data(as_text=True))
    response = phone.post(path, data={**fields, **attendee(doc=doc)})
    assert response.status_code == 303
    return phone, response.headers["Location"]


def test_the_shared_thanks_page_shows_each_attendee_only_their_own_link(app, db, make_event):
    event = make_event()
    counter = itertools.count(1)

    def hook(_event_id, _batch):  # like the surveys' one-time link: a token of this signature only
        return [{"text": "Evalúa el evento", "url": f"/encuestas/responder/e?t=tok{next(counter)}&x=1"}]

    reg = registry.get(app)
    reg.add_hook("after_sign_in", hook)
    try:
        seen = []
        for doc in ("1036222333", "1036222334", "1036222335"):
            phone, thanks = _sign_with_own_client(app, f"/asistencia/{event.token}", doc)
            html = phone.get(thanks).get_data(as_text=True)
            seen.append(TOKEN.findall(html))
            assert "Evalúa el evento" in html and "&amp;x=1" in html  # the address is escaped in the page
    finally:
        reg.hooks["after_sign_in"].remove(hook)
    assert seen == [["tok1"], ["tok2"], ["tok3"]]  # each their own, never a neighbour's


def test_the_thanks_page_is_only_for_the_browser_that_signed(app, db, make_event):
    event = make_event()
    _phone, thanks = _sign_with_own_client(app, f"/asistencia/{event.token}", "1036222333")
    stranger = Client(app.test_client())
    assert stranger.get(thanks).status_code == 404


def test_staff_and_citizens_never_get_each_others_cached_pages(app, db, make_event, client, login_as):
    event = make_event()
    path = f"/asistencia/{event.token}"
    citizen = Client(app.test_client())
    assert "Cerrar sesión" not in citizen.get(path).get_data(as_text=True)  # cached for anonymous visitors
    user = login_as("admin")
    staff_page = client.get(path).get_data(as_text=True)
    assert "Cerrar sesión" in staff_page and user.name in staff_page  # staff get their own render
    assert "Cerrar sesión" not in Client(app.test_client()).get(path).get_data(as_text=True)
    # Signed in, a staff member who signs the list sees a fresh confirmation with their bar.
    fields = hidden_fields(staff_page)
    response = client.post(path, data={**fields, **attendee()})
    assert response.status_code == 303
    assert "Cerrar sesión" in client.get(response.headers["Location"]).get_data(as_text=True)
    _phone, thanks = _sign_with_own_client(app, path, "1036222334")
    assert "Cerrar sesión" not in _phone.get(thanks).get_data(as_text=True)


def test_a_remember_me_cookie_is_never_served_the_anonymous_page_unchecked(app, db, make_event):
    """Without a user id in the session the page is the anonymous one, unless a remember-me
    cookie is present: then Flask-Login decides (here: a forged cookie signs nobody in)."""
    event = make_event()
    phone = Client(app.test_client())
    phone.set_cookie("remember_token", "1|forged")
    response = phone.get(f"/asistencia/{event.token}")
    assert response.status_code == 200 and "Cerrar sesión" not in response.get_data(as_text=True)


def test_anonymous_sign_in_pages_leave_the_session_cookie_alone(app, db, make_event):
    """Asking who is signed in ran Flask-Login's strong session protection on every anonymous
    request with a session: a rewritten session cookie and a cookie deletion each time."""
    event = make_event()
    path = f"/asistencia/{event.token}"
    phone = Client(app.test_client())
    fields = hidden_fields(phone.get(path).get_data(as_text=True))
    again = phone.get(path)
    assert not again.headers.getlist("Set-Cookie")
    response = phone.post(path, data={**fields, **attendee()})
    phone.get(response.headers["Location"])  # the first confirmation of this worker is rendered
    _other, thanks = _sign_with_own_client(app, path, "1036222399")
    shown = _other.get(thanks)
    assert shown.status_code == 200 and not shown.headers.getlist("Set-Cookie")
