"""Audit quality, as case work: disputes of a sample's verdict and their second reviews, agreement per auditor,
policy and market, and calibration sets exported from a case (docs/audit-quality.md).

The verdict history itself is evidence and lives in `rca.verdicts`; this app decides who may dispute, review, see
agreement and export, keeps the disputes and the export log, and writes the case timelines.
"""
