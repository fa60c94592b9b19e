"""Participants' start and end surveys and session feedback; anyone's page feedback."""

from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from django.contrib import messages
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from cpdnet import rate_limits
from cpdnet.accounts.permissions import Access, declare
from cpdnet.applications.models import Application
from cpdnet.applications.selectors import get_participation
from cpdnet.evaluation import selectors, services
from cpdnet.evaluation.models import SurveyKind
from cpdnet.programmes.models import Session

from .forms import PageFeedbackForm, SessionFeedbackForm, SurveyForm, local_path

# A person sends feedback on a page a few times at most; a bot sends it many times.
THANKS_PARAMETER = "page_feedback"


def _participation_or_404(user, offering_id: int) -> Application:
    try:
        return get_participation(user, offering_id)
    except Application.DoesNotExist:
        raise Http404("You have no place on an offering with this number") from None


@declare(Access.SIGNED_IN)
def survey(request, offering_id: int, kind: str):
    if kind not in SurveyKind.values:
        raise Http404("No such survey")
    application = _participation_or_404(request.user, offering_id)
    offering = application.offering
    context = {"application": application, "offering": offering, "kind": kind}
    response = selectors.get_survey_response(application, kind)
    if response is not None:
        return render(
            request, "public/evaluation/survey_done.html", {**context, "response": response}
        )
    if not selectors.survey_is_open(offering, kind):
        return render(
            request,
            "public/evaluation/survey_not_open.html",
            {**context, "end_opens_at": selectors.end_survey_opens_at(offering)},
        )
    form = SurveyForm(request.POST or None, questions=list(selectors.list_questions(offering)))
    if request.method == "POST" and form.is_valid():
        try:
            services.submit_survey(application=application, kind=kind, answers=form.answers)
        except services.EvaluationError as error:
            form.add_error(None, error.reason)
        else:
            messages.success(request, _("Thank you: your answers are saved."))
            return redirect("public:survey", offering_id=offering_id, kind=kind)
    return render(request, "public/evaluation/survey.html", {**context, "form": form})


@declare(Access.SIGNED_IN)
def session_feedback(request, session_id: int):
    try:
        session, application = selectors.access_feedback_session(request.user, session_id)
    except Session.DoesNotExist:
        raise Http404("You have no place on a session with this number") from None
    context = {"session": session, "offering": session.offering}
    feedback = selectors.get_session_feedback(session, application)
    if feedback is not None or session.starts_at > timezone.now():
        return render(
            request,
            "public/evaluation/session_feedback_closed.html",
            {**context, "feedback": feedback},
        )
    form = SessionFeedbackForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.give_session_feedback(
                application=application,
                session=session,
                rating=int(form.cleaned_data["rating"]),
                comment=form.cleaned_data["comment"],
            )
        except services.EvaluationError as error:
            form.add_error(None, error.reason)
        else:
            messages.success(request, _("Thank you for your feedback on this session."))
            return redirect("public:session-feedback", session_id=session_id)
    return render(request, "public/evaluation/session_feedback.html", {**context, "form": form})


def _back_with_thanks(path: str) -> HttpResponseRedirect:
    # The thank-you travels in the address, not the session: pages served from the cache
    # show it too, and nothing is left behind for the next page.
    parts = urlsplit(path)
    query = [pair for pair in parse_qsl(parts.query) if pair[0] != THANKS_PARAMETER]
    query.append((THANKS_PARAMETER, "sent"))
    return HttpResponseRedirect(urlunsplit(("", "", parts.path, urlencode(query), "page-feedback")))


# No CSRF check: the form carries no session and acts for no one (any visitor could send the
# same answers), and pages served from the cache to signed-out visitors hold no token.
@csrf_exempt
@declare(Access.PUBLIC)
@require_http_methods(["GET", "POST"])
def page_feedback(request):
    path = request.POST.get("path") if request.method == "POST" else request.GET.get("path", "/")
    form = PageFeedbackForm(
        request.POST if request.method == "POST" else None,
        host=request.get_host(),
        initial={"path": local_path(path or "", request.get_host()) or "/"},
    )
    if request.method == "POST" and form.is_valid():
        rate_limits.hit("page_feedback_one_page", request=request, detail=form.page)
        rate_limits.hit("page_feedback", request=request)
        services.record_page_feedback(
            path=form.page,
            is_useful=form.answer("is_useful"),
            is_plain_english=form.answer("is_plain_english"),
            comment=form.cleaned_data["comment"],
        )
        return _back_with_thanks(form.cleaned_data["path"])
    return render(
        request,
        "public/evaluation/page_feedback.html",
        {"form": form, "back": local_path(path or "", request.get_host())},
        status=400 if form.is_bound else 200,
    )
