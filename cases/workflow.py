"""The case workflow: one table of allowed moves, their guards and who may make them.

A small table of our own rather than django-fsm-2: every move needs a human-readable refusal reason (shown as a 409
by the API and next to the button on the case page), the list of moves a given user may make, and a "system" actor
for the detection pipeline. A tuple of `Transition` rows says all of that in one screen; a state-machine library
would spread it over decorated methods and still need this layer for reasons and listings.

The table is only read here; `cases.services.case_transition` is the one function that applies a move.
"""

from collections.abc import Callable
from dataclasses import dataclass, field

from django.contrib.auth.models import AnonymousUser, User

from cases import permissions
from cases.choices import OPEN_ACTION_ITEM_STATUSES, OPEN_STATUSES, CaseStatus, Role
from cases.fixes.records import FixInput, closure_evidence
from cases.models import Case
from config.api.errors import Refusal


class TransitionRefused(Refusal):
    """A move the table does not allow, or whose guard fails. `code` is stable; `detail` is for people.

    The API answers 409 (the case's state does not allow it), except for the two refusals that are not about the
    state: `forbidden_role` is a 403, and `unknown_state` a 400 on the `to` field."""

    @property
    def http_status(self) -> int:
        return {"forbidden_role": 403, "unknown_state": 400}.get(self.code, 409)

    @property
    def field(self) -> str | None:
        return "to" if self.code == "unknown_state" else None


@dataclass(frozen=True)
class TransitionRequest:
    """What the actor supplies with a move besides the target state."""

    reason: str = ""
    duplicate_of: Case | None = None
    fix: FixInput | None = None  # entering monitoring: the fix (None: effective now, nothing named)


Guard = Callable[[Case, TransitionRequest], str | None]


# GUARDS (each returns the refusal reason, or None when satisfied)
# ------------------------------------------------------------------------------


def _has_owner(case: Case, request: TransitionRequest) -> str | None:
    return None if case.owner_id else "Assign an owner before investigating the case."


def _has_root_cause(case: Case, request: TransitionRequest) -> str | None:
    if case.root_cause_category and case.root_cause_statement.strip():
        return None
    return "Fill in the root-cause category and statement first."


def _has_action_item(case: Case, request: TransitionRequest) -> str | None:
    return None if case.action_items.exists() else "Add at least one action item before remediating."


def _action_items_settled(case: Case, request: TransitionRequest) -> str | None:
    pending = case.action_items.filter(status__in=OPEN_ACTION_ITEM_STATUSES).count()
    if pending:
        return f"{pending} action item(s) are still open: mark them done or cancelled first."
    return None


def _has_reason(case: Case, request: TransitionRequest) -> str | None:
    return None if request.reason.strip() else "Give a reason."


def _closure_backed(case: Case, request: TransitionRequest) -> str | None:
    """Closing needs evidence (a holding fix verdict after the monitoring period) or an override with a reason."""
    why_not = closure_evidence(case)
    if why_not is None or request.reason.strip():
        return None
    return f"{why_not} To close anyway, give an override reason."


def _has_duplicate_target(case: Case, request: TransitionRequest) -> str | None:
    target = request.duplicate_of
    if target is None:
        return "Name the case this one duplicates."
    if target.pk == case.pk:
        return "A case cannot duplicate itself."
    if target.status == CaseStatus.DUPLICATE:
        return f"{target.key} is itself a duplicate; point at the case it duplicates."
    return None


# THE TABLE
# ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Transition:
    sources: frozenset[str]
    target: str
    label: str
    roles: frozenset[str] = frozenset({Role.QUALITY_LEAD})
    guards: tuple[Guard, ...] = ()
    system_may: bool = False  # the detection pipeline (actor None) may make this move
    needs: tuple[str, ...] = field(default=())  # inputs a form should ask for: "reason", "duplicate_of"


OPEN = frozenset(OPEN_STATUSES)

# The one way back from a resolved case: a person reopens a closed or won't-fix case into investigation, or the
# detection pipeline a closed case whose pattern regressed after its fix (`cases.services.case_record_pattern`,
# `cases.fixes.regression`; never a won't-fix case). A duplicate is not reopened: its samples already live on the case
# it duplicates.
REOPEN = Transition(
    frozenset({CaseStatus.CLOSED, CaseStatus.WONT_FIX}),
    CaseStatus.INVESTIGATING,
    "Reopen",
    system_may=True,
    needs=("reason",),
)

TRANSITIONS: tuple[Transition, ...] = (
    Transition(frozenset({CaseStatus.NEW}), CaseStatus.TRIAGE, "Start triage"),
    Transition(
        frozenset({CaseStatus.NEW, CaseStatus.TRIAGE}), CaseStatus.INVESTIGATING, "Investigate", guards=(_has_owner,)
    ),
    Transition(
        frozenset({CaseStatus.INVESTIGATING}),
        CaseStatus.ROOT_CAUSE_IDENTIFIED,
        "Root cause identified",
        guards=(_has_root_cause,),
    ),
    Transition(
        frozenset({CaseStatus.ROOT_CAUSE_IDENTIFIED}), CaseStatus.REMEDIATING, "Remediate", guards=(_has_action_item,)
    ),
    Transition(frozenset({CaseStatus.REMEDIATING}), CaseStatus.MONITORING, "Monitor the fix", needs=("fix",)),
    Transition(frozenset({CaseStatus.MONITORING}), CaseStatus.REMEDIATING, "Fix did not hold", needs=("reason",)),
    Transition(
        frozenset({CaseStatus.REMEDIATING, CaseStatus.MONITORING}),
        CaseStatus.CLOSED,
        "Close",
        guards=(_action_items_settled, _closure_backed),
        system_may=True,  # only on evidence: `cases.fixes.services` closes a case whose fix holds
        needs=("override_reason",),
    ),
    Transition(OPEN, CaseStatus.DUPLICATE, "Mark duplicate", guards=(_has_duplicate_target,), needs=("duplicate_of",)),
    Transition(OPEN, CaseStatus.WONT_FIX, "Won't fix", guards=(_has_reason,), needs=("reason",)),
    REOPEN,
)

# Timestamp field stamped on entering a state.
STATE_TIMESTAMPS: dict[str, str] = {
    CaseStatus.TRIAGE: "triaged_at",
    CaseStatus.INVESTIGATING: "investigating_at",
    CaseStatus.ROOT_CAUSE_IDENTIFIED: "root_cause_identified_at",
    CaseStatus.REMEDIATING: "remediating_at",
    CaseStatus.MONITORING: "monitoring_at",
    CaseStatus.CLOSED: "closed_at",
}


def find_transition(source: str, target: str) -> Transition | None:
    for transition in TRANSITIONS:
        if transition.target == target and source in transition.sources:
            return transition
    return None


def is_reopen(source: str, target: str) -> bool:
    """Whether moving from `source` to `target` is the reopen move."""
    return source in REOPEN.sources and target == REOPEN.target


def can_reopen(status: str) -> bool:
    """Whether a case in `status` can be reopened (the move's guards and roles aside)."""
    return status in REOPEN.sources


def _actor_may(transition: Transition, actor: User | AnonymousUser | None) -> bool:
    if actor is None:
        return transition.system_may
    return any(permissions.has_role(actor, role) for role in transition.roles)


def check_transition(
    case: Case, target: str, actor: User | AnonymousUser | None, request: TransitionRequest
) -> Transition:
    """Return the transition if `actor` may move `case` to `target` now; raise `TransitionRefused` otherwise."""
    if target not in CaseStatus.values:
        raise TransitionRefused("unknown_state", f"'{target}' is not a case state.")
    transition = find_transition(case.status, target)
    if transition is None:
        raise TransitionRefused(
            "not_allowed", f"A case cannot move from {CaseStatus(case.status).label} to {CaseStatus(target).label}."
        )
    if not _actor_may(transition, actor):
        raise TransitionRefused("forbidden_role", f"Only a quality lead may {transition.label.lower()}.")
    for guard in transition.guards:
        reason = guard(case, request)
        if reason:
            raise TransitionRefused("guard_failed", reason)
    return transition


@dataclass(frozen=True)
class AvailableTransition:
    target: str
    label: str
    allowed: bool
    reason: str
    needs: tuple[str, ...]


def available_transitions(case: Case, actor: User | AnonymousUser) -> list[AvailableTransition]:
    """The moves out of the case's state that `actor`'s role permits, each with whether its guards pass now.

    Guards that depend on input (a reason, a duplicate target) are reported as allowed: the form asks for the input.
    """
    result = []
    for transition in TRANSITIONS:
        if case.status not in transition.sources or not _actor_may(transition, actor):
            continue
        reason = ""
        for guard in transition.guards:
            if guard in (_has_reason, _has_duplicate_target, _closure_backed):
                continue
            reason = guard(case, TransitionRequest()) or ""
            if reason:
                break
        result.append(AvailableTransition(transition.target, transition.label, not reason, reason, transition.needs))
    return result
