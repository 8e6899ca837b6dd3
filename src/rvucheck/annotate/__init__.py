"""rvucheck.annotate.copy."""
