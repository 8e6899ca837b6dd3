"""Every field the reader knows has a label in the web page's column form."""

from __future__ import annotations

from rvucheck.web.profile import FIELD_LABELS, field_names


def test_every_reader_field_has_a_label() -> None:
    assert {"minutes", "note_status", "signed", "attachment", "hcpcs"} <= set(field_names())
    assert sorted(set(field_names()) - set(FIELD_LABELS)) == []
