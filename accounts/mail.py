"""The e-mails of people and sign-in: rendered from templates/accounts/email/, sent after the
change commits (a rolled-back change tells nobody).

Subjects are folded onto one line here: this app sits below hiring, whose
`hiring.text.subject_line` does the same for the hiring e-mails. Names in a subject (a
workspace's, an agency's) were typed by operators and admins; a stray line break in one must
not make the send fail ("Header values may not contain linefeed").
"""

import logging
import re
from typing import Any

from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string

logger = logging.getLogger(__name__)

SUBJECT_MAX_CHARS = 150
_FOLD = re.compile("[\\s\x00-\x1f\x7f-\x9f\u2028\u2029]+")


def mail_subject(text: str) -> str:
    """One line, single spaces, at most SUBJECT_MAX_CHARS characters."""
    line = _FOLD.sub(" ", text).strip()
    if len(line) > SUBJECT_MAX_CHARS:
        line = line[: SUBJECT_MAX_CHARS - 1].rstrip() + "…"
    return line


def account_mail_send_now(*, to: str, subject: str, template: str, context: dict[str, Any]) -> None:
    """Render and send one e-mail now. A mail server that refuses is logged, not raised: the
    change it tells about is already made, and the sender can send again (invitations have a
    "resend")."""
    body = render_to_string(f"accounts/email/{template}.txt", context)
    try:
        send_mail(mail_subject(subject), body, None, [to])
    except Exception:
        logger.exception("account_mail_failed", extra={"template": template})


def account_mail_send_on_commit(
    *, to: str, subject: str, template: str, context: dict[str, Any]
) -> None:
    """Render now (the objects are at hand), send once the surrounding transaction commits."""
    body = render_to_string(f"accounts/email/{template}.txt", context)
    subject = mail_subject(subject)

    def send() -> None:
        try:
            send_mail(subject, body, None, [to])
        except Exception:
            logger.exception("account_mail_failed", extra={"template": template})

    transaction.on_commit(send)
