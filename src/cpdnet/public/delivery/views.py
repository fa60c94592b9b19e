"""A participant's own offering: sessions, resources, gap tasks, reflections, cascade and
completion; and resource downloads.

Every page fetches the person's place through `get_participation`, so anyone without a place
on the offering (another teacher, a withdrawn applicant) gets 404, the same as for an offering
that does not exist.
"""

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from cpdnet.accounts.permissions import Access, declare
from cpdnet.applications.models import Application, State
from cpdnet.applications.selectors import get_participation
from cpdnet.delivery import selectors, services
from cpdnet.delivery.models import (
    Cascade,
    GapTask,
    Material,
    ProgrammeDocument,
    Resource,
    Submission,
)
from cpdnet.delivery.services import DeliveryError
from cpdnet.delivery.uploads import file_response
from cpdnet.funding.models import BursaryScheme
from cpdnet.notifications.messages import list_messages_for
from cpdnet.programmes.models import Session

from .forms import CascadeForm, ReflectionForm, SubmissionForm

# The newest messages from the people running the offering; older ones are in the emails.
MESSAGES_SHOWN = 20


def _data(request) -> tuple:
    # An empty POST still binds the form, so that it shows what is missing.
    return (request.POST, request.FILES) if request.method == "POST" else (None, None)


def _participation(request, offering_id: int) -> Application:
    try:
        return get_participation(request.user, offering_id)
    except Application.DoesNotExist:
        raise Http404("You have no place on an offering with this number") from None


def _back(application: Application, anchor: str = ""):
    response = redirect("public:my-offering", offering_id=application.offering_id)
    response["Location"] += f"#{anchor}" if anchor else ""
    return response


@declare(Access.SIGNED_IN)
def my_offering(request, offering_id: int):
    application = _participation(request, offering_id)
    offering = application.offering
    return render(
        request,
        "public/delivery/my_offering.html",
        {
            "application": application,
            "offering": offering,
            "sessions": selectors.list_sessions_for(application),
            "resources": selectors.list_resources(offering),
            "tasks": selectors.list_tasks_for(application),
            "final_reflection": selectors.get_final_reflection(application),
            "cascade": Cascade.objects.filter(application=application).first(),
            "rule": selectors.get_completion_rule(offering),
            "completion": selectors.get_participant_progress(application),
            "certificate_code": application.certificates.filter(withdrawn_at__isnull=True)
            .values_list("code", flat=True)
            .first()
            if application.state == State.COMPLETED
            else None,
            "has_bursary": BursaryScheme.objects.filter(offering=offering).exists(),
            "messages_received": list_messages_for(application)[:MESSAGES_SHOWN],
            "today": timezone.localdate(),
            "now": timezone.now(),
        },
    )


def _task(application: Application, task_id: int) -> GapTask:
    try:
        return selectors.access_gap_task(application.offering, task_id)
    except GapTask.DoesNotExist:
        raise Http404("No task has this number") from None


@declare(Access.SIGNED_IN)
def my_task(request, offering_id: int, task_id: int):
    application = _participation(request, offering_id)
    task = _task(application, task_id)
    submission = Submission.objects.filter(task=task, application=application).first()
    form = SubmissionForm(
        *_data(request),
        initial={"text": submission.text if submission else ""},
        has_file=bool(submission and submission.has_file),
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.submit_gap_task(
                task=task,
                application=application,
                text=form.cleaned_data["text"],
                upload=form.cleaned_data["file"],
            )
        except DeliveryError as error:
            form.add_error(None, error.reason)
        else:
            messages.success(request, _("Task handed in: %(title)s") % {"title": task.title})
            return _back(application, "tasks")
    return render(
        request,
        "public/delivery/task.html",
        {
            "application": application,
            "offering": application.offering,
            "task": task,
            "submission": submission,
            "form": form,
            "open": selectors.can_submit(task),
        },
    )


@declare(Access.SIGNED_IN)
def my_submission_file(request, offering_id: int, task_id: int):
    application = _participation(request, offering_id)
    try:
        submission = Submission.objects.get(task_id=task_id, application=application)
    except Submission.DoesNotExist:
        raise Http404("You have handed in no file for this task") from None
    return file_response(submission)


def _reflection_page(request, application: Application, session: Session | None):
    reflection = application.reflections.filter(session=session, is_final=session is None).first()
    form = ReflectionForm(*_data(request), initial={"text": reflection.text if reflection else ""})
    if request.method == "POST" and form.is_valid():
        try:
            services.save_reflection(
                application=application, session=session, text=form.cleaned_data["text"]
            )
        except DeliveryError as error:
            form.add_error(None, error.reason)
        else:
            messages.success(request, _("Your reflection is saved."))
            return _back(application, "reflections")
    return render(
        request,
        "public/delivery/reflection.html",
        {
            "application": application,
            "offering": application.offering,
            "session": session,
            "form": form,
        },
    )


@declare(Access.SIGNED_IN)
def my_reflection(request, offering_id: int, session_id: int):
    application = _participation(request, offering_id)
    try:
        session = application.offering.sessions.get(pk=session_id, cancelled_at__isnull=True)
    except Session.DoesNotExist:
        raise Http404("No session has this number") from None
    return _reflection_page(request, application, session)


@declare(Access.SIGNED_IN)
def my_final_reflection(request, offering_id: int):
    return _reflection_page(request, _participation(request, offering_id), None)


@declare(Access.SIGNED_IN)
def my_cascade(request, offering_id: int):
    application = _participation(request, offering_id)
    cascade = Cascade.objects.filter(application=application).first()
    initial = (
        {
            "colleagues_involved": cascade.colleagues_involved,
            "classes_reached": cascade.classes_reached,
            "year_groups": cascade.year_groups,
            "notes": cascade.notes,
        }
        if cascade
        else {}
    )
    form = CascadeForm(*_data(request), initial=initial)
    if request.method == "POST" and form.is_valid():
        services.save_cascade(application=application, **form.cleaned_data)
        messages.success(request, _("How the work reached your department is saved."))
        return _back(application, "cascade")
    return render(
        request,
        "public/delivery/cascade.html",
        {"application": application, "offering": application.offering, "form": form},
    )


@declare(Access.PUBLIC)
def resource_download(request, resource_id: int):
    try:
        resource = selectors.access_resource(request.user, resource_id)
    except Resource.DoesNotExist:
        if not request.user.is_authenticated:
            # The same answer whether or not the resource exists: nothing is given away.
            return redirect_to_login(request.get_full_path())
        raise Http404("No resource you may see has this number") from None
    return file_response(resource.content)  # a link has no file: 404


@declare(Access.PUBLIC)
def material_download(request, material_id: int):
    try:
        material = selectors.access_material(request.user, material_id)
    except Material.DoesNotExist:
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        raise Http404("No library material you may see has this number") from None
    return file_response(material)


@declare(Access.PUBLIC)
def programme_document_download(request, programme_id: int, document_id: int):
    # Programme documents are published for anyone thinking of applying.
    try:
        document = selectors.get_programme_document(programme_id, document_id)
    except ProgrammeDocument.DoesNotExist:
        raise Http404("No document of this programme has this number") from None
    return file_response(document)
