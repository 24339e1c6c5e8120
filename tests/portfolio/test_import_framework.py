"""Criteria as data: the shipped frameworks, the file formats, idempotency and whole-file errors."""

from __future__ import annotations

import re
from io import StringIO
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command

from core.frameworks import (
    FrameworkFileError,
    SourceFile,
    html_to_text,
    import_framework_files,
    import_frameworks,
)
from core.models import Criterion, CriterionGroup, CrosswalkLink, Framework

REPO = Path(settings.BASE_DIR)
SHIPPED = REPO / "frameworks"
STANDARD = SHIPPED / "cfacsd22.yaml"
UNIT = SHIPPED / "unit-cssms.yaml"
CROSSWALK = SHIPPED / "crosswalk-cssms-cfacsd22.yaml"
DATA = Path(__file__).parent / "data"
# The source documents live beside the repository, not in it; tests that read them skip elsewhere.
SEEDS = REPO.parent / "shared" / "seeds"

pytestmark = pytest.mark.django_db


def table_counts() -> tuple[int, int, int, int]:
    return (
        Framework.objects.count(),
        CriterionGroup.objects.count(),
        Criterion.objects.count(),
        CrosswalkLink.objects.count(),
    )


def snapshot() -> dict[str, object]:
    """Everything an import could change, to compare before and after."""
    return {
        "frameworks": list(Framework.objects.order_by("code").values_list()),
        "groups": list(CriterionGroup.objects.order_by("pk").values_list()),
        "criteria": list(Criterion.objects.order_by("pk").values_list()),
        "links": list(CrosswalkLink.objects.order_by("pk").values_list()),
    }


def import_shipped() -> None:
    # Crosswalk first on purpose: frameworks must still be imported before it.
    import_framework_files(paths=[CROSSWALK, UNIT, STANDARD])


def problems_of(paths: list[Path]) -> list[str]:
    with pytest.raises(FrameworkFileError) as caught:
        import_framework_files(paths=paths)
    return caught.value.messages


# --- The shipped frameworks ---------------------------------------------------------------


def test_it_imports_the_standard_with_28_criteria_in_3_groups():
    import_shipped()

    standard = Framework.objects.get(code="CFACSD22")
    assert standard.kind == Framework.Kind.STANDARD
    assert standard.version == "1"
    assert standard.source.startswith("Skills CFA")
    assert standard.title == "Develop a customer service network through social media platforms"
    assert [(g.code, g.title, g.criteria.count()) for g in standard.groups.order_by("order")] == [
        ("A", "Identify and develop customer service processes that can be enhanced using social media", 8),
        ("B", "Manage on-going delivery of customer service using social media", 6),
        ("K", "Knowledge and understanding", 14),
    ]
    codes = list(standard.criteria.order_by("order").values_list("code", flat=True))
    assert codes == [f"P{n}" for n in range(1, 15)] + [f"K{n}" for n in range(1, 15)]
    texts = dict(standard.criteria.values_list("code", "text"))
    assert texts["P1"] == (
        "analyse customer service processes that are essential to your organisation's service offer, "
        "services or products"
    )
    assert texts["P14"] == (
        "review use of social media for delivery of customer service using data collected through "
        "monitoring to identify further improvements"
    )
    assert texts["K2"] == "your organisation's service offer, services or products"


def test_it_imports_the_unit_with_17_criteria_worded_as_the_unit():
    import_shipped()

    unit = Framework.objects.get(code="CSSMS")
    assert unit.kind == Framework.Kind.UNIT
    assert unit.title == "Develop and promote a customer service social media strategy"
    assert "no unit number" in unit.description
    assert [(g.code, g.title) for g in unit.groups.order_by("order")] == [
        ("1", "Understand the development of a customer service social media strategy."),
        ("2", "Be able to develop a customer service social media strategy."),
        ("3", "Be able to promote the benefits of social media networking to customer service."),
    ]
    assert [g.criteria.count() for g in unit.groups.order_by("order")] == [6, 6, 5]
    texts = dict(unit.criteria.values_list("code", "text"))
    assert len(texts) == 17
    # Curly apostrophe and curly quotes, as the unit prints them.
    assert (
        texts["1.1"]
        == "Explain the role of social media within the organisation\u2019s customer service strategy."
    )
    assert texts["3.4"] == "Act as a social media \u201cchampion\u201d within the organisation."
    assert texts["2.3"] == "Analyse competitor presence and activity in social media."


def seed_criteria(name: str, pattern: str) -> dict[str, str]:
    paths = list(SEEDS.glob(name))
    if not paths:
        pytest.skip("the source documents are not beside this checkout")
    text = paths[0].read_text(encoding="utf-8")
    # The unit's document puts no-break spaces where the import stores plain ones.
    return {code: " ".join(words.split()) for code, words in re.findall(pattern, text, re.MULTILINE)}


def test_every_criterion_matches_the_source_documents_character_for_character():
    import_shipped()

    standard = seed_criteria("003_*.txt", r"^- ([PK]\d+) (.*)$")
    unit = seed_criteria("004_*.txt", r"^\s*(\d\.\d) (.*?)\s*$")

    assert dict(Criterion.objects.filter(framework__code="CFACSD22").values_list("code", "text")) == standard
    assert dict(Criterion.objects.filter(framework__code="CSSMS").values_list("code", "text")) == unit
    assert len(standard) == 28
    assert len(unit) == 17


def test_the_crosswalk_links_every_unit_criterion_to_the_standard():
    import_shipped()

    links = CrosswalkLink.objects.select_related("source__framework", "target__framework")
    pairs = {(link.source.code, link.target.code) for link in links}
    assert {link.source.framework.code for link in links} == {"CSSMS"}
    assert {link.target.framework.code for link in links} == {"CFACSD22"}
    assert {source for source, _ in pairs} == set(
        Criterion.objects.filter(framework__code="CSSMS").values_list("code", flat=True)
    )
    assert all(link.rationale for link in links)
    for source, targets in {
        "2.3": {"P3"},
        "2.5": {"P8", "K8"},
        "1.6": {"P13", "P14", "K13", "K14"},
        "1.4": {"K3", "K4"},
        "3.3": {"P11", "K7"},
    }.items():
        assert {(source, target) for target in targets} <= pairs


# --- Idempotency ----------------------------------------------------------------------------


def test_importing_twice_changes_nothing():
    import_shipped()
    before = snapshot()
    counts = table_counts()

    results = import_framework_files(paths=[STANDARD, UNIT, CROSSWALK])

    assert table_counts() == counts == (2, 6, 45, 54)
    assert snapshot() == before  # texts, orders, groups and imported_at all as they were
    assert [(r.created, r.updated) for r in results] == [(0, 0), (0, 0), (0, 0)]
    assert [r.unchanged for r in results] == [1 + 3 + 28, 1 + 3 + 17, 54]
    assert not any(r.warnings for r in results)


def test_a_changed_wording_updates_the_text_and_a_dropped_criterion_is_kept(tmp_path):
    import_framework_files(paths=[DATA / "small-framework.yaml"])
    framework = Framework.objects.get(code="TESTFW")
    first_import = framework.imported_at
    kept_pk = Criterion.objects.get(code="C2").pk
    changed = tmp_path / "small-framework.yaml"
    changed.write_text(
        (DATA / "small-framework.yaml")
        .read_text(encoding="utf-8")
        .replace("first criterion", "first criterion, reworded")
        .replace('      - {code: C2, text: "second criterion"}\n', ""),
        encoding="utf-8",
    )

    (result,) = import_framework_files(paths=[changed])

    assert Criterion.objects.get(code="C1").text == "first criterion, reworded"
    assert Criterion.objects.get(code="C2").pk == kept_pk  # evidence may point at it: never deleted
    assert result.updated == 2  # C1's text, and C3's place in the running order
    assert result.created == 0
    assert any("C2" in warning and "left in place" in warning for warning in result.warnings)
    framework.refresh_from_db()
    assert framework.imported_at > first_import


def test_whitespace_in_wording_is_tidied():
    import_framework_files(paths=[DATA / "small-framework.yaml"])

    assert Criterion.objects.get(code="C3").text == "third criterion, folded over two lines"


# --- Errors: nothing is written -----------------------------------------------------------


def test_malformed_yaml_imports_nothing_and_names_the_line():
    messages = problems_of([DATA / "bad-indentation.yaml"])

    assert table_counts() == (0, 0, 0, 0)
    assert len(messages) == 1
    assert messages[0].startswith(f"{DATA / 'bad-indentation.yaml'}:12: the YAML is ill-formed")


def test_a_duplicate_code_imports_nothing_and_names_both_lines():
    messages = problems_of([DATA / "duplicate-code.yaml"])

    assert table_counts() == (0, 0, 0, 0)
    assert messages == [
        f"{DATA / 'duplicate-code.yaml'}:14: "
        "criterion code P2 is used twice in this framework (first at line 10)"
    ]


def test_a_missing_text_imports_nothing_and_names_the_line():
    messages = problems_of([DATA / "missing-text.yaml"])

    assert table_counts() == (0, 0, 0, 0)
    assert messages == [f"{DATA / 'missing-text.yaml'}:11: criterion 1.2: text is missing"]


def test_an_unknown_kind_imports_nothing():
    messages = problems_of([DATA / "unknown-kind.yaml"])

    assert table_counts() == (0, 0, 0, 0)
    assert messages == [
        f"{DATA / 'unknown-kind.yaml'}:4: framework: unknown kind 'syllabus' (expected standard, unit, other)"
    ]


def test_a_crosswalk_to_an_unknown_criterion_imports_nothing_not_even_its_frameworks():
    messages = problems_of([STANDARD, UNIT, DATA / "crosswalk-unknown-criterion.yaml"])

    assert table_counts() == (0, 0, 0, 0)
    assert messages == [
        f"{DATA / 'crosswalk-unknown-criterion.yaml'}:4: criterion P99 is not in framework CFACSD22"
    ]


def test_a_crosswalk_to_an_unknown_framework_is_refused():
    messages = problems_of([DATA / "crosswalk-unknown-criterion.yaml"])

    assert table_counts() == (0, 0, 0, 0)
    assert [message.split(": ", 1)[1] for message in messages] == [
        "framework CSSMS is not in the database, nor in any file here without problems",
        "framework CFACSD22 is not in the database, nor in any file here without problems",
    ]


def test_a_crosswalk_may_refer_to_frameworks_already_in_the_database():
    import_framework_files(paths=[STANDARD, UNIT])

    (result,) = import_framework_files(paths=[CROSSWALK])

    assert result.created == 54


def test_a_bad_file_leaves_existing_criteria_unchanged(tmp_path):
    import_shipped()
    before = snapshot()
    reworded = tmp_path / "cfacsd22.yaml"
    reworded.write_text(STANDARD.read_text(encoding="utf-8").replace("analyse customer", "ANALYSE"))

    problems_of([reworded, DATA / "missing-text.yaml"])

    assert snapshot() == before


def test_a_link_from_a_criterion_to_itself_is_refused():
    messages = problems_of([DATA / "small-framework.yaml", DATA / "crosswalk-self-link.yaml"])

    assert table_counts() == (0, 0, 0, 0)
    assert messages == [
        f"{DATA / 'crosswalk-self-link.yaml'}:4: link from C3: a criterion cannot be linked to itself"
    ]


def test_every_problem_in_every_file_is_reported_at_once():
    messages = problems_of(
        [DATA / "duplicate-code.yaml", DATA / "missing-text.yaml", DATA / "unknown-kind.yaml"]
    )

    assert len(messages) == 3


def test_unquoted_numeric_codes_and_criteria_outside_groups_are_refused():
    source = SourceFile(
        name="unit.yaml",
        data=(
            b"framework: {code: U1, title: Unit, kind: unit}\n"
            b"criteria:\n"
            b"  - {code: '0.1', text: stray}\n"
            b"groups:\n"
            b"  - code: 1\n"
            b"    title: Outcome\n"
            b"    criteria:\n"
            b"      - {code: 1.1, text: Explain.}\n"
        ),
    )

    with pytest.raises(FrameworkFileError) as caught:
        import_frameworks(sources=[source])

    assert caught.value.messages == [
        "unit.yaml:2: criteria outside a group: list each criterion in its group's criteria",
        'unit.yaml:5: group: code must be text, not a number; put it in quotes: "1"',
        'unit.yaml:8: criterion: code must be text, not a number; put it in quotes: "1.1"',
    ]
    assert table_counts() == (0, 0, 0, 0)


def test_yaml_aliases_are_refused():
    data = (
        b"framework: {code: X, title: X}\n"
        b"groups:\n"
        b"  - {code: A, title: A, criteria: &many [{code: A1, text: a}]}\n"
        b"  - {code: B, title: B, criteria: *many}\n"
    )

    with pytest.raises(FrameworkFileError) as caught:
        import_frameworks(sources=[SourceFile(name="alias.yaml", data=data)])

    assert caught.value.messages == [
        "alias.yaml:4: the YAML is ill-formed (check indentation and quotes): "
        "anchors and aliases (*name) are not allowed here"
    ]


def test_a_file_of_the_wrong_shape_is_refused():
    with pytest.raises(FrameworkFileError) as caught:
        import_frameworks(sources=[SourceFile(name="list.yaml", data=b"- code: A\n- code: B\n")])

    assert "must be a mapping with either framework and groups" in caught.value.messages[0]


# --- JSON ---------------------------------------------------------------------------------------


def test_a_json_framework_imports_like_yaml():
    (result,) = import_framework_files(paths=[DATA / "small-framework.json"])

    framework = Framework.objects.get(code="JSONFW")
    assert framework.kind == Framework.Kind.UNIT
    assert list(framework.groups.order_by("order").values_list("code", "title")) == [
        ("1", "Outcome one."),
        ("2", "Outcome two."),
    ]
    assert dict(framework.criteria.values_list("code", "text")) == {
        "1.1": "Explain the organisation\u2019s approach.",
        "1.2": "Analyse the \u201cchampion\u201d role.",
        "2.1": "Evaluate the results.",
    }
    assert result.created == 1 + 2 + 3


def test_a_json_problem_is_located_by_its_path():
    data = (
        (DATA / "small-framework.json")
        .read_bytes()
        .replace(b'"text": "Evaluate the results."', b'"text": ""')
    )

    with pytest.raises(FrameworkFileError) as caught:
        import_frameworks(sources=[SourceFile(name="fw.json", data=data)])

    assert caught.value.messages == ["fw.json:groups[1].criteria[0].text: criterion 2.1: text is empty"]


def test_ill_formed_json_names_the_line():
    with pytest.raises(FrameworkFileError) as caught:
        import_frameworks(sources=[SourceFile(name="fw.json", data=b'{"framework": {\n  "code": "X",\n}\n}')])

    assert caught.value.messages[0].startswith("fw.json:3: the JSON is ill-formed")


# --- Moodle competency framework CSV ------------------------------------------------------------


def test_a_moodle_csv_imports_as_groups_and_criteria():
    (result,) = import_framework_files(paths=[DATA / "moodle-framework.csv"])

    framework = Framework.objects.get(code="CS-SOCIAL")
    assert framework.title == "Social customer service"
    assert framework.kind == Framework.Kind.OTHER
    assert framework.description == "Northfield College framework for social customer service.\nLevel 3."
    assert list(framework.groups.order_by("order").values_list("code", "title", "kind")) == [
        ("LO1", "Plan social customer service", "outcome"),
        ("LO2", "Deliver and review", "outcome"),
        ("LO2-R", "Deliver and review \u203a Review", "competency"),
    ]
    criteria = framework.criteria.order_by("order")
    assert [(c.group.code, c.code, c.text) for c in criteria] == [
        ("LO1", "LO1-1", "Audit the organisation\u2019s current social media channels."),
        ("LO1", "LO1-2", "Profile customers & communities by platform."),
        ("LO2", "LO2-1", "Respond to complaints within agreed service levels."),
        ("LO2-R", "LO2-R-1", "Measure KPIs"),  # no description: the short name stands in
        ("LO2-R", "LO2-R-2", "Report monthly to managers"),
    ]
    assert any("cross-referenced" in warning for warning in result.warnings)


def test_a_moodle_csv_imports_once():
    import_framework_files(paths=[DATA / "moodle-framework.csv"])
    before = snapshot()

    (result,) = import_framework_files(paths=[DATA / "moodle-framework.csv"])

    assert snapshot() == before
    assert (result.created, result.updated) == (0, 0)


def test_a_moodle_csv_with_a_bad_header_imports_nothing():
    messages = problems_of([DATA / "moodle-bad-header.csv"])

    assert table_counts() == (0, 0, 0, 0)
    assert len(messages) == 1
    assert messages[0].startswith(
        f"{DATA / 'moodle-bad-header.csv'}:row 1: this is not Moodle's competency framework export "
        '(column 1 is "Parent")'
    )


def test_a_moodle_csv_with_an_unknown_parent_imports_nothing():
    messages = problems_of([DATA / "moodle-unknown-parent.csv"])

    assert table_counts() == (0, 0, 0, 0)
    assert messages == [
        f"{DATA / 'moodle-unknown-parent.csv'}:row 9: competency LO2-R-1: parent ID number LO9 is not the "
        "ID number of a competency in this file"
    ]


def test_a_moodle_csv_without_a_framework_row_imports_nothing():
    lines = (DATA / "moodle-framework.csv").read_bytes().split(b"\n")
    without_framework = b"\n".join([lines[0], *lines[3:]])  # the framework row spans lines 2 and 3

    with pytest.raises(FrameworkFileError) as caught:
        import_frameworks(sources=[SourceFile(name="export.csv", data=without_framework)])

    assert caught.value.messages == [
        "export.csv: no row has Is framework = 1, so there is no framework to import"
    ]
    assert table_counts() == (0, 0, 0, 0)


def test_a_moodle_csv_with_a_loop_of_parents_imports_nothing():
    data = (DATA / "moodle-framework.csv").read_bytes()
    looped = data.replace(b"\n,LO2,Deliver and review", b"\nLO2-R,LO2,Deliver and review")

    with pytest.raises(FrameworkFileError) as caught:
        import_frameworks(sources=[SourceFile(name="export.csv", data=looped)])

    assert caught.value.messages == [
        "export.csv:row 6: competency LO2 is in a loop of parents and never reaches the framework",
        "export.csv:row 8: competency LO2-R is in a loop of parents and never reaches the framework",
    ]


def test_an_older_moodle_header_and_a_file_without_bom_are_accepted():
    data = (DATA / "moodle-framework.csv").read_bytes().removeprefix(b"\xef\xbb\xbf")
    _exported_header, rest = data.split(b"\n", 1)
    older = b'"Parent id number","Id number",Shortname,Description,"Description format","Scale values",'
    older += (
        b'"Scale configuration","Rule type (optional)","Rule outcome (optional)","Rule config (optional)",'
    )
    older += b'"Cross referenced competency id numbers","Exported id (optional)","Is framework",Taxonomy'

    import_frameworks(sources=[SourceFile(name="older-export.csv", data=older + b"\n" + rest)])

    assert Criterion.objects.filter(framework__code="CS-SOCIAL").count() == 5


def test_html_is_reduced_to_text_without_markup_or_scripts():
    assert html_to_text('<p>A &amp; B<br>C</p><script>alert("x")</script><style>p{}</style><p>D</p>') == (
        "A & B\nC\nD"
    )


# --- The command --------------------------------------------------------------------------------


def test_the_command_prints_one_summary_line_per_file():
    out = StringIO()

    call_command("import_framework", str(CROSSWALK), str(STANDARD), str(UNIT), stdout=out)

    lines = out.getvalue().splitlines()
    assert lines == [
        f"{STANDARD}: framework CFACSD22 (3 groups, 28 criteria): 32 created, 0 updated, 0 unchanged",
        f"{UNIT}: framework CSSMS (3 groups, 17 criteria): 21 created, 0 updated, 0 unchanged",
        f"{CROSSWALK}: crosswalk CSSMS \u2192 CFACSD22 (54 links): 54 created, 0 updated, 0 unchanged",
    ]


def test_the_command_reports_every_problem_and_exits_non_zero():
    err = StringIO()
    bad = [DATA / "duplicate-code.yaml", DATA / "unknown-kind.yaml", DATA / "no-such-file.yaml"]

    with pytest.raises(CommandError, match="3 problems found; nothing was imported"):
        call_command("import_framework", *map(str, [STANDARD, *bad]), stderr=err, stdout=StringIO())

    reported = err.getvalue()
    assert f"{DATA / 'duplicate-code.yaml'}:14:" in reported
    assert f"{DATA / 'unknown-kind.yaml'}:4:" in reported
    assert f"{DATA / 'no-such-file.yaml'}: cannot be read" in reported
    assert table_counts() == (0, 0, 0, 0)
