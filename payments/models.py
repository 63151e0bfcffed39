"""The models of the payments app, gathered where Django looks for them (app label `payments`; the
tables and migrations are the app's, whichever module defines a model). Each domain keeps its own:
payments/ledger/models.py (ledger and settlement), payments/merchants/models.py (merchant payout
terms and runs), payments/shop/models.py (carts, checkouts,
orders, customs, forwarded orders), payments/providers/models.py (payments at providers)."""

from .ledger.models import *  # noqa: F403
from .merchants.models import *  # noqa: F403
from .providers.models import *  # noqa: F403
from .shop.models import *  # noqa: F403
