"""The ledger's business operations: posting, partner charges, settlement, payout files."""
