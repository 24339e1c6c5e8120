"""One way to hand a stored file to the browser: evidence, a version's copy, an export.

Whatever the file, the response is not sniffed, not kept by shared caches, and sandboxed:
a document opened inline runs no script and no plugin, reaches nothing, and cannot be
framed. PDFs get the same policy as everything else: their active content is removed on
upload (``evidence.pdfs``), and the sandbox holds if a viewer ever finds more.
"""

from __future__ import annotations

from typing import BinaryIO

from django.http import FileResponse

FILE_CSP = "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'; sandbox"


def stored_file_response(handle: BinaryIO, *, content_type: str, filename: str, inline: bool) -> FileResponse:
    response = FileResponse(
        handle,
        content_type=content_type or "application/octet-stream",
        as_attachment=not inline,
        filename=filename,
    )
    response["X-Content-Type-Options"] = "nosniff"
    # The files hold personal data: no shared cache may keep a copy.
    response["Cache-Control"] = "private, no-store"
    response["Content-Security-Policy"] = FILE_CSP
    return response
