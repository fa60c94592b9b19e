"""A school's senior leader enrols the school in an offering counted in schools, naming its
lead participants; each lead then completes their own application (already released)."""

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from cpdnet.accounts.models import JobRole
from cpdnet.accounts.permissions import Access, declare
from cpdnet.applications.models import EnrolmentLead, SchoolEnrolment
from cpdnet.applications.selectors import (
    access_school_enrolment,
    get_waiting_lead,
    list_enrollable_schools,
)
from cpdnet.applications.services import (
    ApplicationError,
    complete_lead_application,
    enrol_school,
    record_enrolment_colleagues_reached,
    replace_enrolment_lead,
    withdraw_school_enrolment,
)
from cpdnet.check_answers import check_answers_step
from cpdnet.programmes.models import Offering
from cpdnet.programmes.selectors import get_offering
from cpdnet.public.catalogue.forms import GovukFormMixin

REQUIRED = gettext_lazy("Enter the %(what)s")


def _text(label: str, what: str, *, required: bool = True, email: bool = False, **kwargs):
    field = forms.EmailField if email else forms.CharField
    return field(
        label=label,
        max_length=150,
        required=required,
        error_messages={
            "required": REQUIRED % {"what": what},
            "max_length": gettext_lazy("Write no more than 150 characters"),
            "invalid": gettext_lazy("Enter an email address like name@school.org.uk"),
        },
        **kwargs,
    )


class EnrolSchoolForm(GovukFormMixin, forms.Form):
    school = forms.TypedChoiceField(
        label=gettext_lazy("Which school are you enrolling?"),
        coerce=int,
        widget=forms.RadioSelect,
        error_messages={"required": gettext_lazy("Choose the school you are enrolling")},
    )
    senior_leader_name = _text(
        gettext_lazy("Senior leader's full name"), "senior leader's full name"
    )
    senior_leader_role = _text(
        gettext_lazy("Senior leader's role"),
        "senior leader's role",
        help_text=gettext_lazy("For example, headteacher or deputy head for teaching and learning"),
    )
    releases_for_sessions = forms.BooleanField(
        label=gettext_lazy("We will release our lead participants for every session"),
        error_messages={"required": gettext_lazy("Confirm the school will release its leads")},
    )
    gives_gap_task_time = forms.BooleanField(
        label=gettext_lazy("We will give them time for the work between sessions"),
        error_messages={
            "required": gettext_lazy("Confirm the school will give time for the work between")
        },
    )
    lead_1_name = _text(gettext_lazy("Full name"), "first lead participant's full name")
    lead_1_email = _text(
        gettext_lazy("Email address"), "first lead participant's email address", email=True
    )
    lead_2_name = _text(gettext_lazy("Full name"), "second lead participant's name", required=False)
    lead_2_email = _text(
        gettext_lazy("Email address"),
        "second lead participant's email address",
        required=False,
        email=True,
    )

    def __init__(self, *args, schools, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["school"].choices = [(school.urn, school.name) for school in schools]

    def clean(self):
        data = super().clean()
        name, email = data.get("lead_2_name"), data.get("lead_2_email")
        if name and not email and "lead_2_email" not in self.errors:
            self.add_error("lead_2_email", _("Enter the second lead participant's email address"))
        if email and not name:
            self.add_error("lead_2_name", _("Enter the second lead participant's name"))
        if email and email.lower() == (data.get("lead_1_email") or "").lower():
            self.add_error("lead_2_email", _("Give each lead participant their own address"))
        return data

    def leads(self) -> list[tuple[str, str]]:
        data = self.cleaned_data
        leads = [(data["lead_1_name"], data["lead_1_email"])]
        if data.get("lead_2_email"):
            leads.append((data["lead_2_name"], data["lead_2_email"]))
        return leads


def _enrolling_offering(offering_id: int) -> Offering:
    try:
        offering = get_offering(offering_id)
    except Offering.DoesNotExist:
        raise Http404("No offering has this number") from None
    if offering.school_capacity is None:
        raise Http404("This offering does not enrol schools")
    return offering


@declare(Access.SCHOOL_APPROVER)
def enrol_school_view(request, offering_id: int):
    offering = _enrolling_offering(offering_id)
    schools = list(list_enrollable_schools(request.user, offering.pk))
    form = EnrolSchoolForm(
        request.POST if request.method == "POST" else None,
        schools=schools,
        initial={"school": schools[0].urn} if len(schools) == 1 else {},
    )
    # The answers go to "Check your answers" first (carried in hidden fields, so the journey
    # works without JavaScript or a session); "change" brings the form back filled in.
    step = check_answers_step(request, form)
    if step.ready:
        school = next(school for school in schools if school.urn == form.cleaned_data["school"])
        if not step.confirmed:
            return render(
                request,
                "public/schools/enrol_check.html",
                {"form": form, "offering": offering, "school": school, "leads": form.leads()},
            )
        try:
            enrol_school(
                offering=offering,
                school=school,
                by=request.user,
                senior_leader_name=form.cleaned_data["senior_leader_name"],
                senior_leader_role=form.cleaned_data["senior_leader_role"],
                releases_for_sessions=form.cleaned_data["releases_for_sessions"],
                gives_gap_task_time=form.cleaned_data["gives_gap_task_time"],
                leads=form.leads(),
            )
        except ApplicationError as error:
            form.add_error(None, error.reason)
        else:
            messages.success(
                request,
                _("%(school)s is enrolled. We have emailed your lead participants.")
                % {"school": school.name},
            )
            return redirect(_participation_url(offering.academic_year, "#enrolments"))
    return render(
        request,
        "public/schools/enrol.html",
        {"form": form, "offering": offering, "schools": schools},
        status=step.status(form),
    )


def _participation_url(year: int, fragment: str = "") -> str:
    return f"{reverse('public:school-participation')}?year={year}{fragment}"


class WithdrawEnrolmentForm(GovukFormMixin, forms.Form):
    reason = forms.CharField(
        label=gettext_lazy("Why is the school withdrawing? (optional)"),
        max_length=300,
        required=False,
        error_messages={"max_length": gettext_lazy("Write no more than 300 characters")},
    )


def _access_enrolment(request, enrolment_id: int) -> SchoolEnrolment:
    try:
        return access_school_enrolment(request.user, enrolment_id)
    except SchoolEnrolment.DoesNotExist:
        raise Http404("No enrolment of your school has this number") from None


@declare(Access.SCHOOL_APPROVER)
def enrolment_withdraw(request, enrolment_id: int):
    enrolment = _access_enrolment(request, enrolment_id)
    form = WithdrawEnrolmentForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            withdraw_school_enrolment(
                enrolment=enrolment, by=request.user, reason=form.cleaned_data["reason"]
            )
        except ApplicationError as error:
            form.add_error(None, error.reason)
        else:
            messages.success(
                request,
                _("%(school)s has withdrawn from %(programme)s.")
                % {
                    "school": enrolment.school.name,
                    "programme": enrolment.offering.programme.title,
                },
            )
            return redirect(_participation_url(enrolment.offering.academic_year))
    return render(
        request,
        "public/schools/enrolment_withdraw.html",
        {"form": form, "enrolment": enrolment},
        status=400 if form.errors else 200,
    )


class ReplaceLeadForm(GovukFormMixin, forms.Form):
    full_name = _text(gettext_lazy("Full name"), "new lead participant's full name")
    email = _text(gettext_lazy("Email address"), "new lead participant's email address", email=True)


@declare(Access.SCHOOL_APPROVER)
def enrolment_lead_replace(request, enrolment_id: int, lead_id: int):
    enrolment = _access_enrolment(request, enrolment_id)
    # The enrolment's current leads only: a lead already replaced has no page.
    leaving = next((lead for lead in enrolment.leads.all() if lead.pk == lead_id), None)
    if leaving is None:
        raise Http404("No lead participant of this enrolment has this number")
    form = ReplaceLeadForm(request.POST if request.method == "POST" else None)
    # As when enrolling: "Check your answers" first, the answers carried in hidden fields.
    step = check_answers_step(request, form)
    if step.ready:
        if not step.confirmed:
            return render(
                request,
                "public/schools/enrolment_lead_replace_check.html",
                {"form": form, "enrolment": enrolment, "leaving": leaving},
            )
        try:
            replace_enrolment_lead(
                lead=leaving,
                full_name=form.cleaned_data["full_name"],
                email=form.cleaned_data["email"],
                by=request.user,
            )
        except ApplicationError as error:
            form.add_error(None, error.reason)
        else:
            messages.success(
                request,
                _(
                    "%(joining)s is now a lead participant in place of %(leaving)s. We have "
                    "emailed them both."
                )
                % {"joining": form.cleaned_data["full_name"], "leaving": leaving.full_name},
            )
            return redirect(_participation_url(enrolment.offering.academic_year, "#enrolments"))
    return render(
        request,
        "public/schools/enrolment_lead_replace.html",
        {"form": form, "enrolment": enrolment, "leaving": leaving},
        status=step.status(form),
    )


class ColleaguesReachedForm(GovukFormMixin, forms.Form):
    colleagues_reached = forms.IntegerField(
        label=gettext_lazy("Department colleagues reached"),
        help_text=gettext_lazy("Colleagues who have taken part in the leads' work at school"),
        min_value=0,
        max_value=500,
        error_messages={
            "required": gettext_lazy("Enter the number of colleagues reached"),
            "invalid": gettext_lazy("Enter a whole number, like 6"),
            "min_value": gettext_lazy("Enter 0 or more"),
            "max_value": gettext_lazy("Enter 500 or fewer"),
        },
    )


@declare(Access.SCHOOL_APPROVER)
def enrolment_colleagues(request, enrolment_id: int):
    enrolment = _access_enrolment(request, enrolment_id)
    form = ColleaguesReachedForm(
        request.POST if request.method == "POST" else None,
        initial={"colleagues_reached": enrolment.colleagues_reached},
    )
    if request.method == "POST" and form.is_valid():
        record_enrolment_colleagues_reached(
            enrolment=enrolment,
            colleagues_reached=form.cleaned_data["colleagues_reached"],
            by=request.user,
        )
        messages.success(request, _("Colleagues reached saved."))
        return redirect(_participation_url(enrolment.offering.academic_year))
    return render(
        request,
        "public/schools/enrolment_colleagues.html",
        {"form": form, "enrolment": enrolment},
        status=400 if form.errors else 200,
    )


class LeadApplicationForm(GovukFormMixin, forms.Form):
    job_role = forms.ChoiceField(
        label=gettext_lazy("Your job role"),
        widget=forms.RadioSelect,
        error_messages={"required": gettext_lazy("Choose your job role")},
    )
    statement = forms.CharField(
        label=gettext_lazy("What do you hope to develop? (optional)"),
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=2000,
        required=False,
        error_messages={"max_length": gettext_lazy("Write no more than 2,000 characters")},
    )

    def __init__(self, *args, audience: list[str], **kwargs):
        super().__init__(*args, **kwargs)
        labels = dict(JobRole.choices)
        self.fields["job_role"].choices = [(role, labels.get(role, role)) for role in audience]


@declare(Access.SIGNED_IN)
def enrolment_lead(request, lead_id: int):
    try:
        lead = get_waiting_lead(request.user, lead_id)
    except EnrolmentLead.DoesNotExist:
        raise Http404("No place is held for you with this number") from None
    offering = lead.enrolment.offering
    form = LeadApplicationForm(
        request.POST if request.method == "POST" else None,
        audience=offering.programme.audience_roles,
        initial={"job_role": request.user.job_role},
    )
    if request.method == "POST" and form.is_valid():
        try:
            complete_lead_application(
                lead=lead,
                person=request.user,
                job_role=form.cleaned_data["job_role"],
                statement=form.cleaned_data["statement"],
            )
        except PermissionDenied:
            raise Http404("No place is held for you with this number") from None
        except ApplicationError as error:
            form.add_error(None, error.reason)
        else:
            messages.success(
                request,
                _("You have a place on %(programme)s.") % {"programme": offering.programme.title},
            )
            return redirect("public:my-applications")
    return render(
        request,
        "public/schools/enrolment_lead.html",
        {"form": form, "lead": lead, "offering": offering},
        status=400 if form.errors else 200,
    )
