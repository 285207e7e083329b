"""The schema subset of the MSPDI documents the engine writes (``mspdi.xsd`` beside this module)."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from lxml import etree

SCHEMA_FILE = Path(__file__).with_name("mspdi.xsd")


@cache
def mspdi_schema() -> etree.XMLSchema:
    """The compiled schema subset (loaded once)."""
    return etree.XMLSchema(etree.parse(str(SCHEMA_FILE)))


def validate_mspdi(data: bytes) -> list[str]:
    """What breaks the schema subset in an MSPDI document (``line N: message``; empty: valid)."""
    parser = etree.XMLParser(resolve_entities=False, no_network=True)
    try:
        doc = etree.fromstring(data, parser)
    except etree.XMLSyntaxError as exc:
        return [f"not well-formed XML: {exc}"]
    schema = mspdi_schema()
    if schema.validate(doc):
        return []
    return [f"line {e.line}: {e.message}" for e in schema.error_log]
