"""rvucheck.report: summary figures, JSON/CSV/text, and the safe workbook toolkit (xlsx, charts)."""
