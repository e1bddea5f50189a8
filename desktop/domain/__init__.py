"""Plain records, quantities, findings and period rules. Standard library only."""
