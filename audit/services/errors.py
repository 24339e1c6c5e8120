"""The audit's domain error, raised by every write of the package."""

from __future__ import annotations


class AuditError(Exception):
    """A rule of the domain was broken; the message is shown to the user."""
