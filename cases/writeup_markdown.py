"""A case's write-up (`cases.writeup.Writeup`) as Markdown: a pure function of the value, for the API
(`GET /api/v1/cases/{id}/writeup/`, `text/markdown`) and for pasting into a review document.

Text people typed is written as text: characters Markdown would read as markup are escaped, and table cells are kept
on one line, so a title or a reason cannot break the document's structure.
"""

import re
from datetime import date, datetime

from cases.fixes.summary import FixSummary, WindowFigures
from cases.numbers import format_percent, format_ratio
from cases.writeup import Writeup

_SPARKS = "▁▂▃▄▅▆▇█"
_MARKUP = re.compile(r"([\\`*_{}\[\]<>()#+!|~])")


def escape(text: str) -> str:
    """`text` on one line, with Markdown's markup characters escaped."""
    return _MARKUP.sub(r"\\\1", " ".join(str(text).split()))


def _day(value: datetime | date | None) -> str:
    if value is None:
        return "—"
    return value.date().isoformat() if isinstance(value, datetime) else value.isoformat()


def sparkline(counts: list[int]) -> str:
    """Counts as a line of block characters (the chart of a text document)."""
    top = max(counts, default=0)
    if top <= 0:
        return _SPARKS[0] * len(counts)
    return "".join(_SPARKS[round(value / top * (len(_SPARKS) - 1))] for value in counts)


def _table(header: tuple[str, ...], rows: list[tuple[str, ...]]) -> list[str]:
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return lines


def _impact(writeup: Writeup) -> list[str]:
    lines = ["### Impact", "", f"- Linked samples: {writeup.linked_samples:,}"]
    if writeup.outcomes:
        lines.append("- By outcome: " + ", ".join(f"{escape(label)} {count:,}" for label, count in writeup.outcomes))
    pattern = writeup.pattern
    if pattern is None:
        lines += ["", "No detected pattern feeds this case."]
        return lines
    lines += [
        f"- Pattern: {escape(pattern.name)}",
        f"- Audits in the slice: {pattern.support:,}; errors: {pattern.error_count:,}",
        f"- Error rate: {format_percent(pattern.error_rate)} (baseline {format_percent(pattern.baseline_rate)}, "
        f"lift {format_ratio(pattern.lift)})",
        f"- First seen {_day(pattern.first_seen)}, last seen {_day(pattern.last_seen)}, on {pattern.days_seen} day(s)",
        "",
    ]
    if pattern.daily:
        counts = [count for _day_, count in pattern.daily]
        lines += [
            f"Misclassified samples a day, {_day(pattern.daily[0][0])} to {_day(pattern.daily[-1][0])} "
            f"({sum(counts):,} in all, at most {max(counts):,} a day):",
            "",
            f"`{sparkline(counts)}`",
        ]
    else:
        lines.append("No daily counts recorded yet.")
    return lines


def _window_row(label: str, window: WindowFigures | None) -> tuple[str, ...]:
    if window is None:
        return (label, "—", "—", "—", "—", "—")
    made = f"{_day(window.start)} to {_day(window.end)}"
    figures = (f"{window.audits:,}", f"{window.errors:,}", window.rate_text, window.interval_text)
    return (label, made, *figures)


def _fix_lines(fix: FixSummary) -> list[str]:
    verdict = f"Verdict: **{escape(fix.verdict_text)}**"
    if fix.verdict_at:
        verdict += f" (computed {_day(fix.verdict_at)})"
    lines = [verdict, "", f"- Took effect {_day(fix.effective_at)}, recorded by {escape(fix.recorded_by)}"]
    lines += [f"- {escape(label)}: {escape(value)}" for label, value in fix.changes]
    if fix.description:
        lines.append(f"- What changed: {escape(fix.description)}")
    if fix.before is None:
        return [*lines, "", "_The verdict is not computed yet._"]
    rows = [_window_row("Before the fix", fix.before), _window_row("After the fix", fix.after)]
    if fix.control_before is not None:
        rows += [_window_row("Control, before", fix.control_before), _window_row("Control, after", fix.control_after)]
    header = ("Decisions", "Made", "Audits", "Errors", "Error rate", "95% interval")
    return [*lines, "", *_table(header, rows), "", escape(fix.tests_text)]


def _fix_and_measure(w: Writeup) -> list[str]:
    lines = ["## Fix and verdict", ""]
    lines += _fix_lines(w.fix) if w.fix is not None else ["_No fix recorded._"]
    if w.earlier_fixes:
        lines += ["", "### Earlier fixes", ""]
        for earlier in w.earlier_fixes:
            changes = "".join(f"; {escape(label)} {escape(value)}" for label, value in earlier.changes)
            lines.append(f"- {_day(earlier.effective_at)}: {escape(earlier.verdict_text)}{changes}")
    lines += ["", "## Measure", ""]
    if w.measure is None:
        return [*lines, "_Nothing to measure: no pattern, and the linked samples share no attribute._"]
    conditions = ", ".join(f"{escape(label)} {escape(value)}" for label, value in w.measure.conditions)
    return [
        *lines,
        f"- Population: audits of {conditions or 'every decision'}",
        f"- Errors counted: {escape(w.measure.errors_text)}",
        f"- Source: {escape(w.measure.source_text)}",
    ]


def writeup_markdown(writeup: Writeup) -> str:
    w = writeup
    lines = [
        f"# {w.key}: {escape(w.title)}",
        "",
        f"Status: {w.status} · Severity: {w.severity} · Owner: {escape(w.owner)} · Team: {escape(w.team)}  ",
        f"Opened {_day(w.opened_at)} · Due {_day(w.due_at)}"
        + (f" · Resolved {_day(w.resolved_at)}" if w.resolved_at else ""),
        "",
        "## Problem and impact",
        "",
        escape(w.problem_statement) if w.problem_statement else "_No problem statement._",
        "",
        *_impact(w),
        "",
    ]
    if w.examples:
        lines += ["### Examples", ""]
        rows = [
            (
                escape(e.external_id),
                escape(e.outcome),
                escape(e.labels),
                escape(e.decided_by),
                escape(e.auditor),
                "_sensitive text not shown_" if e.text_hidden else (escape(e.text) or "—"),
            )
            for e in w.examples
        ]
        lines += [*_table(("Sample", "Outcome", "Decision → audit", "Decided by", "Auditor", "Note"), rows), ""]
    lines += ["## Timeline highlights", ""]
    if w.highlights:
        lines += [f"- {_day(h.when)}: {escape(h.who)} {escape(h.text)}" for h in w.highlights]
        if w.highlights_total > len(w.highlights):
            lines.append(f"- … and {w.highlights_total - len(w.highlights)} later entries (see the case room)")
    else:
        lines.append("_Nothing recorded._")
    lines += ["", "## Root cause and contributing factors", ""]
    if w.root_cause_category or w.root_cause_statement:
        category = f"**{escape(w.root_cause_category)}**: " if w.root_cause_category else ""
        lines.append(f"Root cause: {category}{escape(w.root_cause_statement)}")
    else:
        lines.append("_Root cause not identified yet._")
    lines += ["", "### Contributing factors", ""]
    lines += [f"- **{escape(c)}**: {escape(s)}" for c, s in w.factors] or ["_None recorded._"]
    if w.whys:
        lines += ["", "### Five whys", ""]
        lines += [f"{index}. Why? {escape(answer)}" for index, answer in enumerate(w.whys, start=1)]
    if w.confirmed_findings:
        lines += ["", "### Confirmed findings", ""]
        lines += [f"- {escape(statement)}" for statement in w.confirmed_findings]
    lines += ["", "## Action items", ""]
    if w.action_items:
        rows = [
            (escape(i.title), escape(i.kind), escape(i.owner), escape(i.team), _day(i.due_at), i.status_label)
            for i in w.action_items
        ]
        lines += _table(("Action", "Kind", "Owner", "Team", "Due", "State"), rows)
    else:
        lines.append("_No action item._")
    lines += ["", *_fix_and_measure(w)]
    lines += [
        "",
        "---",
        f"Generated {w.generated_at.strftime('%Y-%m-%d %H:%M %Z').strip()} for {escape(w.generated_for)}"
        + (" (moderator and auditor ids masked)." if w.masked else "."),
        "",
    ]
    return "\n".join(lines)
