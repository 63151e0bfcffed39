"""The after-sales vocabularies that cross modules and platforms (grades, reasons, dispositions):
their values are what the partner API carries, their labels what people read."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Grade(models.TextChoices):
    """The condition of a returned unit after inspection, best first."""

    NEW = "new", _("new")
    LIKE_NEW = "like_new", _("like new")
    GOOD = "good", _("good")
    ACCEPTABLE = "acceptable", _("acceptable")
    UNSELLABLE = "unsellable", _("unsellable")


class ReturnReason(models.TextChoices):
    NO_REASON = "no_reason", _("changed my mind (no reason)")
    WRONG_SIZE = "wrong_size", _("wrong size or fit")
    NOT_AS_DESCRIBED = "not_as_described", _("not as described")
    DAMAGED = "damaged", _("arrived damaged")
    DEFECTIVE = "defective", _("defective or does not work")
    WRONG_ITEM = "wrong_item", _("wrong item sent")
    MISSING_PARTS = "missing_parts", _("parts or accessories missing")


class Disposition(models.TextChoices):
    """What becomes of a returned unit once graded."""

    RESTOCK = "restock", _("restock as new")
    RESELL = "resell", _("resell locally as a graded item")
    SEND_BACK = "send_back", _("send back to the partner in the next reverse consignment")
    REPAIR = "repair", _("repair through a service provider")
    DISPOSE = "dispose", _("dispose of")
