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


def render_markdown(body: str) -> str:
    html = markdown_lib.markdown(body, extensions=["fenced_code", "tables", "sane_lists"], output_format="html")
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer nofollow",
    )


def mentioned_usernames(body: str) -> list[str]:
    """Usernames after `@` outside code, as written (the comment service resolves them, ignoring case), in order of
    first appearance, without a trailing full stop. The one definition of a mention: the service, the notifications
    and the autocomplete of the case room all go by it."""
    seen: dict[str, None] = {}
    for match in MENTION_RE.finditer(CODE_RE.sub(" ", body)):
        seen.setdefault(match.group(1).rstrip("."), None)
    return list(seen)
