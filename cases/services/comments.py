"""Comments on a case or one of its findings, with `@username` mentions.

A mention is a promise that someone will be told: a comment naming a user who does not exist, or who cannot see the
case, is refused rather than posted with no one told (issue 21, "no silent failure"). The refusal is a
`ValidationError` on `body` whose messages carry a code and params, so that the API answers 400 with the message and
the case room can offer a quality lead to share the case with the mentioned partner's teams.
"""

from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models.functions import Lower

from cases import events, permissions
from cases.choices import Role
from cases.markdown import mentioned_usernames, render_markdown
from cases.models import Case, Comment, Finding
from cases.tasks import notify_activity

MENTION_UNKNOWN = "mention_unknown"
MENTION_AMBIGUOUS = "mention_ambiguous"
MENTION_NOT_VISIBLE = "mention_not_visible"


def resolve_mentions(*, case: Case, usernames: list[str]) -> tuple[list[User], list[ValidationError]]:
    """Resolve mentioned usernames for a comment on `case`: the users, and one error per mention that names no
    active user or a user who cannot see the case. A username matches exactly, else ignoring case when that is
    unambiguous (`@Pat` is `pat`). An invisible partner's error carries `team_ids`, the teams to share the case with."""
    if not usernames:
        return [], []
    lowered = {name.lower() for name in usernames}
    candidates = list(
        User.objects.annotate(lowered=Lower("username"))
        .filter(lowered__in=lowered, is_active=True)
        .prefetch_related("teams")
    )
    users: list[User] = []
    errors: list[ValidationError] = []
    seen: set[int] = set()
    for name in usernames:
        exact = [user for user in candidates if user.username == name]
        matches = exact or [user for user in candidates if user.username.lower() == name.lower()]
        if not matches:
            error = ValidationError("@%(username)s: no such user.", code=MENTION_UNKNOWN, params={"username": name})
            errors.append(error)
            continue
        if len(matches) > 1:
            errors.append(
                ValidationError(
                    "@%(username)s: several users match; write the username exactly (%(choices)s).",
                    code=MENTION_AMBIGUOUS,
                    params={"username": name, "choices": ", ".join(sorted(f"@{u.username}" for u in matches))},
                )
            )
            continue
        user = matches[0]
        if user.pk in seen:
            continue
        seen.add(user.pk)
        if not permissions.can_view_case(user, case):
            team_ids = [team.pk for team in user.teams.all()] if permissions.has_role(user, Role.PARTNER) else []
            hint = " — share it with their team first" if team_ids else ""
            errors.append(
                ValidationError(
                    f"@%(username)s: cannot see this case{hint}.",
                    code=MENTION_NOT_VISIBLE,
                    params={"username": user.username, "team_ids": team_ids},
                )
            )
            continue
        users.append(user)
    return users, errors


@transaction.atomic
def comment_create(*, case: Case, actor: User, body: str, finding: Finding | None = None) -> Comment:
    """Comment on a case or one of its findings. Markdown is rendered and sanitised once, here. Every `@username`
    mention must name an active user who can see the case (else `ValidationError` on `body`, nothing written); the
    mentioned users are recorded and notified after commit."""
    if not permissions.can_comment(actor, case):
        raise PermissionDenied("You may not comment on this case.")
    if not body.strip():
        raise ValidationError({"body": "A comment cannot be empty."})
    if len(body) > 20_000:
        raise ValidationError({"body": "A comment is at most 20,000 characters."})
    if finding is not None and finding.case_id != case.pk:
        raise ValidationError({"finding": "This finding belongs to another case."})
    mentioned, errors = resolve_mentions(case=case, usernames=mentioned_usernames(body))
    if errors:
        raise ValidationError({"body": errors})
    comment = Comment.objects.create(
        case=case, finding=finding, author=actor, body=body, body_html=render_markdown(body)
    )
    if mentioned:
        comment.mentions.set(mentioned)
    activity = events.comment_added(comment, actor)
    if mentioned:
        transaction.on_commit(lambda: notify_activity.delay(activity.pk), robust=True)
    return comment
