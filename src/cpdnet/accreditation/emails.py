"""Emails accreditation owes people. Each is owed through the outbox in the transaction of
the change (`notifications.outbox.owe_email`) and keyed once per event (`send_once`), so a
retried or swept delivery never sends it twice."""

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from cpdnet.accounts.models import User
from cpdnet.notifications.services import send_once

from . import rules
from .models import (
    Accreditation,
    Assessment,
    AssessmentRole,
    CandidacyState,
    CandidacyTransition,
    Renewal,
)

# What the candidate is told when their candidacy reaches a state; other moves owe no email.
CANDIDATE_MESSAGES = {
    CandidacyState.SUBMITTED: (
        gettext_lazy("We have your accreditation evidence"),
        gettext_lazy(
            "Thank you: your Accreditation Evidence Document is submitted and frozen as it is. "
            "An assessor will mark it against the published criteria; we will email you when "
            "there is an outcome."
        ),
    ),
    CandidacyState.RESUBMISSION: (
        gettext_lazy("Your accreditation evidence: please resubmit"),
        gettext_lazy(
            "The assessors found that some sections do not yet meet the criteria. Their "
            "feedback is on your evidence page. You may resubmit once, by {resubmit_by}."
        ),
    ),
    CandidacyState.ACCREDITED: (
        gettext_lazy("You are an accredited PD Lead"),
        gettext_lazy(
            "Congratulations: you are accredited as a PD Lead. Your accreditation code is "
            "{code}, valid until {valid_until}; anyone can check it at {verify_url}. You can "
            "choose to be listed on the public register from your accreditation page."
        ),
    ),
    CandidacyState.NOT_ACCREDITED: (
        gettext_lazy("The outcome of your accreditation"),
        gettext_lazy(
            "We are sorry: you have not been accredited this time. The assessors' feedback is "
            "on your evidence page. If you think the decision was wrong, you may appeal from "
            "that page until {appeal_by}."
        ),
    ),
    CandidacyState.WITHDRAWN: (
        gettext_lazy("Your accreditation candidacy is withdrawn"),
        gettext_lazy("Your candidacy for PD Lead accreditation is withdrawn. Reason: {reason}"),
    ),
}

# Back to submitted from an assessor: the assessor was unassigned before marking, which changes
# nothing for the candidate, so they are not told their evidence arrived again.
UNASSIGNED = (CandidacyState.ASSESSING, CandidacyState.SUBMITTED)


def _sign_off(body: str) -> str:
    return f"{body}\n\n{settings.SITE_URL}\n"


def email_candidacy_transition(*, transition_id: int) -> None:
    transition = (
        CandidacyTransition.objects.select_related("candidacy__candidate")
        .filter(pk=transition_id)
        .first()
    )
    if transition is None or transition.to_state not in CANDIDATE_MESSAGES:
        return
    if (transition.from_state, transition.to_state) == UNASSIGNED:
        return
    candidacy = transition.candidacy
    subject, body = CANDIDATE_MESSAGES[transition.to_state]
    accreditation = Accreditation.objects.filter(candidacy=candidacy).first()
    appeal_by = rules.appeal_last_day(
        outcome_on=timezone.localdate(transition.created_at),
        days=settings.ACCREDITATION_APPEAL_DAYS,
    )
    facts = {
        "resubmit_by": f"{candidacy.resubmit_by:%d %B %Y}" if candidacy.resubmit_by else "",
        "reason": transition.reason,
        "appeal_by": f"{appeal_by.day} {appeal_by:%B %Y}",
        "code": accreditation.code if accreditation else "",
        "valid_until": f"{accreditation.valid_until:%d %B %Y}" if accreditation else "",
        "verify_url": f"{settings.SITE_URL}/certificates/{accreditation.code}/"
        if accreditation
        else "",
    }
    send_once(
        key=f"accreditation:transition:{transition.pk}",
        to=candidacy.candidate.email,
        subject=str(subject),
        body=_sign_off(str(body).format(**facts)),
    )


def email_assessment_assigned(*, assessment_id: int) -> None:
    assessment = Assessment.objects.select_related("assessor").filter(pk=assessment_id).first()
    if assessment is None:
        return
    send_once(
        key=f"accreditation:assigned:{assessment.pk}",
        to=assessment.assessor.email,
        subject=_("Accreditation evidence to assess"),
        body=_sign_off(
            _(
                "A submission has been assigned to you for {role}. You will find it in your "
                "assessor assignments."
            ).format(role=assessment.get_role_display().lower())
        ),
    )


def email_assessment_unassigned(*, assessment_id: int, assessor_id: int, role: str) -> None:
    # The assessment is deleted with the unassignment: the arguments carry what the email says.
    assessor = User.objects.filter(pk=assessor_id).first()
    if assessor is None:
        return
    send_once(
        key=f"accreditation:unassigned:{assessment_id}",
        to=assessor.email,
        subject=_("Accreditation evidence no longer yours to assess"),
        body=_sign_off(
            _(
                "National staff have taken back a submission assigned to you for {role}: you "
                "need not mark it, and it has gone from your assessor assignments."
            ).format(role=AssessmentRole(role).label.lower())
        ),
    )


def email_renewal_reminder(*, accreditation_id: int, days: int) -> None:
    accreditation = (
        Accreditation.objects.select_related("holder").filter(pk=accreditation_id).first()
    )
    if accreditation is None:
        return
    send_once(
        key=f"accreditation:reminder:{accreditation.pk}:{accreditation.valid_until}:{days}",
        to=accreditation.holder.email,
        subject=_("Renew your PD Lead accreditation"),
        body=_sign_off(
            _(
                "Your accreditation {code} ends on {valid_until}. Renew it by giving evidence "
                "of the PD you have led since, from your accreditation page."
            ).format(code=accreditation.code, valid_until=f"{accreditation.valid_until:%d %B %Y}")
        ),
    )


def email_lapsed(*, accreditation_id: int) -> None:
    accreditation = (
        Accreditation.objects.select_related("holder").filter(pk=accreditation_id).first()
    )
    if accreditation is None:
        return
    send_once(
        key=f"accreditation:lapsed:{accreditation.pk}:{accreditation.valid_until}",
        to=accreditation.holder.email,
        subject=_("Your PD Lead accreditation has lapsed"),
        body=_sign_off(
            _(
                "Your accreditation {code} ended on {valid_until} and was not renewed, so it "
                "has lapsed and is no longer on the register."
            ).format(code=accreditation.code, valid_until=f"{accreditation.valid_until:%d %B %Y}")
        ),
    )


def email_renewal_reviewed(*, renewal_id: int) -> None:
    renewal = Renewal.objects.select_related("accreditation__holder").filter(pk=renewal_id).first()
    if renewal is None:
        return
    accreditation = renewal.accreditation
    if renewal.state == "renewed":
        subject = _("Your PD Lead accreditation is renewed")
        body = _("Your accreditation {code} is renewed until {valid_until}.")
    else:
        subject = _("Your renewal needs more evidence")
        body = _("Your renewal of {code} needs more evidence: {note}")
    send_once(
        key=f"accreditation:renewal:{renewal.pk}:{renewal.state}",
        to=accreditation.holder.email,
        subject=subject,
        body=_sign_off(
            body.format(
                code=accreditation.code,
                valid_until=f"{accreditation.valid_until:%d %B %Y}",
                note=renewal.review_note,
            )
        ),
    )
