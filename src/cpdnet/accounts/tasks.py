from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import gettext as _
from django_tasks import task

from .models import User


@task()
def send_password_set_email_task(user_id: int) -> None:
    """Tell a person a password was set on their account, in case it was not them."""
    user = User.objects.filter(pk=user_id, is_active=True).first()
    if user is None:  # erased or closed since
        return
    body = render_to_string(
        "accounts/email/password_set.txt",
        {"user": user, "sign_in_url": settings.SITE_URL.rstrip("/") + reverse("accounts:sign-in")},
    )
    send_mail(_("You set a password for cpdnet"), body, settings.DEFAULT_FROM_EMAIL, [user.email])


@task()
def delete_expired_sign_in_codes_task() -> None:
    from .services import delete_expired_sign_in_codes

    delete_expired_sign_in_codes()
