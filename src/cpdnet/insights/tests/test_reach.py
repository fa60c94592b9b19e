"""Reach, breakdowns, quintiles and trends against the hand-built world (see conftest)."""

from decimal import Decimal

import pytest

from cpdnet.applications.models import Application, State
from cpdnet.applications.signals import school_confirmation_changed
from cpdnet.hubs.directory import get_hub_directory
from cpdnet.hubs.models import HubArea
from cpdnet.hubs.selectors import hub_expression
from cpdnet.insights.models import Target
from cpdnet.insights.selectors import (
    ReachFilters,
    apply_targets,
    fsm_quintile_cuts,
    list_counted_schools,
    list_reach_schools,
    reach_breakdown,
    reach_by_hub,
    reach_trend,
    target_rates,
)

from .conftest import YEAR, place, urn


def _figures(reach):
    return {row.key: (row.schools, row.engaged) for row in reach.rows}


def test_reach_by_hub_counts_open_state_funded_schools_and_participating_places(world):
    reach = reach_by_hub(world.maths, YEAR)

    assert _figures(reach) == {"hub-a": (15, 5), "hub-b": (6, 1)}
    assert (reach.total.schools, reach.total.engaged, reach.total.completed) == (21, 6, 2)
    assert reach.rows[0].rate == pytest.approx(5 / 15)


def test_a_place_counts_for_a_school_only_once_the_school_confirmed_the_teacher(world):
    # Given a school of hub A not engaged so far, and a teacher with a place there whose
    # school has not yet confirmed they work there
    school = list_reach_schools(world.maths, YEAR, ReachFilters(hub=world.hub_a), engaged="no")[0]
    application = place(world.offering_a, school, State.ACCEPTED)
    Application.objects.filter(pk=application.pk).update(school_confirmed=False)
    # (as applications.services does when an affiliation changes: the rollup listens)
    school_confirmation_changed.send(sender=Application, application_ids=[application.pk])

    # Then the school is not counted as engaged
    assert _figures(reach_by_hub(world.maths, YEAR))["hub-a"] == (15, 5)

    # When the school confirms the teacher, it is
    Application.objects.filter(pk=application.pk).update(school_confirmed=True)
    school_confirmation_changed.send(sender=Application, application_ids=[application.pk])
    assert _figures(reach_by_hub(world.maths, YEAR))["hub-a"] == (15, 6)


def test_reach_by_hub_keeps_only_the_hubs_asked_for_and_totals_them(world):
    reach = reach_by_hub(world.maths, YEAR, hub_ids=[world.hub_b.pk])

    assert _figures(reach) == {"hub-b": (6, 1)}
    assert (reach.total.schools, reach.total.engaged) == (6, 1)


def test_a_science_place_does_not_count_for_the_maths_network(world):
    science = reach_by_hub(world.science, YEAR)

    assert _figures(science) == {"hub-s": (21, 1)}


@pytest.mark.parametrize(
    ("dimension", "expected"),
    [
        ("local_authority", {"383": (8, 4), "380": (8, 1), "381": (5, 1)}),
        ("phase", {"Primary": (10, 4), "Secondary": (10, 2), "unknown": (1, 0)}),
        (
            "fsm_quintile",
            {"1": (4, 4), "2": (4, 0), "3": (4, 1), "4": (4, 0), "5": (4, 1), "unknown": (1, 0)},
        ),
        ("trust", {"trust": (5, 4), "standalone": (16, 2)}),
        (
            "size_band",
            {
                "under-100": (1, 1),
                "100-199": (2, 2),
                "200-399": (4, 1),
                "400-799": (8, 1),
                "800-plus": (5, 1),
                "unknown": (1, 0),
            },
        ),
        ("region", {"Yorkshire and The Humber": (20, 6), "unknown": (1, 0)}),
        ("urban_rural", {"unknown": (21, 6)}),
    ],
)
def test_each_breakdown_matches_the_known_world(world, dimension, expected):
    reach = reach_breakdown(world.maths, YEAR, dimension)

    assert _figures(reach) == expected
    assert reach.total.schools == 21


def test_breakdowns_list_rows_in_a_stable_order_with_not_known_last(world):
    quintiles = reach_breakdown(world.maths, YEAR, "fsm_quintile")
    sizes = reach_breakdown(world.maths, YEAR, "size_band")

    assert [row.key for row in quintiles.rows] == ["1", "2", "3", "4", "5", "unknown"]
    assert [row.key for row in sizes.rows][-1] == "unknown"
    assert sizes.rows[0].key == "under-100"


def test_quintile_cut_points_are_national_nearest_rank_percentiles(world):
    cuts = fsm_quintile_cuts()

    assert cuts == (Decimal(4), Decimal(8), Decimal(12), Decimal(16))


def test_a_school_on_a_cut_point_falls_in_the_lower_quintile(world):
    on_the_cut = list_reach_schools(world.maths, YEAR, ReachFilters(fsm_quintile="1"))

    assert sorted(school.urn for school in on_the_cut) == [urn(n) for n in (1, 2, 3, 4)]


def test_a_breakdown_within_a_hub_counts_only_that_hubs_schools(world):
    reach = reach_breakdown(
        world.maths, YEAR, "local_authority", filters=ReachFilters(hub=world.hub_b)
    )

    assert _figures(reach) == {"383": (1, 0), "381": (5, 1)}


def test_trend_counts_every_year_in_two_queries_at_most(world, django_assert_max_num_queries):
    get_hub_directory()  # loaded once per process, not per figure
    with django_assert_max_num_queries(2):  # the schools counted, every year's counts
        trend = reach_trend(world.maths, [2022, 2023, 2024, 2025])

    assert [(row.label, row.engaged) for row in trend] == [
        ("2022/23", 1),
        ("2023/24", 0),
        ("2024/25", 1),
        ("2025/26", 6),
    ]


def test_a_breakdown_takes_the_same_few_queries_whatever_the_number_of_rows(
    world, django_assert_max_num_queries
):
    get_hub_directory()
    with django_assert_max_num_queries(3):
        reach_breakdown(world.maths, YEAR, "local_authority")


def test_the_hub_expression_agrees_with_the_hub_directory_for_split_authorities(world):
    # Given Leeds's only district moved to hub B by a district row
    HubArea.objects.create(hub=world.hub_b, local_authority_id="383", district_id="E08000035")
    directory = get_hub_directory()

    schools = list_counted_schools().annotate(hub_pk=hub_expression(world.maths))

    for school in schools:
        expected = directory.hubs_for(school.la_code, school.district_code, school.urn)
        assert school.hub_pk == expected[world.maths.pk].pk, school.urn


def test_targets_for_a_year_beat_standing_targets_and_mark_rows(world):
    Target.objects.create(network=world.maths, phase="all", academic_year=None, rate=Decimal(10))
    Target.objects.create(network=world.maths, phase="all", academic_year=YEAR, rate=Decimal(30))
    Target.objects.create(network=world.maths, phase="Primary", rate=Decimal(50))

    rates = target_rates(world.maths, YEAR)
    phases = apply_targets(reach_breakdown(world.maths, YEAR, "phase"), rates)
    hubs = apply_targets(reach_by_hub(world.maths, YEAR), rates)

    assert rates == {"all": Decimal(30), "Primary": Decimal(50)}
    primary = phases.rows[0]
    assert (primary.key, primary.target, primary.meets_target) == ("Primary", 50, False)
    assert [(row.key, row.meets_target) for row in hubs.rows] == [
        ("hub-a", True),
        ("hub-b", False),
    ]


def test_authority_rows_are_named_and_ordered_by_name(world):
    reach = reach_breakdown(world.maths, YEAR, "local_authority")

    assert [row.label for row in reach.rows] == ["Bradford", "Calderdale", "Leeds"]
