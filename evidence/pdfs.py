"""Taking active content out of uploaded PDFs, with pikepdf (qpdf).

A PDF can carry more than pages: JavaScript run when it opens or when a page, field or
link is touched, actions that launch programs, open other files or post form data to a
server, and whole files embedded inside it. None of that is evidence, and a reader's PDF
viewer might run it, so it is removed before the file is stored:

* the document's JavaScript name tree and embedded files (``/Names``), XFA forms;
* every action that runs script, starts a program, opens another file, submits or imports
  form data, or plays media (``/JavaScript``, ``/Launch``, ``/GoToR``, ``/GoToE``,
  ``/SubmitForm``, ``/ImportData``, ``/Rendition``, ``/Movie``, ``/Sound``, ``/RichMediaExecute``),
  wherever it hangs: ``/OpenAction``, a link's ``/A``, a chain's ``/Next``;
* additional actions (``/AA``) on the document, pages, form fields and annotations;
* links to anything but ``http``, ``https`` or ``mailto`` addresses;
* file-attachment, rich-media, screen, movie and sound annotations, and files attached to
  a file specification (``/EF``).

Ordinary links, bookmarks and "go to page" actions stay. qpdf writes only the objects the
document still refers to, so what was unhooked is not in the stored file. A PDF with
nothing to remove is stored byte for byte as uploaded. Encrypted PDFs are refused: what
they hold cannot be checked, and the portfolio's PDF export could not include them.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from typing import Any

import pikepdf
from pikepdf import Array, Dictionary, Stream

# Action types that run something, reach outside the document or post data somewhere.
ACTIVE_ACTIONS = {
    "/JavaScript": "JavaScript",
    "/Launch": "actions that start programs",
    "/GoToR": "links that open other files",
    "/GoToE": "links to embedded files",
    "/SubmitForm": "form submission to a web address",
    "/ImportData": "form data imported from a file",
    "/Rendition": "media actions",
    "/Movie": "media actions",
    "/Sound": "media actions",
    "/RichMediaExecute": "media actions",
}
ACTIVE_ANNOTATIONS = {
    "/FileAttachment": "embedded files",
    "/RichMedia": "embedded media",
    "/Screen": "embedded media",
    "/Movie": "embedded media",
    "/Sound": "embedded media",
}
SAFE_LINK_SCHEMES = ("http://", "https://", "mailto:")
# Where an action can hang (besides any value typed ``/Action``). ``/AA`` (additional
# actions) is removed whole wherever it is.
ACTION_KEYS = ("/A", "/OpenAction", "/Next")


class PdfRefused(Exception):
    """The PDF cannot be accepted; the message says why, in words for the learner."""


@dataclass(frozen=True)
class CleanPdf:
    content: bytes
    removed: tuple[str, ...]  # what was taken out, in words, in a stable order


def sanitise_pdf(content: bytes) -> CleanPdf:
    """The PDF without active content, and a list of what was removed (empty: unchanged bytes)."""
    try:
        pdf = pikepdf.open(io.BytesIO(content))
    except pikepdf.PasswordError:
        raise PdfRefused(_ENCRYPTED) from None
    except (pikepdf.PdfError, ValueError, OSError):
        raise PdfRefused(_DAMAGED) from None
    with pdf:
        if pdf.is_encrypted:
            raise PdfRefused(_ENCRYPTED)
        try:
            removed = _strip(pdf)
            if not removed:
                return CleanPdf(content=content, removed=())
            output = io.BytesIO()
            pdf.save(output)
        except (pikepdf.PdfError, ValueError, OSError, RecursionError):
            raise PdfRefused(_DAMAGED) from None
    return CleanPdf(content=output.getvalue(), removed=tuple(sorted(removed)))


_DAMAGED = "The PDF is damaged and cannot be read: save or export it again and retry."
_ENCRYPTED = (
    "The PDF is protected with a password or encryption, so it cannot be checked. "
    "Save or print it as a new PDF without protection and upload that."
)


def _strip(pdf: pikepdf.Pdf) -> set[str]:
    removed: set[str] = set()
    root = pdf.Root
    names = root.get("/Names")
    if isinstance(names, Dictionary):
        if "/JavaScript" in names:
            del names["/JavaScript"]
            removed.add("JavaScript")
        if "/EmbeddedFiles" in names:
            del names["/EmbeddedFiles"]
            removed.add("embedded files")
    acroform = root.get("/AcroForm")
    if isinstance(acroform, Dictionary) and "/XFA" in acroform:
        del acroform["/XFA"]
        removed.add("XFA form scripts")
    for page in pdf.pages:
        annotations = page.obj.get("/Annots")
        if isinstance(annotations, Array):
            kept = [a for a in annotations if not _is_active_annotation(a, removed)]
            if len(kept) != len(annotations):
                page.obj["/Annots"] = Array(kept)
    _walk(root, removed)
    return removed


def _is_active_annotation(annotation: object, removed: set[str]) -> bool:
    if not isinstance(annotation, Dictionary):
        return False
    label = ACTIVE_ANNOTATIONS.get(str(annotation.get("/Subtype", "")))
    if label:
        removed.add(label)
    return label is not None


_ARRAY = pikepdf.ObjectType.array
_DICTIONARIES = {pikepdf.ObjectType.dictionary, pikepdf.ObjectType.stream}
_CONTAINERS = {_ARRAY, *_DICTIONARIES}


def _walk(start: Dictionary, removed: set[str]) -> None:
    """Visit every dictionary reachable from the catalogue once, unhooking active content.

    Types are told by ``_type_code``: pikepdf's ``isinstance`` checks are slow, and a long
    document has tens of thousands of objects.
    """
    seen: set[tuple[int, int]] = set()
    stack: list[Any] = [start]
    while stack:
        node = stack.pop()
        code = getattr(node, "_type_code", None)
        if code not in _CONTAINERS:
            continue
        if node.is_indirect:
            if node.objgen in seen:
                continue
            seen.add(node.objgen)
        if code == _ARRAY:
            stack.extend(node)
        else:
            stack.extend(_clean_dictionary(node, removed))


def _clean_dictionary(node: Dictionary | Stream, removed: set[str]) -> list[Any]:
    """Unhook active content from one dictionary (or stream's); returns the values it keeps."""
    # A stream's dictionary is reached through keys(); iterating a stream is not the same.
    keys = set(node.keys())
    if "/AA" in keys:
        del node["/AA"]
        keys.discard("/AA")
        removed.add("additional actions (run on page, field or link events)")
    if "/EF" in keys:
        del node["/EF"]
        keys.discard("/EF")
        removed.add("embedded files")
    kept = []
    for key in keys:
        value = node[key]
        is_action_slot = key in ACTION_KEYS or (
            getattr(value, "_type_code", None) in _DICTIONARIES and str(value.get("/Type", "")) == "/Action"
        )
        if is_action_slot and _is_active_action(value, removed):
            del node[key]
            if key == "/OpenAction":
                removed.add("an action run when the document opens")
        else:
            kept.append(value)
    return kept


def _is_active_action(action: object, removed: set[str]) -> bool:
    """True for an action (or a list of chained actions) that must go."""
    if isinstance(action, Array):
        return any(_is_active_action(item, removed) for item in action)
    if not isinstance(action, Dictionary):
        return False  # a destination (page and position) is harmless
    kind = str(action.get("/S", ""))
    if kind in ACTIVE_ACTIONS:
        removed.add(ACTIVE_ACTIONS[kind])
        return True
    if kind == "/URI":
        uri = action.get("/URI")
        text = bytes(uri).decode("latin-1", "replace") if isinstance(uri, pikepdf.String) else ""
        if not text.strip().lower().startswith(SAFE_LINK_SCHEMES):
            removed.add("links to unsafe addresses")
            return True
    return False
