from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from cpdnet.applications.models import Application
from cpdnet.programmes.models import Phase, Session

from .uploads import TYPE_LABELS


class AttendanceStatus(models.TextChoices):
    ATTENDED = "attended", _("Attended")
    ABSENT = "absent", _("Absent")
    EXCUSED = "excused", _("Excused")


class Attendance(models.Model):
    """A participant's mark in one session's register."""

    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="attendance")
    application = models.ForeignKey(
        Application, on_delete=models.CASCADE, related_name="attendance"
    )
    status = models.CharField(max_length=10, choices=AttendanceStatus.choices)
    reason = models.CharField(_("reason"), max_length=300, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["session__starts_at", "application_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["session", "application"], name="one_mark_per_participant_and_session"
            )
        ]
        indexes = [models.Index(fields=["application", "status"])]

    def __str__(self) -> str:
        return f"{self.application_id} {self.status} at session {self.session_id}"


class AttendanceChange(models.Model):
    """History of a register mark: every first mark and every later correction."""

    attendance = models.ForeignKey(Attendance, on_delete=models.CASCADE, related_name="history")
    from_status = models.CharField(max_length=10, choices=AttendanceStatus.choices, blank=True)
    to_status = models.CharField(max_length=10, choices=AttendanceStatus.choices)
    reason = models.CharField(max_length=300, blank=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.from_status or 'unmarked'} -> {self.to_status}"


class Cascade(models.Model):
    """How a participant's work reached their department: one running record per place."""

    application = models.OneToOneField(
        Application, on_delete=models.CASCADE, related_name="cascade"
    )
    colleagues_involved = models.PositiveIntegerField(_("colleagues involved"), default=0)
    classes_reached = models.PositiveIntegerField(_("classes reached"), default=0)
    year_groups = models.CharField(
        _("year groups"), max_length=100, blank=True, help_text=_("For example: Year 7, Year 8")
    )
    notes = models.TextField(_("what happened in your department"), blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"cascade of application {self.application_id}"


class Certificate(models.Model):
    """Proof of a completed place, checkable by anyone with its verification code.

    A place has at most one certificate in force; one withdrawn (its completion was undone)
    stays, so that checking its code says it was withdrawn."""

    application = models.ForeignKey(
        Application, on_delete=models.CASCADE, related_name="certificates"
    )
    code = models.CharField(max_length=20, unique=True)
    hours = models.DecimalField(max_digits=5, decimal_places=1)
    issued_at = models.DateTimeField(auto_now_add=True)
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    withdrawn_reason = models.CharField(max_length=300, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["application"],
                condition=models.Q(withdrawn_at__isnull=True),
                name="one_certificate_in_force_per_application",
            )
        ]

    def __str__(self) -> str:
        return f"certificate {self.code}"


class CompletionConfirmation(models.Model):
    """One confirmation of completion for an offering: whose places it settled, so that staff
    can undo it within a window (`COMPLETION_UNDO_HOURS`)."""

    offering = models.ForeignKey(
        "programmes.Offering", on_delete=models.CASCADE, related_name="completion_confirmations"
    )
    applications = models.ManyToManyField(Application, related_name="+")
    completed = models.PositiveIntegerField(default=0)
    not_completed = models.PositiveIntegerField(default=0)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    confirmed_at = models.DateTimeField()
    undone_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    undone_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-confirmed_at", "-id"]
        indexes = [models.Index(fields=["offering", "confirmed_at"])]

    def __str__(self) -> str:
        return f"completion of {self.offering_id} at {self.confirmed_at:%Y-%m-%d %H:%M}"

    @property
    def is_undone(self) -> bool:
        return self.undone_at is not None


class StoredFile(models.Model):
    """A file a person uploaded, kept in private storage under a random name.

    The person's own file name is kept only to offer it back on download; it never appears in
    a storage path.
    """

    stored_name = models.CharField(max_length=100, blank=True)
    original_name = models.CharField(_("file name"), max_length=120, blank=True)
    content_type = models.CharField(max_length=100, blank=True)
    size_bytes = models.PositiveIntegerField(default=0)

    class Meta:
        abstract = True

    @property
    def has_file(self) -> bool:
        return bool(self.stored_name)

    @property
    def file_type(self) -> str:
        """The kind of file in words, such as "PDF", from its checked extension."""
        extension = self.original_name.rpartition(".")[2].lower()
        return TYPE_LABELS.get(extension, extension.upper())


class Material(StoredFile):
    """A file or link in the national materials library: added once by national staff and
    reused by any offering's resources, which point at it rather than keep a copy."""

    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    phase = models.CharField(_("phase"), max_length=20, choices=Phase.choices, blank=True)
    programmes = models.ManyToManyField(
        "programmes.Programme",
        blank=True,
        related_name="materials",
        verbose_name=_("programmes it is for"),
    )
    url = models.URLField(_("link"), max_length=500, blank=True)
    # As for resources: public materials may be downloaded by anyone; others by national staff,
    # people who run offerings, and participants of offerings that use them.
    is_public = models.BooleanField(_("anyone may see it"), default=False)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["title", "id"]
        constraints = [
            models.CheckConstraint(
                condition=(models.Q(url="") & ~models.Q(stored_name=""))
                | (~models.Q(url="") & models.Q(stored_name="")),
                name="material_is_a_file_or_a_link",
            )
        ]

    def __str__(self) -> str:
        return self.title


class Resource(StoredFile):
    """A file or link for an offering, or for one of its sessions; or a library material it
    reuses, whose title, file and link show through (`content`)."""

    offering = models.ForeignKey(
        "programmes.Offering", on_delete=models.CASCADE, related_name="resources"
    )
    session = models.ForeignKey(
        Session, on_delete=models.CASCADE, null=True, blank=True, related_name="resources"
    )
    material = models.ForeignKey(
        Material, on_delete=models.PROTECT, null=True, blank=True, related_name="resources"
    )
    title = models.CharField(_("title"), max_length=200, blank=True)
    url = models.URLField(_("link"), max_length=500, blank=True)
    # Public resources may be downloaded by anyone who has the link; others by the
    # offering's participants and the people who run it only. A library material's own
    # setting decides for the resources that reuse it.
    is_public = models.BooleanField(_("anyone may see it"), default=False)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["session__starts_at", "created_at", "id"]
        indexes = [models.Index(fields=["offering", "session"])]
        constraints = [
            models.CheckConstraint(
                condition=(models.Q(material__isnull=True, url="") & ~models.Q(stored_name=""))
                | (models.Q(material__isnull=True, stored_name="") & ~models.Q(url=""))
                | models.Q(material__isnull=False, url="", stored_name=""),
                name="resource_is_a_file_a_link_or_a_material",
            )
        ]

    def __str__(self) -> str:
        return self.content.title

    @property
    def content(self) -> "Resource | Material":
        """What the resource shows: the library material it reuses, else itself."""
        return self.material if self.material_id else self

    @property
    def is_visible_to_anyone(self) -> bool:
        return self.material.is_public if self.material_id else self.is_public


class DocumentKind(models.TextChoices):
    INFORMATION_SHEET = "information_sheet", _("Information sheet")
    ASSESSMENT_CRITERIA = "assessment_criteria", _("Assessment criteria")
    HANDBOOK = "handbook", _("Handbook")
    OTHER = "other", _("Other document")


class ProgrammeDocument(StoredFile):
    """A document published on a programme's page for anyone thinking of applying, such as the
    information sheet an accreditation programme asks applicants to read first."""

    programme = models.ForeignKey(
        "programmes.Programme", on_delete=models.CASCADE, related_name="documents"
    )
    kind = models.CharField(_("kind of document"), max_length=20, choices=DocumentKind.choices)
    title = models.CharField(_("title"), max_length=200)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["kind", "title", "id"]
        constraints = [
            # Applicants acknowledge "the" information sheet, so a programme has at most one.
            models.UniqueConstraint(
                fields=["programme"],
                condition=models.Q(kind="information_sheet"),
                name="one_information_sheet_per_programme",
            )
        ]

    def __str__(self) -> str:
        return self.title


class GapTask(models.Model):
    """Work participants do between sessions, set by the people who run the offering."""

    offering = models.ForeignKey(
        "programmes.Offering", on_delete=models.CASCADE, related_name="gap_tasks"
    )
    session = models.ForeignKey(
        Session,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="gap_tasks",
        verbose_name=_("follows session"),
    )
    title = models.CharField(_("title"), max_length=200)
    instructions = models.TextField(_("instructions"))
    due_on = models.DateField(_("due date"))
    set_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["due_on", "id"]
        indexes = [models.Index(fields=["offering", "due_on"])]

    def __str__(self) -> str:
        return self.title


class Submission(StoredFile):
    """A participant's answer to a gap task: text and an optional file, replaced on resubmit."""

    task = models.ForeignKey(GapTask, on_delete=models.CASCADE, related_name="submissions")
    application = models.ForeignKey(
        Application, on_delete=models.CASCADE, related_name="submissions"
    )
    text = models.TextField(_("your answer"), blank=True)
    submitted_at = models.DateTimeField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["task__due_on", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["task", "application"], name="one_submission_per_task_and_participant"
            )
        ]
        indexes = [models.Index(fields=["application"])]

    def __str__(self) -> str:
        return f"submission of application {self.application_id} to task {self.task_id}"


class Reflection(models.Model):
    """A participant's reflection after a session, or their final reflection on the offering."""

    application = models.ForeignKey(
        Application, on_delete=models.CASCADE, related_name="reflections"
    )
    session = models.ForeignKey(
        Session, on_delete=models.CASCADE, null=True, blank=True, related_name="reflections"
    )
    is_final = models.BooleanField(default=False)
    text = models.TextField(_("your reflection"))
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["is_final", "session__starts_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["application", "session"],
                condition=models.Q(session__isnull=False),
                name="one_reflection_per_session",
            ),
            models.UniqueConstraint(
                fields=["application"],
                condition=models.Q(is_final=True),
                name="one_final_reflection",
            ),
            models.CheckConstraint(
                condition=models.Q(is_final=True, session__isnull=True)
                | models.Q(is_final=False, session__isnull=False),
                name="reflection_is_on_a_session_or_final",
            ),
        ]

    def __str__(self) -> str:
        return f"reflection of application {self.application_id}"
