"""The errors of the export services."""

from __future__ import annotations


class ExportError(Exception):
    """An export cannot be made as asked; the message is shown to the person."""


class ExportTimedOut(Exception):
    """The render went past the soft time limit (checked between stages, so it also holds
    where Celery cannot interrupt: in-process tasks and the command line)."""
