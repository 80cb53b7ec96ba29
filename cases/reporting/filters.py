"""The report filters, one form shared by the API and the dashboard: it validates the query string (a bad value is a
400 or a form error, never a 500) and turns it into a `ReportFilters` value the selectors take; `case_filter_q` turns
that into a `Q` on Case."""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django import forms
from django.db.models import Q
from django.utils import timezone

from cases.choices import Severity
from cases.fixes.choices import FixVerdict
from cases.models import Team
from cases.reporting.choices import GroupBy, Period, RemediationBasis
from config.filters import market_validator
from rca.models import PolicyLabel


@dataclass(frozen=True)
class ReportFilters:
    """Which cases a report covers. `opened_after` is inclusive, `opened_before` exclusive (both aware)."""

    opened_after: datetime | None = None
    opened_before: datetime | None = None
    team_id: int | None = None
    policy: str = ""
    market: str = ""
    severity: str = ""

    def as_query(self) -> dict[str, str]:
        """The same filters as query-string values (for CSV links and the API)."""
        query = {}
        if self.opened_after:
            query["opened_after"] = self.opened_after.date().isoformat()
        if self.opened_before:
            query["opened_before"] = self.opened_before.date().isoformat()
        if self.team_id:
            query["team"] = str(self.team_id)
        if self.policy:
            query["policy"] = self.policy
        if self.market:
            query["market"] = self.market
        if self.severity:
            query["severity"] = self.severity
        return query


def _start_of_day(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


class ReportFilterForm(forms.Form):
    group_by = forms.ChoiceField(choices=GroupBy.choices, required=False)
    period = forms.ChoiceField(choices=Period.choices, required=False)
    opened_after = forms.DateField(required=False, help_text="Opened on or after this date (YYYY-MM-DD).")
    opened_before = forms.DateField(required=False, help_text="Opened before this date (YYYY-MM-DD).")
    team = forms.ModelChoiceField(queryset=Team.objects.all(), required=False)
    policy = forms.ModelChoiceField(queryset=PolicyLabel.objects.all(), to_field_name="code", required=False)
    market = forms.CharField(max_length=2, strip=False, required=False, validators=[market_validator])
    severity = forms.ChoiceField(choices=Severity.choices, required=False)

    def clean(self):
        cleaned = super().clean()
        after, before = cleaned.get("opened_after"), cleaned.get("opened_before")
        if after and before and after >= before:
            raise forms.ValidationError({"opened_before": "Must be after opened_after."})
        return cleaned

    def report_filters(self, *, today: date | None = None) -> ReportFilters:
        """The validated filters; `period` (last N days) applies only when no explicit `opened_after` is given."""
        data = self.cleaned_data
        after = data.get("opened_after")
        period = data.get("period")
        if after is None and period and period != Period.ALL:
            after = (today or timezone.localdate()) - timedelta(days=int(period))
        before = data.get("opened_before")
        team = data.get("team")
        policy = data.get("policy")
        return ReportFilters(
            opened_after=_start_of_day(after) if after else None,
            opened_before=_start_of_day(before) if before else None,
            team_id=team.pk if team else None,
            policy=policy.code if policy else "",
            market=(data.get("market") or "").upper(),
            severity=data.get("severity") or "",
        )

    @property
    def grouping(self) -> str:
        return self.cleaned_data.get("group_by") or GroupBy.MONTH


class RemediationOptionsForm(ReportFilterForm):
    """The report filters plus the remediation report's own options."""

    basis = forms.ChoiceField(
        choices=RemediationBasis.choices, required=False, help_text="Recorded fixes (default), or closings without one."
    )
    verdict = forms.ChoiceField(choices=FixVerdict.choices, required=False, help_text="Only rows with this verdict.")
    limit = forms.IntegerField(min_value=1, max_value=2000, required=False, help_text="Most recent fixes.")

    def remediation_options(self) -> dict[str, object]:
        data = self.cleaned_data
        options: dict[str, object] = {"basis": data.get("basis") or RemediationBasis.FIX}
        if data.get("verdict"):
            options["verdict"] = data["verdict"]
        if data.get("limit"):
            options["limit"] = data["limit"]
        return options


def case_filter_q(filters: ReportFilters, prefix: str = "") -> Q:
    """The report's filters as one `Q` on Case (or on a relation to Case with `prefix`, such as "case__")."""
    conditions = {}
    if filters.opened_after:
        conditions["opened_at__gte"] = filters.opened_after
    if filters.opened_before:
        conditions["opened_at__lt"] = filters.opened_before
    if filters.team_id:
        conditions["team_id"] = filters.team_id
    if filters.policy:
        conditions["policy_label"] = filters.policy
    if filters.market:
        conditions["market"] = filters.market
    if filters.severity:
        conditions["severity"] = filters.severity
    return Q(**{f"{prefix}{name}": value for name, value in conditions.items()})
