"""History: multi-resolution rollups of readings and the choice of level a query reads.

Everything here is pure (``now`` is an argument), so the storage backends,
the API and the benchmark share one definition of buckets and levels.
"""
