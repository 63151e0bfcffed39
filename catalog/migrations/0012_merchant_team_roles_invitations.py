"""Merchant staff with roles: the plain `Merchant.users` link table becomes MerchantMembership (the
same table, with a role), and every member from before becomes an owner; invitations by one-time
link; how far each partner confirmed mirroring our feed."""

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models

ROLES = [("owner", "owner"), ("catalog", "catalog"), ("fulfilment", "fulfilment"), ("finance", "finance")]
KNOWN = models.Q(role__in=["owner", "catalog", "fulfilment", "finance"])


def members_from_before_are_owners(apps, schema_editor):
    apps.get_model("catalog", "MerchantMembership").objects.update(role="owner")


class Migration(migrations.Migration):
    dependencies = [
        ("catalog", "0011_merchant_ships_itself"),
        ("crossborder", "0001_initial"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        # The link table stays; only Django's view of it changes to a model of its own.
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.RemoveField(model_name="merchant", name="users"),
                migrations.CreateModel(
                    name="MerchantMembership",
                    fields=[
                        ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                        (
                            "merchant",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="memberships",
                                to="catalog.merchant",
                            ),
                        ),
                        (
                            "user",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="merchant_memberships",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "team member",
                        "verbose_name_plural": "team members",
                        "db_table": "catalog_merchant_users",
                        "unique_together": {("merchant", "user")},
                    },
                ),
            ],
            database_operations=[],
        ),
        migrations.AddField(
            model_name="merchantmembership",
            name="role",
            field=models.CharField(choices=ROLES, default="owner", max_length=12, verbose_name="role"),
        ),
        migrations.AddField(
            model_name="merchantmembership",
            name="created_at",
            field=models.DateTimeField(default=django.utils.timezone.now),
        ),
        migrations.RunPython(members_from_before_are_owners, migrations.RunPython.noop),
        # New members get the least role unless given one (team.invite, services.create_merchant).
        migrations.AlterField(
            model_name="merchantmembership",
            name="role",
            field=models.CharField(choices=ROLES, default="catalog", max_length=12, verbose_name="role"),
        ),
        migrations.AddConstraint(
            model_name="merchantmembership",
            constraint=models.CheckConstraint(condition=KNOWN, name="merchant_role_known"),
        ),
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AddField(
                    model_name="merchant",
                    name="users",
                    field=models.ManyToManyField(
                        blank=True,
                        related_name="merchants",
                        through="catalog.MerchantMembership",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
            database_operations=[],
        ),
        migrations.CreateModel(
            name='FeedConfirmation',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('mirrored_before', models.DateTimeField()),
                ('updated_at', models.DateTimeField(default=django.utils.timezone.now)),
                ('partnership', models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, related_name='feed_confirmation', to='crossborder.partnership')),
            ],
            options={
                'verbose_name': 'feed confirmation',
                'verbose_name_plural': 'feed confirmations',
            },
        ),
        migrations.CreateModel(
            name='MerchantInvitation',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('email', models.EmailField(max_length=254, verbose_name='e-mail')),
                ('role', models.CharField(choices=[("owner", "owner"), ("catalog", "catalog"), ("fulfilment", "fulfilment"), ("finance", "finance")], max_length=12, verbose_name='role')),
                ('token_hash', models.CharField(editable=False, max_length=64, unique=True)),
                ('invited_by', models.CharField(blank=True, max_length=150, verbose_name='invited by')),
                ('created_at', models.DateTimeField(default=django.utils.timezone.now)),
                ('expires_at', models.DateTimeField(verbose_name='expires')),
                ('accepted_at', models.DateTimeField(blank=True, null=True, verbose_name='accepted')),
                ('accepted_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('merchant', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='invitations', to='catalog.merchant')),
            ],
            options={
                'verbose_name': 'merchant invitation',
                'verbose_name_plural': 'merchant invitations',
                'ordering': ['-created_at'],
                'constraints': [models.CheckConstraint(condition=models.Q(('role__in', ['owner', 'catalog', 'fulfilment', 'finance'])), name='invitation_role_known')],
            },
        ),
    ]
