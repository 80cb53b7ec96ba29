"""Routes of the case API under /api/v1/: the token endpoint, cases, findings, action items and comments."""

from django.urls import path
from rest_framework.routers import SimpleRouter

from cases.api import fixes, rca_structure, views

router = SimpleRouter()
router.register("cases", views.CaseViewSet, basename="case")
router.register("findings", views.FindingViewSet, basename="finding")
router.register("action-items", views.ActionItemViewSet, basename="action-item")
router.register("comments", views.CommentViewSet, basename="comment")
# Contributing factors, five whys and the write-up: their own viewset, routed beside the case's.
router.register("cases", rca_structure.CaseRcaStructureViewSet, basename="case-rca")
# Its fixes and their verdict (`cases.api.fixes`).
router.register("cases", fixes.CaseFixesViewSet, basename="case-fixes")

urlpatterns = [
    path("auth/token/", views.TokenView.as_view(), name="api-token"),
    *router.urls,
]
