"""Routes of the audit-quality API under /api/v1/: disputes, a sample's disputes, agreement, calibration sets, a case's
calibration rounds."""

from django.urls import path, re_path
from rest_framework.routers import SimpleRouter

from cases.disputes.api import views

router = SimpleRouter()
router.register("disputes", views.DisputeViewSet, basename="dispute")

urlpatterns = [
    # A regex route, as the samples router's: the external id is any text without a slash.
    re_path(r"^samples/(?P<external_id>[^/]+)/disputes/$", views.SampleDisputeView.as_view(), name="sample-disputes"),
    path("quality/agreement/", views.AgreementView.as_view(), name="quality-agreement"),
    path("calibration-set/", views.CalibrationSetView.as_view(), name="calibration-set"),
    path("cases/<int:pk>/calibration/", views.CaseCalibrationView.as_view(), name="case-calibration"),
    *router.urls,
]
