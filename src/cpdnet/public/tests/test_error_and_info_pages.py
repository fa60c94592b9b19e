"""Error pages carry the site's layout and a next step; the footer's info pages exist."""

import pytest
from django.db import OperationalError
from django.test import Client, RequestFactory, override_settings
from django.urls import include, path

from cpdnet.accounts.models import Role
from cpdnet.database_busy import DatabaseUnavailableMiddleware
from tests.factories import HubFactory, RoleAssignmentFactory, TeacherFactory


def _broken(request):
    raise OperationalError("could not connect to server")


# The site's own addresses as well, so the error page can link to them.
urlpatterns = [path("broken/", _broken), path("", include("cpdnet.urls"))]


def _assert_site_page(text: str) -> None:
    assert 'class="govuk-header"' in text and 'class="govuk-footer"' in text
    assert "What you can do" in text and 'href="/help/"' in text


@pytest.mark.django_db
def test_missing_page_has_the_site_layout_and_next_steps():
    response = Client().get("/no-such-page/")
    assert response.status_code == 404
    _assert_site_page(response.content.decode())
    assert "Page not found" in response.content.decode()


@pytest.mark.django_db
def test_forbidden_page_names_the_account_and_offers_home():
    # Given a teacher without the hub staff role
    teacher = TeacherFactory(email="ada@school.example.org")
    client = Client()
    client.force_login(teacher)
    # When they open a hub page
    response = client.get("/backoffice/hub/")
    # Then they get the site's 403 page, saying which account lacks the role, and a way home
    assert response.status_code == 403
    text = response.content.decode()
    _assert_site_page(text)
    assert "ada@school.example.org" in text and 'href="/my/"' in text


@pytest.mark.django_db
@override_settings(ROOT_URLCONF=__name__, DEBUG=False)
def test_database_outage_is_503_with_retry_after():
    client = Client(raise_request_exception=False)
    response = client.get("/broken/")
    assert response.status_code == 503 and response["Retry-After"] == "60"
    assert "the service is unavailable" in response.content.decode()


def test_other_errors_pass_through_the_outage_middleware():
    middleware = DatabaseUnavailableMiddleware(lambda request: None)
    assert middleware.process_exception(RequestFactory().get("/"), ValueError()) is None


@pytest.mark.parametrize(
    ("template", "heading"),
    [
        ("400.html", "could not understand that request"),
        ("429.html", "Too many attempts"),
        ("500.html", "there is a problem with the service"),
        ("503.html", "the service is unavailable"),
    ],
)
def test_error_pages_drawn_without_a_request_still_have_the_layout(template, heading):
    # 400 and 500 are drawn by Django without the request or the database
    from django.template import loader

    text = loader.get_template(template).render()
    _assert_site_page(text)
    assert heading in text


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("url", "heading"),
    [
        ("/help/", "Help and contact"),
        ("/accessibility/", "Accessibility statement"),
        ("/privacy/", "Privacy notice"),
        ("/cookies/", "Cookies"),
    ],
)
def test_info_pages_are_public_and_linked_from_every_footer(url, heading):
    response = Client().get(url)
    assert response.status_code == 200
    assert f">{heading}</h1>" in response.content.decode()
    assert f'href="{url}"' in Client().get("/programmes/").content.decode()


@pytest.mark.django_db
def test_hub_staff_are_not_refused_their_hub_page():
    staff = TeacherFactory()
    RoleAssignmentFactory(user=staff, role=Role.HUB_STAFF, hub=HubFactory())
    client = Client()
    client.force_login(staff)
    assert client.get("/backoffice/hub/").status_code == 200
