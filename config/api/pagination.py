"""Page-number pagination for the API lists (cases and what hangs off them; samples page by cursor).

`page_size` is capped at 200 (a bigger value gets 200, not an error), so no request can ask for the whole table.
"""

from rest_framework import pagination

MAX_PAGE_SIZE = 200


class PageNumberPagination(pagination.PageNumberPagination):
    """Page-number pagination for cases and related lists; `page_size` up to 200."""

    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = MAX_PAGE_SIZE
