"""The shopper's e-mails about a return render for every step, in both languages, as text and HTML,
with the return's link; the label e-mail carries the label number and the drop-off address."""

import pytest
from django.utils import translation
from django.utils.translation import gettext

from aftersales.models import ReturnRequest
from crossborder.models import Notification
from crossborder.notifications import render

CONTEXT = {
    "kind": "return",
    "order_number": 100042,
    "url": "https://cn.example/returns/abc/",
    "label_number": "RL-CN-000042-9F3A",
    "drop_off": "1 Bonded Road, Shanghai",
    "refund": "159.90",
    "currency": "CNY",
    "lines": [{"title": "Camp lantern", "quantity": 1}],
}


@pytest.mark.parametrize("language", ["en", "zh-hans"])
@pytest.mark.parametrize("step", [s for s in ReturnRequest.Status.values if s != "cancelled"])
def test_every_step_of_a_return_is_mailed_as_text_and_html_in_the_shoppers_language(step, language):
    note = Notification(template="return_update", language=language, context={**CONTEXT, "step": step})

    subject, text, html = render(note)

    assert "100042" in subject and "\n" not in subject
    assert CONTEXT["url"] in text and f'href="{CONTEXT["url"]}"' in html
    assert "Camp lantern" in text and "Camp lantern" in html
    if step == "label_issued":
        assert "RL-CN-000042-9F3A" in text and "1 Bonded Road, Shanghai" in text
    if step == "refunded":
        with translation.override(language):
            expected = gettext("We refunded %(refund)s %(currency)s to the way you paid.") % CONTEXT
        assert expected in text


def test_a_staff_answer_is_mailed_with_its_text_and_the_link():
    note = Notification(
        template="return_message", language="en", context={"order_number": 7, "url": "https://x/r/", "body": "Hi <b>"}
    )

    subject, text, html = render(note)

    assert subject == "We answered about your return for order 7"
    assert "Hi <b>" in text and "Hi &lt;b&gt;" in html
