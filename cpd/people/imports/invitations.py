from allauth.account.forms import default_token_generator
from allauth.account.utils import user_pk_to_url_str
from django.core.mail import EmailMessage, mailers
from django.db.models import Q
from django.tasks import task
from django.template.loader import render_to_string

from cpd.conf import cpd_settings
from cpd.models import Membership, SignInPolicy
from cpd.urls_absolute import absolute_url

# Invitations go out in batches, one task each, so that a worker backend spreads a large
# import's emails over its workers and a failed batch is retried alone.
INVITATIONS_PER_TASK = 200

PROVIDER_NAMES = {"microsoft": "Microsoft", "google": "Google"}


def staff_invitations_enqueue(membership_ids: list[int]) -> None:
    for start in range(0, len(membership_ids), INVITATIONS_PER_TASK):
        staff_invitations_send.enqueue(
            membership_ids=membership_ids[start : start + INVITATIONS_PER_TASK]
        )


def staff_invitation_message(*, membership: Membership) -> EmailMessage:
    """The invitation: a set-password link (django-allauth's password reset key, so it
    stops working once the password is set, and after PASSWORD_RESET_TIMEOUT) naming the
    school, and the single sign-on the school allows, if any."""
    user = membership.user
    school = membership.school
    policies = SignInPolicy.objects.filter(
        Q(school=school) | Q(trust_id=school.trust_id) if school.trust_id else Q(school=school)
    )
    providers = sorted({p for policy in policies for p in policy.provider_list})
    context = {
        "site_name": cpd_settings.SITE_NAME,
        "school": membership.school,
        "user": user,
        "membership": membership,
        "set_password_url": absolute_url(
            "account_reset_password_from_key",
            kwargs={
                "uidb36": user_pk_to_url_str(user),
                "key": default_token_generator.make_token(user),
            },
        ),
        "password_reset_url": absolute_url("account_reset_password"),
        "single_sign_on": [PROVIDER_NAMES.get(p, p) for p in providers],
        "sign_in_url": absolute_url("account_login"),
    }
    return EmailMessage(
        subject=render_to_string("cpd/staff/invitation_subject.txt", context).strip(),
        body=render_to_string("cpd/staff/invitation_body.txt", context),
        from_email=cpd_settings.FROM_EMAIL or None,
        to=[user.email],
    )


def staff_join_message(*, membership: Membership) -> EmailMessage:
    """To someone who already had an account: a school has added them, and its records
    count once they accept (``cpd.people.joining``). Nothing about them was changed."""
    context = {
        "site_name": cpd_settings.SITE_NAME,
        "school": membership.school,
        "membership": membership,
        "invitations_url": absolute_url("cpd:invitations"),
        "password_reset_url": absolute_url("account_reset_password"),
    }
    return EmailMessage(
        subject=render_to_string("cpd/staff/join_subject.txt", context).strip(),
        body=render_to_string("cpd/staff/join_body.txt", context),
        from_email=cpd_settings.FROM_EMAIL or None,
        to=[membership.user.email],
    )


@task
def staff_invitations_send(membership_ids: list[int]) -> int:
    """Email each new member an invitation: to accept, for people who already had an
    account; to set a password, for new ones. Members who have set a password or
    answered meanwhile, or who have gone, are skipped. Returns how many were sent."""
    memberships = Membership.objects.filter(pk__in=membership_ids).select_related("user", "school")
    messages = [
        staff_join_message(membership=m) if m.invited else staff_invitation_message(membership=m)
        for m in memberships
        if m.user.email and (m.invited or not m.user.has_usable_password())
    ]
    if not messages:
        return 0
    return mailers.default.send_messages(messages)
