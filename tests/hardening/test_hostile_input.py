"""Hostile input: a fuzzed bulk endpoint (never a 5xx, never a half-write), markdown that tries to run script
(rendered inert through the API and on the case page), oversized bodies (a 4xx, nothing written), and path traversal
in file and URL parameters (no file read, nothing served, no open redirect)."""

import json
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rest_framework.test import APIClient

from cases.markdown import ALLOWED_ATTRIBUTES, ALLOWED_TAGS, render_markdown
from cases.models import Comment
from config.api.authentication import token_for
from rca.importing.validation import FIELDS
from rca.models import ModerationSample
from tests.factories import CaseFactory, ModerationSampleFactory, UserFactory

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.django_db


@pytest.fixture
def lead(db):
    return UserFactory(username="hostile_lead", role="quality_lead")


@pytest.fixture
def api(lead):
    client = APIClient()
    token, _ = token_for(lead)
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    return client


def _record(external_id, **changes) -> dict:
    record = {
        "external_id": external_id,
        "content_id": "ls-1",
        "content_type": "live_stream",
        "market": "ID",
        "language": "id",
        "decision_source": "model",
        "model_version": "live-clf-3.2",
        "decision_label": "none",
        "audit_label": "bullying_harassment",
        "decided_at": "2026-11-02T10:14:00+07:00",
        "audited_at": "2026-11-03T09:00:00+07:00",
        "notes": "fuzz",
        "tags": ["guest_battle"],
    }
    record.update(changes)
    return record


# BULK ENDPOINT FUZZ
# ------------------------------------------------------------------------------

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False) | st.text(max_size=40),
    lambda children: st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=8), children, max_size=3),
    max_leaves=8,
)
# A few external ids, so that records of one request collide with each other and with earlier requests.
external_ids = st.sampled_from(["fz-1", "fz-2", "fz-3", "fz-\u00e9", "fz-" + "x" * 300, "", " fz-1 "]) | json_values
field_values = json_values | st.sampled_from(
    ["", "none", "hate_speech", "ID", "id", "human", "model", "2026-11-02T10:00:00", "2999-01-01T00:00:00+00:00",
     "\x00", "\ud800", "x" * 5000, "<script>alert(1)</script>"]
)  # fmt: skip
mutated_records = st.builds(
    lambda external_id, changes, notes: {**_record(external_id, notes=notes), **changes},
    external_ids,
    st.dictionaries(st.sampled_from(FIELDS) | st.text(max_size=10), field_values, max_size=3),
    st.text(max_size=30),
)
bodies = st.lists(mutated_records | json_values, max_size=8)


def _post_json(api: APIClient, document) -> object:
    """JSON with `ensure_ascii`: lone surrogates and control characters arrive escaped, as any client may send them."""
    return api.generic("POST", "/api/v1/samples/bulk/", json.dumps(document), content_type="application/json")


def _stored() -> dict[str, str]:
    return dict(ModerationSample.objects.values_list("external_id", "notes"))


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(records=bodies)
def test_bulk_fuzzed_records_never_5xx_and_store_exactly_the_accepted_ones(api, records):
    before = _stored()

    response = _post_json(api, records)

    after = _stored()
    assert response.status_code == 200, response.content[:500]
    body = response.json()
    rejected = {row["index"] for row in body["rejected"]}
    accepted = [record for index, record in enumerate(records) if index not in rejected]
    accepted_ids = {record["external_id"].strip() for record in accepted}  # ids are stored stripped
    assert len(accepted_ids) == len(accepted), "an accepted external_id appears twice"
    assert body["created"] + body["updated"] == len(accepted)
    assert body["created"] == len(after) - len(before)
    assert set(after) - set(before) <= accepted_ids
    for record in accepted:
        assert after[record["external_id"].strip()] == record["notes"]
    for external_id, notes in after.items():
        if external_id not in accepted_ids:
            assert before[external_id] == notes, "a rejected record changed a stored sample"


def test_bulk_lone_surrogates_in_an_id_or_a_key_are_row_errors_not_a_500(api):
    """Found by the fuzz test: `"\\ud800"` is valid JSON but not UTF-8; echoing it back crashed the renderer."""
    records = [_record("\ud800-id"), {**_record("qa-ok"), "bad\udfff": 1}, _record("qa-good")]

    response = _post_json(api, records)

    assert response.status_code == 200
    body = response.json()
    assert (body["created"], [row["index"] for row in body["rejected"]]) == (1, [0, 1])
    assert body["rejected"][0]["external_id"] == "\\ud800-id"
    assert list(ModerationSample.objects.values_list("external_id", flat=True)) == ["qa-good"]


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(payload=json_values)
def test_bulk_any_json_document_gets_an_answer_below_500(api, payload):
    count = ModerationSample.objects.count()

    response = _post_json(api, payload)

    assert response.status_code in (200, 400), response.content[:300]
    if response.status_code == 400:
        assert ModerationSample.objects.count() == count


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(raw=st.binary(max_size=200), content_type=st.sampled_from(["application/json", "text/plain", "x/y", ""]))
def test_bulk_arbitrary_bytes_get_a_4xx(api, raw, content_type):
    response = api.generic("POST", "/api/v1/samples/bulk/", raw, content_type=content_type)

    assert response.status_code in (200, 400, 415), response.content[:300]
    assert ModerationSample.objects.count() == 0


# MARKDOWN COMMENTS
# ------------------------------------------------------------------------------

XSS = [
    "<script>alert('x1')</script>",
    "<img src=x onerror=alert('x2')>",
    "<svg onload=alert('x3')></svg>",
    "[click](javascript:alert('x4'))",
    "<a href=\"JaVaScRiPt:alert('x5')\">x</a>",
    "<a href=\"&#106;avascript:alert('x6')\">x</a>",
    "[data](data:text/html;base64,PHNjcmlwdD5hbGVydCgneDcnKTwvc2NyaXB0Pg==)",
    "![img](javascript:alert('x8'))",
    '<iframe src="https://evil.example/x9"></iframe>',
    '<p style="background:url(javascript:alert(1))" onclick="alert(\'x10\')">hi</p>',
    "<a href='https://ok.example' onmouseover='alert(\"x11\")'>ok</a>",
    "```\n<script>alert('x12')</script>\n```",
    "<details open ontoggle=alert('x13')>",
    "<form action=javascript:alert('x14')><button>go</button></form>",
    "<math><mi xlink:href=\"javascript:alert('x15')\">x</mi></math>",
]


class _TagCollector(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, list[tuple[str, str | None]]]] = []
        self.scripts: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, attrs))
        self._in_script = tag == "script"

    def handle_endtag(self, tag):
        self._in_script = False

    def handle_data(self, data):
        if self._in_script:
            self.scripts.append(data)


def assert_page_inert(page: str) -> None:
    """A whole page: no element with an event handler or a script URL that the payloads planted, no planted script."""
    parser = _TagCollector()
    parser.feed(page)
    for tag, attrs in parser.tags:
        assert tag not in ("iframe", "object", "embed"), tag
        for name, value in attrs:
            value = (value or "").lower()
            assert not (name.startswith("on") and "alert" in value), (tag, name, value)
            if name in ("href", "src", "action", "xlink:href", "formaction"):
                assert _scheme(value) not in ("javascript", "data", "vbscript"), (tag, name, value)
    assert not any("alert(" in script for script in parser.scripts)


def _scheme(url: str) -> str:
    """The scheme a browser would see: it drops ASCII whitespace and control characters anywhere in a URL first."""
    cleaned = re.sub(r"[\x00-\x20]", "", url).lower()
    match = re.match(r"^([a-z][a-z0-9+.-]*):", cleaned)
    return match.group(1) if match else ""


def assert_inert(html: str) -> None:
    """Only allow-listed tags and attributes; no event handler; links only to http(s) or mailto."""
    parser = _TagCollector()
    parser.feed(html)
    for tag, attrs in parser.tags:
        assert tag in ALLOWED_TAGS, (tag, html)
        for name, value in attrs:
            assert not name.startswith("on"), (name, html)
            assert name in ALLOWED_ATTRIBUTES.get(tag, set()) | {"rel"}, (tag, name, html)
            if name == "href":
                assert _scheme(value or "") in ("", "http", "https", "mailto"), html


@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.sampled_from([*XSS, "<", ">", "](", "[a", "javascript:", "\n", "`", '"', "'", "="]) | st.text(max_size=12)
    ).map("".join)
)
def test_markdown_any_mix_of_hostile_fragments_renders_inert(body):
    assert_inert(render_markdown(body))


@pytest.mark.parametrize("payload", XSS)
def test_markdown_comment_is_inert_through_the_api_and_on_the_case_page(api, lead, client, payload):
    case = CaseFactory(title="<script>alert('title')</script>")

    response = api.post("/api/v1/comments/", {"case": case.pk, "body": payload}, format="json")
    client.force_login(lead)
    page = client.get(f"/cases/{case.pk}/").content.decode()

    assert response.status_code == 201
    assert_inert(response.json()["body_html"])
    assert_page_inert(page)


# OVERSIZED BODIES
# ------------------------------------------------------------------------------


def test_oversized_bulk_body_is_413_and_writes_nothing(api, settings):
    settings.API_BULK_MAX_BYTES = 10_000
    records = [_record(f"big-{index}", notes="n" * 500) for index in range(40)]

    response = api.post("/api/v1/samples/bulk/", records, format="json")

    assert response.status_code == 413
    assert ModerationSample.objects.count() == 0


def test_api_body_over_the_upload_limit_is_a_4xx_and_writes_nothing(api, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 4096
    case = CaseFactory()

    response = api.post("/api/v1/comments/", {"case": case.pk, "body": "x" * 10_000}, format="json")

    assert 400 <= response.status_code < 500, response.status_code
    assert Comment.objects.count() == 0


def test_page_form_over_the_upload_limit_is_a_400_and_writes_nothing(client, lead, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 4096
    case = CaseFactory()
    client.force_login(lead)

    response = client.post(f"/cases/{case.pk}/", {"action": "comment", "body": "x" * 10_000})

    assert response.status_code == 400
    assert Comment.objects.count() == 0


def test_page_form_with_too_many_fields_is_a_400(client, lead):
    case = CaseFactory()
    client.force_login(lead)

    response = client.post(f"/cases/{case.pk}/samples/unlink/", {f"f{index}": "1" for index in range(3000)})

    assert response.status_code == 400


def test_comment_longer_than_the_limit_is_a_400(api):
    case = CaseFactory()

    response = api.post("/api/v1/comments/", {"case": case.pk, "body": "x" * 20_001}, format="json")

    assert response.status_code == 400
    assert Comment.objects.count() == 0


# PATH TRAVERSAL
# ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "path", ["../../etc/passwd", "/etc/passwd", "../../../../../../etc/shadow", "/proc/self/environ"]
)
def test_import_samples_with_a_traversal_path_fails_cleanly_and_writes_nothing(path):
    with pytest.raises(CommandError) as raised:
        call_command("import_samples", path)

    assert "Traceback" not in str(raised.value)
    assert ModerationSample.objects.count() == 0


def test_import_samples_of_a_system_file_as_csv_rejects_rows_without_leaking_them(tmp_path, capsys):
    rejects = tmp_path / "rejects.csv"

    try:
        call_command("import_samples", "/etc/passwd", "--format", "csv", "--rejects", str(rejects))
    except CommandError as error:
        assert "root:" not in str(error)

    assert ModerationSample.objects.count() == 0


@pytest.mark.parametrize(
    "path",
    [
        "/static/../config/settings/base.py",
        "/static/..%2f..%2fmanage.py",
        "/static/%2e%2e/%2e%2e/etc/passwd",
        "/static/....//....//etc/passwd",
        "/%2e%2e/%2e%2e/etc/passwd",
        "/api/v1/samples/..%2F..%2Fetc%2Fpasswd/",
        "/api/v1/samples/%2e%2e/",
        "/cases/..%2f..%2fadmin/",
    ],
)
def test_traversal_in_url_paths_serves_nothing(client, lead, path):
    client.force_login(lead)

    response = client.get(path)

    body = b"".join(response) if response.streaming else response.content
    assert response.status_code in (301, 302, 400, 404), (path, response.status_code)
    assert b"root:" not in body and b"SECRET_KEY" not in body and b"DATABASE_URL" not in body


def test_sample_detail_with_a_traversal_external_id_is_a_json_404(api):
    ModerationSampleFactory(external_id="qa-1")

    response = api.get("/api/v1/samples/..%2F..%2Fetc%2Fpasswd/")

    assert response.status_code == 404
    assert response.headers["Content-Type"].startswith("application/json")


@pytest.mark.parametrize(
    "target", ["https://evil.example/", "//evil.example/", "/\\evil.example/", "javascript:alert(1)"]
)
def test_redirect_parameters_never_leave_the_site(client, lead, target):
    client.force_login(lead)

    after_read_all = client.post("/notifications/read-all/", {"next": target})
    client.logout()
    after_login = client.post(
        f"/accounts/login/?next={target}", {"username": "hostile_lead", "password": "pw-for-tests-1"}
    )

    for response in (after_read_all, after_login):
        assert response.status_code == 302
        assert response.headers["Location"].startswith("/") and not response.headers["Location"].startswith(
            ("//", "/\\")
        )
