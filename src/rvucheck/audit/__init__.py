"""Month-end coding audit: per-provider figures, E&M mix statistics, review sample, history across months,
and the audit workbook / HTML / JSON outputs. `rvucheck.audit.run.run_audit` is the entry point."""
