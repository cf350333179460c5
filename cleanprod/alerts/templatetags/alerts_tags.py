"""The unread-alert count in the navigation."""

from typing import Any

from django import template

register = template.Library()


@register.simple_tag(takes_context=True)
def unread_alert_count(context: dict[str, Any]) -> int:
    from cleanprod.alerts.views import unread_count

    request = context.get("request")
    return unread_count(request.user) if request is not None else 0
