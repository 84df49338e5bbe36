"""The two ways a message leaves: SMTP, and a DingTalk-format group robot (浙政钉 speaks it too)."""

import base64
import hashlib
import hmac
import smtplib
import time
import urllib.parse
from email.message import EmailMessage

import httpx
from pydantic import SecretStr

from agencyflow.config.settings import Settings


class DeliveryFailed(Exception):
    """The channel did not take the message; it is tried again later."""


def send_email(settings: Settings, to: list[str], subject: str, body: str) -> None:
    """Blocking: the notifier runs it on a thread."""
    if not settings.smtp_host:
        raise DeliveryFailed("no smtp_host is set: e-mail cannot be sent")
    message = EmailMessage()
    message["From"] = settings.smtp_sender
    message["To"] = ", ".join(to)
    message["Subject"] = subject
    message.set_content(body)
    try:
        with smtplib.SMTP(settings.smtp_host, settings.smtp_port, timeout=30) as smtp:
            if settings.smtp_starttls:
                smtp.starttls()
            if settings.smtp_username and settings.smtp_password:
                smtp.login(settings.smtp_username, settings.smtp_password.get_secret_value())
            smtp.send_message(message)
    except (OSError, smtplib.SMTPException) as error:
        raise DeliveryFailed(f"smtp: {error}") from error


def _signed(url: str, secret: SecretStr | None) -> str:
    """DingTalk's 加签: the time and an HMAC of it, as query parameters."""
    if secret is None:
        return url
    stamp = str(round(time.time() * 1000))
    digest = hmac.new(
        secret.get_secret_value().encode(),
        f"{stamp}\n{secret.get_secret_value()}".encode(),
        hashlib.sha256,
    ).digest()
    sign = urllib.parse.quote_plus(base64.b64encode(digest))
    return f"{url}{'&' if '?' in url else '?'}timestamp={stamp}&sign={sign}"


async def post_to_robot(
    http: httpx.AsyncClient, url: str, secret: SecretStr | None, title: str, text: str
) -> None:
    """A markdown message, as DingTalk's custom robots take it."""
    payload = {"msgtype": "markdown", "markdown": {"title": title, "text": text}}
    try:
        answer = await http.post(_signed(url, secret), json=payload, timeout=30)
    except httpx.HTTPError as error:
        raise DeliveryFailed(f"webhook: {error!r}") from error
    if answer.status_code != 200:
        raise DeliveryFailed(f"webhook: HTTP {answer.status_code}")
    try:
        code = answer.json().get("errcode", 0)
    except ValueError:
        code = 0  # a receiver that answers 200 without DingTalk's JSON took it
    if code != 0:
        raise DeliveryFailed(f"webhook: errcode {code}")
