"""Root-cause categories and contributing factors by month: how many cases of each month have each root-cause
category, and how many contributing factors of each category their cases recorded.

Over the cases a report covers (`ReportFilters`), grouped by the month the case was opened (the month of the other
reports); a factor counts in its case's month. Two grouped queries, whatever the number of cases.
"""

from dataclasses import dataclass

from django.db.models import Count
from django.db.models.functions import TruncMonth

from cases.choices import RootCauseCategory
from cases.models import ContributingFactor
from cases.reporting.filters import ReportFilters
from cases.reporting.selectors import case_filter_q, report_cases

CATEGORIES = tuple(RootCauseCategory)


@dataclass(frozen=True)
class RcaMonthRow:
    month: str  # YYYY-MM
    root_causes: tuple[int, ...]  # one count per `CATEGORIES`
    factors: tuple[int, ...]

    @property
    def root_cause_total(self) -> int:
        return sum(self.root_causes)

    @property
    def factor_total(self) -> int:
        return sum(self.factors)


def rca_categories_by_month(*, filters: ReportFilters) -> list[RcaMonthRow]:
    """One row per month with a root-cause category or a contributing factor, oldest first."""
    root_causes = (
        report_cases(filters)
        .exclude(root_cause_category="")
        .annotate(month=TruncMonth("opened_at"))
        .values_list("month", "root_cause_category")
        .annotate(n=Count("id"))
    )
    factors = (
        ContributingFactor.objects.filter(case_filter_q(filters, prefix="case__"))
        .annotate(month=TruncMonth("case__opened_at"))
        .values_list("month", "category")
        .annotate(n=Count("id"))
        .order_by()
    )
    counts: dict[str, dict[str, list[int]]] = {}
    for kind, rows in (("root_causes", root_causes), ("factors", factors)):
        for month, category, n in rows:
            key = month.strftime("%Y-%m")
            per_month = counts.setdefault(key, {"root_causes": [0] * len(CATEGORIES), "factors": [0] * len(CATEGORIES)})
            if category in RootCauseCategory.values:
                per_month[kind][CATEGORIES.index(category)] += n
    return [
        RcaMonthRow(month=month, root_causes=tuple(row["root_causes"]), factors=tuple(row["factors"]))
        for month, row in sorted(counts.items())
    ]
