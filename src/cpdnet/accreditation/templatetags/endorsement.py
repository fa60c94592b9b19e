from django import template

from cpdnet.accreditation.applying import application_status as status_in_words
from cpdnet.accreditation.applying import state_words as state_in_words

register = template.Library()


@register.filter
def application_status(application, reader: str = "applicant") -> str:
    """Where an application is, for the reader: "applicant", "hub_lead" or "staff"."""
    return status_in_words(application, reader=reader)


@register.filter
def state_words(state: str, programme) -> str:
    """A state in an application's history, in the words of the application's programme."""
    return state_in_words(state, programme)
