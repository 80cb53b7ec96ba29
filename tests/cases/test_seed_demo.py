"""`seed_demo`: demo people, audits, a detection run, and about six months of case work with a consistent history."""

import re
from datetime import timedelta
from io import StringIO

import pytest
from django.conf import settings
from django.contrib.auth.models import User
from django.core.management import call_command
from django.db import DatabaseError, connection, transaction
from django.db.models import Count, F, QuerySet
from django.db.models.functions import TruncMonth
from django.utils import timezone

from cases.choices import ActivityVerb, CaseOrigin, CaseStatus, LinkSource, Role
from cases.demo.aftermath import LATE_SEED_OFFSET, REGRESSION_SEED_OFFSET
from cases.demo.initiatives import GOALS
from cases.demo.plan import FIXED_STORIES, LATE_AUDITED_STORY, REGRESSED_STORY, SHOWCASE, SHOWCASE_VERDICTS
from cases.demo.stories import STORIES
from cases.initiatives.choices import InitiativeStatus
from cases.initiatives.models import Initiative
from cases.initiatives.progress import attach_progress
from cases.initiatives.services import clean_measure, measured_baseline
from cases.models import ActionItem, Activity, Case, CaseSample, Comment
from rca.choices import NO_VIOLATION
from rca.models import DetectionRun, ModerationSample

# Smaller than the default demo (fewer audits and cases), still over more than four months.
SMALL = ("--days", "10", "--audits-per-day", "300", "--history-days", "130", "--history-audits-per-day", "60")
STORY_BY_TITLE = {title: story for story in STORIES for title in story.titles}
SEED = 7  # seed_demo's default


def _showcase_case(history, key: str) -> Case:
    """The showcase case of story `key`: played last, after the history, titled with its story's first title."""
    story = next(story for story in STORIES if story.pattern_key == key)
    return history.filter(title=story.titles[0]).order_by("-id").first()


def _batch_errors(story_key: str, seed_offset: int):
    story = next(story for story in STORIES if story.pattern_key == story_key)
    return ModerationSample.objects.filter(
        external_id__startswith=f"syn-{SEED + seed_offset}-",
        decision_label_id=story.decision_label,
        audit_label_id=story.audit_label,
    )


def _seed(*extra: str) -> str:
    out = StringIO()
    call_command("seed_demo", *SMALL, *extra, stdout=out)
    return out.getvalue()


@pytest.fixture(scope="class")
def demo(django_db_setup, django_db_blocker):
    """One demo world for the tests of `TestDemoHistory`, rolled back after them."""
    with django_db_blocker.unblock(), transaction.atomic():
        yield _seed("--cases", "120")
        transaction.set_rollback(True)


class TestDemoHistory:
    """Seeded once (120 cases over more than four months of audits)."""

    @pytest.fixture
    def history(self, demo, db):
        return Case.objects.filter(origin=CaseOrigin.MANUAL)

    def test_seed_demo_creates_users_audits_and_a_detection_run(self, demo, db):
        usernames = set(User.objects.values_list("username", flat=True))
        assert usernames >= {"lead", "lead2", "lead3", "manager", "policy", "ops", "ml", "admin"}
        assert User.objects.get(username="lead").check_password("rca-demo-2026")
        assert "Demo logins" in demo and "lead" in demo
        assert ModerationSample.objects.count() >= 3000 + 130 * 60
        # The first run over the audits; the second after the late and the regression batches (`cases.demo.aftermath`).
        assert list(DetectionRun.objects.order_by("id").values_list("status", flat=True)) == ["succeeded"] * 2

    def test_seed_demo_history_has_cases_in_every_state_over_four_months(self, history):
        counts = dict(history.values_list("status").annotate(n=Count("id")))
        months = history.annotate(month=TruncMonth("opened_at")).values("month").distinct().count()

        assert history.count() == 120 + len(SHOWCASE)
        assert set(counts) == set(CaseStatus.values)
        assert counts[CaseStatus.CLOSED] > history.count() / 2
        assert months >= 4
        assert history.values("owner").distinct().count() >= 3 and history.values("team").distinct().count() >= 3

    def test_seed_demo_closed_cases_took_hours_to_weeks_and_some_breached_their_sla(self, history):
        closed = history.filter(status=CaseStatus.CLOSED)
        durations = sorted((case.closed_at - case.opened_at).total_seconds() / 86400 for case in closed)

        assert durations[0] < 1 and durations[-1] > 14
        assert 0 < closed.filter(resolved_at__gt=F("due_at")).count() < closed.count()

    def test_seed_demo_timelines_are_dated_when_the_work_happened(self, history):
        case = history.filter(status=CaseStatus.CLOSED).order_by("opened_at").first()
        entries = list(case.activities.order_by("id"))

        assert entries[0].verb == ActivityVerb.OPENED and entries[0].created_at == case.opened_at
        assert [entry.created_at for entry in entries] == sorted(entry.created_at for entry in entries)
        assert entries[-1].created_at == case.closed_at < timezone.now() - timedelta(hours=1)
        assert case.due_at == case.opened_at + timedelta(days=settings.CASE_SLA_DAYS[case.severity])

    def test_seed_demo_leaves_the_timeline_append_only(self, history):
        if connection.vendor != "postgresql":
            pytest.skip("The append-only trigger exists on PostgreSQL only.")

        with pytest.raises(DatabaseError), transaction.atomic():
            QuerySet(Activity).filter(case__in=history).update(data={})

    def test_seed_demo_has_a_reopened_case_with_its_reopen_on_the_timeline(self, history):
        reopened = history.filter(reopen_count__gt=0)

        assert reopened.exists()
        for case in reopened:
            reopen = case.activities.get(verb=ActivityVerb.REOPENED)
            if reopen.actor is None:  # by detection, at the end of the seeding: the entry follows the case's stamp
                assert timedelta(0) <= reopen.created_at - case.reopened_at < timedelta(seconds=5)
            else:  # played in the past
                assert reopen.created_at == case.reopened_at
            assert case.status in (CaseStatus.INVESTIGATING, CaseStatus.CLOSED)

    def test_seed_demo_has_action_items_done_and_overdue(self, history):
        items = ActionItem.objects.filter(case__in=history)
        overdue = items.filter(status__in=("open", "in_progress"), due_at__lt=timezone.now())

        assert items.filter(status="done", completed_at__isnull=False).count() > 50
        assert overdue.exists()
        assert all(item.case.status not in (CaseStatus.CLOSED, CaseStatus.WONT_FIX) for item in overdue)

    def test_seed_demo_comments_mention_the_partner_doing_the_fix(self, history):
        mentions = Comment.objects.filter(case__in=history, mentions__isnull=False).values_list(
            "mentions__username", flat=True
        )

        assert set(mentions) == {"policy", "ops", "ml"}

    def test_seed_demo_shows_fixes_verified_on_the_audits_after_them(self, history):
        """Every case that reached monitoring recorded a fix; a closing without a holding verdict is an override; each
        showcase fix carries the verdict it was designed to have (`SHOWCASE_VERDICTS`), with its figures, and those
        that hold closed their cases on evidence."""
        reached = history.filter(monitoring_at__isnull=False)
        assert reached.exists() and not reached.filter(fixes__isnull=True).exists()
        closed = history.filter(status=CaseStatus.CLOSED)
        overridden = closed.filter(closed_by_override=True)
        assert overridden.exists()
        for case in overridden[:5]:
            entry = case.activities.filter(verb=ActivityVerb.TRANSITIONED, data__target=CaseStatus.CLOSED).last()
            assert entry.data["override"] is True and entry.data["reason"]
        verdicts = {}
        for key, _share, _last in SHOWCASE:
            case = _showcase_case(history, key)
            fix = case.fixes.get()
            verdicts[key] = fix.verdict
            assert fix.figures["before"]["audits"] > 0
            closing = case.activities.filter(verb=ActivityVerb.TRANSITIONED, data__target=CaseStatus.CLOSED)
            monitored = timezone.now() - fix.effective_at > timedelta(days=settings.FIX_MIN_MONITORING_DAYS, hours=2)
            if key == REGRESSED_STORY:  # closed on evidence, reopened by detection: its verdict was computed again
                assert closing.get().data.get("override") is None and case.status == CaseStatus.INVESTIGATING
            elif fix.verdict == "holding" and monitored:
                assert closing.get().data.get("override") is None
            else:
                assert case.status == CaseStatus.MONITORING and not closing.exists()
        assert verdicts == SHOWCASE_VERDICTS
        assert set(verdicts.values()) == {"holding", "not_holding", "not_enough_audits"}

    def test_seed_demo_late_audits_of_decisions_before_a_fix_leave_its_case_closed(self, history):
        """Late QA of decisions made before a closed case's fix arrives, and detection runs: the late samples are
        attached to the case (through the detected case marked its duplicate), with one `late_audits` entry, and the
        case stays closed."""
        case = _showcase_case(history, LATE_AUDITED_STORY)
        fix = case.fixes.get()
        late = _batch_errors(LATE_AUDITED_STORY, LATE_SEED_OFFSET)

        assert case.status == CaseStatus.CLOSED and case.reopen_count == 0 and not case.closed_by_override
        assert fix.verdict == "holding"
        assert late.count() >= 12
        assert all(sample.decided_at < fix.effective_at < case.closed_at < sample.audited_at for sample in late)
        links = CaseSample.objects.filter(case=case, sample__in=late)
        assert links.count() == late.count() and {link.source for link in links} == {LinkSource.DETECTION}
        (entry,) = case.activities.filter(verb=ActivityVerb.LATE_AUDITS)
        detected_late = CaseSample.objects.filter(
            case=case, source=LinkSource.DETECTION, sample__decided_at__lt=fix.effective_at
        )
        assert entry.actor is None and entry.data["since"] == fix.effective_at.isoformat()
        assert entry.data["count"] == detected_late.count() >= late.count()
        assert not case.activities.filter(verb=ActivityVerb.REOPENED).exists()
        detected = Case.objects.get(origin=CaseOrigin.DETECTED, duplicate_of=case)
        assert detected.status == CaseStatus.DUPLICATE and detected.pattern.samples.filter(pk__in=late).exists()

    def test_seed_demo_regression_after_a_fix_reopens_its_case_once_by_detection(self, history):
        """Fresh audits show the pattern back among decisions made after a closed case's fix: detection (no actor)
        reopens the case once, with the figures of the regression, right after attaching the new samples."""
        case = _showcase_case(history, REGRESSED_STORY)
        fix = case.fixes.get()
        back = _batch_errors(REGRESSED_STORY, REGRESSION_SEED_OFFSET)

        assert case.status == CaseStatus.INVESTIGATING and case.reopen_count == 1
        # Held when the case closed on evidence; computed again when detection reopened it, with the regression.
        changed = case.activities.filter(verb=ActivityVerb.FIX_VERDICT).latest("id")
        assert fix.verdict == changed.data["verdict"] == "not_holding" and changed.data["previous"] == "holding"
        closing = case.activities.get(verb=ActivityVerb.TRANSITIONED, data__target=CaseStatus.CLOSED)
        assert closing.actor == case.owner and closing.data.get("override") is None
        assert all(fix.effective_at < sample.decided_at and closing.created_at < sample.audited_at for sample in back)
        detected = Case.objects.get(origin=CaseOrigin.DETECTED, duplicate_of=case)
        found = back.filter(patterns=detected.pattern)
        assert found.count() >= 12 and found.count() >= back.count() * 0.9
        assert set(CaseSample.objects.filter(case=case, sample__in=back).values_list("sample", "source")) == {
            (pk, LinkSource.DETECTION) for pk in found.values_list("pk", flat=True)
        }
        (reopen,) = case.activities.filter(verb=ActivityVerb.REOPENED)
        fed = case.activities.filter(verb=ActivityVerb.DETECTION_UPDATE, id__lt=reopen.id).latest("id")
        assert reopen.actor is None and fed.actor is None and fed.data["source"] == "detection"
        assert (reopen.data["source"], reopen.data["target"]) == (CaseStatus.CLOSED, CaseStatus.INVESTIGATING)
        assert reopen.data["reason"].startswith(f"Regression after the fix of {fix.effective_at:%Y-%m-%d}: ")
        assert re.search(
            r": \d+ errors in \d+ audits of decisions made since \(.*\), on \d+ days\.$", reopen.data["reason"]
        )
        assert closing.created_at < case.reopened_at <= reopen.created_at
        assert not case.activities.filter(verb=ActivityVerb.LATE_AUDITS).exists()

    def test_seed_demo_titles_match_the_labels_markets_and_samples_of_their_cases(self, history):
        for case in history.prefetch_related("samples"):
            story = STORY_BY_TITLE[case.title]
            label = story.audit_label if story.audit_label != NO_VIOLATION else story.decision_label
            assert re.search(rf"\b{case.market}\b", case.title), case.title
            assert (case.policy_label, case.market) == (label, story.market), case.title
            samples = list(case.samples.all())
            assert samples
            assert {(s.market, s.decision_label_id, s.audit_label_id) for s in samples} == {
                (story.market, story.decision_label, story.audit_label)
            }
            links = CaseSample.objects.filter(case=case).select_related("sample")
            assert all(link.sample.audited_at < link.linked_at for link in links), case.title

    def test_seed_demo_has_initiatives_two_on_track_one_off_track(self, history):
        """Three initiatives on the measures of the demo's stories, each owned by a quality lead, serving its story's
        cases, its baseline measured from the audits; by the product's own rule, the two whose patterns the showcase
        fixes lowered are on track and the one without a working fix is off track."""
        initiatives = attach_progress(list(Initiative.objects.select_related("owner").prefetch_related("cases")))
        by_name = {initiative.name: initiative for initiative in initiatives}
        goals = {goal.name: goal for goal in GOALS}

        assert set(by_name) == set(goals)
        assert {initiative.progress.status for initiative in initiatives if goals[initiative.name].on_track} == {
            InitiativeStatus.ON_TRACK
        }
        assert [i.progress.status for i in initiatives if not goals[i.name].on_track] == [InitiativeStatus.OFF_TRACK]
        assert {goal.story_key for goal in GOALS if goal.on_track} == set(FIXED_STORIES)
        for initiative in initiatives:
            story = next(story for story in STORIES if story.pattern_key == goals[initiative.name].story_key)
            assert initiative.owner.username == goals[initiative.name].owner
            assert initiative.owner.groups.filter(name=Role.QUALITY_LEAD).exists()
            cases = list(initiative.cases.all())
            assert cases and {case.title for case in cases} <= set(story.titles)
            assert initiative.measure == clean_measure(story.measure).as_dict()
            measured = measured_baseline(
                clean_measure(initiative.measure), start=initiative.baseline_start, end=initiative.baseline_end
            )
            assert (initiative.baseline_rate, initiative.baseline_audits, initiative.baseline_errors) == measured
            assert initiative.baseline_errors > 0 and initiative.target_rate < initiative.baseline_rate
            assert initiative.baseline_end < timezone.localdate(initiative.created_at) <= timezone.localdate()
            assert initiative.target_date > timezone.localdate()
        for name in (goal.name for goal in GOALS if goal.on_track):
            # The latest fix of its cases took effect after its baseline, and its audits since show a lower rate.
            initiative = by_name[name]
            fix = max(
                (fix for case in initiative.cases.all() for fix in case.fixes.all()), key=lambda f: f.effective_at
            )
            assert timezone.localdate(fix.effective_at) > initiative.baseline_end
            assert fix.figures["after"]["audits"] and fix.figures["after"]["rate"] < initiative.baseline_rate / 2


@pytest.mark.django_db
@pytest.mark.parametrize("again", [(), ("--refresh",)], ids=["plain", "refresh"])
def test_seed_demo_run_twice_adds_no_duplicates(again):
    small = ("--history-days", "20", "--cases", "12")
    _seed(*small)
    counts = (User.objects.count(), ModerationSample.objects.count(), Case.objects.count(), Activity.objects.count())
    initiatives = list(Initiative.objects.values_list("name", "baseline_rate", "target_rate", "target_date"))

    output = _seed(*small, *again)

    assert (User.objects.count(), ModerationSample.objects.count(), Case.objects.count()) == counts[:3]
    assert Activity.objects.count() == counts[3]
    assert len(initiatives) == len(GOALS)
    assert list(Initiative.objects.values_list("name", "baseline_rate", "target_rate", "target_date")) == initiatives
    assert f"Case history already played ({12 + len(SHOWCASE)} cases kept)" in output
