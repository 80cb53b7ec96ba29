"""PostgreSQL estimates how many samples a text search (`q`) matches from statistics on the searched texts
(migration `rca.0005`), not from the pattern alone: a common word is planned as common."""

import json

import pytest
from django.db import connection

from cases.evidence.filters import SampleFilter
from rca.models import ModerationSample
from tests.factories import ModerationSampleFactory
from tests.services import require_postgres

pytestmark = pytest.mark.django_db

SAMPLES = 400


def _estimated_rows(queryset) -> float:
    sql, params = queryset.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN (FORMAT JSON) {sql}", params)
        (plan,) = cursor.fetchone()
    plan = json.loads(plan) if isinstance(plan, str) else plan
    return plan[0]["Plan"]["Plan Rows"]


@pytest.mark.parametrize("field", ["notes", "transcript"])
def test_sample_text_search_of_a_common_word_is_estimated_from_the_texts(field):
    require_postgres()
    for index in range(SAMPLES):
        word = "slang" if index % 2 else "costume"
        ModerationSampleFactory(
            **{field: f"{word} sample {index}", ("transcript" if field == "notes" else "notes"): ""}
        )
    with connection.cursor() as cursor:
        cursor.execute(f"ANALYZE {ModerationSample._meta.db_table}")

    matching = SampleFilter({"q": "slang"}, queryset=ModerationSample.objects.all()).qs

    assert matching.count() == SAMPLES // 2
    # From the pattern alone PostgreSQL guesses a few rows; from the statistics, about half of them.
    assert _estimated_rows(matching) >= SAMPLES // 4


def test_sample_text_search_is_answered_by_the_trigram_indexes():
    """Migration `rca.0010`: the expressions the ORM's `icontains` compares (`UPPER(notes)`, `UPPER(transcript)`) have
    trigram indexes, so a word that matches nothing is not a read of every sample's text."""
    require_postgres()
    ModerationSampleFactory.create_batch(20, notes="casino bonus", transcript="free spins tonight")
    matching = SampleFilter({"q": "zzzqqq"}, queryset=ModerationSample.objects.all()).qs
    sql, params = matching.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(f"ANALYZE {ModerationSample._meta.db_table}")
        # 20 rows: the planner would read them all (or walk the newest first) anyway
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_indexscan = off")
        cursor.execute(f"EXPLAIN (FORMAT JSON) {sql}", params)
        (plan,) = cursor.fetchone()
    plan = json.dumps(plan) if not isinstance(plan, str) else plan

    assert "sample_upper_notes_trgm" in plan
    assert "sample_upper_transcript_trgm" in plan
    assert not matching.exists()
    assert SampleFilter({"q": "SPINS"}, queryset=ModerationSample.objects.all()).qs.count() == 20
