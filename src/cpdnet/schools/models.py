from django.db import models
from django.db.models.functions import Upper
from django.utils.translation import gettext_lazy as _


class LocalAuthority(models.Model):
    """An English local authority as DfE codes it (GIAS `LA (code)`)."""

    code = models.CharField(_("DfE code"), max_length=3, primary_key=True)
    ons_code = models.CharField(_("ONS code"), max_length=9, unique=True)
    name = models.CharField(max_length=100)
    region_code = models.CharField(max_length=9)
    region_name = models.CharField(max_length=60)

    class Meta:
        ordering = ["name"]
        verbose_name = _("local authority")
        verbose_name_plural = _("local authorities")

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"


class District(models.Model):
    """A local authority district (ONS LAD 2025) inside an upper-tier authority."""

    code = models.CharField(_("ONS code"), max_length=9, primary_key=True)
    name = models.CharField(max_length=100)
    local_authority = models.ForeignKey(
        LocalAuthority, on_delete=models.PROTECT, related_name="districts"
    )

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class SchoolStatus(models.TextChoices):
    OPEN = "open", _("Open")
    OPEN_PROPOSED_TO_CLOSE = "open_proposed_to_close", _("Open, but proposed to close")
    PROPOSED_TO_OPEN = "proposed_to_open", _("Proposed to open")
    CLOSED = "closed", _("Closed")
    UNKNOWN = "unknown", _("Not known")

    @classmethod
    def open_values(cls) -> list[str]:
        return [cls.OPEN, cls.OPEN_PROPOSED_TO_CLOSE]


class PhaseSource(models.TextChoices):
    GIAS = "gias", _("GIAS phase of education")
    CENSUS = "census", _("filled from the school census type")
    NONE = "", _("not known")


class FundingCategory(models.TextChoices):
    """How an establishment is funded (see schools.funding for the rule)."""

    STATE_SCHOOL = "state_school", _("State-funded school")
    ACADEMY = "academy", _("Academy or free school")
    COLLEGE = "college", _("Further education or sixth-form college")
    INDEPENDENT = "independent", _("Independent school")
    OTHER = "other", _("Other establishment")
    NOT_KNOWN = "", _("Not known")


class School(models.Model):
    """An establishment from the Get Information about Schools register, keyed by URN."""

    urn = models.PositiveIntegerField(_("URN"), primary_key=True)
    name = models.CharField(max_length=200)
    # Lower-case words with punctuation removed and "st" spelled "saint", padded with spaces,
    # so that " word" finds the start of any word (see schools.search).
    search_text = models.TextField(editable=False)
    status = models.CharField(
        max_length=24, choices=SchoolStatus.choices, default=SchoolStatus.UNKNOWN
    )
    la_code = models.CharField(_("LA code"), max_length=3, db_index=True)
    la_name = models.CharField(_("LA name"), max_length=100, blank=True)
    district_code = models.CharField(max_length=9, blank=True, db_index=True)
    establishment_number = models.CharField(max_length=4, blank=True)
    type_name = models.CharField(_("type of establishment"), max_length=100, blank=True)
    type_group = models.CharField(_("establishment type group"), max_length=60, blank=True)
    funding_category = models.CharField(
        max_length=12, choices=FundingCategory.choices, blank=True, db_index=True
    )
    # Derived from funding_category (schools.funding.is_state_funded); kept as a column
    # because eligibility and reach filter on it.
    is_state_funded = models.BooleanField(null=True)
    phase = models.CharField(max_length=40, blank=True)
    phase_source = models.CharField(
        max_length=8, choices=PhaseSource.choices, default=PhaseSource.NONE, blank=True
    )
    census_school_type = models.CharField(max_length=60, blank=True)
    statutory_low_age = models.PositiveSmallIntegerField(null=True, blank=True)
    statutory_high_age = models.PositiveSmallIntegerField(null=True, blank=True)
    postcode = models.CharField(max_length=8, blank=True)
    town = models.CharField(max_length=100, blank=True)
    easting = models.PositiveIntegerField(null=True, blank=True)
    northing = models.PositiveIntegerField(null=True, blank=True)
    pupils = models.PositiveIntegerField(_("number of pupils"), null=True, blank=True)
    percentage_fsm = models.DecimalField(
        _("% free school meals"), max_digits=4, decimal_places=1, null=True, blank=True
    )
    trust_name = models.CharField(max_length=200, blank=True)
    urban_rural = models.CharField(max_length=80, blank=True)
    region_name = models.CharField(max_length=60, blank=True)
    open_date = models.DateField(null=True, blank=True)
    close_date = models.DateField(null=True, blank=True)
    successor = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="predecessors",
        help_text=_("The school that took this one over when it closed (GIAS links)."),
    )
    imported_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]
        indexes = [
            models.Index(fields=["status", "name"], name="school_status_name"),
            # Nearest open schools to a place (schools.selectors.list_nearest_schools): status
            # first, so that the planner prefers it to school_status_name for a grid square.
            models.Index(fields=["status", "easting", "northing"], name="school_status_grid"),
            models.Index(Upper("postcode"), name="school_postcode_upper"),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.urn})"

    @property
    def is_open(self) -> bool:
        return self.status in SchoolStatus.open_values()

    @property
    def is_closed(self) -> bool:
        return self.status == SchoolStatus.CLOSED

    def current_successor(self) -> "School | None":
        """Follow the chain of successors to the school that carries on today."""
        seen = {self.urn}
        school = self.successor
        while school is not None and school.successor_id and school.successor_id not in seen:
            seen.add(school.urn)
            school = school.successor
        return school


class SchoolImport(models.Model):
    """A record of one import of the register: which file, and what it changed."""

    file_name = models.CharField(max_length=255)
    rows = models.PositiveIntegerField()
    created = models.PositiveIntegerField()
    updated = models.PositiveIntegerField()
    unchanged = models.PositiveIntegerField()
    closed = models.PositiveIntegerField()
    successors_linked = models.PositiveIntegerField(default=0)
    phase_from_census = models.PositiveIntegerField(default=0)
    imported_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-imported_at"]

    def __str__(self) -> str:
        return f"{self.file_name} at {self.imported_at:%Y-%m-%d %H:%M}"
