"""Reading the sign-up form (and the pickers' part of the subscriptions form).

The form works without JavaScript: the "find" buttons post the form back with
a query, and the page returns with the matches as checkboxes beside the
chosen values (chips). Every bad value is named in the page's language.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from typing import Any

from multidict import MultiDictProxy

from warning.members import ALL_MARKETS
from warning.signup.choices import ChoiceProblem, parse_hs, parse_markets
from warning.signup.credit_code import normalise as normalise_code
from warning.signup.credit_code import problem as code_problem
from warning.signup.pickers import Pick, market_name, product_index, search_markets
from warning.types import Application, ExposureRow, Language
from warning.web.i18n import translate

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
TEXT_FIELDS = ("company_zh", "company_en", "credit_code", "contact_name", "email", "language")
REQUIRED = ("company_zh", "credit_code", "contact_name", "email")
FIGURE_ROWS = 3
_FIELD_LABELS = {
    "company_zh": "company_zh",
    "credit_code": "credit_code",
    "contact_name": "contact_name",
    "email": "contact_email",
    "hs": "products",
    "markets": "markets_picker",
}
#: A posted form (``await request.post()``).
Form = MultiDictProxy[Any]


def _str(form: Form, name: str) -> str:
    value = form.get(name, "")
    return value.strip()[:500] if isinstance(value, str) else ""


def _all(form: Form, name: str) -> list[str]:
    return [v for v in form.getall(name, []) if isinstance(v, str)]


@dataclass
class Pickers:
    """The products and markets chosen, the queries typed and their matches."""

    hs: tuple[str, ...] = ()
    markets: tuple[str, ...] = ()
    hs_query: str = ""
    market_query: str = ""
    hs_results: list[Pick] = field(default_factory=list)
    market_results: list[Pick] = field(default_factory=list)
    problems: list[ChoiceProblem] = field(default_factory=list)

    def hs_chips(self, lang: str) -> list[Pick]:
        index = product_index()
        return [Pick(c, index.name(c, lang)) for c in self.hs]

    def market_chips(self, lang: str) -> list[Pick]:
        return [Pick(m, market_name(m, lang)) for m in self.markets]


def read_pickers(form: Form, lang: str, *, searched: bool = True, hs_field: str = "hs") -> Pickers:
    """The pickers' state from a posted form (``hs`` and ``markets`` fields, ``*_query``)."""
    hs, hs_problems = parse_hs(_all(form, hs_field))
    markets, market_problems = parse_markets(_all(form, "markets"))
    # Queries only live through a "find": after a submit or a preview the boxes are empty again.
    queries = (_str(form, f"{hs_field}_query"), _str(form, "markets_query")) if searched else ("", "")
    p = Pickers(hs, markets, *queries)
    p.problems = hs_problems + market_problems
    if searched:
        chosen_hs, chosen_markets = set(hs), set(markets)
        p.hs_results = [r for r in product_index().search(p.hs_query, lang) if r.code not in chosen_hs]
        p.market_results = [r for r in search_markets(p.market_query, lang) if r.code not in chosen_markets]
    return p


@dataclass
class ApplyForm:
    """The sign-up form as posted: its values, pickers, figures, and what is wrong."""

    values: dict[str, str]
    pickers: Pickers
    #: Raw figure rows: (hs, market, value, year).
    figure_rows: list[tuple[str, str, str, str]]
    errors: list[str] = field(default_factory=list)
    figures: list[ExposureRow] = field(default_factory=list)


def _credit_code_error(code: str, lang: str) -> str | None:
    why = code_problem(code)
    if why is None:
        return None
    return translate(lang, why, value=code, n=len(code))


def _figures(form: ApplyForm, lang: str) -> None:
    for row, (hs, market, value, year) in enumerate(form.figure_rows, start=1):
        if not any((hs, market, value, year)):
            continue
        codes, problems = parse_hs(hs)
        markets, market_problems = parse_markets(market)
        problems += market_problems
        whys = [p.text(lang) for p in problems]
        if not hs or not market:
            whys.append(
                translate(lang, "required", field=translate(lang, "figure_hs" if not hs else "figure_market"))
            )
        if markets == (ALL_MARKETS,):
            whys.append(translate(lang, "figure_market_all"))
        try:
            amount = float(value.replace(",", "").replace("_", ""))
        except ValueError:
            amount = -1.0
        if not math.isfinite(amount) or amount < 0:
            whys.append(translate(lang, "figure_value_bad"))
        if not year.isdigit() or not 1990 <= int(year) <= 2100:
            whys.append(translate(lang, "figure_year_bad"))
        if whys:
            form.errors.extend(translate(lang, "figure_bad", row=row, why=w) for w in whys)
        elif codes and markets:
            form.figures.append(ExposureRow(None, codes[0], markets[0], amount, int(year)))


def read_apply_form(post: Form, lang: str, *, submitting: bool) -> ApplyForm:
    """The posted sign-up form; with ``submitting``, every field is checked."""
    values = {name: _str(post, name) for name in TEXT_FIELDS}
    values["credit_code"] = normalise_code(values["credit_code"])
    values["email"] = values["email"].lower()
    if values["language"] not in ("zh", "en"):
        values["language"] = lang
    columns = [_all(post, f"figure_{c}") for c in ("hs", "market", "value", "year")]
    rows: list[tuple[str, str, str, str]] = []
    for i in range(FIGURE_ROWS):
        hs, market, value, year = ((col[i].strip() if i < len(col) else "")[:40] for col in columns)
        rows.append((hs, market, value, year))
    form = ApplyForm(values, read_pickers(post, lang, searched=not submitting), rows)
    form.errors.extend(p.text(lang) for p in form.pickers.problems)
    if not submitting:
        return form
    for name in REQUIRED:
        if not values[name]:
            form.errors.append(translate(lang, "required", field=translate(lang, _FIELD_LABELS[name])))
    if values["credit_code"]:
        error = _credit_code_error(values["credit_code"], lang)
        if error:
            form.errors.append(error)
    if values["email"] and (not _EMAIL.match(values["email"]) or len(values["email"]) > 320):
        form.errors.append(translate(lang, "bad_email", value=values["email"]))
    for name, chosen in (("hs", form.pickers.hs), ("markets", form.pickers.markets)):
        if not chosen:
            form.errors.append(translate(lang, "required", field=translate(lang, _FIELD_LABELS[name])))
    _figures(form, lang)
    return form


def application_of(form: ApplyForm) -> Application:
    """The application a valid form describes (call only when ``form.errors`` is empty)."""
    v = form.values
    language: Language = "zh" if v["language"] == "zh" else "en"
    return Application(
        company_zh=v["company_zh"],
        company_en=v["company_en"],
        credit_code=v["credit_code"],
        contact_name=v["contact_name"],
        email=v["email"],
        language=language,
        hs_codes=form.pickers.hs,
        markets=form.pickers.markets,
        figures=tuple(form.figures),
    )


def form_of(a: Application) -> ApplyForm:
    """A form filled in from a stored application (for the edit page)."""
    values = {
        "company_zh": a.company_zh,
        "company_en": a.company_en,
        "credit_code": a.credit_code,
        "contact_name": a.contact_name,
        "email": a.email,
        "language": a.language,
    }
    rows = [(f.hs_code, f.market, f"{f.value_usd:g}", str(f.year)) for f in a.figures][:FIGURE_ROWS]
    rows += [("", "", "", "")] * (FIGURE_ROWS - len(rows))
    return ApplyForm(values, Pickers(a.hs_codes, a.markets), rows)
