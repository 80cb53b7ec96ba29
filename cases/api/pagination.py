"""Pagination of the case list (the generic page numbers are in `config.api.pagination`).

`page_size` is capped at 200 (a bigger value gets 200, not an error), so no request can ask for the whole table.
"""

from django.core.paginator import Paginator

from cases.api.rows import case_page
from config.api.pagination import PageNumberPagination


class CaseRowPaginator(Paginator):
    """Pages of case rows (`cases.api.rows.case_page`: tuples with the joined names and related ids) over a queryset
    of cases.

    On PostgreSQL a page and the count come back in one query; only when the page is empty (past the end, or nothing
    matches) is the count asked for on its own."""

    def page(self, number):
        wanted = self.validate_number_format(number)
        bottom = (wanted - 1) * self.per_page
        rows, count = case_page(self.object_list, bottom, self.per_page)
        if count is not None:
            self.count = count  # Paginator.count is a cached property: this is its value
        return self._get_page(rows, self.validate_number(wanted), self)

    def validate_number_format(self, number) -> int:
        """Django's errors for a page number that is not a whole number of at least 1, without counting."""
        if isinstance(number, str) and number.isascii() and number.isdigit() and int(number) >= 1:
            return int(number)
        if isinstance(number, int) and number >= 1:
            return number
        return self.validate_number(number)  # raises PageNotAnInteger or EmptyPage


class CaseRowPagination(PageNumberPagination):
    """The case list: page numbers over `CaseRowPaginator` pages."""

    django_paginator_class = CaseRowPaginator
