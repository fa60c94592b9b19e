"""{% page_path %}: {% url %} for links with fixed arguments, kept per process (cpdnet.links)."""

from django import template

from cpdnet import links

register = template.Library()


@register.simple_tag
def page_path(name: str, **kwargs) -> str:
    """The path {% url name ... %} gives; only for arguments written in the template."""
    return links.page_path(name, **kwargs)
