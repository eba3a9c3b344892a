"""Outgoing mail through SMTP (``smtp://user:pass@host:587`` or ``smtps://…:465``).

Called from jobs only, never inside a web request. STARTTLS is used whenever the server offers
it; credentials are sent only over TLS unless the server is on loopback (a local relay or a
test double).
"""

from __future__ import annotations

import smtplib
import ssl
from dataclasses import dataclass
from email.message import EmailMessage
from urllib.parse import unquote, urlsplit

TIMEOUT_S = 15


@dataclass(frozen=True)
class Mail:
    """One plain-text message."""

    to: str
    subject: str
    body: str


class MailError(Exception):
    """The SMTP URL is unusable or the server refused the message."""


def _server(url: str) -> tuple[str, str, int, str | None, str | None]:
    parts = urlsplit(url)
    if parts.scheme not in ("smtp", "smtps") or not parts.hostname:
        raise MailError("OCOP_SMTP_URL must look like smtp://user:pass@host:587")
    port = parts.port or (465 if parts.scheme == "smtps" else 587)
    user = unquote(parts.username) if parts.username else None
    password = unquote(parts.password) if parts.password else None
    return parts.scheme, parts.hostname, port, user, password


def send(url: str, sender: str, mail: Mail) -> None:
    """Deliver ``mail`` through the server named by ``url``; MailError on any failure."""
    scheme, host, port, user, password = _server(url)
    message = EmailMessage()
    message["From"] = sender
    message["To"] = mail.to
    message["Subject"] = mail.subject
    message.set_content(mail.body)
    context = ssl.create_default_context()
    try:
        if scheme == "smtps":
            client: smtplib.SMTP = smtplib.SMTP_SSL(host, port, timeout=TIMEOUT_S, context=context)
        else:
            client = smtplib.SMTP(host, port, timeout=TIMEOUT_S)
        with client:
            client.ehlo()
            secure = scheme == "smtps"
            if not secure and client.has_extn("starttls"):
                client.starttls(context=context)
                client.ehlo()
                secure = True
            if user:
                if not secure and host not in ("127.0.0.1", "localhost", "::1"):
                    raise MailError("refusing to send SMTP credentials without TLS")
                client.login(user, password or "")
            client.send_message(message)
    except (OSError, smtplib.SMTPException) as exc:
        raise MailError(f"{type(exc).__name__}: {exc}") from exc
