"""Pages of the quality initiatives (the API lives in `cases/initiatives/api/urls.py`)."""

from django.urls import path

from cases.initiatives import views

urlpatterns = [
    path("initiatives/", views.initiatives, name="initiative-list"),
    path("initiatives/new/", views.initiative_create, name="initiative-create"),
    path("initiatives/<int:initiative_id>/", views.initiative_detail, name="initiative-detail"),
    path("initiatives/<int:initiative_id>/edit/", views.initiative_edit, name="initiative-edit"),
    path("initiatives/<int:initiative_id>/weekly.csv", views.initiative_series_csv, name="initiative-series-csv"),
]
