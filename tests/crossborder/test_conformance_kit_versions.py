"""The conformance kit checks protocol 1.2's batches only against a partner that says 1.2 or later:
a partner on 1.1 (or one that states no version) gets the checks marked skipped and is sent no batch.
(tests/e2e/test_conformance.py runs the kit against a real 1.2 instance.)"""

import types

import pytest
from cryptography.hazmat.primitives.asymmetric import ed25519

from crossborder import conformance, signing


def kit_facing(headers, monkeypatch):
    kit = conformance.Kit(
        conformance.Target(
            base_url="http://partner.invalid",
            key_id="ours",
            private_key=ed25519.Ed25519PrivateKey.generate(),
            partner_keys={},
        )
    )
    monkeypatch.setattr(kit, "health", lambda **kwargs: types.SimpleNamespace(headers=headers, status_code=200))

    def no_batch(*args, **kwargs):
        raise AssertionError("a batch was sent to a partner below 1.2")

    monkeypatch.setattr(kit, "post_batch", no_batch)
    return kit


@pytest.mark.parametrize("headers", [{signing.PROTOCOL_HEADER: "1.1"}, {}], ids=["1.1", "no version"])
def test_a_partner_below_1_2_gets_the_batch_checks_skipped_and_no_batch(monkeypatch, headers):
    kit = kit_facing(headers, monkeypatch)

    kit.batches({"seq": 1}, "key", {"subject": "hello", "body": ""}, 2)

    assert [(result.passed, result.detail) for result in kit.results] == [
        (None, "skipped: the partner is on an earlier version")
    ]
