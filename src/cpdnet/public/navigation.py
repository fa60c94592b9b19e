"""The site's main navigation, chosen by the roles a person holds (a template context
processor, so every page's header shows the same links)."""

from dataclasses import dataclass

from django.utils.functional import SimpleLazyObject
from django.utils.translation import gettext_lazy as _

from cpdnet.accounts.models import Role
from cpdnet.accounts.selectors import list_role_names
from cpdnet.links import page_path


@dataclass(frozen=True)
class NavigationItem:
    label: str
    url: str
    is_current: bool


# (label, URL name, who sees it, URL prefixes that make it the current item). "everyone" and
# "signed_out" are not roles; "signed_in" is anyone signed in; "marker" is an assessor or a
# moderator. A candidate reaches their accreditation from their home, which costs no query here.
_ITEMS = (
    (_("Home"), "public:my-home", "signed_in", ("/my/",)),
    (_("Find your hub"), "public:find-your-hub", "signed_out", ("/find-your-hub/", "/hubs/")),
    (_("Programmes"), "public:catalogue", "everyone", ("/programmes/", "/events/")),
    (_("Your applications"), "public:my-applications", "signed_in", ("/account/applications/",)),
    (_("Your sessions"), "public:my-sessions", "signed_in", ("/my/sessions/", "/my/offerings/")),
    (_("Release requests"), "public:school-approvals", Role.SCHOOL_APPROVER, ("/school/",)),
    (
        _("Offerings you run"),
        "backoffice:offerings-to-run",
        Role.FACILITATOR,
        ("/backoffice/offerings/",),
    ),
    (_("Your hub"), "backoffice:hub", Role.HUB_STAFF, ("/backoffice/hub/",)),
    (
        _("School finance"),
        "public:school-finance",
        Role.SCHOOL_FINANCE,
        ("/my/school-finance/",),
    ),
    (_("Funding"), "backoffice:funding", Role.FINANCE, ("/backoffice/funding/",)),
    (
        _("Marking"),
        "backoffice:accreditation-assignments",
        "marker",
        ("/backoffice/accreditation/assignments/",),
    ),
    (
        _("Accreditation"),
        "backoffice:accreditation",
        Role.NATIONAL_STAFF,
        ("/backoffice/accreditation/",),
    ),
    (_("Insights"), "backoffice:insights", Role.NATIONAL_STAFF, ("/backoffice/insights/",)),
    (_("Back office"), "backoffice:index", Role.NATIONAL_STAFF, ("/backoffice/",)),
)
# National staff may use every hub and facilitator page as well.
_NATIONAL_SEES = {Role.HUB_STAFF, Role.FACILITATOR}


def _is_shown(audience: str, user, roles: frozenset[str]) -> bool:
    if audience == "everyone":
        return True
    if audience == "signed_out":
        return not user.is_authenticated
    if not user.is_authenticated:
        return False
    if audience == "signed_in" or audience in roles:
        return True
    if audience == "marker":
        return bool({Role.ASSESSOR, Role.MODERATOR} & roles)
    return Role.NATIONAL_STAFF in roles and audience in _NATIONAL_SEES


def list_navigation(request) -> list[NavigationItem]:
    """The links a person sees, the page they are on marked current (longest prefix wins)."""
    user = request.user
    roles = list_role_names(user)
    shown = [item for item in _ITEMS if _is_shown(item[2], user, roles)]
    matches = [
        (len(prefix), index)
        for index, (_label, _name, _audience, prefixes) in enumerate(shown)
        for prefix in prefixes
        if request.path.startswith(prefix)
    ]
    current = max(matches)[1] if matches else None
    return [
        NavigationItem(label=str(label), url=page_path(name), is_current=index == current)
        for index, (label, name, _audience, _prefixes) in enumerate(shown)
    ]


def navigation(request) -> dict:
    # Lazy: pages that never draw the header (files, JSON) pay no query.
    return {"navigation": SimpleLazyObject(lambda: list_navigation(request))}
