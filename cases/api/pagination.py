"""Pagination of the API lists: page numbers for cases and what hangs off them (samples: `rca.api.pagination`).

`page_size` is capped at 200 (a bigger value gets 200, not an error), so no request can ask for the whole table.
"""

from django.core.paginator import Paginator
from django.db.models import IntegerField, Subquery
from django.utils.functional import cached_property
from rest_framework import pagination

from cases.api.rows import case_rows

MAX_PAGE_SIZE = 200


class PageNumberPagination(pagination.PageNumberPagination):
    """Page-number pagination for cases and related lists; `page_size` up to 200."""

    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = MAX_PAGE_SIZE


class CountOf(Subquery):
    """`(SELECT COUNT(*) FROM (<queryset>))`: how many rows a queryset has, as a column of another query."""

    template = "(SELECT COUNT(*) FROM (%(subquery)s) AS counted)"
    output_field = IntegerField()


class CaseRowPaginator(Paginator):
    """Pages of `cases.api.rows.case_rows` (joined names and related ids for the rows of the page), counted on the
    filtered cases alone: the joins the rows need would make the `COUNT` several times slower.

    A page and the count come back in one query (the count as a column computed once, `CountOf`); only when the page
    is empty (past the end, or nothing matches) is the count asked for on its own."""

    TOTAL = "page_total"

    def __init__(self, object_list, per_page, **kwargs):
        super().__init__(case_rows(object_list), per_page, **kwargs)
        self.cases = object_list

    @cached_property
    def count(self) -> int:
        return self.cases.count()

    def page(self, number):
        wanted = number if isinstance(number, int) else int(number) if _is_digits(number) else None
        if wanted is None or wanted < 1 or self.orphans or "count" in self.__dict__:
            return super().page(number)  # Django's errors for a bad number; one query a page once counted
        bottom = (wanted - 1) * self.per_page
        counted = self.object_list.annotate(**{self.TOTAL: CountOf(self.cases.order_by().values("pk"))})
        rows = list(counted[bottom : bottom + self.per_page])
        if rows:
            self.count = rows[0][self.TOTAL]
        return self._get_page(rows, self.validate_number(wanted), self)


def _is_digits(value) -> bool:
    return isinstance(value, str) and value.isascii() and value.isdigit()


class CaseRowPagination(PageNumberPagination):
    """The case list: page numbers over `CaseRowPaginator` pages."""

    django_paginator_class = CaseRowPaginator
