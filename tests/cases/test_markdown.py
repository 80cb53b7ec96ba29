"""Comment markdown: a link whose URL nh3 refuses (`javascript:`, `data:`, …) is shown as its plain text, not as a
dead `<a>`; safe links stay links. The property test that every mix renders inert is in tests/hardening."""

import pytest

from cases.markdown import render_markdown
from cases.services import comment_create
from tests.factories import CaseFactory

SAFE_REL = 'rel="noopener noreferrer nofollow"'


@pytest.mark.parametrize(
    ("body", "html"),
    [
        ("[link](javascript:alert(1))", "<p>link</p>"),
        ("[**bold** `code`](JaVaScRiPt:alert(1))", "<p><strong>bold</strong> <code>code</code></p>"),
        ('[titled](javascript:alert(1) "a title")', "<p>titled</p>"),
        ("[ref][1]\n\n[1]: javascript:alert(1)", "<p>ref</p>"),
        ("[data](data:text/html,<b>x</b>)", "<p>data</p>"),
        ('<a href="vbscript:x" title="a>b href=">raw</a> <a>bare</a>', "<p>raw bare</p>"),
    ],
)
def test_an_unsafe_link_renders_as_its_text(body, html):
    assert render_markdown(body) == html


def test_safe_links_stay_links_next_to_an_unsafe_one():
    html = render_markdown('[a](javascript:1) [b](https://example.org/x "t>t") [c](/cases/3/#c-1) [d](mailto:x@y.z)')

    assert html == (
        f'<p>a <a href="https://example.org/x" title="t&gt;t" {SAFE_REL}>b</a> '
        f'<a href="/cases/3/#c-1" {SAFE_REL}>c</a> <a href="mailto:x@y.z" {SAFE_REL}>d</a></p>'
    )


def test_code_showing_a_link_is_left_as_code():
    assert render_markdown("`[x](javascript:1)`") == "<p><code>[x](javascript:1)</code></p>"


@pytest.mark.django_db
def test_the_case_page_shows_an_unsafe_link_in_a_comment_as_text(client, quality_lead):
    case = CaseFactory(owner=quality_lead)
    comment_create(case=case, actor=quality_lead, body="See [the report](javascript:alert(1)) first.")
    client.force_login(quality_lead)

    page = client.get(f"/cases/{case.pk}/").content.decode()

    assert "<p>See the report first.</p>" in page
    assert "javascript:" not in page
