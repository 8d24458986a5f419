"""Notices: the outbox keeps what mail could not send, retries later, never loses a filing."""

import socket
import socketserver
import threading
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from app.ballot import notices
from app.ballot.models import BallotNotice, BallotQuestion
from app.core import time
from app.extensions import db

from .conftest import form_data


class _SMTPHandler(socketserver.StreamRequestHandler):
    """Just enough SMTP (RFC 5321, no TLS) to receive messages in tests."""

    def handle(self):
        self.wfile.write(b"220 test ESMTP\r\n")
        while line := self.rfile.readline():
            verb = line.decode().strip().upper()
            if verb.startswith(("EHLO", "HELO")):
                self.wfile.write(b"250 test\r\n")
            elif verb == "DATA":
                self.wfile.write(b"354 go ahead\r\n")
                lines = []
                while (chunk := self.rfile.readline()) not in (b".\r\n", b""):
                    lines.append(chunk)
                self.server.messages.append(b"".join(lines).decode("utf-8", "replace"))
                self.wfile.write(b"250 queued\r\n")
            elif verb == "QUIT":
                self.wfile.write(b"221 bye\r\n")
                return
            else:
                self.wfile.write(b"250 ok\r\n")


@pytest.fixture
def smtp_server():
    server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), _SMTPHandler)
    server.daemon_threads = True
    server.messages = []
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield server
    server.shutdown()
    server.server_close()


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _named_deposit(client):
    return client.submit(
        "/urna/",
        form_data(identity="named", name="Ana Pérez", email="ana@example.org", **{"profile-consent": "y"}),
    )


def test_mail_down_keeps_the_notice_and_the_filing(app, client, db, catalogs, monkeypatch, smtp_server):
    monkeypatch.setitem(app.config, "MAIL_SERVER", "127.0.0.1")
    monkeypatch.setitem(app.config, "MAIL_PORT", _closed_port())
    monkeypatch.setitem(app.config, "MAIL_USE_TLS", False)
    response = _named_deposit(client)
    assert response.status_code == 302
    receipt_page = client.get("/urna/radicado").get_data(as_text=True)
    assert "Recibimos tu solicitud" in receipt_page
    sent, failed = notices.deliver_pending()  # the attempt after the deposit may already have failed once
    db.session.expire_all()
    notice = db.session.scalar(select(BallotNotice))
    assert db.session.scalar(select(func.count()).select_from(BallotQuestion)) == 1
    assert notice.sent_at is None and notice.attempts >= 1 and notice.last_error
    assert notice.next_attempt_at > time.now() and notice.secret  # kept, with its code, for the retry

    monkeypatch.setitem(app.config, "MAIL_PORT", smtp_server.server_address[1])
    assert notices.deliver_pending() == (0, 0)  # back-off: not due yet
    with time.freeze(time.now() + timedelta(hours=7)):
        result = app.test_cli_runner().invoke(args=["participa", "send-notices"])
    assert result.exit_code == 0, result.output
    assert "Notices sent: 1" in result.output
    db.session.expire_all()
    notice = db.session.scalar(select(BallotNotice))
    assert notice.sent_at is not None and notice.channel == "smtp" and notice.secret is None
    assert len(smtp_server.messages) == 1
    message = smtp_server.messages[0]
    code = notice.body.split("{{CODE}}")  # the stored body keeps only a placeholder
    assert len(code) == 2
    assert "UV-" in message and "{{CODE}}" not in message and "ana@example.org" in message


def test_production_without_mail_server_keeps_notices(app, file_question, monkeypatch):
    monkeypatch.setitem(app.config, "MAIL_SERVER", None)
    monkeypatch.setitem(app.config, "PARTICIPA_ENV", "production")
    q = file_question(name="Ana", email="ana@example.org").question
    with app.test_request_context():
        notices.queue(q, "received", secret="ABCDE-FGHIJ")
    db.session.commit()
    assert notices.deliver_pending() == (0, 1)
    assert notices.pending_count() == 1 and notices.failing_count() == 1


def test_development_without_mail_server_logs_the_notice(app, client, catalogs, monkeypatch, caplog):
    monkeypatch.setitem(app.config, "MAIL_SERVER", None)
    _named_deposit(client)
    notices.deliver_pending()
    db.session.expire_all()
    notice = db.session.scalar(select(BallotNotice))
    assert notice.sent_at is not None and notice.channel == "log" and notice.secret is None
    assert any("ana@example.org" in r.getMessage() for r in caplog.records)


def test_outbox_page_for_triage_staff_only(client, login_as, catalogs):
    login_as("editor", offices=[catalogs.office_choices()[0][0]])
    assert client.get("/gestion/urna/avisos").status_code == 403
