# Payments at local providers: payments, their transitions, provider calls and webhook receipts,
# and the sandbox providers' own tables.

import django.db.models.deletion
import django.utils.timezone
from django.db import migrations, models

import payments.provider_models


class Migration(migrations.Migration):
    dependencies = [("payments", "0002_ledger_append_only")]

    operations = [
        migrations.CreateModel(
            name='Payment',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('token', models.CharField(default=payments.provider_models.new_payment_token, editable=False, max_length=43, unique=True)),
                ('checkout_reference', models.CharField(db_index=True, help_text='The checkout this payment pays for', max_length=64, verbose_name='checkout')),
                ('amount', models.DecimalField(decimal_places=4, max_digits=20, verbose_name='amount')),
                ('currency', models.CharField(max_length=3, verbose_name='currency')),
                ('provider', models.CharField(max_length=40, verbose_name='provider')),
                ('provider_payment_id', models.CharField(blank=True, max_length=120, verbose_name="provider's payment id")),
                ('state', models.CharField(choices=[('created', 'created'), ('pending', 'waiting for the shopper'), ('authorised', 'authorised'), ('captured', 'captured'), ('partially_refunded', 'partially refunded'), ('refunded', 'refunded'), ('declined', 'declined'), ('cancelled', 'cancelled'), ('failed', 'failed')], default='created', max_length=20, verbose_name='state')),
                ('authorised_amount', models.DecimalField(decimal_places=4, default=0, max_digits=20, verbose_name='authorised')),
                ('captured_amount', models.DecimalField(decimal_places=4, default=0, max_digits=20, verbose_name='captured')),
                ('refunded_amount', models.DecimalField(decimal_places=4, default=0, max_digits=20, verbose_name='refunded')),
                ('next_action', models.JSONField(blank=True, default=dict, help_text='What the shopper must do next: a redirect, or a QR code to scan')),
                ('return_url', models.CharField(blank=True, max_length=500)),
                ('expires_at', models.DateTimeField(verbose_name='expires at')),
                ('order_placed_at', models.DateTimeField(blank=True, help_text='Set by the checkout when its order is placed', null=True, verbose_name='order placed at')),
                ('created_at', models.DateTimeField(db_index=True, default=django.utils.timezone.now, verbose_name='created at')),
                ('updated_at', models.DateTimeField(auto_now=True)),
            ],
            options={
                'verbose_name': 'payment',
                'verbose_name_plural': 'payments',
                'ordering': ['-created_at', '-id'],
                'indexes': [models.Index(condition=models.Q(('order_placed_at__isnull', True)), fields=['expires_at'], name='payment_abandoned_idx')],
                'constraints': [models.CheckConstraint(condition=models.Q(('amount__gt', 0)), name='payment_amount_positive'), models.CheckConstraint(condition=models.Q(('authorised_amount__gte', 0), ('captured_amount__gte', 0), ('refunded_amount__gte', 0)), name='payment_amounts_not_negative'), models.CheckConstraint(condition=models.Q(('authorised_amount__lte', models.F('amount'))), name='payment_authorised_lte_amount'), models.CheckConstraint(condition=models.Q(('captured_amount__lte', models.F('authorised_amount'))), name='payment_captured_lte_authorised'), models.CheckConstraint(condition=models.Q(('refunded_amount__lte', models.F('captured_amount'))), name='payment_refunded_lte_captured'), models.CheckConstraint(condition=models.Q(('currency__regex', '^[A-Z]{3}$')), name='payment_currency_iso'), models.CheckConstraint(condition=models.Q(('state__in', ['created', 'pending', 'authorised', 'captured', 'partially_refunded', 'refunded', 'declined', 'cancelled', 'failed'])), name='payment_state_known'), models.UniqueConstraint(condition=models.Q(('provider_payment_id', ''), _negated=True), fields=('provider', 'provider_payment_id'), name='payment_provider_id_once')],
            },
        ),
        migrations.CreateModel(
            name='PaymentTransition',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('from_state', models.CharField(choices=[('created', 'created'), ('pending', 'waiting for the shopper'), ('authorised', 'authorised'), ('captured', 'captured'), ('partially_refunded', 'partially refunded'), ('refunded', 'refunded'), ('declined', 'declined'), ('cancelled', 'cancelled'), ('failed', 'failed')], max_length=20, verbose_name='from state')),
                ('to_state', models.CharField(choices=[('created', 'created'), ('pending', 'waiting for the shopper'), ('authorised', 'authorised'), ('captured', 'captured'), ('partially_refunded', 'partially refunded'), ('refunded', 'refunded'), ('declined', 'declined'), ('cancelled', 'cancelled'), ('failed', 'failed')], max_length=20, verbose_name='to state')),
                ('at', models.DateTimeField(default=django.utils.timezone.now, verbose_name='at')),
                ('reason', models.CharField(max_length=200, verbose_name='reason')),
                ('provider_data', models.JSONField(blank=True, default=dict, verbose_name='provider data')),
                ('payment', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='transitions', to='payments.payment')),
            ],
            options={
                'verbose_name': 'payment transition',
                'verbose_name_plural': 'payment transitions',
                'ordering': ['payment_id', 'at', 'id'],
            },
        ),
        migrations.CreateModel(
            name='SandboxCharge',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('provider', models.CharField(max_length=40)),
                ('charge_id', models.CharField(max_length=60, unique=True)),
                ('idempotency_key', models.CharField(max_length=120)),
                ('merchant_reference', models.CharField(max_length=120)),
                ('description', models.CharField(blank=True, max_length=200)),
                ('amount', models.DecimalField(decimal_places=4, max_digits=20)),
                ('currency', models.CharField(max_length=3)),
                ('status', models.CharField(choices=[('pending', 'waiting for the shopper'), ('authorised', 'authorised'), ('captured', 'captured'), ('declined', 'declined'), ('cancelled', 'cancelled'), ('expired', 'expired')], default='pending', max_length=12)),
                ('authorised_amount', models.DecimalField(decimal_places=4, default=0, max_digits=20)),
                ('captured_amount', models.DecimalField(decimal_places=4, default=0, max_digits=20)),
                ('refunded_amount', models.DecimalField(decimal_places=4, default=0, max_digits=20)),
                ('return_url', models.CharField(blank=True, max_length=500)),
                ('expires_at', models.DateTimeField()),
                ('created_at', models.DateTimeField(default=django.utils.timezone.now)),
                ('updated_at', models.DateTimeField(auto_now=True)),
            ],
            options={
                'verbose_name': 'sandbox charge',
                'verbose_name_plural': 'sandbox charges',
                'ordering': ['-created_at', '-id'],
                'constraints': [models.UniqueConstraint(fields=('provider', 'idempotency_key'), name='sandbox_charge_key_once'), models.CheckConstraint(condition=models.Q(('amount__gt', 0)), name='sandbox_charge_amount_positive'), models.CheckConstraint(condition=models.Q(('captured_amount__lte', models.F('authorised_amount')), ('refunded_amount__lte', models.F('captured_amount'))), name='sandbox_charge_amounts_ordered')],
            },
        ),
        migrations.CreateModel(
            name='ProviderCall',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('operation', models.CharField(choices=[('create', 'create'), ('capture', 'capture'), ('refund', 'refund'), ('cancel', 'cancel')], max_length=10, verbose_name='operation')),
                ('idempotency_key', models.CharField(max_length=120, unique=True, verbose_name='idempotency key')),
                ('number', models.PositiveIntegerField(default=1, help_text='Refunds are numbered per payment, from 1')),
                ('amount', models.DecimalField(blank=True, decimal_places=4, max_digits=20, null=True, verbose_name='amount')),
                ('status', models.CharField(choices=[('pending', 'pending'), ('succeeded', 'succeeded'), ('failed', 'failed')], default='pending', max_length=10, verbose_name='status')),
                ('reason', models.CharField(blank=True, help_text='Why it was asked for', max_length=200, verbose_name='reason')),
                ('provider_reference', models.CharField(blank=True, max_length=120)),
                ('response', models.JSONField(blank=True, default=dict)),
                ('error', models.TextField(blank=True)),
                ('created_at', models.DateTimeField(default=django.utils.timezone.now)),
                ('completed_at', models.DateTimeField(blank=True, null=True)),
                ('payment', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='provider_calls', to='payments.payment')),
            ],
            options={
                'verbose_name': 'provider call',
                'verbose_name_plural': 'provider calls',
                'ordering': ['payment_id', 'created_at', 'id'],
                'constraints': [models.CheckConstraint(condition=models.Q(('amount__isnull', True), ('amount__gte', 0), _connector='OR'), name='provider_call_amount_gte_0'), models.UniqueConstraint(fields=('payment', 'operation', 'number'), name='provider_call_once')],
            },
        ),
        migrations.CreateModel(
            name='SandboxOperation',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('provider', models.CharField(max_length=40)),
                ('idempotency_key', models.CharField(max_length=120)),
                ('kind', models.CharField(max_length=10)),
                ('operation_id', models.CharField(max_length=60, unique=True)),
                ('amount', models.DecimalField(blank=True, decimal_places=4, max_digits=20, null=True)),
                ('created_at', models.DateTimeField(default=django.utils.timezone.now)),
                ('charge', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='operations', to='payments.sandboxcharge')),
            ],
            options={
                'verbose_name': 'sandbox operation',
                'verbose_name_plural': 'sandbox operations',
                'constraints': [models.UniqueConstraint(fields=('provider', 'idempotency_key'), name='sandbox_operation_key_once')],
            },
        ),
        migrations.CreateModel(
            name='SandboxWebhook',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('provider', models.CharField(max_length=40)),
                ('event_id', models.CharField(max_length=60, unique=True)),
                ('body', models.TextField()),
                ('attempts', models.PositiveIntegerField(default=0)),
                ('delivered_at', models.DateTimeField(blank=True, null=True)),
                ('next_attempt_at', models.DateTimeField(default=django.utils.timezone.now)),
                ('last_error', models.TextField(blank=True)),
                ('created_at', models.DateTimeField(default=django.utils.timezone.now)),
                ('charge', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='webhooks', to='payments.sandboxcharge')),
            ],
            options={
                'verbose_name': 'sandbox webhook',
                'verbose_name_plural': 'sandbox webhooks',
                'ordering': ['created_at', 'id'],
                'indexes': [models.Index(condition=models.Q(('delivered_at__isnull', True)), fields=['next_attempt_at'], name='sandbox_webhook_due_idx')],
            },
        ),
        migrations.CreateModel(
            name='WebhookReceipt',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('provider', models.CharField(max_length=40, verbose_name='provider')),
                ('event_id', models.CharField(max_length=120, verbose_name='event id')),
                ('event_type', models.CharField(blank=True, max_length=60, verbose_name='event type')),
                ('raw_body', models.TextField(verbose_name='raw body')),
                ('result', models.JSONField(default=dict, verbose_name='result')),
                ('received_at', models.DateTimeField(default=django.utils.timezone.now, verbose_name='webhook received at')),
                ('payment', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='webhook_receipts', to='payments.payment')),
            ],
            options={
                'verbose_name': 'webhook receipt',
                'verbose_name_plural': 'webhook receipts',
                'ordering': ['-received_at', '-id'],
                'constraints': [models.UniqueConstraint(fields=('provider', 'event_id'), name='webhook_receipt_once')],
            },
        ),
    ]
