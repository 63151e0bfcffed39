"""The double-entry ledger, charges between partners, nightly settlement and its payout files."""
