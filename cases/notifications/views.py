"""The notification pages: the list (all or unread), opening one (marked read, then off to what it is about), and the
POSTs that mark one or all of them read."""

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_POST

from cases.models import Notification
from cases.notifications import selectors, services

PAGE_SIZE = 50


def _next_url(request: HttpRequest, default: str) -> str:
    target = request.POST.get("next", "")
    allowed = url_has_allowed_host_and_scheme(target, {request.get_host()}, require_https=request.is_secure())
    return target if target and allowed else default


@login_required
@require_GET
def notification_list(request: HttpRequest) -> HttpResponse:
    unread_only = request.GET.get("unread") == "1"
    notifications = selectors.notification_list(user=request.user, unread_only=unread_only)
    page = Paginator(notifications, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "notifications/list.html", {"page": page, "unread_only": unread_only})


@login_required
@require_GET
def notification_open(request: HttpRequest, pk: int) -> HttpResponse:
    """A click on a notification: mark it read and land on the comment, finding or action item it is about. A plain
    link (a GET) so that it opens like any link; marking read twice changes nothing."""
    target = services.notification_open(user=request.user, notification_id=pk)
    if target is None:
        raise Http404("No such notification.")
    return redirect(target)


@login_required
@require_POST
def notification_mark_read(request: HttpRequest, pk: int) -> HttpResponse:
    """Mark one notification read, then go to `next` (its page, when the user clicked it) or back to the list."""
    notification = get_object_or_404(Notification.objects.only("id", "url"), pk=pk, recipient=request.user)
    services.notification_mark_read(user=request.user, notification_id=notification.pk)
    return redirect(_next_url(request, "notification-list"))


@login_required
@require_POST
def notification_mark_all_read(request: HttpRequest) -> HttpResponse:
    services.notifications_mark_all_read(user=request.user)
    return redirect(_next_url(request, "notification-list"))
