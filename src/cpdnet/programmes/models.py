import uuid
from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cpdnet.accounts.models import JobRole, OrganisationKind
from cpdnet.hubs.models import Hub, Network


class Phase(models.TextChoices):
    EARLY_YEARS = "early_years", _("Early years")
    PRIMARY = "primary", _("Primary")
    SECONDARY = "secondary", _("Secondary")
    POST_16 = "post_16", _("Post-16")
    ALL = "all", _("All phases")


# GIAS phase names (and census-filled ones) mapped to the phases programmes are aimed at.
SCHOOL_PHASES = {
    "Nursery": {Phase.EARLY_YEARS},
    "Primary": {Phase.EARLY_YEARS, Phase.PRIMARY},
    "Middle deemed primary": {Phase.PRIMARY},
    "Middle deemed secondary": {Phase.SECONDARY},
    "Secondary": {Phase.SECONDARY, Phase.POST_16},
    "16 plus": {Phase.POST_16},
    "All-through": {Phase.EARLY_YEARS, Phase.PRIMARY, Phase.SECONDARY, Phase.POST_16},
}


class Kind(models.TextChoices):
    WORK_GROUP = "work_group", _("Work Group")
    COURSE = "course", _("Course")
    RESIDENTIAL = "residential", _("Residential")
    WEBINAR = "webinar", _("Webinar")
    ACCREDITATION = "accreditation", _("Accreditation programme")
    NETWORK_MEETING = "network_meeting", _("Network meeting")


class FundingModel(models.TextChoices):
    FUNDED = "funded", _("Fully funded: no cost to the school")
    FUNDED_WITH_RELEASE = "funded_release", _("Funded, with a payment towards release time")
    FEE = "fee", _("Fee payable by the school")


class Programme(models.Model):
    """A nationally designed CPD offer that hubs run as offerings."""

    network = models.ForeignKey(Network, on_delete=models.PROTECT, related_name="programmes")
    slug = models.SlugField(max_length=100, unique=True)
    title = models.CharField(max_length=200)
    phase = models.CharField(max_length=12, choices=Phase.choices)
    key_stages = models.CharField(
        max_length=40, blank=True, help_text=_("Comma-separated, e.g. KS3,KS4")
    )
    kind = models.CharField(max_length=20, choices=Kind.choices)
    audience = models.CharField(
        max_length=200,
        help_text=_("Comma-separated job roles the programme is for"),
    )
    # A hub's own design, approved by national staff; empty for a national programme. Only
    # the hub that designed it schedules it.
    designed_by_hub = models.ForeignKey(
        Hub,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="local_programmes",
        help_text=_("The hub that designed this local programme; empty for a national one."),
    )
    funding_model = models.CharField(max_length=16, choices=FundingModel.choices)
    fee = models.DecimalField(max_digits=8, decimal_places=2, default=Decimal("0.00"))
    summary = models.CharField(max_length=300)
    description = models.TextField(help_text=_("Plain English: who it is for, what happens."))
    counts_schools = models.BooleanField(
        default=False, help_text=_("Capacity is also counted in schools (one or two per school).")
    )
    conflicts_with = models.ManyToManyField(
        "self",
        blank=True,
        symmetrical=True,
        help_text=_("Programmes a teacher may not apply for in the same year as this one."),
    )
    is_active = models.BooleanField(default=True)
    # Completion rule: attend at least this many of an offering's sessions (blank: every
    # session that was not cancelled) and, where required, submit the final reflection.
    min_sessions_attended = models.PositiveSmallIntegerField(
        _("sessions a participant must attend"),
        null=True,
        blank=True,
        help_text=_("Leave blank to require every session that took place."),
    )
    requires_final_reflection = models.BooleanField(
        _("final reflection required to complete"), default=True
    )
    # A programme over several years runs one offering per year of the programme; a
    # participant continues from one year's place to the next (Application.continues).
    duration_years = models.PositiveSmallIntegerField(
        _("years the programme lasts"),
        default=1,
        validators=[MinValueValidator(1), MaxValueValidator(5)],
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True, db_index=True)

    class Meta:
        ordering = ["network__display_order", "phase", "title"]

    def __str__(self) -> str:
        return self.title

    @property
    def audience_roles(self) -> list[str]:
        return [role for role in self.audience.split(",") if role]

    def audience_labels(self) -> list[str]:
        labels = dict(JobRole.choices)
        return [str(labels.get(role, role)) for role in self.audience_roles]

    @property
    def subject(self) -> str:
        return self.network.subject

    @property
    def is_local_design(self) -> bool:
        return self.designed_by_hub_id is not None


class ProviderKind(models.TextChoices):
    HUB = "hub", _("Hub")
    NATIONAL_CENTRE = "national_centre", _("National centre")
    NATIONAL_NETWORK = "national_network", _("National network")
    PARTNER = "partner", _("Partner organisation")


class Provider(models.Model):
    """Who provides offerings: a hub, or a national provider (centre, network or partner).

    Every hub has exactly one Provider row (kept by `programmes.signals`), so offerings and
    roles can be scoped by provider whoever runs them.
    """

    kind = models.CharField(max_length=16, choices=ProviderKind.choices)
    name = models.CharField(max_length=150)
    slug = models.SlugField(max_length=80, unique=True)
    network = models.ForeignKey(
        Network,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="providers",
        help_text=_("Leave blank for a provider that works across networks."),
    )
    hub = models.OneToOneField(
        Hub, on_delete=models.CASCADE, null=True, blank=True, related_name="provider"
    )
    email = models.EmailField(blank=True)
    phone = models.CharField(max_length=40, blank=True)
    website = models.URLField(blank=True)
    description = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    models.Q(kind="hub", hub__isnull=False)
                    | (~models.Q(kind="hub") & models.Q(hub__isnull=True))
                ),
                name="provider_is_a_hub_exactly_when_kind_is_hub",
                violation_error_message=_("A hub provider needs its hub; no other kind has one."),
            )
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_national(self) -> bool:
        return self.kind != ProviderKind.HUB


class Mode(models.TextChoices):
    ONLINE = "online", _("Online")
    FACE_TO_FACE = "face_to_face", _("Face to face")
    BLENDED = "blended", _("Blended: online and face to face")


class Offering(models.Model):
    """One provider's run of a programme in an academic year (a cohort or Work Group).

    `provider` runs it; `hub` is set for a hub's offerings (scoping and reporting) and empty
    for a national provider's, which are open to schools everywhere.
    """

    programme = models.ForeignKey(Programme, on_delete=models.PROTECT, related_name="offerings")
    provider = models.ForeignKey(Provider, on_delete=models.PROTECT, related_name="offerings")
    hub = models.ForeignKey(
        Hub, on_delete=models.PROTECT, null=True, blank=True, related_name="offerings"
    )
    partners = models.ManyToManyField(
        Provider,
        blank=True,
        related_name="co_delivered_offerings",
        help_text=_("Organisations that deliver the offering with its provider."),
    )
    academic_year = models.PositiveSmallIntegerField(
        help_text=_("The first calendar year: 2025 means 2025/26.")
    )
    cohort_name = models.CharField(max_length=100, blank=True)
    programme_year = models.PositiveSmallIntegerField(
        _("year of the programme"),
        default=1,
        validators=[MinValueValidator(1)],
        help_text=_("For a programme over several years: which of its years this offering is."),
    )
    facilitator = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="facilitated_offerings",
    )
    capacity = models.PositiveIntegerField(_("places"))
    school_capacity = models.PositiveIntegerField(_("schools"), null=True, blank=True)
    mode = models.CharField(max_length=12, choices=Mode.choices)
    venue = models.CharField(max_length=200, blank=True)
    planned_sessions = models.PositiveSmallIntegerField(default=3)
    starts_on = models.DateField()
    ends_on = models.DateField()
    applications_open_at = models.DateTimeField()
    applications_close_at = models.DateTimeField()
    local_only = models.BooleanField(
        default=True, help_text=_("Only schools in the hub's area may apply.")
    )
    requires_school_approval = models.BooleanField(default=True)
    # Events and webinars list who chairs and who speaks.
    chair = models.CharField(max_length=200, blank=True)
    speakers = models.TextField(blank=True, help_text=_("One speaker a line: name, role."))
    # Comma-separated OrganisationKind values whose people may register; events may open to
    # universities, industry and others, counted apart from school reach.
    open_to_organisations = models.CharField(_("open to"), max_length=200, default="school,college")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True, db_index=True)

    class Meta:
        ordering = ["starts_on", "id"]
        indexes = [
            models.Index(fields=["hub", "academic_year"]),
            models.Index(fields=["provider", "academic_year"]),
            models.Index(fields=["academic_year", "starts_on"]),
            models.Index(fields=["applications_close_at"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(applications_open_at__lt=models.F("applications_close_at")),
                name="window_opens_before_it_closes",
                violation_error_message=_("Applications must open before they close."),
            ),
            models.CheckConstraint(
                condition=models.Q(starts_on__lte=models.F("ends_on")),
                name="offering_starts_before_it_ends",
                violation_error_message=_("The offering must start before it ends."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.programme.title} – {self.runner_name} {self.academic_year_label}"

    @property
    def runner_name(self) -> str:
        """The hub running the offering, else its national provider."""
        return self.hub.name if self.hub_id else self.provider.name

    @property
    def is_national(self) -> bool:
        return self.hub_id is None

    @property
    def speaker_list(self) -> list[str]:
        return [line.strip() for line in self.speakers.splitlines() if line.strip()]

    @property
    def open_to_kinds(self) -> list[str]:
        return [kind for kind in self.open_to_organisations.split(",") if kind]

    @property
    def open_to_labels(self) -> list[str]:
        labels = dict(OrganisationKind.choices)
        return [str(labels.get(kind, kind)) for kind in self.open_to_kinds]

    @property
    def academic_year_label(self) -> str:
        return f"{self.academic_year}/{(self.academic_year + 1) % 100:02d}"

    def is_open_for_applications(self, now=None) -> bool:
        now = now or timezone.now()
        return self.applications_open_at <= now < self.applications_close_at


class Residential(models.Model):
    """What a residential offering adds: nights away, rooms, arrival and the house rules."""

    offering = models.OneToOneField(Offering, on_delete=models.CASCADE, related_name="residential")
    nights = models.PositiveSmallIntegerField(validators=[MinValueValidator(1)])
    rooms = models.PositiveIntegerField(
        _("bedrooms"),
        null=True,
        blank=True,
        help_text=_("Leave blank when rooms do not limit places; else one room per place."),
    )
    arrival_from = models.DateTimeField(_("arrival from"))
    departure_by = models.DateTimeField(_("departure by"))
    address = models.TextField(_("address of the venue"))
    travel_information = models.TextField(_("how to get there"), blank=True)
    joining_instructions = models.TextField(
        help_text=_("Sent once to each participant when their place is confirmed.")
    )
    cancellation_rules = models.TextField(
        _("if the participant cancels"),
        help_text=_("Plain English: until when a place can be given up without charge."),
    )
    no_show_rules = models.TextField(
        _("if the participant does not arrive"),
        help_text=_("Plain English: what happens to the place, the room and any bursary."),
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(arrival_from__lt=models.F("departure_by")),
                name="residential_arrival_before_departure",
                violation_error_message=_("Arrival must be before departure."),
            )
        ]

    def __str__(self) -> str:
        return f"Residential: {self.offering}"


class Session(models.Model):
    """One meeting of an offering. Times are stored in UTC and shown in Europe/London."""

    offering = models.ForeignKey(Offering, on_delete=models.CASCADE, related_name="sessions")
    # Stable iCalendar UID: calendar apps match updates and cancellations by it.
    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    title = models.CharField(max_length=200, blank=True)
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    mode = models.CharField(max_length=12, choices=Mode.choices)
    venue = models.CharField(max_length=300, blank=True)
    # Secret until the release time: shown and emailed to participants only (see services).
    join_url = models.URLField(_("online meeting link"), max_length=500, blank=True)
    recording_url = models.URLField(_("recording link"), max_length=500, blank=True)
    # iCalendar SEQUENCE: raised on every change participants should see in their calendar.
    sequence = models.PositiveIntegerField(default=0)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    cancellation_reason = models.CharField(max_length=300, blank=True)
    join_link_released_at = models.DateTimeField(null=True, blank=True)
    reminder_sent_at = models.DateTimeField(null=True, blank=True)
    recording_sent_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True, db_index=True)

    class Meta:
        ordering = ["starts_at", "id"]
        indexes = [
            models.Index(fields=["offering", "starts_at"]),
            models.Index(fields=["starts_at"]),
            # The recordings sweep: only sessions with a recording not yet sent.
            models.Index(
                fields=["ends_at"],
                condition=models.Q(recording_sent_at__isnull=True) & ~models.Q(recording_url=""),
                name="session_recording_due",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(starts_at__lt=models.F("ends_at")),
                name="session_starts_before_it_ends",
                violation_error_message=_("A session must start before it ends."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.title or self.offering.programme.title} at {self.starts_at:%Y-%m-%d %H:%M}"

    @property
    def is_cancelled(self) -> bool:
        return self.cancelled_at is not None

    @property
    def duration_hours(self) -> float:
        return (self.ends_at - self.starts_at).total_seconds() / 3600


class CalendarFeed(models.Model):
    """A person's private iCalendar feed of their sessions, found by a secret token.

    Only the token's SHA-256 is kept, so the address is shown once, when it is made; resetting
    the feed stores a new hash, which stops the old address working at once.
    """

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="calendar_feed"
    )
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=timezone.now)
    revoked_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"Calendar feed of person {self.user_id}"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None


class DesignKind(models.TextChoices):
    WORK_GROUP = Kind.WORK_GROUP.value, _("Local Work Group")
    NETWORK_MEETING = Kind.NETWORK_MEETING.value, _("Network meeting")


class DesignState(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted: waiting for national staff")
    RETURNED = "returned", _("Returned with comments")
    APPROVED = "approved", _("Approved")
    DECLINED = "declined", _("Declined")


# Every allowed move of a local design, listed once; services check against it.
DESIGN_TRANSITIONS: dict[str, set[str]] = {
    DesignState.DRAFT: {DesignState.SUBMITTED},
    DesignState.SUBMITTED: {DesignState.RETURNED, DesignState.APPROVED, DesignState.DECLINED},
    DesignState.RETURNED: {DesignState.SUBMITTED},
    DesignState.APPROVED: set(),
    DesignState.DECLINED: set(),
}
# States in which the hub may still change its design.
EDITABLE_DESIGN_STATES = (DesignState.DRAFT, DesignState.RETURNED)


class LocalDesign(models.Model):
    """A hub's proposal for a local Work Group or network meeting. National staff approve
    it (it becomes a programme the hub schedules), return it with comments, or decline it."""

    hub = models.ForeignKey(Hub, on_delete=models.PROTECT, related_name="local_designs")
    kind = models.CharField(max_length=20, choices=DesignKind.choices)
    title = models.CharField(max_length=200)
    aims = models.TextField(help_text=_("What participants will develop, in plain English."))
    audience = models.CharField(
        max_length=200, help_text=_("Comma-separated job roles the design is for")
    )
    phase = models.CharField(max_length=12, choices=Phase.choices)
    key_stages = models.CharField(max_length=40, blank=True)
    planned_sessions = models.PositiveSmallIntegerField(
        validators=[MinValueValidator(1), MaxValueValidator(20)]
    )
    sessions_outline = models.TextField(
        _("planned sessions"), help_text=_("One session a line: when, how long, what happens.")
    )
    lead_name = models.CharField(_("who will lead it"), max_length=150)
    local_need = models.TextField(_("why this is needed locally"))
    state = models.CharField(
        max_length=10, choices=DesignState.choices, default=DesignState.DRAFT, db_index=True
    )
    # The latest comments from national staff (a return or a decline); history keeps them all.
    decision_comments = models.TextField(blank=True)
    programme = models.OneToOneField(
        Programme,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="local_design",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-updated_at", "-id"]
        indexes = [models.Index(fields=["hub", "state"])]

    def __str__(self) -> str:
        return f"{self.title} ({self.hub})"

    def can_move_to(self, state: str) -> bool:
        return state in DESIGN_TRANSITIONS[self.state]

    @property
    def is_editable(self) -> bool:
        return self.state in EDITABLE_DESIGN_STATES

    @property
    def audience_roles(self) -> list[str]:
        return [role for role in self.audience.split(",") if role]

    def audience_labels(self) -> list[str]:
        labels = dict(JobRole.choices)
        return [str(labels.get(role, role)) for role in self.audience_roles]


class LocalDesignTransition(models.Model):
    """One change of a local design's state: who, when and the comments given."""

    design = models.ForeignKey(LocalDesign, on_delete=models.CASCADE, related_name="history")
    from_state = models.CharField(max_length=10, choices=DesignState.choices, blank=True)
    to_state = models.CharField(max_length=10, choices=DesignState.choices)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    comments = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.from_state or 'new'} -> {self.to_state}"
