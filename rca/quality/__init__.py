"""Quality analytics over the audits (issue 17): how often decisions are wrong, by slice and over time, and what
explains a change.

- `dimensions`: what a figure may be grouped or filtered by, and the time buckets;
- `rollups`: the daily rollup table (`rca.models.QualityRollup`), kept current by the import and rebuilt by
  `manage.py rebuild_quality_rollups`; the only thing the metrics read;
- `reading`: the one query over the rollups, grouped as asked;
- `intervals`: Wilson intervals, weighted through the effective sample size (pure);
- `metrics`: audited volume, error rate and its parts, precision and recall per policy;
- `decomposition`: the change of the error rate between two periods, split per slice into mix and rate (pure core).

Nothing here imports `cases`: the pages, the API and the initiatives build on it.
"""
