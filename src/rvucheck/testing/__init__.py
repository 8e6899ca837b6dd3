"""rvucheck.testing."""
