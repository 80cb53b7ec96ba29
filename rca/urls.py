"""Pages of the evidence (the API lives in `rca/api/urls.py`)."""

from django.urls import path

from rca import views

urlpatterns = [
    path("samples/", views.sample_list, name="sample-list"),
    path("samples/<int:sample_id>/reveal/", views.sample_reveal_view, name="sample-reveal"),
    path("patterns/", views.pattern_list, name="pattern-list"),
    path("patterns/<int:pattern_id>/", views.pattern_detail, name="pattern-detail"),
]
