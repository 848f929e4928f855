"""Read an MMRM formula as data: a small grammar, never Python.

``FEV1 ~ RACE + ARMCD*AVISIT + us(AVISIT | USUBJID)`` becomes the fixed-effects formula
``FEV1 ~ RACE + ARMCD*AVISIT`` (handed to formulaic to build X) and the covariance term (structure
``us``, visit ``AVISIT``, subject ``USUBJID``). ``us(AVISIT | ARMCD / USUBJID)`` asks for one
covariance matrix per level of ``ARMCD`` (mmrm's syntax for group-specific covariance).

formulaic evaluates the factors of a formula as Python, so a formula from a user is code
(issue 10: ``np.savetxt('pwned.txt', BASE)`` wrote a file). Every formula is therefore read
by the grammar below first; anything outside it is a `FormulaSyntaxError` naming the token, and
formulaic only ever sees the formula re-written from the parsed tokens (column names with dots
or spaces in backticks, so formulaic looks them up instead of evaluating attribute access):

    formula   := column '~' terms
    terms     := ['-'] term (('+' | '-') term)*          one term may be the covariance term
    term      := factor (('*' | ':' | '/') factor)*
    factor    := column | number | '(' terms ')' | call
    call      := C(column) | poly(column, integer) | TRANSFORM '(' arith ')'
    arith     := ['-'] product (('+' | '-') product)*    inside transforms: arithmetic only
    product   := operand (('*' | '/' | '**') operand)*
    operand   := column | number | '(' arith ')' | '-' operand | TRANSFORM '(' arith ')'
    covariance := STRUCTURE '(' column (',' column)* '|' [column '/'] column ')'
                  (the visit factor; for sp_exp the numeric time of each visit, or several
                  numeric coordinates with Euclidean distances, as mmrm)
    column    := name ([A-Za-z_.][A-Za-z0-9_.]*) | `any text without backticks`
"""

from __future__ import annotations

import keyword
import re
from dataclasses import dataclass

from mdma_at.analysis.mmrm.errors import FormulaSyntaxError, UnknownCovarianceStructure

#: Structures the engine implements (names as in R's mmrm; ``diag`` is the diagonal matrix).
COVARIANCE_STRUCTURES = (
    "us",
    "cs",
    "csh",
    "ar1",
    "ar1h",
    "toep",
    "toeph",
    "ad",
    "adh",
    "diag",
    "sp_exp",
)
#: Structures whose "visit" is a numeric time coordinate, not a factor (ADR 0037).
SPATIAL_STRUCTURES = ("sp_exp",)

#: Transforms of a numeric expression that formulaic provides (numpy's log, exp; centring,
#: scaling with the fitted rows' mean and sd; I() for arithmetic such as I(BASE**2)).
TRANSFORMS = ("log", "log2", "log10", "exp", "center", "scale", "I")
#: C(column) marks a column as a factor; poly(column, degree) gives orthogonal polynomials.
FACTOR_TRANSFORMS = ("C", "poly")

_TOKEN = re.compile(
    r"(?P<space>\s+)"
    r"|(?P<number>(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?)"
    r"|(?P<name>[A-Za-z_.][A-Za-z0-9_.]*)"
    r"|(?P<quoted>`[^`\n]+`)"
    r"|(?P<op>\*\*|[~+\-*:/|(),])"
)
_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


@dataclass(frozen=True)
class Token:
    kind: str  # number, name, quoted, op, end, bad
    text: str
    position: int


@dataclass(frozen=True)
class CovarianceTerm:
    """The ``structure(visit | [group /] subject)`` term of an MMRM formula.

    For a spatial structure (``sp_exp``) ``visit`` is the column of numeric visit times, and
    ``more_coordinates`` any further coordinate columns (distances are then Euclidean).
    """

    structure: str
    visit: str
    subject: str
    group: str | None = None
    more_coordinates: tuple[str, ...] = ()

    @property
    def spatial(self) -> bool:
        """True when the visit column is a numeric time coordinate (``sp_exp``)."""
        return self.structure in SPATIAL_STRUCTURES

    @property
    def coordinates(self) -> tuple[str, ...]:
        """The visit column and any further coordinates (``sp_exp(A, B | SUBJECT)``)."""
        return (self.visit, *self.more_coordinates)


@dataclass(frozen=True)
class MmrmFormula:
    """A parsed MMRM formula: response, fixed-effects right-hand side, covariance term."""

    response: str
    fixed_rhs: str
    covariance: CovarianceTerm
    fixed_columns: tuple[str, ...] = ()  # columns of the fixed effects, in order of appearance

    @property
    def fixed_formula(self) -> str:
        """The fixed-effects formula in formulaic's syntax (``y ~ rhs``)."""
        return f"{_render_name(self.response)} ~ {self.fixed_rhs}"


def _tokens(formula: str) -> list[Token]:
    """Tokens up to the first character outside the grammar, which becomes a ``bad`` token."""
    out: list[Token] = []
    position = 0
    while position < len(formula):
        match = _TOKEN.match(formula, position)
        if match is None:
            out.append(Token("bad", formula[position], position))
            return out
        kind = match.lastgroup or "bad"
        if kind != "space":
            out.append(Token(kind, match.group(), position))
        position = match.end()
    out.append(Token("end", "", position))
    return out


def _render_name(name: str) -> str:
    """A column as formulaic must read it: bare if a plain identifier, else in backticks."""
    if _IDENTIFIER.fullmatch(name) and not keyword.iskeyword(name):
        return name
    return f"`{name}`"


class _Parser:
    """Recursive descent over the tokens; renders the fixed part and collects columns."""

    def __init__(self, formula: str) -> None:
        self.formula = formula
        self.tokens = _tokens(formula)
        self.at = 0
        self.columns: list[str] = []
        self.covariance: list[CovarianceTerm] = []

    # -- helpers ---------------------------------------------------------------------------

    @property
    def token(self) -> Token:
        return self.tokens[self.at]

    def _next(self) -> Token:
        token = self.token
        if token.kind == "bad":
            raise self.error(token, "is not allowed in a formula")
        self.at += 1
        return token

    def error(self, token: Token, reason: str) -> FormulaSyntaxError:
        shown = repr(token.text) if token.kind != "end" else "the end"
        return FormulaSyntaxError(
            "formula", f"{shown} at position {token.position} {reason} (in {self.formula!r})"
        )

    def _is(self, *ops: str) -> bool:
        return self.token.kind == "op" and self.token.text in ops

    def _expect(self, op: str) -> None:
        if not self._is(op):
            if self.token.kind == "bad":
                self._next()
            raise self.error(self.token, f"found where {op!r} was expected")
        self._next()

    def _column(self) -> str:
        token = self.token
        if token.kind == "name" and not self._calls():
            if keyword.iskeyword(token.text):
                raise self.error(token, "is a reserved word; write such a column in backticks")
            self._next()
            name = token.text
        elif token.kind == "quoted":
            self._next()
            name = token.text[1:-1]
        else:
            if token.kind == "bad":
                self._next()
            raise self.error(token, "found where a column name was expected")
        if name not in self.columns:
            self.columns.append(name)
        return name

    def _calls(self) -> bool:
        following = self.tokens[self.at + 1]
        return following.kind == "op" and following.text == "("

    # -- grammar ---------------------------------------------------------------------------

    def whole(self) -> tuple[str, str]:
        if sum(t.kind == "op" and t.text == "~" for t in self.tokens) != 1 and not any(
            t.kind == "bad" for t in self.tokens
        ):
            raise FormulaSyntaxError("formula", f"expected exactly one '~' in {self.formula!r}")
        start = self.token
        if start.kind not in ("name", "quoted") or self.tokens[self.at + 1].text != "~":
            raise FormulaSyntaxError(
                "formula",
                f"the response must be one column name, got {self.formula.split('~')[0].strip()!r} "
                f"in {self.formula!r}",
            )
        response = self._column()
        self.columns.remove(response)
        self._expect("~")
        rhs = self.terms(top=True)
        if self.token.kind != "end":
            if self.token.kind == "bad":
                self._next()
            raise self.error(self.token, "is not allowed here")
        return response, rhs

    def terms(self, *, top: bool = False) -> str:
        parts: list[str] = []
        sign = "+"
        if self._is("-"):
            self._next()
            sign = "-"
        while True:
            rendered = self.term(top=top)
            if rendered is not None:
                parts.append(rendered if not parts and sign == "+" else f"{sign} {rendered}")
            elif sign == "-":
                raise self.error(self.tokens[self.at - 1], "cannot subtract a covariance term")
            if not self._is("+", "-"):
                break
            sign = self._next().text
        return " ".join(parts).removeprefix("+ ")

    def term(self, *, top: bool) -> str | None:
        if top and self._is_covariance():
            self.covariance.append(self._covariance_term())
            return None
        rendered = self.factor()
        while self._is("*", ":", "/"):
            op = self._next().text
            rendered += op + self.factor()
        return rendered

    def factor(self) -> str:
        token = self.token
        if token.kind == "number":
            self._next()
            return token.text
        if self._is("("):
            self._next()
            inner = self.terms()
            self._expect(")")
            return f"({inner})"
        if token.kind == "name" and self._calls():
            if self._is_covariance():
                raise self.error(token, "is a covariance term: add it at the top level")
            return self.call()
        return _render_name(self._column())

    def call(self) -> str:
        name = self._next()
        if name.text in ("C", "poly"):
            self._expect("(")
            column = _render_name(self._column())
            degree = ""
            if name.text == "poly":
                self._expect(",")
                if self.token.kind != "number" or not self.token.text.isdigit():
                    raise self.error(self.token, "found where poly's integer degree was expected")
                degree = ", " + self._next().text
            self._expect(")")
            return f"{name.text}({column}{degree})"
        if name.text not in TRANSFORMS:
            raise self.error(
                name,
                "is not an allowed transform (allowed: "
                f"{', '.join(TRANSFORMS + FACTOR_TRANSFORMS)}; formulas are data, not code)",
            )
        self._expect("(")
        inner = self.arith()
        self._expect(")")
        return f"{name.text}({inner})"

    def arith(self) -> str:
        rendered = ""
        if self._is("-"):
            self._next()
            rendered = "-"
        rendered += self.product()
        while self._is("+", "-"):
            rendered += f" {self._next().text} " + self.product()
        return rendered

    def product(self) -> str:
        rendered = self.operand()
        while self._is("*", "/", "**"):
            rendered += f" {self._next().text} " + self.operand()
        return rendered

    def operand(self) -> str:
        token = self.token
        if token.kind == "number":
            self._next()
            return token.text
        if self._is("-"):
            self._next()
            return "-" + self.operand()
        if self._is("("):
            self._next()
            inner = self.arith()
            self._expect(")")
            return f"({inner})"
        if token.kind == "name" and self._calls():
            if token.text not in TRANSFORMS:
                raise self.error(
                    token,
                    f"is not an allowed transform inside an expression (allowed: "
                    f"{', '.join(TRANSFORMS)}; formulas are data, not code)",
                )
            return self.call()
        return _render_name(self._column())

    def _is_covariance(self) -> bool:
        """A name called with a '|' before its closing parenthesis."""
        if self.token.kind != "name" or not self._calls():
            return False
        depth = 0
        for token in self.tokens[self.at + 1 :]:
            if token.kind in ("end", "bad"):
                return False
            if token.kind == "op" and token.text == "(":
                depth += 1
            elif token.kind == "op" and token.text == ")":
                depth -= 1
                if depth == 0:
                    return False
            elif token.kind == "op" and token.text == "|" and depth == 1:
                return True
        return False

    def _covariance_term(self) -> CovarianceTerm:
        name = self._next()
        structure = name.text.lower()
        if structure not in COVARIANCE_STRUCTURES:
            raise UnknownCovarianceStructure(
                "formula",
                f"unknown covariance structure {name.text!r}; "
                f"expected one of {', '.join(COVARIANCE_STRUCTURES)}",
            )
        before = list(self.columns)
        self._expect("(")
        visit = self._column()
        more: list[str] = []
        while self._is(","):
            comma = self._next()
            if structure not in SPATIAL_STRUCTURES:
                raise self.error(
                    comma,
                    f"separates coordinates, which only {', '.join(SPATIAL_STRUCTURES)} takes",
                )
            more.append(self._column())
        self._expect("|")
        first = self._column()
        group = None
        if self._is("/"):
            self._next()
            group, subject = first, self._column()
        else:
            subject = first
        self._expect(")")
        self.columns = before  # the covariance columns are not fixed effects
        return CovarianceTerm(
            structure=structure,
            visit=visit,
            subject=subject,
            group=group,
            more_coordinates=tuple(more),
        )


def parse_formula(formula: str) -> MmrmFormula:
    """Read ``response ~ fixed terms + structure(visit | [group /] subject)``.

    Raises:
        FormulaSyntaxError: anything outside the grammar (named by token and position), no
            ``~``, or not exactly one covariance term.
        UnknownCovarianceStructure: the covariance term names a structure not implemented.
    """
    parser = _Parser(formula)
    response, fixed = parser.whole()
    if len(parser.covariance) != 1:
        raise FormulaSyntaxError(
            "formula",
            f"expected exactly one covariance term such as 'us(VISIT | SUBJECT)', found "
            f"{len(parser.covariance)} in {formula!r}",
        )
    return MmrmFormula(
        response=response,
        fixed_rhs=fixed or "1",
        covariance=parser.covariance[0],
        fixed_columns=tuple(parser.columns),
    )
