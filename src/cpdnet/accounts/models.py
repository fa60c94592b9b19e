from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class JobRole(models.TextChoices):
    """What a person does at school: programmes are aimed at some of these."""

    CLASS_TEACHER = "class_teacher", _("Class or subject teacher")
    EARLY_CAREER_TEACHER = "early_career_teacher", _("Early career teacher")
    NON_SPECIALIST = "non_specialist", _("Non-specialist teacher of the subject")
    SUBJECT_LEAD = "subject_lead", _("Subject lead or head of department")
    SENIOR_LEADER = "senior_leader", _("Senior leader or headteacher")
    TEACHING_ASSISTANT = "teaching_assistant", _("Teaching assistant")
    EARLY_YEARS_PRACTITIONER = "early_years_practitioner", _("Early years practitioner")


class Role(models.TextChoices):
    SCHOOL_APPROVER = "school_approver", _("School approver (head or CPD lead)")
    FACILITATOR = "facilitator", _("Facilitator (Work Group Lead)")
    HUB_STAFF = "hub_staff", _("Hub staff")
    PROVIDER_STAFF = "provider_staff", _("Provider staff (national centre or partner)")
    NATIONAL_STAFF = "national_staff", _("National staff")
    ASSESSOR = "assessor", _("Assessor")
    MODERATOR = "moderator", _("Moderator (second marker of accreditation evidence)")
    EVALUATOR = "evaluator", _("Evaluator")
    FINANCE = "finance", _("National finance staff")
    SCHOOL_FINANCE = "school_finance", _("School finance contact")


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def create_user(self, email: str, password: str | None = None, **fields) -> "User":
        if not email:
            raise ValueError("An email address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_superuser(self, email: str, password: str | None = None, **fields) -> "User":
        fields.setdefault("is_staff", True)
        fields.setdefault("is_superuser", True)
        return self.create_user(email, password, **fields)


class User(AbstractBaseUser, PermissionsMixin):
    """A person who signs in: teacher, approver, facilitator, hub or national staff."""

    email = models.EmailField(_("email address"), unique=True)
    full_name = models.CharField(_("full name"), max_length=200, blank=True)
    is_staff = models.BooleanField(
        _("national staff back office"),
        default=False,
        help_text=_("Can sign in to the national back office."),
    )
    is_active = models.BooleanField(_("active"), default=True)
    school = models.ForeignKey(
        "schools.School",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="people",
        help_text=_("The school the person works at; they can move school."),
    )
    job_role = models.CharField(_("job role"), max_length=30, choices=JobRole.choices, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    class Meta:
        verbose_name = _("person")
        verbose_name_plural = _("people")

    def __str__(self) -> str:
        return self.email

    def get_full_name(self) -> str:
        return self.full_name or self.email

    def get_short_name(self) -> str:
        return self.full_name.split(" ")[0] if self.full_name else self.email


class RoleAssignment(models.Model):
    """A role a person holds, for a school (approver), a hub (facilitator, hub staff) or a
    national provider (provider staff, facilitator)."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="roles")
    role = models.CharField(max_length=20, choices=Role.choices)
    school = models.ForeignKey(
        "schools.School", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    hub = models.ForeignKey(
        "hubs.Hub", on_delete=models.CASCADE, null=True, blank=True, related_name="staff"
    )
    provider = models.ForeignKey(
        "programmes.Provider",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="staff",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["user", "role", "school"],
                condition=models.Q(school__isnull=False),
                name="one_assignment_per_role_and_school",
            ),
            models.UniqueConstraint(
                fields=["user", "role", "hub"],
                condition=models.Q(hub__isnull=False),
                name="one_assignment_per_role_and_hub",
            ),
            models.UniqueConstraint(
                fields=["user", "role", "provider"],
                condition=models.Q(provider__isnull=False),
                name="one_assignment_per_role_and_provider",
            ),
            models.UniqueConstraint(
                fields=["user", "role"],
                condition=models.Q(school__isnull=True, hub__isnull=True, provider__isnull=True),
                name="one_national_assignment_per_role",
            ),
            models.CheckConstraint(
                condition=(
                    models.Q(
                        role__in=["school_approver", "school_finance"],
                        school__isnull=False,
                        hub__isnull=True,
                        provider__isnull=True,
                    )
                    | models.Q(
                        role__in=["facilitator", "hub_staff"],
                        hub__isnull=False,
                        provider__isnull=True,
                    )
                    | models.Q(
                        role__in=["facilitator", "provider_staff"],
                        provider__isnull=False,
                        school__isnull=True,
                        hub__isnull=True,
                    )
                    | models.Q(
                        role__in=[
                            "national_staff",
                            "assessor",
                            "moderator",
                            "evaluator",
                            "finance",
                        ],
                        school__isnull=True,
                        hub__isnull=True,
                        provider__isnull=True,
                    )
                ),
                name="role_has_its_place",
                violation_error_message=_(
                    "Approvers and finance contacts need a school; hub staff need a hub; provider "
                    "staff need a provider; facilitators need a hub or a provider."
                ),
            ),
        ]
        indexes = [
            models.Index(fields=["role", "hub"]),
            models.Index(fields=["role", "school"]),
            models.Index(fields=["role", "provider"]),
        ]

    def __str__(self) -> str:
        place = self.school or self.hub or self.provider or ""
        return f"{self.user} {self.get_role_display()} {place}".strip()


class SignInCode(models.Model):
    """A one-time sign-in code (typed) and link (clicked), stored hashed, valid briefly."""

    email = models.EmailField(db_index=True)
    code_hash = models.CharField(max_length=64)
    link_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    failed_attempts = models.PositiveSmallIntegerField(default=0)
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"sign-in code for {self.email}"


class SignInLockout(models.Model):
    """Wrong passwords and codes for one email address, and whether it is locked for now.

    Kept in the database so that every process and restart sees the same count. The address is
    stored as a keyed hash: the row must also exist for addresses with no account.
    """

    email_digest = models.CharField(max_length=64, unique=True)
    failures = models.PositiveIntegerField(default=0)
    first_failure_at = models.DateTimeField()
    locked_until = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"sign-in failures {self.email_digest[:8]}"

    def is_locked(self, now) -> bool:
        return self.locked_until is not None and self.locked_until > now


class ApiToken(models.Model):
    """A bearer token for the API; only its SHA-256 hash is stored."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    token_hash = models.CharField(max_length=64, unique=True)
    prefix = models.CharField(max_length=8, help_text=_("The first characters, to tell apart."))
    created_at = models.DateTimeField(auto_now_add=True)
    # Null only for tokens made before tokens expired; those were given an expiry by migration.
    expires_at = models.DateTimeField(null=True, blank=True)
    is_read_only = models.BooleanField(
        default=False, help_text=_("A read-only token is refused by every endpoint that writes.")
    )
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.prefix}... for {self.user}"
