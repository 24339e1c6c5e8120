"""Text ordering the database does as Python's ``str.casefold()`` sort does, so a page the
database sorts and slices lists people in the order a sort in Python gave."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.db.models import F, Func, TextField

if TYPE_CHECKING:
    from django.db.backends.base.base import BaseDatabaseWrapper
    from django.db.models.sql.compiler import SQLCompiler


class Casefold(Func):
    """``str.casefold()`` of a column, compared by code point as Python compares strings.

    SQLite's own LOWER() folds ASCII letters only, so on SQLite the connection gets Python's
    ``str.casefold`` as a function; PostgreSQL's LOWER() folds every letter, and the "C"
    collation compares by code point.
    """

    function = "LOWER"
    output_field = TextField()

    def __init__(self, expression: str) -> None:
        super().__init__(F(expression))

    def as_sqlite(
        self, compiler: SQLCompiler, connection: BaseDatabaseWrapper, **extra: Any
    ) -> tuple[str, list]:
        connection.ensure_connection()
        connection.connection.create_function("py_casefold", 1, _casefold, deterministic=True)
        return self.as_sql(compiler, connection, function="py_casefold", **extra)

    def as_postgresql(
        self, compiler: SQLCompiler, connection: BaseDatabaseWrapper, **extra: Any
    ) -> tuple[str, list]:
        return self.as_sql(
            compiler, connection, template='%(function)s(%(expressions)s) COLLATE "C"', **extra
        )


def _casefold(text: str | None) -> str | None:
    return None if text is None else text.casefold()
