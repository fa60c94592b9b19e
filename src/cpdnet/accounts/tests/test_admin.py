"""The admin: roles changed there are audited; codes and tokens are read-only, hashes hidden."""

import pytest

from cpdnet.accounts.models import RoleAssignment
from cpdnet.accounts.services import create_api_token, request_sign_in
from cpdnet.audit.models import AuditEntry
from tests.factories import HubFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_role_added_and_deleted_in_the_admin_is_audited(admin_client):
    person, hub = UserFactory(), HubFactory()

    admin_client.post(
        "/admin/accounts/roleassignment/add/",
        {"user": person.pk, "role": "hub_staff", "hub": hub.pk, "school": ""},
    )
    assignment = RoleAssignment.objects.get(user=person)
    admin_client.post(f"/admin/accounts/roleassignment/{assignment.pk}/delete/", {"post": "yes"})

    assert not RoleAssignment.objects.filter(user=person).exists()
    assert list(AuditEntry.objects.order_by("id").values_list("action", "hub")) == [
        ("accounts.role.assigned", hub.pk),
        ("accounts.role.removed", hub.pk),
    ]


def test_role_added_in_the_user_page_inline_is_audited(admin_client):
    person, hub = UserFactory(email="lead@hub.example.org"), HubFactory()

    response = admin_client.post(
        f"/admin/accounts/user/{person.pk}/change/",
        {
            "email": person.email,
            "full_name": person.full_name,
            "school": "",
            "job_role": "",
            "is_active": "on",
            "roles-TOTAL_FORMS": "1",
            "roles-INITIAL_FORMS": "0",
            "roles-MIN_NUM_FORMS": "0",
            "roles-MAX_NUM_FORMS": "1000",
            "roles-0-role": "facilitator",
            "roles-0-hub": str(hub.pk),
            "roles-0-school": "",
            "roles-0-user": str(person.pk),
        },
    )

    assert response.status_code == 302
    assert person.roles.get().role == "facilitator"
    assert AuditEntry.objects.get().action == "accounts.role.assigned"


def test_sign_in_codes_and_tokens_are_shown_without_their_hashes(admin_client):
    person = UserFactory()
    create_api_token(user=person)
    request_sign_in(email=person.email)
    token_hash = person.api_tokens.get().token_hash

    tokens = admin_client.get("/admin/accounts/apitoken/").content.decode()
    token_page = admin_client.get(
        f"/admin/accounts/apitoken/{person.api_tokens.get().pk}/change/"
    ).content.decode()
    codes = admin_client.get("/admin/accounts/signincode/").content.decode()

    assert person.email in tokens and person.email in codes
    assert token_hash not in tokens + token_page
    assert admin_client.get("/admin/accounts/apitoken/add/").status_code == 403
