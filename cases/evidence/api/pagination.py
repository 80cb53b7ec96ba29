"""The sample list's cursor: keyset pagination on (audited_at, external_id), newest audit first.

DRF's `CursorPagination` keeps a position on one field plus an offset past the rows that share it: when audits share
a time across a page boundary its "previous" link can return the wrong page (encode/django-rest-framework#7709,
#7887), and more than `offset_cutoff` (1,000) audits at one time cannot be paged through. Here a position is the
row's (audited_at, external_id), which is unique, so a page is simply "the rows after (or before) this key": no
offset, and a deep page costs what the first does on millions of rows. Links, page size and the schema are DRF's.

A cursor carries the external id only when the row next to the boundary has the same time; otherwise "older than"
(or "newer than") the time alone says the same, and the query is a plain range (a compound condition can tip
PostgreSQL's planner into a slower parallel plan when a text filter is added).
"""

from base64 import b64decode, b64encode
from binascii import Error as Base64Error
from datetime import datetime
from urllib.parse import parse_qs, urlencode

from django.db.models import Q
from rest_framework.exceptions import NotFound
from rest_framework.pagination import CursorPagination
from rest_framework.utils.urls import remove_query_param, replace_query_param

from config.api.pagination import StrictPageSizeMixin
from rca.models import ModerationSample

Key = tuple[datetime, str | None]  # the external id only when the time alone does not settle the position

NEWEST_FIRST = ("-audited_at", "-external_id")
OLDEST_FIRST = ("audited_at", "external_id")


def _key(sample: ModerationSample) -> Key:
    return sample.audited_at, sample.external_id


def _after(key: Key) -> Q:
    """Rows that come after `key` newest first: older, or as old with a smaller external id. The first condition
    alone bounds the index scan."""
    time, external_id = key
    if external_id is None:
        return Q(audited_at__lt=time)
    return Q(audited_at__lte=time) & (Q(audited_at__lt=time) | Q(external_id__lt=external_id))


def _before(key: Key) -> Q:
    time, external_id = key
    if external_id is None:
        return Q(audited_at__gt=time)
    return Q(audited_at__gte=time) & (Q(audited_at__gt=time) | Q(external_id__gt=external_id))


def _boundary(sample: ModerationSample, neighbour_time: datetime) -> Key:
    """The position of a page's first or last row, with its external id only if the row beyond it ties on time."""
    time, external_id = _key(sample)
    return time, external_id if neighbour_time == time else None


class SampleCursorPagination(StrictPageSizeMixin, CursorPagination):
    """Samples newest audit first, `page_size` from 1 to 200, `next` / `previous` links holding an opaque cursor."""

    ordering = NEWEST_FIRST
    page_size = 50

    def paginate_queryset(self, queryset, request, view=None):
        self.request = request
        self.page_size = self.get_page_size(request)
        self.base_url = request.build_absolute_uri()
        self.position, self.backwards = self.decode_cursor(request)
        if self.position is None:
            rows = queryset.order_by(*NEWEST_FIRST)
        elif self.backwards:
            rows = queryset.filter(_before(self.position)).order_by(*OLDEST_FIRST)
        else:
            rows = queryset.filter(_after(self.position)).order_by(*NEWEST_FIRST)
        rows = list(rows[: self.page_size + 1])
        more = len(rows) > self.page_size
        self.page = rows[: self.page_size]
        beyond = rows[-1].audited_at if more else None  # the time of the row past the page, in the query's direction
        came_from = self.position[0] if self.position is not None else None
        # Going back from a page, the page we came from follows; going on from one, the page we left precedes.
        if self.backwards:
            self.page.reverse()
            self.next_time, self.previous_time = came_from, beyond
        else:
            self.next_time, self.previous_time = beyond, came_from
        return self.page

    def get_next_link(self):
        if self.next_time is None:  # no row follows the page
            return None
        if not self.page:  # nothing before the position: it is the newest row, the first page starts with it
            return remove_query_param(self.base_url, self.cursor_query_param)
        return self.encode_cursor((_boundary(self.page[-1], self.next_time), False))

    def get_previous_link(self):
        if self.previous_time is None or not self.page:  # no row precedes the page
            return None
        return self.encode_cursor((_boundary(self.page[0], self.previous_time), True))

    def encode_cursor(self, cursor: tuple[Key, bool]) -> str:
        (time, external_id), backwards = cursor
        fields = {"t": time.isoformat()}
        if external_id is not None:
            fields["k"] = external_id
        if backwards:
            fields["r"] = "1"
        token = b64encode(urlencode(fields).encode()).decode("ascii")
        return replace_query_param(self.base_url, self.cursor_query_param, token)

    def decode_cursor(self, request) -> tuple[Key | None, bool]:
        """The position and direction of the `cursor` parameter: (None, False) without one (or an empty one); a 404
        "Invalid cursor" for anything this class did not write."""
        token = request.query_params.get(self.cursor_query_param)
        if not token:
            return None, False
        try:
            fields = parse_qs(b64decode(token.encode("ascii"), validate=True).decode(), strict_parsing=True)
            ((time,), (external_id,)) = fields.pop("t"), fields.pop("k", [None])
            backwards = fields.pop("r", ["0"]) == ["1"]
            position = datetime.fromisoformat(time)
            if fields or position.tzinfo is None:
                raise ValueError(token)
        except (UnicodeError, Base64Error, ValueError, KeyError):
            raise NotFound(self.invalid_cursor_message) from None
        return (position, external_id), backwards
