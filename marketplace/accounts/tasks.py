"""Account jobs: mailing password reset links (the network call stays out of web requests)."""

from __future__ import annotations

import logging

from flask import current_app, url_for

from marketplace.core.db import db, utcnow
from marketplace.core.jobs import huey, with_app

from . import mail, resets
from .models import User

log = logging.getLogger(__name__)

BODY = """Xin chào {name},

Có người (có thể là bạn) vừa yêu cầu đặt lại mật khẩu tài khoản {site} của bạn.
Mở liên kết sau trong vòng 1 giờ để đặt mật khẩu mới:

{link}

Nếu bạn không yêu cầu, hãy bỏ qua thư này: mật khẩu của bạn không thay đổi.
"""


@huey.task(retries=3, retry_delay=60)
@with_app
def mail_password_reset(user_id: int, base_url: str) -> bool:
    """Make a reset link for the user and mail it; True when sent (a retry makes a new link)."""
    config = current_app.config
    if not config.get("SMTP_URL"):
        return False
    with db.transaction() as session:
        user = session.get(User, user_id)
        if user is None or not user.active:
            return False
        _, secret = resets.create_reset(session, user, utcnow())
        to, name = user.email, user.name
    with current_app.test_request_context(base_url=base_url):
        link = url_for("accounts.reset_password", token=secret, _external=True)
    message = mail.Mail(
        to=to,
        subject=f"{config['SITE_NAME']}: đặt lại mật khẩu",
        body=BODY.format(name=name, site=config["SITE_NAME"], link=link),
    )
    try:
        mail.send(config["SMTP_URL"], config["MAIL_FROM"], message)
    except mail.MailError:
        log.warning("password reset mail to user %s failed", user_id, exc_info=True)
        raise
    return True
