from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerView

from config.api.errors import api_not_found
from config.health import healthz

api_v1 = [
    path("", include("cases.evidence.api.urls")),
    path("", include("cases.api.urls")),
    path("", include("cases.reporting.api_urls")),
    path("", include("cases.quality.api_urls")),
    path("", include("cases.webhooks.api.urls")),
    path("", include("cases.disputes.api.urls")),
    path("", include("cases.initiatives.api.urls")),
    re_path(r"^[\s\S]*$", api_not_found),  # keep last: unknown API paths (even with a newline) get a JSON 404
]

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("admin/", admin.site.urls),
    path("accounts/login/", auth_views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
    path(
        "api/redoc/",
        SpectacularRedocView.as_view(url_name="api-schema", template_name="api/redoc.html"),
        name="api-redoc",
    ),
    path("api/v1/", include(api_v1)),
    path("", include("cases.reporting.urls")),
    path("", include("cases.initiatives.urls")),
    path("", include("cases.evidence.urls")),
    path("", include("cases.disputes.urls")),
    path("", include("cases.urls")),
]
