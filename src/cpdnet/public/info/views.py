"""The pages every UK public service has: help and contact, accessibility, privacy, cookies."""

from django.conf import settings
from django.shortcuts import render

from cpdnet.accounts.permissions import Access, declare


def _page(template: str):
    @declare(Access.PUBLIC)
    def view(request):
        return render(request, template, {"contact_email": settings.CONTACT_EMAIL})

    return view


help_page = _page("public/info/help.html")
accessibility = _page("public/info/accessibility.html")
privacy = _page("public/info/privacy.html")
cookies = _page("public/info/cookies.html")
