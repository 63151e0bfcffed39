"""The one extension mechanism (crossborder/hooks.py): every hook has a subscriber once the real
apps are ready, subscribing is idempotent, and each hook runs when and fails how it declares."""

import logging

import pytest
from django.apps import apps
from django.conf import settings
from django.db import transaction

from crossborder import hooks
from crossborder.hooks import Hook
from crossborder.settings import INSTALLED_APPS as PRODUCTION_APPS


@pytest.fixture
def declared():
    """Hooks a test declares, taken out of the registry again afterwards."""
    made = []

    def declare(name, **kwargs):
        hook = Hook(f"test.{name}", **kwargs)
        made.append(hook.name)
        return hook

    yield declare
    for name in made:
        hooks._registry.pop(name, None)


def test_every_hook_has_a_subscriber_once_the_production_apps_are_ready():
    assert settings.INSTALLED_APPS == PRODUCTION_APPS  # the apps production runs, not a stand-in
    assert apps.ready

    every = hooks.all_hooks()

    assert {name for name, hook in every.items() if not hook.subscribers} == set()
    # Each app's hooks module is found: one hook of each stands for the rest.
    assert {
        "crossborder.demo_data",
        "crossborder.message_delivered",
        "catalog.product_sections",
        "logistics.fee_accrued",
        "partner_zone.listings_changed",
        "payments.money_secured",
    } <= set(every)


def test_subscribing_the_same_function_twice_keeps_one(declared):
    hook = declared("twice", runs=Hook.INLINE)
    seen = []

    def subscriber(value):
        seen.append(value)

    hook.subscribe(subscriber)
    hook.subscribe(subscriber)  # a ready() run twice
    hook.fire(value=1)

    assert hook.subscribers == (subscriber,) and seen == [1]


def test_a_name_declared_twice_is_refused(declared):
    declared("once", runs=Hook.INLINE)

    with pytest.raises(RuntimeError, match="declared twice"):
        Hook("test.once", runs=Hook.INLINE)


def test_an_after_commit_hook_that_would_raise_is_refused():
    with pytest.raises(ValueError, match="no caller left"):
        Hook("test.never", runs=Hook.AFTER_COMMIT, on_failure=Hook.RAISE)


@pytest.mark.django_db
def test_an_inline_subscribers_failure_propagates_and_rolls_the_caller_back(declared):
    from crossborder.models import Partner

    hook = declared("inline", runs=Hook.INLINE)
    hook.subscribe(lambda partner: 1 / 0)

    with pytest.raises(ZeroDivisionError), transaction.atomic():
        partner = Partner.objects.create(name="Rolled back", country="US", base_url="https://us.invalid")
        hook.fire(partner=partner)

    assert not Partner.objects.filter(name="Rolled back").exists()


def test_an_inline_hook_answers_in_subscription_order(declared):
    hook = declared("answers", runs=Hook.INLINE)
    hook.subscribe(lambda skus: skus[:1])
    hook.subscribe(lambda skus: skus[1:])

    assert hook.fire(skus=["A", "B"]) == [["A"], ["B"]]


@pytest.mark.django_db
def test_an_after_commit_hook_runs_after_the_commit_and_logs_a_failure_with_its_name(
    declared, caplog, django_capture_on_commit_callbacks
):
    hook = declared("after", runs=Hook.AFTER_COMMIT)
    seen = []

    def broken(value):
        raise RuntimeError("subscriber broke")

    hook.subscribe(broken)
    hook.subscribe(lambda value: seen.append(value))

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        assert hook.fire(value=7) == []
    assert seen == []  # nothing before the commit

    with caplog.at_level(logging.ERROR, logger="crossborder.hooks"):
        for callback in callbacks:
            callback()  # the commit: no exception reaches the caller

    assert seen == [7]  # the failing subscriber stopped no other
    assert "hook test.after: subscriber" in caplog.text and "broken" in caplog.text


def test_an_inline_hook_that_logs_runs_every_subscriber_at_once(declared, caplog, db):
    hook = declared("logged", runs=Hook.INLINE, on_failure=Hook.LOG)
    hook.subscribe(lambda value: 1 / 0)
    hook.subscribe(lambda value: value * 2)

    with caplog.at_level(logging.ERROR, logger="crossborder.hooks"):
        assert hook.fire(value=4) == [8]

    assert "hook test.logged" in caplog.text


def test_demo_data_runs_each_apps_demo_command_through_its_hook_the_warehouse_before_the_catalog():
    # The demo catalog's stock is counted in the demo warehouse, so logistics' demo runs first
    # although catalog is ready first.
    from catalog.apps import fill_demo_data as catalog_demo
    from logistics.apps import fill_demo_data as logistics_demo

    assert hooks.demo_data.subscribers[:2] == (logistics_demo, catalog_demo)


def test_a_subscriber_can_ask_to_run_before_another():
    hook = hooks.Hook("test.ordered", runs=hooks.Hook.INLINE)

    def first():
        return "first"

    def second():
        return "second"

    hook.subscribe(second)
    hook.subscribe(first, before=second)
    hook.subscribe(first, before=second)  # once only

    assert hook.fire() == ["first", "second"]
