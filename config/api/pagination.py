"""Page-number pagination for the API lists (cases and what hangs off them; samples page by cursor).

`page_size` is a whole number from 1 to 200, declared so in the schema; anything else (0, -1, 500, `null`) is a 400,
so no request can ask for the whole table and no client is silently given fewer rows than it asked for. An empty
value means "not given", as for every query parameter of the API (`config.api.schema.declare_query_values`).
"""

from rest_framework import pagination
from rest_framework.exceptions import ValidationError

MAX_PAGE_SIZE = 200


class StrictPageSizeMixin:
    """`page_size` from 1 to `max_page_size` or a 400 (DRF's paginators fall back to the default, or clamp, instead);
    the schema's `page_size` parameter carries those bounds."""

    page_size_query_param = "page_size"
    max_page_size = MAX_PAGE_SIZE

    def get_page_size(self, request):
        value = request.query_params.get(self.page_size_query_param)
        if not value:
            return self.page_size
        if not (value.isascii() and value.isdigit() and 1 <= int(value) <= self.max_page_size):
            raise ValidationError(
                {self.page_size_query_param: [f"Enter a whole number from 1 to {self.max_page_size}."]}
            )
        return int(value)

    def get_schema_operation_parameters(self, view):
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            if parameter["name"] == self.page_size_query_param:
                parameter["schema"].update(minimum=1, maximum=self.max_page_size, default=self.page_size)
            elif parameter["name"] == getattr(self, "page_query_param", None):
                parameter["schema"].update(minimum=1)
        return parameters


class PageNumberPagination(StrictPageSizeMixin, pagination.PageNumberPagination):
    """Page-number pagination for cases and related lists; `page_size` from 1 to 200 (default 50)."""

    page_size = 50
