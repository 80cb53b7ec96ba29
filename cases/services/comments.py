"""Comments on a case or one of its findings, with `@username` mentions."""

from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from cases import events, permissions
from cases.markdown import mentioned_usernames, render_markdown
from cases.models import Case, Comment, Finding
from cases.tasks import notify_activity


@transaction.atomic
def comment_create(*, case: Case, actor: User, body: str, finding: Finding | None = None) -> Comment:
    """Comment on a case or one of its findings. Markdown is rendered and sanitised once, here; `@username` mentions
    of existing users are recorded (and notified)."""
    if not permissions.can_comment(actor, case):
        raise PermissionDenied("You may not comment on this case.")
    if not body.strip():
        raise ValidationError({"body": "A comment cannot be empty."})
    if len(body) > 20_000:
        raise ValidationError({"body": "A comment is at most 20,000 characters."})
    if finding is not None and finding.case_id != case.pk:
        raise ValidationError({"finding": "This finding belongs to another case."})
    comment = Comment.objects.create(
        case=case, finding=finding, author=actor, body=body, body_html=render_markdown(body)
    )
    usernames = mentioned_usernames(body)
    if usernames:
        comment.mentions.set(User.objects.filter(username__in=usernames, is_active=True))
    activity = events.comment_added(comment, actor)
    if usernames:
        transaction.on_commit(lambda: notify_activity.delay(activity.pk), robust=True)
    return comment
