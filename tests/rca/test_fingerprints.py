import pytest

from rca.fingerprints import normalise_slice, normalise_text, pattern_fingerprint, pattern_name


def test_normalise_text_replaces_numbers_ids_urls_and_times():
    text = "Stream LS-88121 at 12:04:55 linked https://x.example/p/991 and wallet ab12-cd, 3 times, mail a@b.co"

    assert normalise_text(text) == "stream id at ts linked url and wallet id , num times, mail email"


def test_normalise_text_makes_two_wordings_of_one_note_equal():
    assert normalise_text("Casino code 7781 on screen") == normalise_text("casino code 12 ON screen")


def test_normalise_slice_orders_features_and_canonicalises_case():
    assert list(normalise_slice({"tag": "gaming", "market": "id", "decision_label": "None"}).items()) == [
        ("decision_label", "none"),
        ("market", "ID"),
        ("tag", "gaming"),
    ]


def test_normalise_slice_rejects_unknown_features():
    with pytest.raises(ValueError, match="colour"):
        normalise_slice({"colour": "red"})


def test_pattern_fingerprint_ignores_key_order_and_case():
    left = pattern_fingerprint({"market": "ID", "decision_label": "none", "audit_label": "hate_speech"})
    right = pattern_fingerprint({"audit_label": "hate_speech", "market": "id", "decision_label": "none"})

    assert left == right
    assert left.startswith("v1:") and len(left) == 63


def test_pattern_fingerprint_differs_by_text_topic_and_version():
    base = {"decision_label": "none", "audit_label": "hate_speech", "market": "ID"}

    assert pattern_fingerprint({**base, "text_topic": 1}) != pattern_fingerprint({**base, "text_topic": 2})
    assert pattern_fingerprint(base) != pattern_fingerprint(base, version="v2")


def test_pattern_name_reads_slice_and_terms():
    name = pattern_name({"decision_label": "none", "audit_label": "spam_scam", "market": "TR"}, ["crypto", "wallet"])

    assert name == "none → spam_scam · market=TR · “crypto, wallet”"
