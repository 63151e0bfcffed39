"""Fuzz of the envelope's seq and the signature's times (issue 19's classes): generated runs of
partner messages with seqs repeated, reordered, out of range or of the wrong JSON type, each under a
fresh Idempotency-Key, and signatures whose expires precedes created. The class under test: never a
server error, every answer signed, a refusal changes no row but the nonce, and no seq of the
partnership is applied twice or after a higher one."""

import uuid

import pytest
from django.test import Client
from hypothesis import given
from hypothesis import strategies as st

from crossborder.client import canonical_json
from crossborder.models import PartnerNotice
from tests.partners import MESSAGES_PATH, verify_reply

from .support import changed, error_body, fixed, row_counts

pytestmark = pytest.mark.django_db
NONCES = "crossborder_seennonce"

seqs = st.one_of(
    st.integers(min_value=1, max_value=6),
    st.integers(min_value=2**63 - 2, max_value=2**64),
    st.integers(max_value=0),
    st.integers(min_value=1, max_value=6).map(str),
    st.floats(allow_nan=False, allow_infinity=False),
    st.booleans(),
)


def test_no_seq_is_applied_twice_or_out_of_order_whatever_the_keys(remote):
    client = Client()

    @fixed(40)
    @given(steps=st.lists(st.tuples(seqs, st.sampled_from(["A", "B"]), st.integers(-5, 300)), max_size=8))
    def run(steps):
        PartnerNotice.objects.all().delete()
        applied = []
        for seq, subject, expires_in in steps:
            envelope = remote.envelope("partner.notice", {"subject": subject}, seq=seq)
            envelope["sent_at"] = "2026-01-01T00:00:00+00:00"  # one message per (seq, subject)
            body = canonical_json(envelope)
            prepared = remote.sign(
                "POST", MESSAGES_PATH, body, idempotency_key=str(uuid.uuid4()), expires_in=expires_in
            )
            before = row_counts()
            response = remote.send(client, prepared)
            described = f"{steps}: {seq!r} {subject} expires_in={expires_in}"
            assert response.status_code < 500, described
            verify_reply(response)
            if response.status_code >= 400:
                assert error_body(response) is not None, described
                difference = {t: d for t, d in changed(before, row_counts()).items() if t != NONCES}
                assert not difference, f"{described}: refused but changed {difference}"
            elif not response.has_header("Idempotent-Replayed"):
                assert not applied or seq > applied[-1], described
                applied.append(seq)
        subjects = list(PartnerNotice.objects.values_list("subject", flat=True))
        assert len(subjects) == len(applied)

    run()
