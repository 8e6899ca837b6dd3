"""XML parts parsed safely: no entity expansion, no network, and a part that declares a DOCTYPE (the way
to define entities, e.g. one reading a local file) refused outright rather than copied into the output."""

from __future__ import annotations

from lxml import etree  # type: ignore[import-untyped]

_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=True)


class UnsafePart(Exception):
    """A part declares a DOCTYPE."""


def parse(data: bytes) -> etree._Element:
    root = etree.fromstring(data, _PARSER)
    if root.getroottree().docinfo.doctype:
        raise UnsafePart
    return root


def refuse_doctype(head: bytes) -> None:
    """For parts streamed as bytes: the text before the root element must not declare a DOCTYPE."""
    if b"<!DOCTYPE" in head:
        raise UnsafePart
