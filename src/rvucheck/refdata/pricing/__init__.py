"""rvucheck.refdata.pricing."""
