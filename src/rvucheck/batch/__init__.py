"""Checking at scale: the Arrow batch contract (batch.contract) that every scaled-out engine speaks, and the
local engine (`rvucheck check --engine local`) that runs patient buckets in a process pool.

Needs pyarrow (the `scale` extra: pip install 'rvucheck[scale]'); the core never imports this package.
"""
