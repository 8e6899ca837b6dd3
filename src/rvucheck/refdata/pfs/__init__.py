"""rvucheck.refdata.pfs."""
