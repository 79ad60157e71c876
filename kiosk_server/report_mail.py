"""E-mailing a site's monthly report (kiosk_server/monthly_reports.py) through the mail server
of ``server.report_smtp_host``: a plain SMTP relay, as a server host usually has one (no login,
STARTTLS when the relay offers it). Unset, nothing is sent; the report stays in the console."""
from __future__ import annotations

import smtplib
from dataclasses import dataclass
from email.message import EmailMessage

from kiosk_wire.config import Settings


class MailError(Exception):
    """The relay refused or could not be reached; the report is tried again at the next pass."""


@dataclass(frozen=True)
class Mailer:
    host: str
    port: int
    sender: str
    recipients: tuple[str, ...]
    timeout_s: float = 30.0

    @classmethod
    def from_settings(cls, settings: Settings) -> Mailer | None:
        """None when no relay or no recipient is set: reports are then only kept."""
        host = settings.get("server.report_smtp_host").strip()
        recipients = tuple(a.strip() for a in settings.get("server.report_mail_to").split(",")
                           if a.strip())
        if not host or not recipients:
            return None
        sender = settings.get("server.report_mail_from").strip() or f"kiosk-server@{host}"
        return cls(host, settings.get("server.report_smtp_port"), sender, recipients)

    def send(self, subject: str, body: str, filename: str, pdf: bytes) -> None:
        message = EmailMessage()
        message["Subject"] = subject
        message["From"] = self.sender
        message["To"] = ", ".join(self.recipients)
        message.set_content(body)
        message.add_attachment(pdf, maintype="application", subtype="pdf", filename=filename)
        try:
            with smtplib.SMTP(self.host, self.port, timeout=self.timeout_s) as smtp:
                smtp.ehlo()
                if smtp.has_extn("starttls"):
                    smtp.starttls()
                    smtp.ehlo()
                smtp.send_message(message)
        except (OSError, smtplib.SMTPException) as err:
            raise MailError(f"monthly report not sent through {self.host}:{self.port}: "
                            f"{err}") from err
