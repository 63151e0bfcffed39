"""The after-sales vocabularies that cross modules and platforms (grades, reasons, dispositions):
their values are what the partner API carries, their labels what people read."""

from django.db import models
from django.utils.translation import gettext_lazy as _

# Grades and dispositions are the core's (the agreement's terms and the warehouse speak them too).
from crossborder.grades import Disposition, Grade

__all__ = ["Disposition", "Grade", "ReturnReason"]


class ReturnReason(models.TextChoices):
    NO_REASON = "no_reason", _("changed my mind (no reason)")
    WRONG_SIZE = "wrong_size", _("wrong size or fit")
    NOT_AS_DESCRIBED = "not_as_described", _("not as described")
    DAMAGED = "damaged", _("arrived damaged")
    DEFECTIVE = "defective", _("defective or does not work")
    WRONG_ITEM = "wrong_item", _("wrong item sent")
    MISSING_PARTS = "missing_parts", _("parts or accessories missing")
