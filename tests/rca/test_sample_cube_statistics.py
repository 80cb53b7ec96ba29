"""PostgreSQL estimates how many groups the detection's traffic cube has from statistics on its columns together
(migration `rca.0011`), not from the product of each column's distinct values: it plans a hash of a few groups, not a
sort of the whole window on disk."""

import json
from datetime import timedelta

import pytest
from django.db import connection
from django.db.models import Count
from django.utils import timezone

from rca.detection import reader
from rca.models import ModerationSample
from tests.factories import ModerationSampleFactory
from tests.services import require_postgres

pytestmark = pytest.mark.django_db

MARKETS = ["BR", "DE", "FR", "GB", "ID", "MX", "TR", "US"]


def test_the_traffic_cube_is_planned_with_as_many_groups_as_the_columns_combine_into():
    require_postgres()
    now = timezone.now()
    # Eight markets, each with its own language, queue and model version: 8 groups, where the columns one by one
    # (8 x 8 x 8 x 8 values) suggest thousands.
    for index in range(800):
        market = MARKETS[index % len(MARKETS)]
        ModerationSampleFactory(
            market=market, language=market.lower(), queue=f"{market.lower()}_queue", model_version=f"clf-{market}",
            decision_source="model", content_type="video", tags=";gaming;",
            audited_at=now - timedelta(hours=index % 48), decided_at=now - timedelta(hours=index % 48 + 1),
        )  # fmt: skip
    with connection.cursor() as cursor:
        cursor.execute(f"ANALYZE {ModerationSample._meta.db_table}")
    cube = (
        reader._window(now - timedelta(days=14), now + timedelta(minutes=1))
        .values_list(*reader.CUBE_COLUMNS)
        .annotate(count=Count("id"))
        .order_by()
    )
    sql, params = cube.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN (FORMAT JSON) {sql}", params)
        (plan,) = cursor.fetchone()
    plan = json.loads(plan) if isinstance(plan, str) else plan

    assert len(list(cube)) == len(MARKETS)
    assert plan[0]["Plan"]["Plan Rows"] <= 4 * len(MARKETS)
