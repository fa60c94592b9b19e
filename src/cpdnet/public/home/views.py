"""A signed-in person's home: what needs them now, for every role they hold."""

from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.cache import never_cache

from cpdnet.accounts.permissions import Access, declare

from .selectors import get_home


@declare(Access.SIGNED_IN)
@never_cache
def my_home(request):
    now = timezone.now()
    return render(
        request,
        "public/home/home.html",
        {"home": get_home(request.user, now), "today": timezone.localdate(now)},
    )
