"""Routes of the webhooks API under /api/v1/."""

from rest_framework.routers import SimpleRouter

from cases.webhooks.api import views

router = SimpleRouter()
router.register("webhooks", views.WebhookEndpointViewSet, basename="webhook")

urlpatterns = router.urls
