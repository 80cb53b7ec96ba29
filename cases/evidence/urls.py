"""Pages of the evidence: the samples explorer and patterns (the API lives in `cases/evidence/api/urls.py`)."""

from django.urls import path

from cases.evidence import views

urlpatterns = [
    path("samples/", views.sample_list, name="sample-list"),
    path("samples/<int:sample_id>/reveal/", views.sample_reveal_view, name="sample-reveal"),
    path("patterns/", views.pattern_list, name="pattern-list"),
    path("patterns/<int:pattern_id>/", views.pattern_detail, name="pattern-detail"),
]
