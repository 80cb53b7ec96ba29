"""Who besides quality leads and managers may see a case, kept on the case (`Case.audience`) so that a partner's lists
filter one indexed column instead of joining four tables (see docs/performance.md, "Pages").

A case's audience holds a key per team and person it is open to: `t<id>` for its owning team and each team it is
shared with, `u<id>` for each watcher and each owner of one of its action items. A partner sees the case when one of
its own keys (its teams, itself) is in the audience: `cases.permissions.visible_cases`. The keys are stored as the
keys of a JSON object, which PostgreSQL (with a GIN index) and SQLite both query with `has_any_keys`.

`refresh_audience` is called by every service that changes one of those relations; the factories of the tests and
the admin call it too. `audience_members` lists the people behind the keys, with why each is there (the case room's
"Shared with").
"""

from collections.abc import Iterable
from dataclasses import dataclass, field

from django.contrib.auth.models import User
from django.db.models import CharField, Value

from cases.models import ActionItem, Case, Team


def team_key(team_id: int) -> str:
    return f"t{team_id}"


def user_key(user_id: int) -> str:
    return f"u{user_id}"


def refresh_audience(case_ids: Iterable[int]) -> None:
    """Recompute the audience of these cases from their relations and store it (one query reads the four relations,
    then one update per case)."""
    ids = {case_id for case_id in case_ids if case_id is not None}
    if not ids:
        return
    kind = CharField()
    sources = (
        Case.objects.filter(pk__in=ids, team__isnull=False).values_list("pk", "team_id", Value("t", kind)),
        Case.shared_teams.through.objects.filter(case_id__in=ids).values_list("case_id", "team_id", Value("t", kind)),
        Case.watchers.through.objects.filter(case_id__in=ids).values_list("case_id", "user_id", Value("u", kind)),
        ActionItem.objects.filter(case_id__in=ids, owner__isnull=False).values_list(
            "case_id", "owner_id", Value("u", kind)
        ),
    )
    first, *rest = (source.order_by() for source in sources)  # SQLite refuses ORDER BY inside a UNION
    keys: dict[int, set[str]] = {case_id: set() for case_id in ids}
    for case_id, related_id, prefix in first.union(*rest, all=True):
        keys[case_id].add(team_key(related_id) if prefix == "t" else user_key(related_id))
    for case_id, case_keys in keys.items():
        Case.objects.filter(pk=case_id).update(audience=dict.fromkeys(sorted(case_keys), True))


# WHO IS IN IT, AND WHY
# ------------------------------------------------------------------------------


class AudienceReason:
    """Why a person is in a case's audience; the values double as CSS modifiers."""

    OWNER_TEAM = "owner_team"
    SHARED_TEAM = "shared_team"
    WATCHER = "watcher"
    ACTION_ITEM = "action_item"


@dataclass
class AudienceMember:
    user: User
    reasons: list[tuple[str, str]] = field(default_factory=list)  # (AudienceReason, the team's name or item's title)

    @property
    def reason_texts(self) -> list[str]:
        texts = {
            AudienceReason.OWNER_TEAM: "member of {}, the owning team",
            AudienceReason.SHARED_TEAM: "member of {}, shared with",
            AudienceReason.WATCHER: "watching",
            AudienceReason.ACTION_ITEM: "owns the action item “{}”",
        }
        return [texts[kind].format(detail) for kind, detail in self.reasons]


def audience_members(*, case: Case) -> list[AudienceMember]:
    """The people in `case`'s audience (see the module's docstring), each with every reason they are in it, ordered
    by name. Two queries: the four relations in one `UNION`, then the active users. Quality leads and managers see
    every case whatever this says; the page says so."""
    kind, text = CharField(), CharField()
    memberships = Team.members.through.objects
    sources = [
        memberships.filter(team_id=case.team_id).values_list(
            "user_id", Value(AudienceReason.OWNER_TEAM, kind), "team__name"
        ),
        memberships.filter(team__in=Case.shared_teams.through.objects.filter(case=case).values("team_id"))
        .exclude(team_id=case.team_id)
        .values_list("user_id", Value(AudienceReason.SHARED_TEAM, kind), "team__name"),
        Case.watchers.through.objects.filter(case=case).values_list(
            "user_id", Value(AudienceReason.WATCHER, kind), Value("", text)
        ),
        ActionItem.objects.filter(case=case, owner__isnull=False).values_list(
            "owner_id", Value(AudienceReason.ACTION_ITEM, kind), "title"
        ),
    ]
    first, *rest = (source.order_by() for source in sources)  # SQLite refuses ORDER BY inside a UNION
    reasons: dict[int, list[tuple[str, str]]] = {}
    for user_id, reason, detail in first.union(*rest, all=True):
        if (reason, detail) not in reasons.setdefault(user_id, []):
            reasons[user_id].append((reason, detail))
    people = User.objects.filter(pk__in=reasons, is_active=True).only("id", "username", "first_name", "last_name")
    members = [AudienceMember(user=person, reasons=reasons[person.pk]) for person in people]
    return sorted(members, key=lambda member: (member.user.get_full_name() or member.user.username).lower())
