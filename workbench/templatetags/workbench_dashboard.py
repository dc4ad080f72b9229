from django import template

from core.roles import is_ops_reviewer
from workbench.dashboard import dashboard

register = template.Library()


@register.inclusion_tag("workbench/dashboard.html", takes_context=True)
def ops_dashboard(context) -> dict:
    """The dashboard above the admin's model list (ops reviewers only)."""
    request = context.get("request")
    if request is None or not is_ops_reviewer(request.user):
        return {"show": False}
    return {"show": True, **dashboard()}
