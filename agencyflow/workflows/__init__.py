"""Temporal workflows: one module per long-lived thing. Deterministic code only."""
