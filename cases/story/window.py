"""The time spans of a story, by decision time (as the measure counts).

- The **window** of the header, the noise test and the unusual values: the detection window (`window_days`, the
  `DETECTION_WINDOW_DAYS` setting) ending now, or, on request, since the case's first error. The figures say which.
- The **trend range** of the chart: from a few days before the case's first error or its opening (whichever is
  earlier) to now, at most `MAX_TREND_DAYS` days; the range says when it was cut.
"""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.utils import timezone

TREND_LEAD_DAYS = 3  # days drawn before the first error (or the opening), so the chart shows the start
MAX_TREND_DAYS = 90


class WindowBasis:
    DETECTION_WINDOW = "detection_window"
    SINCE_FIRST_SEEN = "since_first_seen"


@dataclass(frozen=True)
class StoryWindow:
    start: datetime
    end: datetime
    basis: str

    @property
    def days(self) -> int:
        return max(1, round((self.end - self.start).total_seconds() / 86400))

    def as_dict(self) -> dict:
        return {"start": self.start.isoformat(), "end": self.end.isoformat(), "days": self.days, "basis": self.basis}


def story_window(
    *, now: datetime, window_days: int, first_seen: datetime | None = None, basis: str = WindowBasis.DETECTION_WINDOW
) -> StoryWindow:
    """The detection window ending `now`; `since_first_seen` starts at the first error instead (at most 90 days ago;
    the detection window when it is unknown)."""
    if basis == WindowBasis.SINCE_FIRST_SEEN and first_seen is not None and first_seen < now:
        return StoryWindow(max(first_seen, now - timedelta(days=MAX_TREND_DAYS)), now, basis)
    return StoryWindow(now - timedelta(days=window_days), now, WindowBasis.DETECTION_WINDOW)


@dataclass(frozen=True)
class TrendRange:
    start: datetime  # local midnight of the first day drawn
    end: datetime
    capped: bool  # the case is older than the chart: its first days are not drawn

    @property
    def first_day(self) -> date:
        return timezone.localtime(self.start).date()

    @property
    def last_day(self) -> date:
        return timezone.localtime(self.end).date()


def trend_range(*, now: datetime, first_error: datetime | None, opened_at: datetime | None) -> TrendRange:
    """From `TREND_LEAD_DAYS` before the earlier of the first error and the opening, to `now`."""
    anchors = [moment for moment in (first_error, opened_at) if moment is not None and moment < now]
    anchor = min(anchors) if anchors else now - timedelta(days=14)
    first_day = timezone.localtime(anchor).date() - timedelta(days=TREND_LEAD_DAYS)
    earliest = timezone.localtime(now).date() - timedelta(days=MAX_TREND_DAYS - 1)
    capped = first_day < earliest
    start = datetime.combine(max(first_day, earliest), time.min, tzinfo=timezone.get_current_timezone())
    return TrendRange(start=start, end=now, capped=capped)
