"""The quality page (leads and managers): human vs model per policy with intervals, the change explainer with the
planted slice first and its links, an impossible combination refused with a message, and "open a case for this
slice" carrying the slice's measure."""

from urllib.parse import parse_qs, urlsplit

import pytest

from cases.measure.stats import wilson_interval
from cases.models import Case
from rca.models import ModerationSample
from tests.cases.quality_data import days_ago, plant, planted_change, rebuild


@pytest.fixture
def lead_page(client, quality_lead):
    client.force_login(quality_lead)
    return client


@pytest.fixture
def human_and_model(db):
    """Last week: bullying 10/100 wrong by humans, 30/100 by the model; hate speech 2/50 by humans only."""
    plant(days_ago(3), total=100, errors=10, source="human")
    plant(days_ago(3), total=100, errors=30, source="model")
    plant(days_ago(3), total=50, errors=2, source="human", policy="hate_speech")
    rebuild()


def test_quality_page_shows_human_and_model_per_policy_with_intervals(lead_page, human_and_model):
    response = lead_page.get("/quality/")

    assert response.status_code == 200
    lines = {line.group: line for line in response.context["lines"]}
    bullying = lines["bullying_harassment"]
    human, model = bullying.figures["human"], bullying.figures["model"]
    assert (human.audits, human.errors, model.audits, model.errors) == (100, 10, 100, 30)
    assert (human.error_rate.low, human.error_rate.high) == pytest.approx(wilson_interval(10, 100))
    assert lines["hate_speech"].figures["model"] is None
    chart = response.context["charts"]["side_by_side"]
    assert len(chart.dots) == 3 and len(chart.whiskers) == 3  # a dot and its interval per source with audits
    page = response.content.decode()
    assert 'id="human-vs-model"' in page and "Precision" in page
    assert "10.0%" in page and "30.0%" in page


def test_quality_page_change_explainer_lists_the_planted_slice_first(lead_page):
    planted_change()
    rebuild()

    response = lead_page.get("/quality/", {"dimension": "market"})

    first = response.context["contributors"][0]
    change = response.context["change"]
    assert first.change.value == "ID"
    assert first.change.rate > first.change.mix  # a rate jump, not a mix shift
    assert change.change == pytest.approx(change.mix + change.rate)
    query = parse_qs(urlsplit(first.explorer_url).query)
    assert query["market"] == ["ID"] and "false_negative" in query["outcome"]
    assert first.measure == {"population": {"market": "ID"}, "audit_label": "", "topic_terms": []}
    assert 'action="/quality/open-case/"' in response.content.decode()
    assert len(response.context["charts"]["change"].bars) == len(change.slices) + 2


def test_quality_page_refuses_an_impossible_combination_with_a_message(lead_page, human_and_model):
    response = lead_page.get("/quality/", {"group_by": "market", "language": "id"})

    assert response.status_code == 400
    errors = " ".join(str(error) for errors in response.context["form"].errors.values() for error in errors)
    assert "cannot be combined" in errors


def test_quality_page_refuses_reversed_dates(lead_page):
    response = lead_page.get("/quality/", {"start": "2026-03-01", "end": "2026-02-01"})

    assert response.status_code == 400
    assert "end" in response.context["form"].errors


def test_quality_page_csv_links_carry_the_selection(lead_page, human_and_model):
    response = lead_page.get("/quality/", {"market": "ID", "period": "month"})

    links = response.context["csv"]
    side = parse_qs(urlsplit(links["side_by_side"]).query)
    assert urlsplit(links["side_by_side"]).path == "/api/v1/quality/metrics/"
    assert (side["group_by"], side["market"], side["format"]) == (["policy,decision_source"], ["ID"], ["csv"])
    assert parse_qs(urlsplit(links["trend"]).query)["period"] == ["month"]
    assert urlsplit(links["change"]).path == "/api/v1/quality/changes/"


@pytest.mark.parametrize(("role", "status"), [("partner", 403), ("outsider", 403), ("manager", 200)])
def test_quality_page_is_for_leads_and_managers(db, client, request, role, status):
    client.force_login(request.getfixturevalue(role))

    assert client.get("/quality/").status_code == status


def test_open_a_case_for_a_slice_carries_its_measure(lead_page):
    response = lead_page.post(
        "/quality/open-case/",
        {"dimension": "market", "value": "ID", "title": "Error rate rose in market ID", "decision_source": "model"},
    )

    case = Case.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/cases/{case.pk}/"
    assert case.measure["population"] == {"decision_source": "model", "market": "ID"}
    assert case.title == "Error rate rose in market ID"


def test_open_a_case_for_a_policy_slice_counts_its_errors_by_audit_label(lead_page):
    lead_page.post("/quality/open-case/", {"dimension": "policy", "value": "hate_speech", "title": "Hate"})

    assert Case.objects.get().measure["audit_label"] == "hate_speech"


@pytest.mark.parametrize("role", ["manager", "partner"])
def test_only_leads_open_a_case_for_a_slice(db, client, request, role):
    client.force_login(request.getfixturevalue(role))

    response = client.post("/quality/open-case/", {"dimension": "market", "value": "ID", "title": "No"})

    assert response.status_code == 403 and Case.objects.count() == 0


def test_main_navigation_offers_the_quality_page_to_managers_not_partners(client, manager, partner):
    client.force_login(manager)
    assert 'href="/quality/"' in client.get("/").content.decode()

    client.force_login(partner)
    assert 'href="/quality/"' not in client.get("/").content.decode()


def test_quality_page_excludes_verdicts_in_doubt_on_request_and_says_how_many(lead_page, human_and_model):
    ModerationSample.objects.filter(
        pk__in=ModerationSample.objects.filter(decision_label="none").values("pk")[:4]
    ).update(verdict_in_doubt=True)  # four human or model errors on bullying
    rebuild()

    counted = lead_page.get("/quality/")
    excluded = lead_page.get("/quality/", {"exclude_in_doubt": "on"})

    assert "All audited verdicts counted (4 in doubt)" in counted.content.decode()
    assert 'name="exclude_in_doubt"' in counted.content.decode()
    page = excluded.content.decode()
    assert "4 verdicts in doubt excluded" in page
    assert 'name="exclude_in_doubt" id="quality_exclude_in_doubt" checked' in page
    audits = {
        name: sum(row.audits for line in response.context["lines"] for row in line.figures.values() if row)
        for name, response in (("counted", counted), ("excluded", excluded))
    }
    assert audits == {"counted": 250, "excluded": 246}
    for url in excluded.context["csv"].values():
        assert parse_qs(urlsplit(url).query)["exclude_in_doubt"] == ["true"]
    assert all("exclude_in_doubt" not in url for url in counted.context["csv"].values())


def test_change_explainer_sample_links_leave_out_verdicts_in_doubt_when_the_figures_do(lead_page):
    planted_change()
    doubted = ModerationSample.objects.filter(market="ID", decision_label="none", decided_at__date__gte=days_ago(12))
    doubted_id = doubted.values_list("external_id", flat=True).first()
    ModerationSample.objects.filter(external_id=doubted_id).update(verdict_in_doubt=True)
    rebuild()

    counted = lead_page.get("/quality/", {"dimension": "market"}).context["contributors"][0]
    excluded = lead_page.get("/quality/", {"dimension": "market", "exclude_in_doubt": "on"}).context["contributors"][0]
    explorer = lead_page.get(excluded.explorer_url)
    everything = lead_page.get(counted.explorer_url)

    assert (counted.change.value, excluded.change.value) == ("ID", "ID")
    assert "verdict_in_doubt" not in parse_qs(urlsplit(counted.explorer_url).query)
    assert parse_qs(urlsplit(excluded.explorer_url).query)["verdict_in_doubt"] == ["false"]
    assert excluded.change.audits_b == counted.change.audits_b - 1
    assert explorer.status_code == 200
    assert doubted_id in everything.content.decode() and doubted_id not in explorer.content.decode()
    assert '<option value="false" selected>Not in doubt</option>' in explorer.content.decode()
