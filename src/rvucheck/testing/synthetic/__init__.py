"""rvucheck.testing.synthetic."""
