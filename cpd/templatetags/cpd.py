from django import template

from cpd.conf import cpd_settings

register = template.Library()


@register.simple_tag
def cpd_site_name() -> str:
    """The product's name (CPD_SITE_NAME), without needing a context processor."""
    return cpd_settings.SITE_NAME
