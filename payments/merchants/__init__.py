"""Money owed to merchants: their commission and bank details, their balances in the ledger,
statements, payout runs and the reconciliation from partner settlements to merchant credits."""
