"""Routes of the evidence API under /api/v1/: samples, error patterns, detection runs, import jobs."""

from rest_framework.routers import SimpleRouter

from cases.evidence.api import import_jobs, views

router = SimpleRouter()
router.register("samples", views.SampleViewSet, basename="sample")
router.register("patterns", views.ErrorPatternViewSet, basename="pattern")
router.register("detection-runs", views.DetectionRunViewSet, basename="detection-run")
router.register("import-jobs", import_jobs.ImportJobViewSet, basename="import-job")

urlpatterns = router.urls
