"""Who may see and do what: the one place the API, the pages and the services ask.

Roles are Django groups (`quality_lead`, `partner`, `manager`); superusers count as every role. Quality leads drive
cases; managers read everything; partners see a case when one of their teams owns it or is among its shared teams,
when they watch it, or when they own one of its action items. Moderator and auditor ids are personal data that only
quality leads and managers see unmasked.
"""

from collections.abc import Callable, Iterable
from functools import cache

from django.contrib.auth.models import AnonymousUser, Group, User
from django.db import connections, router
from django.db.models import Exists, OuterRef, Q, QuerySet

from cases.audience import team_key, user_key
from cases.choices import Role
from cases.models import ActionItem, Case, CaseSample, Comment, Finding

# ROLES
# ------------------------------------------------------------------------------


@cache
def _group_names_query(using: str) -> str:
    quote = connections[using].ops.quote_name
    membership = User.groups.through._meta.db_table
    return (
        f"SELECT g.{quote('name')} FROM {quote(Group._meta.db_table)} g"
        f" JOIN {quote(membership)} m ON m.{quote('group_id')} = g.{quote('id')}"
        f" WHERE m.{quote('user_id')} = %s"
    )


def _group_names(user: User | AnonymousUser) -> frozenset[str]:
    """The names of the user's groups, read once per user object. Every request asks (roles decide visibility), so
    this is a plain SQL query: the ORM's `user.groups.values_list(...)` spent ~0.4 ms building the same statement."""
    if not user.is_authenticated:
        return frozenset()
    cached = getattr(user, "_rca_group_names", None)
    if cached is None:
        using = router.db_for_read(Group)
        with connections[using].cursor() as cursor:
            cursor.execute(_group_names_query(using), [user.pk])
            cached = frozenset(name for (name,) in cursor.fetchall())
        user._rca_group_names = cached
    return cached


def has_role(user: User | AnonymousUser, role: Role) -> bool:
    return user.is_authenticated and (user.is_superuser or role in _group_names(user))


def is_quality_lead(user: User | AnonymousUser) -> bool:
    return has_role(user, Role.QUALITY_LEAD)


def is_manager(user: User | AnonymousUser) -> bool:
    return has_role(user, Role.MANAGER)


def is_partner(user: User | AnonymousUser) -> bool:
    return has_role(user, Role.PARTNER) and not (is_quality_lead(user) or is_manager(user))


def users_with_role(*roles: Role) -> QuerySet[User]:
    """The active users who hold one of `roles`, superusers included: the queryset twin of `has_role`, for the
    pickers and the routing. Membership is an `EXISTS` rather than a join, so that a user in several groups is one row
    and counts annotated on the result are not multiplied."""
    membership = User.groups.through.objects.filter(user_id=OuterRef("pk"), group__name__in=roles)
    return User.objects.filter(Q(is_superuser=True) | Exists(membership), is_active=True)


def sees_all_cases(user: User | AnonymousUser) -> bool:
    return is_quality_lead(user) or is_manager(user)


def can_see_personal_data(user: User | AnonymousUser) -> bool:
    return sees_all_cases(user)


def team_ids(user: User) -> list[int]:
    cached = getattr(user, "_rca_team_ids", None)
    if cached is None:
        cached = list(user.teams.values_list("id", flat=True))
        user._rca_team_ids = cached
    return cached


# CASES
# ------------------------------------------------------------------------------


def viewer_keys(user: User) -> list[str]:
    """The audience keys that open a case to this partner: its teams and itself (see `cases.audience`)."""
    return [team_key(team_id) for team_id in team_ids(user)] + [user_key(user.pk)]


def partner_case_filter(user: User) -> Q:
    """The cases a partner may see, as one `Q` on `Case`: those whose audience holds one of its keys, that is, owned
    by or shared with one of its teams, watched by it, or holding an action item it owns (`cases.audience` keeps the
    audience of every case; on PostgreSQL a GIN index serves the lookup)."""
    return Q(audience__has_any_keys=viewer_keys(user))


def visible_cases(user: User | AnonymousUser, queryset: QuerySet[Case] | None = None) -> QuerySet[Case]:
    queryset = Case.objects.all() if queryset is None else queryset
    if not user.is_authenticated:
        return queryset.none()
    if sees_all_cases(user):
        return queryset
    if has_role(user, Role.PARTNER):
        return queryset.filter(partner_case_filter(user))
    return queryset.none()


def can_view_case(user: User | AnonymousUser, case: Case) -> bool:
    if sees_all_cases(user):
        return True
    return visible_cases(user, Case.objects.filter(pk=case.pk)).exists()


def can_drive_case(user: User | AnonymousUser) -> bool:
    """Transition, assign, edit, link samples, add findings and action items: quality leads."""
    return is_quality_lead(user)


def case_owner_candidates() -> QuerySet[User]:
    """The users who may own a case (the owner picker, detection's routing): active quality leads."""
    return users_with_role(Role.QUALITY_LEAD)


def can_own_case(user: User) -> bool:
    """Whether `user` may own a case: the rule of `case_owner_candidates`, for one user in hand."""
    return user.is_active and is_quality_lead(user)


def can_comment(user: User | AnonymousUser, case: Case) -> bool:
    return can_view_case(user, case)


# What a partner may change on an action item it may update (its own, or its team's): quality leads change every
# field. The page's form, the API and `cases.services.action_item_update` all read it from here.
PARTNER_EDITABLE_ACTION_ITEM_FIELDS = frozenset({"status", "description"})


def action_item_fields_refused(user: User | AnonymousUser, fields: Iterable[str]) -> set[str]:
    """The fields among `fields` that `user`'s role does not let it change on an action item it may update."""
    if is_quality_lead(user):
        return set()
    return set(fields) - PARTNER_EDITABLE_ACTION_ITEM_FIELDS


def can_update_action_item(user: User | AnonymousUser, item: ActionItem) -> bool:
    if is_quality_lead(user):
        return True
    if not has_role(user, Role.PARTNER):
        return False
    return item.owner_id == user.pk or (item.team_id is not None and item.team_id in team_ids(user))


# RELATED OBJECTS
# ------------------------------------------------------------------------------


def visible_findings(user: User | AnonymousUser) -> QuerySet[Finding]:
    return Finding.objects.filter(case__in=visible_cases(user).values("pk"))


def visible_action_items(user: User | AnonymousUser) -> QuerySet[ActionItem]:
    return ActionItem.objects.filter(case__in=visible_cases(user).values("pk"))


def visible_comments(user: User | AnonymousUser) -> QuerySet[Comment]:
    return Comment.objects.filter(case__in=visible_cases(user).values("pk"))


def visible_samples(user: User | AnonymousUser, queryset=None):
    """Quality leads and managers see every sample; partners only the samples linked to cases they see."""
    from rca.models import ModerationSample

    queryset = ModerationSample.objects.all() if queryset is None else queryset
    if not user.is_authenticated:
        return queryset.none()
    if sees_all_cases(user):
        return queryset
    if has_role(user, Role.PARTNER):
        links = CaseSample.objects.filter(sample_id=OuterRef("pk"), case__in=visible_cases(user).values("pk"))
        return queryset.filter(Exists(links))
    return queryset.none()


def can_reveal_sensitive_text(user: User | AnonymousUser) -> bool:
    """Who may reveal the blurred notes and transcripts of the samples it sees (each reveal is recorded): the roles
    that work on cases, partners included (the samples of the cases they see)."""
    return sees_all_cases(user) or has_role(user, Role.PARTNER)


def can_view_patterns(user: User | AnonymousUser) -> bool:
    return sees_all_cases(user)


def can_run_detection(user: User | AnonymousUser) -> bool:
    return is_quality_lead(user)


def can_view_reports(user: User | AnonymousUser) -> bool:
    return is_manager(user) or is_quality_lead(user)


def can_view_quality_metrics(user: User | AnonymousUser) -> bool:
    """Quality metrics (aggregates of the audits: `rca.quality`): every role. Figures per auditor are personal data
    (`can_see_personal_data`): partners get none."""
    return sees_all_cases(user) or has_role(user, Role.PARTNER)


# PERSONAL DATA
# ------------------------------------------------------------------------------


def mask_personal_id(value: str) -> str:
    """Hide a moderator or auditor id entirely; an empty id stays empty (so "no moderator" is still visible)."""
    return "••••••" if value else value


def personal_id_masker(user: User | AnonymousUser) -> Callable[[str], str]:
    """How ids show to this user, for a page of values: the role is checked once."""
    return str if can_see_personal_data(user) else mask_personal_id


def request_id_masker(request) -> Callable[[str], str]:
    """`personal_id_masker` of a request's user (a serializer's `context["request"]`); with no request, all masked."""
    return personal_id_masker(request.user) if request is not None else mask_personal_id


def personal_id_for(user: User | AnonymousUser, value: str) -> str:
    return personal_id_masker(user)(value)
