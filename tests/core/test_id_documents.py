"""Document numbers are checked against the format of their document type, normalised once, and
anything else is refused with a message that says what that document carries (`' OR 1=1 -- `
used to be stored as the cédula `OR11`)."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from app.core.id_documents import canonical, problem
from app.events.models import Attendance
from tests.events import conftest as events_fixtures
from tests.events.conftest import attendee

make_event, sign = events_fixtures.make_event, events_fixtures.sign

VALID = [
    ("CC", "1.036.222.333"),
    ("CC", "8 123 456"),
    ("CC", "123"),
    ("TI", "1020304050"),
    ("TI", "10203040506"),
    ("RC", "1020304050"),
    ("CE", "234567"),
    ("CE", "12345678"),
    ("PA", "AB123456"),
    ("PA", "pa-1234567"),
    ("PPT", "1234567"),
    ("PE", "123456789012345"),
    ("DE", "X-99"),
    ("SI", ""),
]
INVALID = [
    ("CC", "' OR 1=1 -- '"),
    ("CC", "12AB34"),
    ("CC", "12"),
    ("CC", "12345678901"),
    ("TI", "12345"),
    ("CE", "ABC123"),
    ("PA", "AB12"),
    ("PA", "<script>"),
    ("PE", "12345678901234"),
    ("PE", "ABCDEFGHIJKLMNO"),
    ("PPT", "12=34567"),
    ("DE", "AB"),
    ("CC", "1036222333\u202e"),
    ("CC", "١٠٣٦٢٢٢٣٣٣٣٣"),
]


@pytest.mark.parametrize(("doc_type", "number"), VALID)
def test_numbers_in_their_documents_format_are_accepted(doc_type, number):
    assert problem(doc_type, number) is None


@pytest.mark.parametrize(("doc_type", "number"), INVALID)
def test_numbers_outside_their_documents_format_are_refused(app, doc_type, number):
    with app.test_request_context():
        assert problem(doc_type, number) is not None


def test_the_canonical_form_drops_only_typed_separators():
    assert canonical("1.036.222.333") == canonical("1036222333") == "1036222333"
    assert canonical("pa-123 456") == "PA123456"
    assert canonical("' OR 1=1 -- '") == "'OR1=1'"  # kept, so the rule refuses it


def test_an_sql_injection_as_a_cedula_is_refused_in_spanish_and_nothing_is_stored(
    client, db, make_event, sign
):
    event = make_event()
    _page, response, _fields = sign(f"/asistencia/{event.token}", attendee(doc="' OR 1=1 -- '"))
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "La cédula de ciudadanía lleva solo números, de 3 a 10 cifras" in html
    assert db.session.scalar(select(func.count()).select_from(Attendance)) == 0


def test_a_passport_with_letters_is_accepted_and_stored_normalised(client, db, make_event, sign):
    event = make_event()
    _page, response, _fields = sign(f"/asistencia/{event.token}", attendee(doc_type="PA", doc="ab-123 456"))
    assert response.status_code == 303
    assert db.session.scalar(select(Attendance.doc_number)) == "AB123456"


def test_english_page_gets_the_english_rule(client, db, make_event, sign):
    event = make_event()
    _page, response, _fields = sign(f"/asistencia/{event.token}?lang=en", attendee(doc_type="PE", doc="123"))
    assert response.status_code == 422 and "exactly 15 digits" in response.get_data(as_text=True)
