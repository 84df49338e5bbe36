"""Pure domain: enums with their Chinese labels, value objects, reference data and rules.

Nothing here performs I/O, reads the clock or draws random numbers, so workflows can
use it inside Temporal's sandbox and tests can call it directly.
"""
