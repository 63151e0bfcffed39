"""Partner message types carry protocol names (the business's, not the handling app's); the former
names are accepted from partners for one release and never sent."""

import pytest
from django.apps import apps

from crossborder import messages, services
from crossborder.errors import DomainError


def test_no_registered_message_type_is_named_for_an_app():
    app_labels = {config.label for config in apps.get_app_configs()}

    assert [name for name in messages.names() if name.split(".")[0] in app_labels] == []


def test_every_former_name_leads_to_a_registered_type_and_is_not_registered_itself():
    for former, current in messages.FORMER_NAMES.items():
        assert messages.get(former) is None
        assert messages.received(former) is messages.get(current) is not None


@pytest.mark.django_db
def test_a_former_name_is_never_sent(remote):
    with pytest.raises(DomainError) as refused:
        services.send_to_partner(remote.partnership, "logistics.asn", {})

    assert refused.value.code == "unknown_message_type"
