"""Backups of the embedded default (``agencyflow backup`` / ``agencyflow restore``).

The read model and Temporal's store are two SQLite files that must agree: every row the
read model holds was written by a workflow step whose completion Temporal keeps. Copied
one after the other while a worker runs, they would not: a step completed between the two
copies is in one and not the other, and after a restore it is either missing from the read
model for good, or its sequence number is taken again by a different step, which the read
model then ignores. So the worker is held still while both are copied (``hold``): no step
runs, so none can fall between them. The API and Temporal's timers carry on meanwhile;
what they start waits for the worker, as it would after a crash. Files are kept by their
hash and never change, so they are copied after the worker is released.
"""
