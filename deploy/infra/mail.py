"""A mail catcher: an SMTP server (aiosmtpd) that keeps every message in a Maildir."""

from __future__ import annotations

import signal
import sys

from deploy.infra.config import HOST, REPO_ROOT, mail_dir, mail_port
from deploy.infra.process import Component

# --------------------------------------------------------------------------- #
# Mail catcher
# --------------------------------------------------------------------------- #


class _MailCatcher(Component):
    """aiosmtpd's Mailbox handler: development e-mail goes to a Maildir, not to the world."""

    name = "mail"
    port_env = "TDKT_MAIL_PORT"
    stop_signal = signal.SIGTERM
    default_start_timeout = 30.0

    def port(self) -> int:
        return mail_port()

    def matches(self, argv: list[str]) -> bool:
        return "aiosmtpd" in argv and str(mail_dir()) in argv

    def probe(self) -> tuple[bool, str]:
        import smtplib

        try:
            with smtplib.SMTP(HOST, mail_port(), timeout=2) as smtp:
                code, _ = smtp.noop()
        except (OSError, smtplib.SMTPException) as exc:
            return False, str(exc)
        return code == 250, f"SMTP, messages in {mail_dir() / 'new'}"

    def start(self) -> int:
        import mailbox

        mail_dir().parent.mkdir(parents=True, exist_ok=True)
        mailbox.Maildir(mail_dir(), create=True)
        venv_python = REPO_ROOT / ".venv" / "bin" / "python"
        python = str(venv_python) if venv_python.exists() else sys.executable
        argv = [python, "-m", "aiosmtpd", "-n", "-l", f"{HOST}:{mail_port()}"]
        return self._spawn([*argv, "-c", "aiosmtpd.handlers.Mailbox", str(mail_dir())], cwd=REPO_ROOT)
