"""Static files as production serves them: `collectstatic` with the manifest storage (the Dockerfile's deploy step)
then WhiteNoise, here into a temporary STATIC_ROOT. Covers the favicon and the API docs' own Swagger UI / ReDoc files
(drf-spectacular-sidecar), and that the pages link the favicon."""

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

MANIFEST = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.ManifestStaticFilesStorage"},
}
FAVICON = '<link rel="icon" href="/static/favicon.svg" type="image/svg+xml">'


@pytest.fixture
def collected(settings, tmp_path):
    """STATIC_ROOT collected with hashed names; a new Client so that WhiteNoise scans it."""
    settings.STATIC_ROOT = tmp_path
    settings.STORAGES = MANIFEST
    call_command("collectstatic", interactive=False, verbosity=0)
    return Client()


def _body(response) -> bytes:
    return b"".join(response.streaming_content)


@pytest.mark.django_db
def test_whitenoise_serves_the_favicon_and_the_api_docs_assets(collected):
    login_page = collected.get(reverse("login"))
    hashed = login_page.content.decode().split('<link rel="icon" href="')[1].split('"')[0]
    assert hashed.startswith("/static/favicon.") and hashed.endswith(".svg") and hashed != "/static/favicon.svg"

    for path in (hashed, "/static/favicon.svg"):
        response = collected.get(path)
        assert response.status_code == 200, path
        assert response["Content-Type"] == "image/svg+xml", path
        assert _body(response).startswith(b"<svg"), path

    for path, content_type in (
        ("/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js", "text/javascript"),
        ("/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui.css", "text/css"),
        ("/static/drf_spectacular_sidecar/redoc/bundles/redoc.standalone.js", "text/javascript"),
    ):
        response = collected.get(path)
        assert response.status_code == 200, path
        assert response["Content-Type"].startswith(content_type), path


@pytest.mark.django_db
def test_the_login_page_and_the_signed_in_pages_link_the_favicon(client, quality_lead):
    assert FAVICON in client.get(reverse("login")).content.decode()

    client.force_login(quality_lead)
    assert FAVICON in client.get(reverse("home")).content.decode()


@pytest.mark.django_db
def test_the_api_docs_pages_load_swagger_ui_and_redoc_from_the_app(client, quality_lead):
    client.force_login(quality_lead)

    swagger = client.get(reverse("api-docs")).content.decode()
    assert 'src="/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js"' in swagger
    assert 'href="/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui.css"' in swagger
    redoc = client.get(reverse("api-redoc")).content.decode()
    assert 'src="/static/drf_spectacular_sidecar/redoc/bundles/redoc.standalone.js"' in redoc
    for page in (swagger, redoc):
        assert "cdn.jsdelivr.net" not in page
        assert "fonts.googleapis.com" not in page
