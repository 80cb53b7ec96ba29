"""Routes of the case API under /api/v1/: the token endpoint, cases, findings, action items and comments."""

from django.urls import path
from rest_framework.routers import SimpleRouter

from cases.api import views

router = SimpleRouter()
router.register("cases", views.CaseViewSet, basename="case")
router.register("findings", views.FindingViewSet, basename="finding")
router.register("action-items", views.ActionItemViewSet, basename="action-item")
router.register("comments", views.CommentViewSet, basename="comment")

urlpatterns = [
    path("auth/token/", views.TokenView.as_view(), name="api-token"),
    *router.urls,
]
