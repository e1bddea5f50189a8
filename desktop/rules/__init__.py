"""Validation rules: pure functions from a context to findings, listed per guideline."""
