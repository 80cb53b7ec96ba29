"""Pagination of the API lists: page numbers for cases and what hangs off them, a cursor for the samples table.

`page_size` is capped at 200 (a bigger value gets 200, not an error), so no request can ask for the whole table.
"""

from rest_framework import pagination

MAX_PAGE_SIZE = 200


class PageNumberPagination(pagination.PageNumberPagination):
    """Page-number pagination for cases and related lists; `page_size` up to 200."""

    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = MAX_PAGE_SIZE


class SampleCursorPagination(pagination.CursorPagination):
    """Samples, newest audit first. A cursor keeps deep pages as cheap as the first on millions of rows (no OFFSET
    scan, no COUNT), and stays stable while imports add rows."""

    ordering = ("-audited_at", "-id")
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = MAX_PAGE_SIZE
