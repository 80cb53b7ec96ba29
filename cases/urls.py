"""Pages of the case work (the API lives in `cases/api/urls.py`)."""

from django.urls import path

from cases import room_views, views, writeup_views

urlpatterns = [
    path("", views.home, name="home"),
    path("cases/", views.case_list, name="case-list"),
    path("cases/open/", views.case_from_samples, name="case-from-samples"),
    path("cases/<int:case_id>/", room_views.case_detail, name="case-detail"),
    path("cases/<int:case_id>/watch/", views.case_watch, name="case-watch"),
    path("cases/<int:case_id>/samples/unlink/", views.case_unlink_samples, name="case-unlink-samples"),
    path("cases/<int:case_id>/samples/reveal/", views.case_samples_reveal, name="case-samples-reveal"),
    path("cases/<int:case_id>/findings/<int:finding_id>/status/", views.finding_status, name="finding-status"),
    path(
        "cases/<int:case_id>/contributing-factors/",
        writeup_views.contributing_factor_add,
        name="contributing-factor-add",
    ),
    path(
        "cases/<int:case_id>/contributing-factors/<int:factor_id>/delete/",
        writeup_views.contributing_factor_remove,
        name="contributing-factor-remove",
    ),
    path("cases/<int:case_id>/five-whys/", writeup_views.five_whys_save, name="five-whys-save"),
    path("cases/<int:case_id>/writeup/", writeup_views.case_writeup_page, name="case-writeup"),
    path("settings/", views.user_settings, name="settings"),
]
