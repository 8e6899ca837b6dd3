"""rvucheck.read."""
