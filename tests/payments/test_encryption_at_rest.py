"""Resident ID numbers and signing private keys encrypted at rest (crossborder/fields.py): the raw
columns hold no plain value, the models read it back, orders are found by ID number through the
blind index, a key rotation keeps every old row readable and findable, the data migration encrypts
rows stored before it, and pages and the admin show the number masked."""

import subprocess
import sys
from types import SimpleNamespace

import pytest
from cryptography.fernet import Fernet
from django.apps import apps as global_apps
from django.conf import settings as django_settings
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db import connection
from django.urls import reverse

from crossborder import fields, services
from crossborder.models import SigningKey
from payments.models import Checkout, CustomsDeclaration, Order
from payments.shop.services import checkout as checkouts
from payments.shop.services import china_rules, orders

from .shop_factories import BUYER, VALID_ID, cart_with, checkout_of, partner_listing, set_up_shop

pytestmark = pytest.mark.django_db

MASKED = "*" * 14 + VALID_ID[-4:]


@pytest.fixture
def shop(db, settings):
    return set_up_shop(settings)


def placed(*items, **buyer):
    checkout = checkout_of(cart_with(*items), **buyer)
    return checkouts.place_order(checkout=checkout, posted_total=str(checkout.total.amount))


def raw(table, column, pk):
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {column} FROM {table} WHERE id = %s", [pk])  # noqa: S608
        return cursor.fetchone()[0]


def raw_text(table, pk):
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT * FROM {table} WHERE id = %s", [pk])  # noqa: S608
        return " ".join(str(value) for value in cursor.fetchone())


def test_the_database_holds_no_plain_id_number_and_the_models_read_it_back(shop):
    order = placed((partner_listing(), 1), **BUYER)
    orders.mark_paid(order=order, payment_reference="pay-1")

    for table, pk in (("payments_checkout", order.checkout_id), ("payments_order", order.pk)):
        assert VALID_ID not in raw_text(table, pk), table
        assert raw(table, "buyer_id_number", pk).startswith("gAAAA")  # a Fernet token
    declaration = CustomsDeclaration.objects.get(order=order)
    assert VALID_ID not in raw_text("payments_customsdeclaration", declaration.pk)

    assert Order.objects.get(pk=order.pk).buyer_id_number == VALID_ID
    assert Checkout.objects.get(pk=order.checkout_id).buyer_id_number == VALID_ID
    assert VALID_ID in orders.customs_csv(declaration)  # customs get the number itself


def test_a_signing_private_key_is_stored_encrypted_and_still_signs():
    key = services.ensure_signing_key()
    stored = raw("crossborder_signingkey", "private_key_pem", key.pk)
    assert "PRIVATE KEY" not in stored and stored.startswith("gAAAA")
    assert SigningKey.objects.get(pk=key.pk).private_key_pem.startswith("-----BEGIN PRIVATE KEY-----")


def test_orders_are_found_by_id_number_through_the_blind_index(shop):
    listing = partner_listing()
    first, second = placed((listing, 1), **BUYER), placed((listing, 2), **BUYER)
    placed((listing, 1), buyer_name="王芳", buyer_id_number="440524198001010013")

    assert first.buyer_id_index and first.buyer_id_index == second.buyer_id_index
    assert VALID_ID not in first.buyer_id_index
    spent = china_rules.spent_this_year(VALID_ID)
    assert spent.amount == first.cbec_value.amount + second.cbec_value.amount


def test_a_key_rotation_reads_old_rows_finds_them_and_reencrypts_them(shop, settings):
    old_key, new_key = settings.FIELD_ENCRYPTION_KEYS[0], Fernet.generate_key().decode()
    listing = partner_listing()
    before = placed((listing, 1), **BUYER)
    old_token = raw("payments_order", "buyer_id_number", before.pk)

    settings.FIELD_ENCRYPTION_KEYS = [new_key, old_key]  # the new key first: it encrypts from now on
    assert Order.objects.get(pk=before.pk).buyer_id_number == VALID_ID
    after = placed((listing, 1), **BUYER)
    assert Fernet(new_key.encode()).decrypt(raw("payments_order", "buyer_id_number", after.pk).encode())
    assert china_rules.spent_this_year(VALID_ID).amount == before.cbec_value.amount + after.cbec_value.amount

    call_command("reencrypt_fields", stdout=SimpleNamespace(write=lambda text: None))
    assert raw("payments_order", "buyer_id_number", before.pk) != old_token
    settings.FIELD_ENCRYPTION_KEYS = [new_key]  # the old key dropped
    assert Order.objects.get(pk=before.pk).buyer_id_number == VALID_ID
    assert Checkout.objects.get(pk=before.checkout_id).buyer_id_number == VALID_ID
    assert china_rules.spent_this_year(VALID_ID).amount == before.cbec_value.amount + after.cbec_value.amount


def test_the_data_migration_encrypts_rows_stored_in_plain_text(shop):
    order = placed((partner_listing(), 1), **BUYER)
    orders.mark_paid(order=order, payment_reference="pay-1")
    declaration = CustomsDeclaration.objects.get(order=order)
    with connection.cursor() as cursor:  # as the rows were before the migration
        cursor.execute(
            "UPDATE payments_order SET buyer_id_number = %s, buyer_id_index = '' WHERE id = %s", [VALID_ID, order.pk]
        )
        cursor.execute("UPDATE payments_checkout SET buyer_id_number = %s WHERE id = %s", [VALID_ID, order.checkout_id])
    CustomsDeclaration.objects.filter(pk=declaration.pk).update(
        order_record={**declaration.order_record, "buyer_id_number": VALID_ID},
        payment_record={**declaration.payment_record, "payer_id_number": VALID_ID},
    )

    migration = __import__("payments.migrations.0008_security_encrypt_id_numbers", fromlist=["encrypt_id_numbers"])
    migration.encrypt_id_numbers(global_apps, SimpleNamespace(connection=connection))
    migration.encrypt_id_numbers(global_apps, SimpleNamespace(connection=connection))  # run again: no harm

    assert VALID_ID not in raw_text("payments_order", order.pk)
    assert VALID_ID not in raw_text("payments_checkout", order.checkout_id)
    assert VALID_ID not in raw_text("payments_customsdeclaration", declaration.pk)
    assert Order.objects.get(pk=order.pk).buyer_id_number == VALID_ID
    assert china_rules.spent_this_year(VALID_ID).amount == order.cbec_value.amount


def test_pages_and_the_admin_show_the_id_number_masked(shop, client):
    order = placed((partner_listing(), 1), **BUYER)
    orders.mark_paid(order=order, payment_reference="pay-1")
    page = client.get(reverse("payments:order", args=[order.token])).content.decode()
    assert MASKED in page and VALID_ID not in page

    client.force_login(get_user_model().objects.create_superuser("ops", "ops@example.com", "pw"))
    declaration = CustomsDeclaration.objects.get(order=order)
    for url in (
        reverse("admin:payments_order_change", args=[order.pk]),
        reverse("admin:payments_order_changelist"),
        reverse("admin:payments_customsdeclaration_change", args=[declaration.pk]),
        reverse("admin:payments_customsdeclaration_changelist"),
    ):
        html = client.get(url).content.decode()
        assert VALID_ID not in html, url


def test_production_refuses_to_start_without_a_field_encryption_key(tmp_path):
    env = {
        "PATH": "/usr/bin:/bin",
        "DJANGO_SETTINGS_MODULE": "crossborder.settings",
        "CROSSBORDER_ENV": "production",
        "DJANGO_SECRET_KEY": "s" * 60,
        "CROSSBORDER_DATA_DIR": str(tmp_path),
    }
    missing = subprocess.run(
        [sys.executable, "manage.py", "check"], capture_output=True, text=True, env=env, cwd=django_settings.BASE_DIR
    )
    assert missing.returncode != 0 and "crossborder.E012" in missing.stderr
    bad = subprocess.run(
        [sys.executable, "manage.py", "check"],
        capture_output=True,
        text=True,
        env={**env, "CROSSBORDER_FIELD_ENCRYPTION_KEY": "not-a-key"},
        cwd=django_settings.BASE_DIR,
    )
    assert bad.returncode != 0 and "crossborder.E013" in bad.stderr
    assert not (tmp_path / "field-encryption-key").exists()  # production never makes one up


def test_blind_index_is_keyed():
    one, two = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    assert fields.blind_index(VALID_ID, one) != fields.blind_index(VALID_ID, two)
    assert fields.blind_index(VALID_ID, one) == fields.blind_index(VALID_ID, one) and fields.blind_index("", one) == ""


def test_an_encrypted_column_cannot_be_compared_with_a_value_only_with_emptiness(shop):
    from django.core.exceptions import FieldError

    order = placed((partner_listing(), 1), **BUYER)
    assert not Order.objects.filter(pk=order.pk, buyer_id_number="").exists()
    assert Order.objects.filter(pk=order.pk).exclude(buyer_id_number="").exists()
    with pytest.raises(FieldError):
        Order.objects.filter(buyer_id_number=VALID_ID).exists()
    with pytest.raises(FieldError):
        Order.objects.filter(buyer_id_number__startswith="110").exists()
