from __future__ import annotations

import pytest

from warning.exceptions import ImportFileError
from warning.register import read_exporters
from warning.runtime import Runtime
from warning.storage.exporters import load_exporters, save_exporter

HEADER = "name,email,language,hs_codes,markets\n"
GOOD = "Acme,a@example.com,en,3304;8415,USA;EU\n"


def test_good_file() -> None:
    exporters, problems = read_exporters(HEADER + GOOD + "乙公司,b@example.com;c@example.com,zh,33,*\n")
    assert problems == []
    assert exporters[0].hs_codes == ("3304", "8415") and exporters[0].markets == ("USA", "EU")
    assert exporters[1].emails == ("b@example.com", "c@example.com") and exporters[1].markets == ("*",)


@pytest.mark.parametrize(
    ("row", "message"),
    [
        (
            "Bad,a@example.com,en,33049,USA\n",
            "line 3, column hs_codes: HS code '33049' must be 2, 4 or 6 digits",
        ),
        ("Bad,a@example.com,en,3399,USA\n", "line 3, column hs_codes: HS code '3399' does not exist"),
        ("Bad,a@example.com,en,3304,ATLANTIS\n", "line 3, column markets: unknown market 'ATLANTIS'"),
        ("Bad,not-an-email,en,3304,USA\n", "line 3, column email: not an email address"),
        ("Bad,a@example.com,fr,3304,USA\n", "line 3, column language: must be zh or en"),
        ("Acme,a@example.com,en,3304,USA\n", "line 3, column name: duplicate of line 2"),
    ],
)
def test_bad_row_imports_nothing(row: str, message: str) -> None:
    with pytest.raises(ImportFileError, match="nothing imported") as info:
        read_exporters(HEADER + GOOD + row)
    assert message in str(info.value)


def test_skip_bad_keeps_good_rows() -> None:
    exporters, problems = read_exporters(HEADER + GOOD + "Bad,x,en,3304,USA\n", skip_bad=True)
    assert [e.name for e in exporters] == ["Acme"]
    assert [p.line for p in problems] == [3]


def test_missing_column() -> None:
    with pytest.raises(ImportFileError, match=r"missing column.*markets"):
        read_exporters("name,email,language,hs_codes\nA,a@example.com,en,33\n")


def test_credit_code_column_is_optional_and_checked() -> None:
    header = "name,email,language,hs_codes,markets,credit_code\n"
    text = header + "Acme,a@example.com,en,3304,USA,91350100m000100y43\n" + "乙公司,b@example.com,zh,33,*,\n"
    exporters, _ = read_exporters(text)
    assert [e.credit_code for e in exporters] == ["91350100M000100Y43", None]
    with pytest.raises(ImportFileError) as bad:
        read_exporters(header + "Acme,a@example.com,en,3304,USA,91350100M000100Y44\n")
    assert "line 2, column credit_code: wrong check character (GB 32100-2015): '91350100M000100Y44'" in str(
        bad.value
    )


async def test_credit_code_is_stored_with_the_exporter(runtime: Runtime) -> None:
    header = "name,email,language,hs_codes,markets,credit_code\n"
    exporters, _ = read_exporters(header + "Acme,a@example.com,en,3304,USA,91440300708461136T\n")
    async with runtime.db.begin() as conn:
        await save_exporter(conn, exporters[0], runtime.now())
        ((_, stored),) = await load_exporters(conn)
    assert stored.credit_code == "91440300708461136T"
