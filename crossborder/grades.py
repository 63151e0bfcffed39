"""The vocabulary of returned goods that crosses layers: a unit's grade after inspection and what
becomes of it. The core holds it because the agreement's terms (a discount and a default
disposition per grade), the warehouse's graded stock, the partner zone's graded offers and the
checkout all speak it; after-sales re-exports it (aftersales.choices). The values are what the
partner API carries."""

from decimal import Decimal

from django.db import models
from django.utils.translation import gettext_lazy as _

from . import money


class Grade(models.TextChoices):
    """The condition of a returned unit after inspection, best first."""

    NEW = "new", _("new")
    LIKE_NEW = "like_new", _("like new")
    GOOD = "good", _("good")
    ACCEPTABLE = "acceptable", _("acceptable")
    UNSELLABLE = "unsellable", _("unsellable")


class Disposition(models.TextChoices):
    """What becomes of a returned unit once graded."""

    RESTOCK = "restock", _("restock as new")
    RESELL = "resell", _("resell locally as a graded item")
    SEND_BACK = "send_back", _("send back to the partner in the next reverse consignment")
    REPAIR = "repair", _("repair through a service provider")
    DISPOSE = "dispose", _("dispose of")


# The grades a unit can be offered at as a graded item (new goes back as new; unsellable is not sold).
RESALE_GRADES = (Grade.LIKE_NEW, Grade.GOOD, Grade.ACCEPTABLE)


def graded_price(price, percent):
    """A price less a grade's discount (percent 0-100), rounded half up to the currency's minor
    unit: never the market's rounding up, which could eat a small discount."""
    factor = (Decimal(100) - Decimal(percent)) / Decimal(100)
    return money.money(price.amount * factor, price.currency.code)
