from django import template

from cpdnet.funding.money import format_pounds

register = template.Library()


@register.filter
def pounds(amount) -> str:
    """£1,234.50"""
    return format_pounds(amount)


@register.filter
def subtract(amount, other):
    """Exact Decimal subtraction for a table cell (remaining = budget - committed - paid)."""
    return amount - other
