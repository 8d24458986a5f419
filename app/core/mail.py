"""The one way to send an e-mail over SMTP (MAIL_* settings); callers decide what a missing mail
server or a failure means for them (the urna keeps the notice in its outbox and retries; plan
reminders are logged in development)."""

from __future__ import annotations

import smtplib
from email.message import EmailMessage
from email.utils import make_msgid

from flask import current_app

SMTP_TIMEOUT = 10
# What a failed delivery raises (a refused connection, a timeout, the server's refusal).
ERRORS = (OSError, smtplib.SMTPException)


def configured() -> bool:
    return bool(current_app.config.get("MAIL_SERVER"))


def send(to: list[str], subject: str, body: str) -> None:
    """Send one plain-text message to `to`; raises one of ERRORS when it could not be sent."""
    cfg = current_app.config
    message = EmailMessage()
    message["From"], message["To"], message["Subject"] = cfg["MAIL_FROM"], ", ".join(to), subject
    message["Message-ID"] = make_msgid(domain=(cfg["MAIL_FROM"].rpartition("@")[2] or "participa"))
    message.set_content(body)
    port = int(cfg.get("MAIL_PORT") or 587)
    smtp_class = smtplib.SMTP_SSL if port == 465 else smtplib.SMTP
    with smtp_class(cfg["MAIL_SERVER"], port, timeout=SMTP_TIMEOUT) as smtp:
        if port != 465 and cfg.get("MAIL_USE_TLS"):
            smtp.starttls()
        if cfg.get("MAIL_USERNAME"):
            smtp.login(cfg["MAIL_USERNAME"], cfg.get("MAIL_PASSWORD") or "")
        smtp.send_message(message)
