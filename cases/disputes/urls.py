"""Pages of audit quality (the API lives in `cases/disputes/api/urls.py`)."""

from django.urls import path

from cases.disputes import views

urlpatterns = [
    path("samples/<int:sample_id>/verdict/", views.sample_verdict, name="sample-verdict"),
    path("samples/<int:sample_id>/disputes/", views.sample_dispute, name="sample-dispute"),
    path("disputes/", views.dispute_list, name="dispute-list"),
    path("disputes/<int:dispute_id>/review/", views.dispute_review, name="dispute-review"),
    path("quality/agreement/", views.agreement, name="agreement"),
]
