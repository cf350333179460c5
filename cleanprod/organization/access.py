"""Site scoping: the one place that decides which sites a user may see or change.

Views, exports, commands and the API fetch objects only through these helpers, so that a
user never reaches another site's data.
"""

from enum import StrEnum
from typing import TypeVar

from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import ObjectDoesNotExist
from django.db.models import Model, QuerySet
from django.http import Http404

from .models import ALL_SITE_ROLES, Membership, Role, Site

M = TypeVar("M", bound=Model)


class Action(StrEnum):
    VIEW = "view"
    IMPORT = "import"  # load readings and production records
    CONFIGURE = "configure"  # change meters, units, data sources, API tokens and alert rules
    RESPOND = "respond"  # acknowledge, comment on and resolve alerts
    AUDIT = "audit"  # run cleaner production audits: phases, balances, options, feasibility


ROLE_ACTIONS: dict[str, frozenset[Action]] = {
    Role.ADMINISTRATOR: frozenset(Action),
    Role.EHS_MANAGER: frozenset(Action),
    Role.SITE_MANAGER: frozenset(Action),
    Role.DATA_ENTRY: frozenset({Action.VIEW, Action.IMPORT, Action.RESPOND}),
    Role.CONSULTANT: frozenset({Action.VIEW, Action.AUDIT}),
    Role.AUDITOR: frozenset({Action.VIEW}),
}

UserLike = AbstractBaseUser | AnonymousUser


def sites_for(user: UserLike, action: Action = Action.VIEW) -> QuerySet[Site]:
    """Return the sites on which the user may perform the action."""
    if not user.is_authenticated or not user.is_active:
        return Site.objects.none()
    if getattr(user, "is_superuser", False):
        return Site.objects.all()
    roles = [role for role, actions in ROLE_ACTIONS.items() if action in actions]
    memberships = Membership.objects.filter(user_id=user.pk, role__in=roles)
    if memberships.filter(role__in=ALL_SITE_ROLES).exists():
        return Site.objects.all()
    return Site.objects.filter(pk__in=memberships.values("site_id"))


def can(user: UserLike, action: Action, site: Site) -> bool:
    return sites_for(user, action).filter(pk=site.pk).exists()


def scoped(
    queryset: QuerySet[M], user: UserLike, action: Action = Action.VIEW, site_field: str = "site"
) -> QuerySet[M]:
    """Filter any queryset to rows of the user's sites; `site_field` is the lookup path to Site."""
    return queryset.filter(**{f"{site_field}__in": sites_for(user, action)})


def get_for_user(
    queryset: QuerySet[M], user: UserLike, pk: object, action: Action = Action.VIEW, site_field: str = "site"
) -> M:
    """Fetch one object of the user's sites, or raise Http404 whether it exists elsewhere or not."""
    try:
        return scoped(queryset, user, action, site_field).get(pk=pk)
    except (ObjectDoesNotExist, ValueError, TypeError) as error:
        raise Http404 from error
