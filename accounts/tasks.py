"""The reset e-mail is sent by a worker: the page that asks for it does the same work (count,
queue) whatever the address, so neither its answer nor its timing tells whether the address
has an account."""

from celery import shared_task
from django.contrib.auth.tokens import default_token_generator
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from accounts.forms import ResetRequestForm
from accounts.links import Links
from accounts.mail import account_mail_send_now
from tenants.models import Domain
from tenants.selectors import workspace_access_for


@shared_task(name="accounts.tasks.password_reset_mail_send")
def password_reset_mail_send(*, email: str, host: str, scheme: str, port_suffix: str) -> int:
    """E-mail a reset link to every active account of `email` with a usable password (none:
    nothing is sent). The link goes to the host the request came from when the person may
    open that workspace, else to the public host. Returns how many were sent."""
    links = Links(scheme=scheme, port_suffix=port_suffix)
    domain = Domain.objects.select_related("tenant").filter(domain=host).first()
    client = domain.tenant if domain is not None and not domain.tenant.is_public else None
    sent = 0
    for user in ResetRequestForm().get_users(email):
        uid = urlsafe_base64_encode(force_bytes(user.pk))
        token = default_token_generator.make_token(user)
        path = f"/accounts/password/reset/{uid}/{token}/"
        if client is not None and workspace_access_for(user=user, client=client) is not None:
            link, where = links.origin_of(host) + path, client.name
        else:
            link, where = links.public(path), "AI Hiring"
        account_mail_send_now(
            to=user.email,
            subject=f"Reset your password for {where}",
            template="password_reset",
            context={"user": user, "link": link, "where": where},
        )
        sent += 1
    return sent
