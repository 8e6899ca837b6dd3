"""rvucheck.refdata.ncci.edits."""
