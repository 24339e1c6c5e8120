"""Criteria as data: read framework and crosswalk files, check them whole, then import them.

Three formats are read (docs/frameworks.md describes them for the people who write them):

* a framework file in YAML or JSON: ``framework`` (code, title, kind…) and ``groups`` of ``criteria``;
* a crosswalk file in YAML or JSON: ``crosswalk`` (from, to) and ``links`` between criteria codes;
* Moodle's competency framework CSV export (tool_lpimportcsv).

Every file is read and checked in full before anything is written, so one run reports every
problem at once, each with where it is (YAML line, JSON path, CSV row), and a failed run writes
nothing. Importing is idempotent: records are matched by code and only changed when the file says
something different. Nothing is ever deleted: evidence may already be mapped to a criterion that a
newer file leaves out, so such criteria are kept and reported as warnings.
"""

from core.frameworks.importer import (
    MAX_FILE_BYTES,
    check_frameworks,
    import_framework_files,
    import_frameworks,
    parse_source,
)
from core.frameworks.moodle import GROUP_PATH_SEPARATOR, MOODLE_HEADER, html_to_text
from core.frameworks.specs import (
    CriterionSpec,
    CrosswalkSpec,
    FrameworkFileError,
    FrameworkSpec,
    GroupSpec,
    ImportResult,
    LinkSpec,
    Problem,
    SourceFile,
    Spec,
)

__all__ = [
    "GROUP_PATH_SEPARATOR",
    "MAX_FILE_BYTES",
    "MOODLE_HEADER",
    "CriterionSpec",
    "CrosswalkSpec",
    "FrameworkFileError",
    "FrameworkSpec",
    "GroupSpec",
    "ImportResult",
    "LinkSpec",
    "Problem",
    "SourceFile",
    "Spec",
    "check_frameworks",
    "html_to_text",
    "import_framework_files",
    "import_frameworks",
    "parse_source",
]
