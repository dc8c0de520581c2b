"""The report kinds: adding a kind is adding an entry (design §8, rule 6)."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from reports.context import PortfolioContext, SupplierContext
from reports.portfolio import build_portfolio
from reports.supplier import build_supplier


@dataclass(frozen=True)
class ReportKind:
    """A kind of report: its title, what it is built from and how. Calling it builds:
    `REPORT_KINDS["portfolio"](ctx)` is `build_portfolio(ctx)`."""

    key: str
    title: str
    context: type
    build: Callable[..., bytes]
    needs_supplier: bool = False

    def __call__(self, ctx, **kwargs) -> bytes:
        if not isinstance(ctx, self.context):
            raise TypeError(f"a {self.key} report is built from a {self.context.__name__}")
        return self.build(ctx, **kwargs)


REPORT_KINDS: dict[str, ReportKind] = {
    "portfolio": ReportKind(
        "portfolio", "Supplier cyber risk report", PortfolioContext, build_portfolio
    ),
    "supplier": ReportKind(
        "supplier", "Supplier risk report", SupplierContext, build_supplier, needs_supplier=True
    ),
}

_PAGE = re.compile(rb"/Type\s*/Page(?![a-zA-Z])")


def page_count(pdf: bytes) -> int:
    """How many pages a PDF ReportLab wrote has (its page objects are not compressed)."""
    return len(_PAGE.findall(pdf))
