from __future__ import annotations

from evidence.sections import Section, register_section  # noqa: F401

# Sections are registered here as the audit steps are built.
