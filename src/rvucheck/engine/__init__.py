"""rvucheck.engine.runner."""
