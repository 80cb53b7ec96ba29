"""Every write to a case and what hangs off it. Views, serializers, forms and tasks call these; nothing else changes a
case's status, links, findings, action items or comments.

Each service is atomic, checks the actor's role (raising `PermissionDenied`), and writes one timeline entry per change
through `cases.events`. Visibility (may the actor see this case at all?) is the caller's first check, so that it can
answer 404; services re-check roles because they are the last line.

One module per subject: `case` (open, edit, assign, share, watch, samples, workflow), `findings`, `action_items`,
`comments`, `rca_structure` (contributing factors, five whys), `measure` (the measure a lead sets on a case), and
`detection` (the one service the rca app calls).
Callers import the package: `from cases import services; services.case_open(...)`.
"""

from cases.services.action_items import ITEM_EDITABLE_FIELDS, action_item_create, action_item_update
from cases.services.case import (
    EDITABLE_FIELDS,
    case_assign,
    case_link_samples,
    case_open,
    case_share,
    case_transition,
    case_unlink_samples,
    case_update,
    case_watch,
    sla_due_at,
)
from cases.services.comments import comment_create
from cases.services.detection import case_record_pattern
from cases.services.findings import finding_create, finding_update
from cases.services.measure import case_measure_set
from cases.services.rca_structure import contributing_factor_create, contributing_factor_delete, five_whys_replace

__all__ = [
    "EDITABLE_FIELDS",
    "ITEM_EDITABLE_FIELDS",
    "action_item_create",
    "action_item_update",
    "case_assign",
    "case_link_samples",
    "case_measure_set",
    "case_open",
    "case_record_pattern",
    "case_share",
    "case_transition",
    "case_unlink_samples",
    "case_update",
    "case_watch",
    "comment_create",
    "contributing_factor_create",
    "contributing_factor_delete",
    "finding_create",
    "finding_update",
    "five_whys_replace",
    "sla_due_at",
]
