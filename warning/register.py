"""Importing the export register from CSV, validated row by row.

A file with a bad row imports nothing unless ``skip_bad`` is set.
"""

from __future__ import annotations

import csv
import io
import math
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from classifiers.nomenclature import Nomenclature, load_nomenclature
from warning.exceptions import ImportFileError
from warning.members import ALL_MARKETS, members, normalise_code
from warning.signup.credit_code import normalise as credit_code_normalise
from warning.signup.credit_code import problem as credit_code_problem
from warning.types import Exporter, ExposureRow, Language

EXPORTER_COLUMNS = ("name", "email", "language", "hs_codes", "markets")
_EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


@dataclass(frozen=True)
class RowProblem:
    line: int
    column: str
    why: str

    def __str__(self) -> str:
        return f"line {self.line}, column {self.column}: {self.why}"


#: What a credit code's problem means, for the import's messages.
CODE_PROBLEMS = {
    "code_length": "a unified social credit code has 18 characters",
    "code_characters": "a unified social credit code never uses I, O, S, V or Z",
    "code_division": "characters 3-8 of a unified social credit code are the division's 6 digits",
    "code_check": "wrong check character (GB 32100-2015)",
}


def _split(value: str) -> list[str]:
    return [part.strip() for part in value.split(";") if part.strip()]


def _check_hs(code: str, nomenclature: Nomenclature) -> str | None:
    if not code.isdigit() or len(code) not in (2, 4, 6):
        return f"HS code {code!r} must be 2, 4 or 6 digits"
    if code not in nomenclature:
        return f"HS code {code!r} does not exist in HS 2022"
    return None


def _check_market(code: str) -> str | None:
    if code == ALL_MARKETS or normalise_code(code) in members():
        return None
    return f"unknown market {code!r} (use WTO member codes such as USA, EU, KEN, or *)"


def _exporter_row(row: dict[str, str], line: int, nomenclature: Nomenclature) -> Exporter | list[RowProblem]:
    problems: list[RowProblem] = []
    name = (row.get("name") or "").strip()
    if not name:
        problems.append(RowProblem(line, "name", "empty"))
    emails = _split(row.get("email") or "")
    if not emails:
        problems.append(RowProblem(line, "email", "empty"))
    for email in emails:
        if not _EMAIL_RE.match(email):
            problems.append(RowProblem(line, "email", f"not an email address: {email!r}"))
    language = (row.get("language") or "").strip()
    if language not in ("zh", "en"):
        problems.append(RowProblem(line, "language", f"must be zh or en, got {language!r}"))
    hs_codes = _split(row.get("hs_codes") or "")
    if not hs_codes:
        problems.append(RowProblem(line, "hs_codes", "empty"))
    for code in hs_codes:
        why = _check_hs(code, nomenclature)
        if why:
            problems.append(RowProblem(line, "hs_codes", why))
    markets = _split(row.get("markets") or "")
    if not markets:
        problems.append(RowProblem(line, "markets", "empty (use * for all markets)"))
    for market in markets:
        why = _check_market(market)
        if why:
            problems.append(RowProblem(line, "markets", why))
    product_names = _product_names(row.get("product_names") or "", hs_codes, line, problems)
    credit_code = credit_code_normalise(row.get("credit_code") or "") or None
    if credit_code is not None:
        why = credit_code_problem(credit_code)
        if why:
            problems.append(RowProblem(line, "credit_code", f"{CODE_PROBLEMS[why]}: {credit_code!r}"))
    if problems:
        return problems
    lang: Language = "zh" if language == "zh" else "en"
    return Exporter(
        name=name,
        emails=tuple(dict.fromkeys(emails)),
        language=lang,
        hs_codes=tuple(dict.fromkeys(hs_codes)),
        markets=tuple(dict.fromkeys(m if m == ALL_MARKETS else normalise_code(m) for m in markets)),
        product_names=product_names,
        credit_code=credit_code,
    )


def _product_names(
    value: str, hs_codes: list[str], line: int, problems: list[RowProblem]
) -> tuple[tuple[str, str], ...]:
    """Parse the optional ``product_names`` column: ``3304=护肤霜;3305=洗发水``."""
    names: dict[str, str] = {}
    for part in _split(value):
        code, sep, name = (p.strip() for p in part.partition("="))
        if not sep or not name:
            problems.append(RowProblem(line, "product_names", f"expected CODE=name, got {part!r}"))
        elif not any(code.startswith(c) for c in hs_codes):
            problems.append(
                RowProblem(line, "product_names", f"HS code {code!r} is not among the row's hs_codes")
            )
        elif code in names:
            problems.append(RowProblem(line, "product_names", f"HS code {code!r} named twice"))
        else:
            names[code] = name
    return tuple(names.items())


def _csv_problem(reader: csv.DictReader[str], exc: csv.Error) -> str:
    """One line naming where the CSV syntax broke (not a traceback)."""
    line = reader.line_num + 1
    if "field larger than field limit" in str(exc):
        return (
            f"line {line}: a field is longer than {csv.field_size_limit():,} characters "
            "(is a quote left open?)"
        )
    return f"line {line}: not CSV: {exc}"


def _open_csv(text: str, columns: Sequence[str]) -> csv.DictReader[str]:
    """A reader of ``text`` whose heading row has ``columns``.

    Raises:
        ImportFileError: a column is missing, or the heading row is not CSV.
    """
    reader = csv.DictReader(io.StringIO(text))
    try:
        fieldnames = reader.fieldnames or []
    except csv.Error as exc:
        raise ImportFileError(_csv_problem(reader, exc)) from None
    missing = [c for c in columns if c not in fieldnames]
    if missing:
        raise ImportFileError(f"line 1: missing column(s): {', '.join(missing)}")
    return reader


def _dict_rows(reader: csv.DictReader[str]) -> Iterator[dict[str, str]]:
    """The reader's rows.

    Raises:
        ImportFileError: naming the line where the CSV syntax broke (a field
            over the csv module's size limit, a NUL byte).
    """
    try:
        yield from reader
    except csv.Error as exc:
        raise ImportFileError(_csv_problem(reader, exc)) from None


def read_exporters(text: str, *, skip_bad: bool = False) -> tuple[list[Exporter], list[RowProblem]]:
    """Validate an exporters CSV (``name,email,language,hs_codes,markets``,
    optional ``product_names`` and ``credit_code``).

    Returns the exporters and the problems of skipped rows.

    Raises:
        ImportFileError: listing every bad row, when any row is bad and
            ``skip_bad`` is false (then nothing is to be imported).
    """
    reader = _open_csv(text, EXPORTER_COLUMNS)
    nomenclature = load_nomenclature()
    exporters: list[Exporter] = []
    problems: list[RowProblem] = []
    seen: dict[str, int] = {}
    for row in _dict_rows(reader):
        line = reader.line_num
        result = _exporter_row(row, line, nomenclature)
        if isinstance(result, list):
            problems.extend(result)
            continue
        if result.name in seen:
            problems.append(RowProblem(line, "name", f"duplicate of line {seen[result.name]}"))
            continue
        seen[result.name] = line
        exporters.append(result)
    if problems and not skip_bad:
        raise ImportFileError("nothing imported:\n" + "\n".join(map(str, problems)))
    return exporters, problems


EXPOSURE_COLUMNS = ("hs_code", "market", "value_usd", "year")
#: Years accepted in the exposure file.
_YEARS = range(1990, 2101)


def _exposure_row(
    row: dict[str, str], line: int, nomenclature: Nomenclature, exporters: set[str]
) -> ExposureRow | list[RowProblem]:
    problems: list[RowProblem] = []
    exporter = (row.get("exporter") or "").strip() or None
    if exporter is not None and exporter not in exporters:
        problems.append(RowProblem(line, "exporter", f"no exporter named {exporter!r} in the register"))
    code = (row.get("hs_code") or "").strip()
    why = _check_hs(code, nomenclature) if code else "empty"
    if why:
        problems.append(RowProblem(line, "hs_code", why))
    market = (row.get("market") or "").strip()
    if not market:
        problems.append(RowProblem(line, "market", "empty"))
    elif market == ALL_MARKETS or normalise_code(market) not in members():
        problems.append(
            RowProblem(line, "market", f"unknown market {market!r} (use a WTO member code such as KEN or EU)")
        )
    raw_value = (row.get("value_usd") or "").strip().replace(",", "").replace("_", "")
    value = 0.0
    try:
        value = float(raw_value)
    except ValueError:
        problems.append(RowProblem(line, "value_usd", f"not a number: {raw_value!r}"))
    else:
        if not math.isfinite(value):
            problems.append(RowProblem(line, "value_usd", f"not a finite number: {raw_value!r}"))
        elif value < 0:
            problems.append(RowProblem(line, "value_usd", f"negative value {raw_value}"))
    raw_year = (row.get("year") or "").strip()
    if not raw_year.isdigit() or int(raw_year) not in _YEARS:
        problems.append(RowProblem(line, "year", f"expected a year between 1990 and 2100, got {raw_year!r}"))
    if problems:
        return problems
    return ExposureRow(exporter, code, normalise_code(market), value, int(raw_year))


def read_exposure(
    text: str, exporters: set[str], *, skip_bad: bool = False
) -> tuple[list[ExposureRow], list[RowProblem]]:
    """Validate an exposure CSV (``hs_code,market,value_usd,year[,exporter]``).

    ``exporters`` are the names in the register; a row without exporter is a
    zone-wide figure. Returns the rows and the problems of skipped rows.

    Raises:
        ImportFileError: listing every bad row, when any row is bad and
            ``skip_bad`` is false (then nothing is to be imported).
    """
    reader = _open_csv(text, EXPOSURE_COLUMNS)
    nomenclature = load_nomenclature()
    rows: list[ExposureRow] = []
    problems: list[RowProblem] = []
    seen: dict[tuple[str | None, str, str, int], int] = {}
    for raw in _dict_rows(reader):
        line = reader.line_num
        result = _exposure_row(raw, line, nomenclature, exporters)
        if isinstance(result, list):
            problems.extend(result)
            continue
        key = (result.exporter, result.hs_code, result.market, result.year)
        if key in seen:
            problems.append(
                RowProblem(
                    line,
                    "hs_code",
                    f"duplicate of line {seen[key]} (same exporter, hs_code, market and year)",
                )
            )
            continue
        seen[key] = line
        rows.append(result)
    if problems and not skip_bad:
        raise ImportFileError("nothing imported:\n" + "\n".join(map(str, problems)))
    return rows, problems
