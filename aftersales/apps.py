from django.apps import AppConfig


class AftersalesConfig(AppConfig):
    name = "aftersales"
