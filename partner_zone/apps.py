from django.apps import AppConfig


class PartnerZoneConfig(AppConfig):
    name = "partner_zone"
