from decimal import Decimal

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from cpdnet.hubs.models import Network
from cpdnet.programmes.models import SCHOOL_PHASES

ALL_PHASES = "all"
TARGET_PHASES = [(ALL_PHASES, _("All phases")), *((phase, phase) for phase in SCHOOL_PHASES)]


class Target(models.Model):
    """The share of schools national staff aim to engage: a network, a phase, a year or every year.

    A target for one academic year beats the network's standing target (no year) for that phase.
    """

    network = models.ForeignKey(Network, on_delete=models.CASCADE, related_name="targets")
    phase = models.CharField(
        max_length=40,
        choices=TARGET_PHASES,
        default=ALL_PHASES,
        help_text=_("A school phase as the register names it, or all phases."),
    )
    academic_year = models.PositiveSmallIntegerField(
        null=True,
        blank=True,
        validators=[MinValueValidator(2000), MaxValueValidator(2100)],
        help_text=_("The first calendar year: 2025 means 2025/26. Leave blank for every year."),
    )
    rate = models.DecimalField(
        _("target (% of schools engaged)"),
        max_digits=4,
        decimal_places=1,
        validators=[MinValueValidator(Decimal("0.1")), MaxValueValidator(Decimal("100"))],
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["network__display_order", "phase", "academic_year"]
        constraints = [
            models.UniqueConstraint(
                fields=["network", "phase", "academic_year"],
                condition=models.Q(academic_year__isnull=False),
                name="one_target_per_network_phase_and_year",
                violation_error_message=_(
                    "This network already has a target for that phase and year."
                ),
            ),
            models.UniqueConstraint(
                fields=["network", "phase"],
                condition=models.Q(academic_year__isnull=True),
                name="one_standing_target_per_network_and_phase",
                violation_error_message=_(
                    "This network already has a standing target for that phase."
                ),
            ),
            models.CheckConstraint(
                condition=models.Q(rate__gt=0, rate__lte=100),
                name="target_rate_is_a_percentage",
                violation_error_message=_("A target is a percentage above 0 and up to 100."),
            ),
        ]

    def __str__(self) -> str:
        year = (
            f"{self.academic_year}/{(self.academic_year + 1) % 100:02d}"
            if self.academic_year
            else "every year"
        )
        return f"{self.network}: {self.get_phase_display()} {self.rate}% ({year})"


class SchoolEngagement(models.Model):
    """A rollup of engagement facts: for a school, a network and an academic year, how many of
    its staff's applications count (see insights.engagement.counted_applications) and how many
    of those completed. A row exists only while at least one application counts.

    Kept up to date in the transaction of every change to an application or offering
    (insights.engagement), rebuilt by `cpdnet rebuild-rollups`, checked against the raw rows
    by `cpdnet check-rollups`. The reach and equity figures read it instead of the
    applications: one row per engaged school instead of one per place.
    """

    school = models.ForeignKey(
        "schools.School", on_delete=models.CASCADE, related_name="engagement_rollups"
    )
    network = models.ForeignKey(Network, on_delete=models.CASCADE, related_name="+")
    academic_year = models.PositiveSmallIntegerField()
    participating = models.PositiveIntegerField()
    completed = models.PositiveIntegerField()
    refreshed_at = models.DateTimeField(db_index=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["network", "academic_year", "school"],
                name="one_engagement_row_per_school_network_and_year",
            ),
        ]
        indexes = [
            models.Index(fields=["school", "network", "academic_year"]),
            # The reach figures read a network's year: with `completed` in the index,
            # PostgreSQL answers from the index alone (SQLite ignores INCLUDE).
            models.Index(
                fields=["network", "academic_year", "school"],
                include=["completed"],
                name="engagement_year_facts",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.school_id} {self.network_id} {self.academic_year}: {self.participating}"
