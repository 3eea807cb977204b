"""Shared by the property tests: JSON Schema -> hypothesis strategies of valid instances and
round-trip checks of generated models (``instances``), random valid OpenAPI specs
(``specs``), and generating / importing / type-checking packages (``harness``)."""
