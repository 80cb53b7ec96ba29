"""Action items: the fixes a case hands to partners, and their progress."""

from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from cases import events, permissions
from cases.audience import refresh_audience
from cases.choices import SETTLED_ACTION_ITEM_STATUSES, ActionItemKind, ActionItemStatus
from cases.models import ActionItem, Case, Team
from cases.services.case import require_driver
from cases.tasks import notify_activity


@transaction.atomic
def action_item_create(
    *,
    case: Case,
    actor: User,
    title: str,
    kind: str,
    owner: User | None = None,
    team: Team | None = None,
    due_at=None,
    description: str = "",
) -> ActionItem:
    """Hand an action item to a partner (owner and/or team). The owner gets to see the case."""
    require_driver(actor)
    if not title.strip():
        raise ValidationError({"title": "An action item needs a title."})
    if kind not in ActionItemKind.values:
        raise ValidationError({"kind": f"'{kind}' is not one of {', '.join(ActionItemKind.values)}."})
    item = ActionItem.objects.create(
        case=case,
        title=title.strip()[:200],
        kind=kind,
        owner=owner,
        team=team,
        due_at=due_at,
        description=description,
        created_by=actor,
    )
    refresh_audience([case.pk])
    activity = events.action_item_added(item, actor)
    transaction.on_commit(lambda: notify_activity.delay(activity.pk), robust=True)
    return item


ITEM_EDITABLE_FIELDS = {"title", "description", "kind", "owner", "team", "due_at", "status"}


@transaction.atomic
def action_item_update(*, item: ActionItem, actor: User, **fields) -> ActionItem:
    """Update an action item. Partners may change the fields of `permissions.PARTNER_EDITABLE_ACTION_ITEM_FIELDS` on
    items owned by them or their team; quality leads may change everything. Settling it (done or cancelled) stamps
    `completed_at`."""
    if not permissions.can_update_action_item(actor, item):
        raise PermissionDenied("You may not update this action item.")
    unknown = set(fields) - ITEM_EDITABLE_FIELDS
    if unknown:
        raise ValidationError(dict.fromkeys(sorted(unknown), "This field cannot be edited."))
    if permissions.action_item_fields_refused(actor, fields):
        allowed = " and ".join(sorted(permissions.PARTNER_EDITABLE_ACTION_ITEM_FIELDS))
        raise PermissionDenied(f"Partners may only change the {allowed} of their action items.")
    if "status" in fields and fields["status"] not in ActionItemStatus.values:
        raise ValidationError({"status": f"'{fields['status']}' is not one of {', '.join(ActionItemStatus.values)}."})
    if "kind" in fields and fields["kind"] not in ActionItemKind.values:
        raise ValidationError({"kind": f"'{fields['kind']}' is not one of {', '.join(ActionItemKind.values)}."})
    item = ActionItem.objects.select_for_update().get(pk=item.pk)
    changes = {}
    for name, value in fields.items():
        current = getattr(item, name)
        if current != value:
            changes[name] = {"from": _plain(current), "to": _plain(value)}
            setattr(item, name, value)
    if "status" in changes:
        settled = item.status in SETTLED_ACTION_ITEM_STATUSES
        item.completed_at = timezone.now() if settled else None
    if changes:
        item.save()
        if "owner" in changes:
            refresh_audience([item.case_id])
        activity = events.action_item_updated(item, actor, changes=changes)
        if "owner" in changes:
            transaction.on_commit(lambda: notify_activity.delay(activity.pk), robust=True)
    return item


def _plain(value):
    if hasattr(value, "isoformat"):
        return value.isoformat()
    if hasattr(value, "pk"):
        return str(value)
    return value
