"""Every write of the funds app, one function per action: `ledger` (posting and reversing
entries, the one way money moves), `receipts` (receipts, allocation plans, transfers, budget
requests, accounts), `grants` (assistance items), `payments` (batches, rosters, bank
results), `exports` (background exports)."""
