"""Markdown for comments: rendered, then sanitised with nh3 (an allow-list), and `@username` mentions found."""

import re

import markdown as markdown_lib
import nh3

ALLOWED_TAGS = {
    "a", "p", "br", "strong", "em", "code", "pre", "blockquote", "ul", "ol", "li", "h3", "h4", "h5", "hr",
    "table", "thead", "tbody", "tr", "th", "td", "del",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}}
MENTION_RE = re.compile(r"(?<![\w@/])@([A-Za-z0-9_.+-]{1,150})")
# Code is quoted text, not an address: `@property` in a code span or a fenced block mentions no one.
CODE_RE = re.compile(r"^ {0,3}(`{3,}|~{3,}).*?(?:^ {0,3}\1[`~]*[ \t]*$|\Z)|(`+)(?!`).+?(?<!`)\2(?!`)", re.M | re.S)
# An `<a>` in nh3's output: its attributes are always `name="value"` with `"` escaped inside values, and links never
# nest (the HTML parser closes an open `<a>` before the next), so the first `</a>` after a start tag is its own.
CLEAN_LINK_RE = re.compile(r'<a((?:\s+[\w-]+="[^"]*")*)>(.*?)</a>', re.DOTALL)
ATTRIBUTE_NAME_RE = re.compile(r'([\w-]+)="[^"]*"')


def render_markdown(body: str) -> str:
    html = markdown_lib.markdown(body, extensions=["fenced_code", "tables", "sane_lists"], output_format="html")
    clean = nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer nofollow",
    )
    return CLEAN_LINK_RE.sub(_unwrap_dead_link, clean)


def _unwrap_dead_link(match: re.Match) -> str:
    """nh3 drops an unsafe `href` (`javascript:`, `data:`…) but keeps the `<a>`: show such a link as its plain text."""
    return match.group(0) if "href" in ATTRIBUTE_NAME_RE.findall(match.group(1)) else match.group(2)


def mentioned_usernames(body: str) -> list[str]:
    """Usernames after `@` outside code, as written (the comment service resolves them, ignoring case), in order of
    first appearance, without a trailing full stop. The one definition of a mention: the service, the notifications
    and the autocomplete of the case room all go by it."""
    seen: dict[str, None] = {}
    for match in MENTION_RE.finditer(CODE_RE.sub(" ", body)):
        seen.setdefault(match.group(1).rstrip("."), None)
    return list(seen)
