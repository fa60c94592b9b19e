"""Showing a refused accreditation request on the page that made it, for the candidate's and
the back office's views alike."""

from collections.abc import Iterator
from contextlib import contextmanager

from django import forms
from django.contrib import messages
from django.http import HttpRequest

from .services import AccreditationRefused


@contextmanager
def refusal_shown(*, on: forms.BaseForm | HttpRequest) -> Iterator[None]:
    """Show the reason of an `AccreditationRefused` raised in the block and skip the rest of it.

    The block calls one service, then says it worked and redirects; a refusal skips those lines
    and the view goes on to show the page again. On a form the reason goes to its error summary;
    on a request it becomes an error message on the page the view redirects to.
    """
    try:
        yield
    except AccreditationRefused as refused:
        if isinstance(on, HttpRequest):
            messages.error(on, refused.reason)
        else:
            on.add_error(None, refused.reason)
