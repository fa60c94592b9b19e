"""The engagement rollup stays exactly what the applications say, through every kind of change,
and `cpdnet check-rollups` reports any difference (see insights.engagement)."""

import io

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from cpdnet.applications.models import Application
from cpdnet.applications.services import withdraw_application
from cpdnet.insights.engagement import compare_engagement
from cpdnet.insights.models import SchoolEngagement
from tests.factories import OfferingFactory

from .conftest import YEAR, place, urn


def rollup(network):
    return {
        (school - 100000, year): (participating, completed)
        for school, year, participating, completed in SchoolEngagement.objects.filter(
            network=network
        ).values_list("school_id", "academic_year", "participating", "completed")
    }


def test_the_rollup_holds_each_engaged_schools_places_per_network_and_year(world):
    # Given the world's applications (made through model saves), then the rollup has them
    assert rollup(world.maths) == {
        (1, YEAR): (1, 0),
        (2, YEAR): (1, 1),
        (3, YEAR): (1, 0),
        (4, YEAR): (2, 0),
        (9, YEAR): (1, 0),
        (17, YEAR): (1, 1),
        (22, YEAR): (1, 0),
        (23, YEAR): (1, 0),
        (13, 2024): (1, 0),
        (14, 2022): (1, 1),
    }
    assert rollup(world.science) == {(18, YEAR): (1, 0)}
    assert list(compare_engagement()) == []


def test_the_rollup_follows_a_series_of_changes_exactly(world):
    school_4, school_5 = world.schools[4], world.schools[5]
    first, second = Application.objects.filter(school=school_4).order_by("pk")

    # When one of school 4's two places is withdrawn through the service
    withdraw_application(application=first, by=first.applicant)
    assert rollup(world.maths)[(4, YEAR)] == (1, 0)

    # When school 5's submitted application is accepted, then completed
    pending = Application.objects.get(school=school_5)
    pending.state = "accepted"
    pending.save()
    assert rollup(world.maths)[(5, YEAR)] == (1, 0)
    pending.state = "completed"
    pending.save(update_fields=["state"])
    assert rollup(world.maths)[(5, YEAR)] == (1, 1)

    # When school 4's other place moves to school 5 (a corrected school)
    second.school = school_5
    second.save()
    assert (4, YEAR) not in rollup(world.maths)
    assert rollup(world.maths)[(5, YEAR)] == (2, 1)

    # When the offering moves to the next academic year, its schools' rows move with it
    world.offering_a.academic_year = YEAR + 1
    world.offering_a.save()
    assert (1, YEAR) not in rollup(world.maths)
    assert rollup(world.maths)[(1, YEAR + 1)] == (1, 0)
    assert rollup(world.maths)[(9, YEAR)] == (1, 0)  # on hub B's offering: unchanged

    # When a place is deleted and a new one made on another offering
    Application.objects.get(school=world.schools[9]).delete()
    other = OfferingFactory(programme=world.offering_a.programme, hub=world.hub_b)
    place(other, school_4, "accepted")
    assert (9, YEAR) not in rollup(world.maths)
    assert rollup(world.maths)[(4, 2026)] == (1, 0)

    # Then after all of it the rollup is exactly the raw rows' count
    assert list(compare_engagement()) == []


def test_check_rollups_reports_a_difference_and_rebuild_rollups_mends_it(world):
    # Given a change that bypassed the upkeep (a bulk update sends no signals)
    Application.objects.filter(school=world.schools[1]).update(state="withdrawn")
    output = io.StringIO()

    # When the rollup is checked, then the command fails naming the school
    with pytest.raises(CommandError, match="differs from the applications for 1 school"):
        call_command("check_rollups", stdout=output)
    assert f"school {urn(1)}, network {world.maths.pk}, year {YEAR}" in output.getvalue()
    assert "rollup 1 taking part, 0 completed, applications no row" in output.getvalue()

    # When it is rebuilt, then the check passes
    call_command("rebuild_rollups", stdout=io.StringIO())
    output = io.StringIO()
    call_command("check_rollups", stdout=output)
    assert "matches the applications" in output.getvalue()
    assert (1, YEAR) not in rollup(world.maths)


def test_the_reach_pages_say_when_the_figures_last_changed(client, world):
    # Given the rollup refreshed by the world's applications
    refreshed = SchoolEngagement.objects.order_by("-refreshed_at").first().refreshed_at
    client.force_login(world.national)

    # When the national page and a hub's page are shown, then both give that time (UK time)
    expected = f"Engagement figures as of {timezone.localtime(refreshed):%-d %B %Y, %H:%M}"
    for url in ("/backoffice/insights/", f"/backoffice/insights/hubs/{world.hub_a.slug}/"):
        assert expected in client.get(url, {"year": YEAR}).content.decode()
