"""A candidate's accreditation data is in their download, and erasure blanks it and withdraws
their accreditation, keeping states and dates."""

import datetime

import pytest
from django.utils import timezone

from cpdnet.accounts.selectors import export_person
from cpdnet.accounts.services import erase_person
from cpdnet.accreditation import selectors, services
from cpdnet.accreditation.models import (
    Accreditation,
    Candidacy,
    CandidacyState,
    PDLeadershipEvidence,
    SubmittedVersion,
)

pytestmark = pytest.mark.django_db


def test_export_and_erasure_of_a_candidates_accreditation(submitted, candidacy, candidate):
    PDLeadershipEvidence.objects.create(
        application=candidacy.application,
        pd_roles="work_group_lead",
        pd_led="Work Groups on fractions",
        led_for="Six schools in Leeds",
        beyond_own_school=True,
    )
    accreditation = Accreditation.objects.create(
        holder=candidate,
        candidacy=candidacy,
        phase="secondary",
        code=services.new_accreditation_code(),
        accredited_on=timezone.localdate(),
        valid_until=timezone.localdate() + datetime.timedelta(days=900),
        on_public_register=True,
    )

    download = export_person(candidate)
    text = str(download)
    assert "My rationale in words." in text and "Work Groups on fractions" in text
    assert accreditation.code in text

    erase_person(user=candidate)

    version = SubmittedVersion.objects.get(pk=submitted.pk)
    assert version.sections == {}
    assert not candidacy.drafts.exists()
    assert PDLeadershipEvidence.objects.get().pd_led == ""
    assert Candidacy.objects.get(pk=candidacy.pk).state == CandidacyState.SUBMITTED
    facts = selectors.verify_code(accreditation.code)
    assert facts.status == "withdrawn" and facts.holder == ""
    assert list(selectors.public_register()) == []
