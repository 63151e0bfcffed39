"""Cart, checkout, orders, payment providers, ledger, FX rates, settlement."""
