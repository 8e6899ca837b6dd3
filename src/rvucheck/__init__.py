"""rvucheck: check charge exports against the CMS Medicare Physician Fee Schedule and coding policy."""

from __future__ import annotations

__version__ = "0.1.0"
