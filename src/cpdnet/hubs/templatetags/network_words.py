from django import template

from cpdnet.hubs import vocabulary

register = template.Library()


@register.simple_tag
def network_words(network) -> vocabulary.NetworkWords:
    """{% network_words hub.network as words %} then {{ words.hub }}, {{ words.Lead_school }}."""
    return vocabulary.network_words(network)
