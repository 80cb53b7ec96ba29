"""Fault drill: the PostgreSQL connection of `import_samples` is terminated in the middle of a file.

The import runs as a subprocess on the test database, tagged with its own `application_name`; once some batches are
in, the drill terminates that backend (only it: `pg_terminate_backend` on this database's drill connections). The
command fails with a clear message, the batches written before are whole, and running it again finishes the file
with no duplicate and no missing row.
"""

import json
import subprocess
import sys
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from rca.models import ModerationSample
from rca.synthetic import generate_audits
from tests.hardening.services import ROOT, drill_database_url, eventually, subprocess_env
from tests.services import require_postgres

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]

APP_NAME = "rca-drill-import"


def _terminate_import_backends() -> int:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
            "WHERE datname = current_database() AND application_name = %s AND pid <> pg_backend_pid()",
            [APP_NAME],
        )
        return cursor.fetchone()[0]


def _import(path, env) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "manage.py", "import_samples", str(path), "--batch-size", "250"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def test_import_with_its_connection_dropped_midway_then_rerun_has_no_duplicate_or_missing_row(seeded, tmp_path):
    require_postgres()
    records = generate_audits(seed=7, days=4, audits_per_day=4000, end=timezone.now() - timedelta(days=1)).records
    source = tmp_path / "audits.jsonl"
    source.write_text("".join(json.dumps(record) + "\n" for record in records))
    expected = {record["external_id"]: (record["audit_label"], record.get("notes", "")) for record in records}
    env = subprocess_env(
        DJANGO_SETTINGS_MODULE="config.settings.test", DATABASE_URL=drill_database_url(), PGAPPNAME=APP_NAME
    )

    interrupted = _import(source, env)
    assert eventually(lambda: ModerationSample.objects.count() > 0, timeout=120, interval=0.05)
    terminated = _terminate_import_backends()
    out, err = interrupted.communicate(timeout=120)
    rows_after_drop = ModerationSample.objects.count()
    rerun = _import(source, env)
    rerun_out, rerun_err = rerun.communicate(timeout=300)

    stored = {
        external_id: (audit_label, notes)
        for external_id, audit_label, notes in ModerationSample.objects.values_list(
            "external_id", "audit_label", "notes"
        )
    }
    assert terminated >= 1
    assert interrupted.returncode != 0, out
    assert "Traceback" not in err and "database" in err.lower(), err[-2000:]
    assert 0 < rows_after_drop < len(records)
    assert rows_after_drop % 250 == 0, "a batch was half-written"
    assert rerun.returncode == 0, rerun_err[-2000:]
    assert ModerationSample.objects.count() == len(records) == len(stored)
    assert stored == expected
    assert "rejected: 0" in rerun_out
