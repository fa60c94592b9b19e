"""Who may release a school's staff, and which school a teacher's applications count for.

A release must come from someone the school authorised (a registered approver, or an address
on a domain the school or its trust verified), checked when applying and again at release.
"""

import importlib

import pytest
from django.apps import apps
from django.core.exceptions import PermissionDenied

from cpdnet.accounts.models import Role
from cpdnet.applications.models import (
    Affiliation,
    AffiliationState,
    Application,
    State,
    VerifiedDomain,
)
from cpdnet.applications.references import application_id_for, reference_for
from cpdnet.applications.selectors import mask_email, release_authority
from cpdnet.applications.services import (
    ApplicationError,
    NotAuthorisedToRelease,
    add_verified_domain,
    decide_affiliation,
    record_school_decision,
    remove_verified_domain,
    submit_application,
)
from cpdnet.audit.models import AuditEntry
from tests.factories import (
    ApplicationFactory,
    HubAreaFactory,
    HubFactory,
    OfferingFactory,
    RoleAssignmentFactory,
    SchoolFactory,
    TeacherFactory,
    UserFactory,
    VerifiedDomainFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def offering():
    """An open offering by the hub serving Leeds, needing the school to release teachers."""
    offering = OfferingFactory()
    HubAreaFactory(hub=offering.hub, local_authority_id="383")
    return offering


@pytest.fixture
def school():
    return SchoolFactory(name="St Mary's Primary", trust_name="Leeds Learning Trust")


@pytest.fixture
def teacher(school):
    return TeacherFactory(email="jo@stmarys.example.org", full_name="Jo Teacher", school=school)


@pytest.fixture
def head(school):
    head = UserFactory(email="head@stmarys.example.org", full_name="Pat Head")
    RoleAssignmentFactory(user=head, role=Role.SCHOOL_APPROVER, school=school)
    return head


@pytest.fixture
def hub_staff(offering):
    staff = UserFactory(email="staff@hub.example.org")
    RoleAssignmentFactory(user=staff, role=Role.HUB_STAFF, hub=offering.hub)
    return staff


def apply(offering, teacher, approver_email):
    return submit_application(
        offering=offering,
        applicant=teacher,
        school=teacher.school,
        job_role="class_teacher",
        approver_email=approver_email,
    )


class TestTheSelfReleaseAttack:
    def test_a_teacher_cannot_send_the_release_to_their_own_personal_address(
        self, offering, teacher, head
    ):
        # Given a school with a registered approver
        # When the teacher gives their own personal address as the approver's
        with pytest.raises(NotAuthorisedToRelease) as refused:
            apply(offering, teacher, "jo.teacher@gmail.com")

        # Then the application is refused with the reason, and nothing is made
        assert refused.value.code == "approver_not_authorised"
        assert "jo.teacher@gmail.com cannot release staff of St Mary's Primary" in str(
            refused.value
        )
        assert not Application.objects.exists()
        assert not Affiliation.objects.exists()

    def test_a_teacher_cannot_name_their_own_school_address_on_a_verified_domain(
        self, offering, teacher
    ):
        VerifiedDomainFactory(domain="stmarys.example.org", school=teacher.school)

        with pytest.raises(ApplicationError) as refused:
            apply(offering, teacher, "Jo@StMarys.example.org")

        assert refused.value.code == "self_release"
        assert not Application.objects.exists()

    def test_an_address_someone_else_verified_for_another_school_does_not_count(
        self, offering, teacher
    ):
        VerifiedDomainFactory(domain="stmarys.example.org", school=SchoolFactory())

        with pytest.raises(NotAuthorisedToRelease):
            apply(offering, teacher, "head@stmarys.example.org")


class TestWhoMayRelease:
    def test_a_registered_approver_of_the_school_may(self, school, head):
        assert release_authority(school=school, email="Head@StMarys.example.org") == "approver"

    def test_an_approver_of_another_school_may_not(self, school):
        other = UserFactory(email="head@other.example.org")
        RoleAssignmentFactory(user=other, role=Role.SCHOOL_APPROVER, school=SchoolFactory())

        assert release_authority(school=school, email="head@other.example.org") == ""

    def test_an_address_on_the_schools_verified_domain_may(self, school):
        VerifiedDomainFactory(domain="stmarys.example.org", school=school)

        assert release_authority(school=school, email="cpd.lead@stmarys.example.org") == "domain"

    def test_an_address_on_the_trusts_verified_domain_may_for_every_school_of_the_trust(
        self, school
    ):
        VerifiedDomain.objects.create(domain="llt.example.org", trust_name="Leeds Learning Trust")
        sister = SchoolFactory(trust_name="Leeds Learning Trust")
        outsider = SchoolFactory(trust_name="Another Trust")

        assert release_authority(school=school, email="ceo@llt.example.org") == "domain"
        assert release_authority(school=sister, email="ceo@llt.example.org") == "domain"
        assert release_authority(school=outsider, email="ceo@llt.example.org") == ""

    def test_a_deactivated_approver_may_not(self, school, head):
        head.is_active = False
        head.save()

        assert release_authority(school=school, email=head.email) == ""


class TestReleasing:
    @pytest.fixture
    def awaiting(self, offering, teacher, head):
        return apply(offering, teacher, head.email)

    def test_the_release_confirms_where_the_teacher_works_and_history_names_the_approver(
        self, awaiting, head
    ):
        # Given a new application: the teacher's school is only claimed
        assert awaiting.school_confirmed is False
        assert Affiliation.objects.get().state == AffiliationState.CLAIMED

        # When the registered approver releases them from the emailed link
        record_school_decision(application=awaiting, release=True, approver_email=head.email)

        # Then the history says who released them, and the school is confirmed
        awaiting.refresh_from_db()
        assert awaiting.state == State.SUBMITTED
        assert awaiting.school_confirmed is True
        release = awaiting.history.last()
        assert (release.by, release.by_label) == (None, "head@stmarys.example.org")
        affiliation = Affiliation.objects.get()
        assert affiliation.state == AffiliationState.CONFIRMED
        confirmed = affiliation.history.last()
        assert (confirmed.from_state, confirmed.to_state) == ("claimed", "confirmed")
        assert confirmed.by_label == "head@stmarys.example.org"
        assert confirmed.reason == f"Released application {awaiting.reference}"

    def test_an_approver_removed_since_the_email_was_sent_can_no_longer_release(
        self, awaiting, head
    ):
        # Given the approver lost the role after the email went
        head.roles.all().delete()

        # When the old link is used
        with pytest.raises(NotAuthorisedToRelease):
            record_school_decision(application=awaiting, release=True, approver_email=head.email)

        # Then nothing changed
        awaiting.refresh_from_db()
        assert awaiting.state == State.AWAITING_SCHOOL_APPROVAL
        assert awaiting.history.count() == 1
        assert Affiliation.objects.get().state == AffiliationState.CLAIMED

    def test_a_domain_unverified_since_the_email_was_sent_can_no_longer_release(
        self, offering, teacher
    ):
        verified = VerifiedDomainFactory(domain="stmarys.example.org", school=teacher.school)
        application = apply(offering, teacher, "head@stmarys.example.org")
        verified.delete()

        with pytest.raises(NotAuthorisedToRelease):
            record_school_decision(
                application=application, release=True, approver_email="head@stmarys.example.org"
            )

    def test_an_approver_cannot_release_their_own_application(self, offering, school, head):
        # Given the head applies for themself and names a colleague's verified address
        VerifiedDomainFactory(domain="stmarys.example.org", school=school)
        head.school = school
        head.save()
        application = apply(offering, head, "deputy@stmarys.example.org")

        # When the head answers it in the portal
        with pytest.raises(ApplicationError) as refused:
            record_school_decision(
                application=application, release=True, approver_email=head.email, by=head
            )

        assert refused.value.code == "self_release"
        application.refresh_from_db()
        assert application.state == State.AWAITING_SCHOOL_APPROVAL

    def test_declining_does_not_confirm_the_school(self, awaiting, head):
        record_school_decision(application=awaiting, release=False, approver_email=head.email)

        awaiting.refresh_from_db()
        assert awaiting.school_confirmed is False
        assert Affiliation.objects.get().state == AffiliationState.CLAIMED

    def test_a_later_application_counts_at_once_once_the_school_is_confirmed(
        self, awaiting, head, teacher
    ):
        record_school_decision(application=awaiting, release=True, approver_email=head.email)

        later = apply(OfferingFactory(hub=awaiting.offering.hub), teacher, head.email)

        assert later.school_confirmed is True


class TestConfirmingAffiliations:
    @pytest.fixture
    def claimed(self, teacher, offering):
        ApplicationFactory(
            applicant=teacher, offering=offering, state=State.ACCEPTED, school_confirmed=False
        )
        return Affiliation.objects.create(person=teacher, school=teacher.school)

    def test_the_schools_approver_confirms_and_the_applications_count(self, claimed, head):
        decide_affiliation(affiliation=claimed, confirm=True, by=head)

        claimed.refresh_from_db()
        assert claimed.state == AffiliationState.CONFIRMED
        assert Application.objects.get().school_confirmed is True
        (entry,) = AuditEntry.objects.filter(action="applications.affiliation.confirmed")
        assert entry.actor == head

    def test_hub_staff_of_the_schools_hub_reject_and_the_applications_stop_counting(
        self, claimed, hub_staff, head
    ):
        decide_affiliation(affiliation=claimed, confirm=True, by=head)

        decide_affiliation(affiliation=claimed, confirm=False, by=hub_staff, reason="Left in July")

        claimed.refresh_from_db()
        assert claimed.state == AffiliationState.REJECTED
        assert Application.objects.get().school_confirmed is False
        assert [change.to_state for change in claimed.history.all()] == [
            "confirmed",
            "rejected",
        ]
        assert claimed.history.last().reason == "Left in July"

    def test_hub_staff_of_another_hub_may_not(self, claimed):
        stranger = UserFactory()
        RoleAssignmentFactory(user=stranger, role=Role.HUB_STAFF, hub=HubFactory())

        with pytest.raises(PermissionDenied):
            decide_affiliation(affiliation=claimed, confirm=True, by=stranger)

        claimed.refresh_from_db()
        assert claimed.state == AffiliationState.CLAIMED

    def test_nobody_confirms_their_own(self, claimed, teacher, school):
        RoleAssignmentFactory(user=teacher, role=Role.SCHOOL_APPROVER, school=school)

        with pytest.raises(ApplicationError) as refused:
            decide_affiliation(affiliation=claimed, confirm=True, by=teacher)

        assert refused.value.code == "self_confirmation"


class TestVerifiedDomains:
    @pytest.mark.parametrize(
        "domain",
        ["gmail.com", "outlook.com", "hotmail.co.uk", "icloud.com", "yahoo.fr", "yahoo.com.au"],
    )
    def test_public_webmail_is_refused_with_the_reason(self, school, hub_staff, domain):
        with pytest.raises(ApplicationError) as refused:
            add_verified_domain(school=school, domain=domain, by=hub_staff)

        assert refused.value.code == "public_webmail"
        assert "public email service" in refused.value.reason
        assert not VerifiedDomain.objects.exists()
        assert not AuditEntry.objects.exists()

    @pytest.mark.parametrize("domain", ["live.example.org", "yahoo-academy.org.uk"])
    def test_a_school_domain_that_looks_like_a_webmail_name_is_accepted(
        self, school, hub_staff, domain
    ):
        assert add_verified_domain(school=school, domain=domain, by=hub_staff).domain == domain

    def test_a_domain_of_another_school_cannot_be_removed_through_this_one(self, school, hub_staff):
        elsewhere = VerifiedDomainFactory(domain="other.example.org", school=SchoolFactory())

        with pytest.raises(PermissionDenied):
            remove_verified_domain(verified=elsewhere, school=school, by=hub_staff)

        assert VerifiedDomain.objects.filter(pk=elsewhere.pk).exists()

    @pytest.mark.parametrize("domain", ["", "stmarys", "st marys.example.org", "-a.example.org"])
    def test_something_that_is_not_a_domain_is_refused(self, school, hub_staff, domain):
        with pytest.raises(ApplicationError) as refused:
            add_verified_domain(school=school, domain=domain, by=hub_staff)

        assert refused.value.code == "bad_domain"

    def test_hub_staff_add_and_remove_a_domain_for_the_school_and_both_are_audited(
        self, school, hub_staff
    ):
        verified = add_verified_domain(school=school, domain=" @StMarys.Example.org", by=hub_staff)

        assert (verified.domain, verified.school, verified.trust_name) == (
            "stmarys.example.org",
            school,
            "",
        )
        remove_verified_domain(verified=verified, school=school, by=hub_staff)

        assert not VerifiedDomain.objects.exists()
        assert list(AuditEntry.objects.order_by("pk").values_list("action", "actor")) == [
            ("applications.verified_domain.added", hub_staff.pk),
            ("applications.verified_domain.removed", hub_staff.pk),
        ]

    def test_a_domain_for_the_trust_covers_its_schools(self, school, hub_staff):
        add_verified_domain(school=school, domain="llt.example.org", for_trust=True, by=hub_staff)

        assert VerifiedDomain.objects.get().trust_name == "Leeds Learning Trust"

    def test_a_school_without_a_trust_has_no_trust_domain(self, hub_staff):
        with pytest.raises(ApplicationError) as refused:
            add_verified_domain(
                school=SchoolFactory(trust_name=""),
                domain="llt.example.org",
                for_trust=True,
                by=hub_staff,
            )

        assert refused.value.code == "no_trust"

    def test_the_same_domain_twice_is_refused(self, school, hub_staff):
        add_verified_domain(school=school, domain="stmarys.example.org", by=hub_staff)

        with pytest.raises(ApplicationError) as refused:
            add_verified_domain(school=school, domain="stmarys.example.org", by=hub_staff)

        assert refused.value.code == "already_verified"

    def test_hub_staff_of_a_hub_not_serving_the_school_may_not(self, school):
        stranger = UserFactory()
        RoleAssignmentFactory(user=stranger, role=Role.HUB_STAFF, hub=HubFactory())

        with pytest.raises(PermissionDenied):
            add_verified_domain(school=school, domain="stmarys.example.org", by=stranger)

    def test_an_approver_may_not_verify_their_own_schools_domain(self, school, head):
        with pytest.raises(PermissionDenied):
            add_verified_domain(school=school, domain="stmarys.example.org", by=head)


class TestReferences:
    def test_every_id_has_its_own_reference_that_reads_back(self):
        ids = [1, 2, 3, 999, 1_234_567, 887_503_680]

        references = [reference_for(application_id) for application_id in ids]

        assert len(set(references)) == len(ids)
        assert all(len(reference) == len("CPD-7K3-9QX") for reference in references)
        assert [application_id_for(reference) for reference in references] == ids

    def test_a_reference_is_read_back_as_people_type_it(self):
        reference = reference_for(42)

        assert application_id_for(reference.lower().replace("-", " ")) == 42
        assert application_id_for("CPD-000-000") is None
        assert application_id_for("hello") is None


def test_a_masked_address_shows_its_first_letter_and_domain():
    assert mask_email("pat.head@stmarys.example.org") == "p***@stmarys.example.org"
    assert mask_email("") == ""


def test_the_data_migration_counts_released_applications_as_confirmed(offering):
    # Given applications from before affiliations: one released, one still waiting, and one
    # declined after the school had released it
    before = {"offering": offering, "school_confirmed": False}
    released = ApplicationFactory(state=State.ACCEPTED, **before)
    waiting = ApplicationFactory(state=State.AWAITING_SCHOOL_APPROVAL, **before)
    declined = ApplicationFactory(state=State.DECLINED, **before)
    declined.history.create(from_state=State.AWAITING_SCHOOL_APPROVAL, to_state=State.SUBMITTED)
    never = ApplicationFactory(state=State.DECLINED, **before)
    migration = importlib.import_module(
        "cpdnet.applications.migrations.0004_confirm_schools_of_released_applications"
    )

    # When the data migration runs
    migration.confirm_released(apps, None)

    # Then the released ones count, with a confirmed affiliation and its history
    confirmed = set(Application.objects.filter(school_confirmed=True).values_list("pk", flat=True))
    assert confirmed == {released.pk, declined.pk}
    assert set(Affiliation.objects.values_list("person_id", "state")) == {
        (released.applicant_id, "confirmed"),
        (declined.applicant_id, "confirmed"),
    }
    assert all(affiliation.history.count() == 1 for affiliation in Affiliation.objects.all())
    assert waiting.pk not in confirmed and never.pk not in confirmed
