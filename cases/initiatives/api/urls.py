"""Routes of the initiatives API under /api/v1/."""

from rest_framework.routers import SimpleRouter

from cases.initiatives.api import views

router = SimpleRouter()
router.register("initiatives", views.InitiativeViewSet, basename="initiative")

urlpatterns = router.urls
