"""`cases.services.case_measure_set`: the measure a lead sets on a case."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from cases import services
from cases.choices import ActivityVerb
from cases.measure.definition import MeasureSource, case_measure
from cases.models import Activity
from tests.factories import CaseFactory

pytestmark = pytest.mark.django_db

DATA = {"population": {"market": "ID", "queue": "live_id_general"}, "audit_label": "bullying_harassment"}


def test_case_measure_set_stores_the_measure_and_writes_an_updated_entry(quality_lead):
    case = CaseFactory(detected=True)

    services.case_measure_set(case=case, actor=quality_lead, data=DATA)

    case.refresh_from_db()
    measure = case_measure(case)
    assert measure.source == MeasureSource.CASE
    assert measure.population == {"market": "ID", "queue": "live_id_general"}
    entry = Activity.objects.get(case=case, verb=ActivityVerb.UPDATED)
    assert entry.actor == quality_lead
    assert entry.data["changes"]["measure"] == {"from": {}, "to": case.measure}


def test_case_measure_set_with_no_data_clears_back_to_the_derived_measure(quality_lead):
    case = CaseFactory(detected=True, measure={"population": {"market": "BR"}, "audit_label": ""})

    services.case_measure_set(case=case, actor=quality_lead, data=None)

    case.refresh_from_db()
    assert case.measure == {}
    assert case_measure(case).source == MeasureSource.PATTERN


def test_case_measure_set_unchanged_writes_nothing(quality_lead):
    case = CaseFactory()
    services.case_measure_set(case=case, actor=quality_lead, data=DATA)

    services.case_measure_set(case=case, actor=quality_lead, data=DATA)

    assert Activity.objects.filter(case=case, verb=ActivityVerb.UPDATED).count() == 1


def test_case_measure_set_refuses_an_unknown_condition(quality_lead):
    case = CaseFactory()

    with pytest.raises(ValidationError) as refused:
        services.case_measure_set(case=case, actor=quality_lead, data={"population": {"colour": "red"}})

    assert "colour" in str(refused.value.message_dict["population"])
    case.refresh_from_db()
    assert case.measure == {}


def test_case_measure_set_is_for_quality_leads(partner):
    case = CaseFactory()

    with pytest.raises(PermissionDenied):
        services.case_measure_set(case=case, actor=partner, data=DATA)
