"""Stars, the expert pool and the results sheet at every boundary (R8 星级, R12)."""

import datetime as dt
import io
import zipfile
from typing import Any

import pytest
from openpyxl import Workbook

from agencyflow.api.capability_sheet import COLUMNS, read_rows
from agencyflow.domain.capability import (
    ExamLevel,
    PastResult,
    in_expert_pool,
    stars,
    years_between,
)
from agencyflow.domain.errors import RuleViolations
from tests.factories import professional, uscc

DAY = dt.date(2026, 6, 1)


def _result(score: float, passed: bool = True, on: dt.date = DAY) -> PastResult:
    return PastResult(held_on=on, level=ExamLevel.INTERMEDIATE, score=score, passed=passed)


@pytest.mark.parametrize(
    ("score", "years", "attributed", "expected"),
    [
        (90, 10, 0, 5),  # 1 + 2 + 2
        (89.5, 10, 0, 4),
        (80, 9, 0, 3),  # 1 + 1 + 1
        (79.9, 5, 0, 2),
        (79.9, 4, 0, 1),
        (90, 10, 1, 4),
        (90, 10, 9, 1),  # never below one star
    ],
)
def test_stars_add_up_the_test_the_years_and_the_events(
    score: float, years: int, attributed: int, expected: int
) -> None:
    rated = stars([_result(score)], years, attributed, vetoed=False)
    assert rated.stars == expected
    assert len(rated.reasons) == 3 + (1 if attributed else 0)


def test_untested_people_rate_by_their_years_alone() -> None:
    assert stars([], 10, 0, vetoed=False).stars == 3
    assert "未参加能力测试：+0" in stars([], 0, 0, vetoed=False).reasons


def test_a_failed_latest_test_or_a_veto_leaves_one_star() -> None:
    failed_last = [_result(95, on=DAY), _result(40, passed=False, on=DAY + dt.timedelta(days=1))]
    assert stars(failed_last, 20, 0, vetoed=False).stars == 1
    passed_last = list(
        reversed([_result(40, False, DAY), _result(95, True, DAY.replace(year=2027))])
    )
    assert stars(passed_last, 20, 0, vetoed=False).stars == 5
    assert stars([_result(95)], 20, 0, vetoed=True).stars == 1


def test_the_expert_pool_follows_the_latest_result() -> None:
    assert in_expert_pool([])
    assert not in_expert_pool([_result(50, False)])
    assert in_expert_pool([_result(50, False), _result(70, True, DAY + dt.timedelta(days=30))])


@pytest.mark.parametrize(
    ("since", "expected"),
    [(None, 0), (DAY.replace(year=2016), 10), (dt.date(2016, 6, 2), 9), (DAY + dt.timedelta(1), 0)],
)
def test_years_of_service_are_whole_years(since: dt.date | None, expected: int) -> None:
    assert years_between(since, DAY) == expected


def _sheet(*rows: tuple[Any, ...], header: tuple[str, ...] = tuple(COLUMNS)) -> bytes:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


NO_SUCH_STRING = (
    b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
    b'<sheetData><row r="1"><c r="A1" t="s"><v>99</v></c></row></sheetData></worksheet>'
)
"""A cell naming shared string 99 of a workbook that has none."""


def _with_part(name: str, data: bytes) -> bytes:
    """A workbook of one good row with the part ``name`` replaced (or added): broken."""
    good = zipfile.ZipFile(io.BytesIO(_sheet(_row(1))))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as broken:
        for member in good.infolist():
            if member.filename != name:
                broken.writestr(member, good.read(member.filename))
        broken.writestr(name, data)
    return out.getvalue()


def _row(n: int = 1, **changes: Any) -> tuple[Any, ...]:
    person = professional(n)
    values = {
        "agency_uscc": uscc(1),
        "id_number": person["id_number"],
        "name": person["name"],
        "score": 85,
        "passed": "合格",
    } | changes
    return tuple(values.values())


def test_a_sheet_in_the_documented_layout_reads_row_by_row() -> None:
    rows = read_rows(_sheet(_row(1), (), _row(2, score=59.5, passed="不合格")))
    assert [(n, r.score, r.passed) for n, r in rows] == [(2, 85, True), (4, 59.5, False)]


def test_every_bad_row_is_named_by_its_number_and_nothing_is_read() -> None:
    with pytest.raises(RuleViolations) as refused:
        read_rows(_sheet(_row(1), _row(2, score=120), _row(3, passed="也许", id_number="123")))
    fields = [v.field for v in refused.value.violations]
    assert fields == ["rows.3.score", "rows.4.id_number", "rows.4.passed"]
    assert "row 3, 成绩" in refused.value.violations[0].message


@pytest.mark.parametrize(
    ("content", "says"),
    [
        (b"not a workbook", "not an Excel workbook"),
        (_with_part("xl/worksheets/sheet1.xml", b"<not xml"), "not an Excel workbook"),
        (_with_part("xl/workbook.xml", b"<not xml"), "not an Excel workbook"),
        (_with_part("xl/worksheets/sheet1.xml", NO_SUCH_STRING), "not an Excel workbook"),
        (_with_part("xl/padding.bin", b"\0" * (21 * 2**20)), "unpacks to more than"),
        (_sheet(_row(1), header=("USCC", "ID", "name", "score", "passed")), "headings"),
        (_sheet(), "lists nobody"),
        (_sheet(*[_row(1)] * 501), "at most 500"),
    ],
)
def test_a_sheet_that_is_not_one_is_refused_whole(content: bytes, says: str) -> None:
    with pytest.raises(RuleViolations) as refused:
        read_rows(content)
    assert says in refused.value.violations[0].message
