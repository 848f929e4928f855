"""The controlled-substance register: ledger, counts, reconciliation and its report."""
