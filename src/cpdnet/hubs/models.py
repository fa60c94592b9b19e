from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from cpdnet.schools.models import District, LocalAuthority, School


class Network(models.Model):
    """A subject's national programme, such as the maths hubs."""

    slug = models.SlugField(unique=True)
    name = models.CharField(max_length=100)
    subject = models.CharField(max_length=40)
    hub_noun = models.CharField(
        max_length=60, help_text=_("What one hub is called, e.g. 'maths hub'.")
    )
    # The network's own words, so that its pages read as its own (see hubs.vocabulary).
    hub_noun_plural = models.CharField(
        max_length=60, default="maths hubs", help_text=_("What several hubs are called.")
    )
    lead_school_noun = models.CharField(
        max_length=60,
        default="lead school",
        help_text=_("What the school or college that leads a hub is called."),
    )
    programme_kinds = models.CharField(
        max_length=200,
        default="work_group,course,residential,webinar,accreditation",
        help_text=_("Comma-separated kinds of programme the network offers."),
    )
    audiences = models.CharField(
        max_length=300,
        default=(
            "class_teacher,early_career_teacher,non_specialist,subject_lead,senior_leader,"
            "teaching_assistant,early_years_practitioner"
        ),
        help_text=_("Comma-separated job roles the network's programmes are for."),
    )
    display_order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["display_order", "name"]

    def __str__(self) -> str:
        return self.name


class HubDataStatus(models.TextChoices):
    CURRENT = "current", _("Current (from the hub's published page)")
    CURRENT_PARTIAL = "current_partial", _("Current, some details not published")
    HISTORIC = "historic", _("Historic details, may have changed")
    NAME_ONLY = "name_only", _("Only the name is published")
    DEMO = "demo", _("Demo data")


class Hub(models.Model):
    """A regional centre led by a lead school, serving an area."""

    network = models.ForeignKey(Network, on_delete=models.PROTECT, related_name="hubs")
    slug = models.SlugField(max_length=80, unique=True)
    name = models.CharField(max_length=150)
    region = models.CharField(max_length=100, blank=True)
    lead_school = models.ForeignKey(
        School, on_delete=models.SET_NULL, null=True, blank=True, related_name="led_hubs"
    )
    lead_school_name = models.CharField(
        max_length=250, blank=True, help_text=_("As the hub words it, where no URN is matched.")
    )
    email = models.EmailField(blank=True)
    phone = models.CharField(max_length=40, blank=True)
    website = models.URLField(blank=True)
    areas_note = models.CharField(max_length=400, blank=True)
    data_status = models.CharField(
        max_length=20, choices=HubDataStatus.choices, default=HubDataStatus.CURRENT
    )
    as_of = models.CharField(_("details true as of"), max_length=80, blank=True)
    source = models.TextField(blank=True)
    contact_is_demo = models.BooleanField(
        default=False, help_text=_("The contact details are placeholders for the demo.")
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["network__display_order", "name"]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        if self.pk and (self.areas.exists() or self.school_overrides.exists()):
            network_id = Hub.objects.filter(pk=self.pk).values_list("network_id", flat=True).first()
            if network_id is not None and network_id != self.network_id:
                raise ValidationError(
                    {"network": _("Move or delete this hub's areas and overrides first.")}
                )

    @property
    def lead_school_label(self) -> str:
        return self.lead_school.name if self.lead_school else self.lead_school_name


class AreaBasis(models.TextChoices):
    SOURCE = "source", _("Published by the hub or the national centre")
    ASSUMED = "assumed", _("Assumed: public data is silent, assigned for the demo")
    NATIONAL = "national", _("Set by national staff")


class HubArea(models.Model):
    """A local authority, or one district of it, served by a hub.

    A district row overrides its authority's whole-authority row, so an authority can be split
    between hubs.
    """

    hub = models.ForeignKey(Hub, on_delete=models.CASCADE, related_name="areas")
    # Copied from the hub so that the database can keep one hub per place per network.
    network = models.ForeignKey(Network, on_delete=models.PROTECT, editable=False)
    local_authority = models.ForeignKey(LocalAuthority, on_delete=models.PROTECT)
    district = models.ForeignKey(
        District,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        help_text=_("Leave empty when the hub serves the whole authority."),
    )
    basis = models.CharField(max_length=10, choices=AreaBasis.choices, default=AreaBasis.NATIONAL)
    note = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["local_authority__name", "district__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["network", "local_authority"],
                condition=models.Q(district__isnull=True),
                name="one_hub_per_authority_per_network",
                violation_error_message=_(
                    "Another hub of this network already serves the whole of this authority."
                ),
            ),
            models.UniqueConstraint(
                fields=["network", "district"],
                condition=models.Q(district__isnull=False),
                name="one_hub_per_district_per_network",
                violation_error_message=_(
                    "Another hub of this network already serves this district."
                ),
            ),
        ]

    def __str__(self) -> str:
        if self.district_id:
            return f"{self.district} ({self.local_authority.name})"
        return self.local_authority.name

    def save(self, *args, **kwargs):
        self.network_id = self.hub.network_id
        super().save(*args, **kwargs)

    def clean(self) -> None:
        if self.hub_id:
            self.network_id = self.hub.network_id
        if self.district_id and self.district.local_authority_id != self.local_authority_id:
            raise ValidationError(
                {"district": _("This district is not in the chosen local authority.")}
            )
        # The network is copied from the hub, so forms skip the constraints that include it.
        self.validate_constraints()


class HubSchoolOverride(models.Model):
    """A school served by a hub other than the one its place gives it."""

    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="hub_overrides")
    network = models.ForeignKey(Network, on_delete=models.PROTECT, editable=False)
    hub = models.ForeignKey(Hub, on_delete=models.CASCADE, related_name="school_overrides")
    reason = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["school", "network"], name="one_override_per_network")
        ]

    def __str__(self) -> str:
        return f"{self.school} -> {self.hub}"

    def save(self, *args, **kwargs):
        self.network_id = self.hub.network_id
        super().save(*args, **kwargs)

    def clean(self) -> None:
        if self.hub_id:
            self.network_id = self.hub.network_id
        # The network is copied from the hub, so forms skip the constraints that include it.
        self.validate_constraints()


class HubChangeRequestStatus(models.TextChoices):
    PENDING = "pending", _("Waiting for national staff")
    APPROVED = "approved", _("Approved: the school now works with the hub it asked for")
    DECLINED = "declined", _("Declined")


class HubChangeRequest(models.Model):
    """A school's statement that it works with a different hub, for national staff to decide."""

    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="hub_requests")
    network = models.ForeignKey(Network, on_delete=models.PROTECT)
    current_hub = models.ForeignKey(
        Hub, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    requested_hub = models.ForeignKey(Hub, on_delete=models.CASCADE, related_name="+")
    contact_name = models.CharField(max_length=200)
    contact_email = models.EmailField()
    contact_role = models.CharField(max_length=100, blank=True)
    reason = models.TextField(blank=True)
    status = models.CharField(
        max_length=10,
        choices=HubChangeRequestStatus.choices,
        default=HubChangeRequestStatus.PENDING,
        db_index=True,
    )
    created_at = models.DateTimeField(auto_now_add=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.school} asks for {self.requested_hub}"
