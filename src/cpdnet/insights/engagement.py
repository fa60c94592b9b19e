"""The engagement rollup (insights.models.SchoolEngagement): its one definition, its upkeep
and its check.

Which applications make a school engaged is decided in `counted_applications` and nowhere
else: the rollup is built, kept and checked from it. A rule such as "only once the teacher's
school is confirmed" goes there, and `cpdnet rebuild-rollups` applies it to the past.

Upkeep: saving or deleting an application or an offering refreshes the rows of the (school,
network, year) keys it touched before and after the change, in the same transaction (signal
handlers connected in InsightsConfig.ready). Bulk writes that send no signals (the demo and
activity generators) rebuild the whole rollup when they finish.
"""

from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from django.db import connection, transaction
from django.db.models import Count, F, Q, QuerySet
from django.utils import timezone

from cpdnet.applications.models import PARTICIPATING, Application, State

from .models import SchoolEngagement

Key = tuple[int, int, int]  # (school URN, network id, academic year)
BATCH_SIZE = 2000


def counted_applications() -> QuerySet[Application]:
    """The applications that make their school engaged: in a participating state (accepted,
    completed, not completed) on an offering of a hub, which gives the network and year, of a
    teacher the school has confirmed works there (a claimed school does not count)."""
    return Application.objects.filter(
        state__in=PARTICIPATING, offering__hub__isnull=False, school_confirmed=True
    )


def _facts(applications: QuerySet[Application]) -> QuerySet:
    """{school, network, year, participating, completed} per key of those applications."""
    return (
        applications.values(
            "school_id",
            network_id=F("offering__hub__network_id"),
            year=F("offering__academic_year"),
        )
        .order_by()
        .annotate(participating=Count("pk"), completed=Count("pk", filter=Q(state=State.COMPLETED)))
    )


def _key_q(keys: Iterable[Key]) -> Q:
    condition = Q()
    for school_id, network_id, year in keys:
        condition |= Q(
            school_id=school_id,
            offering__hub__network_id=network_id,
            offering__academic_year=year,
        )
    return condition


def refresh_engagement(keys: Iterable[Key]) -> None:
    """Make the rollup rows of these keys what the applications say now (idempotent).

    An upsert, so that two transactions refreshing the same key cannot both insert it.
    """
    keys = set(keys)
    if not keys:
        return
    now = timezone.now()
    facts = {
        (row["school_id"], row["network_id"], row["year"]): row
        for row in _facts(counted_applications().filter(_key_q(keys)))
    }
    gone = keys - facts.keys()
    if gone:
        SchoolEngagement.objects.filter(_rollup_key_q(gone)).delete()
    SchoolEngagement.objects.bulk_create(
        [
            SchoolEngagement(
                school_id=school_id,
                network_id=network_id,
                academic_year=year,
                participating=row["participating"],
                completed=row["completed"],
                refreshed_at=now,
            )
            for (school_id, network_id, year), row in facts.items()
        ],
        update_conflicts=True,
        unique_fields=["network", "academic_year", "school"],
        update_fields=["participating", "completed", "refreshed_at"],
    )


def _rollup_key_q(keys: Iterable[Key]) -> Q:
    condition = Q()
    for school_id, network_id, year in keys:
        condition |= Q(school_id=school_id, network_id=network_id, academic_year=year)
    return condition


def rebuild_engagement() -> int:
    """Build the whole rollup again from the applications; return its number of rows.

    One INSERT ... SELECT of the grouped applications: the rows never pass through Python.
    """
    facts_sql, params = _facts(counted_applications()).query.sql_with_params()
    table = SchoolEngagement._meta.db_table
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {table}")  # noqa: S608 - the model's table name
        cursor.execute(
            f"INSERT INTO {table} "  # noqa: S608 - names from the model, values as parameters
            "(school_id, network_id, academic_year, participating, completed, refreshed_at) "
            "SELECT facts.school_id, facts.network_id, facts.year, facts.participating, "
            f"facts.completed, %s FROM ({facts_sql}) AS facts",
            [connection.ops.adapt_datetimefield_value(timezone.now()), *params],
        )
        return cursor.rowcount


@dataclass(frozen=True)
class Difference:
    key: Key
    rollup: tuple[int, int] | None  # (participating, completed), None when there is no row
    raw: tuple[int, int] | None

    def __str__(self) -> str:
        school, network, year = self.key
        return (
            f"school {school}, network {network}, year {year}: rollup "
            f"{_pair(self.rollup)}, applications {_pair(self.raw)}"
        )


def _pair(counts: tuple[int, int] | None) -> str:
    return "no row" if counts is None else f"{counts[0]} taking part, {counts[1]} completed"


def compare_engagement() -> Iterator[Difference]:
    """Every key where the rollup and the applications disagree, in key order."""
    raw = {
        (row["school_id"], row["network_id"], row["year"]): (
            row["participating"],
            row["completed"],
        )
        for row in _facts(counted_applications()).iterator(chunk_size=BATCH_SIZE)
    }
    rollup = {
        (school, network, year): (participating, completed)
        for school, network, year, participating, completed in SchoolEngagement.objects.values_list(
            "school_id", "network_id", "academic_year", "participating", "completed"
        ).iterator(chunk_size=BATCH_SIZE)
    }
    for key in sorted(raw.keys() | rollup.keys()):
        if raw.get(key) != rollup.get(key):
            yield Difference(key, rollup.get(key), raw.get(key))


# --- Upkeep through model signals -------------------------------------------------------------


def _application_keys(application_ids: Iterable[int]) -> set[Key]:
    return {
        (school_id, network_id, year)
        for school_id, network_id, year in Application.objects.filter(
            pk__in=list(application_ids), offering__hub__isnull=False
        ).values_list("school_id", "offering__hub__network_id", "offering__academic_year")
    }


def _offering_keys(offering_id: int) -> set[Key]:
    return {
        (school_id, network_id, year)
        for school_id, network_id, year in counted_applications()
        .filter(offering_id=offering_id)
        .values_list("school_id", "offering__hub__network_id", "offering__academic_year")
        .distinct()
    }


def application_changing(sender, instance: Application, **kwargs) -> None:
    """pre_save and pre_delete: remember the keys the application counted under before."""
    instance._engagement_keys_before = _application_keys([instance.pk]) if instance.pk else set()


def application_saved(sender, instance: Application, **kwargs) -> None:
    refresh_engagement(instance._engagement_keys_before | _application_keys([instance.pk]))


def schools_confirmed_changed(sender, application_ids: list[int], **kwargs) -> None:
    """A school confirmed (or denied) that a teacher works there: their places count (or not)."""
    refresh_engagement(_application_keys(application_ids))


def application_deleted(sender, instance: Application, **kwargs) -> None:
    refresh_engagement(instance._engagement_keys_before)


def offering_changing(sender, instance, **kwargs) -> None:
    """pre_save: remember the keys the offering's applications counted under before."""
    instance._engagement_keys_before = _offering_keys(instance.pk) if instance.pk else set()


def offering_saved(sender, instance, **kwargs) -> None:
    refresh_engagement(instance._engagement_keys_before | _offering_keys(instance.pk))
