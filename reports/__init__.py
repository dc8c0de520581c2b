"""PDF report building with ReportLab over plain data classes (no Flask).

`REPORT_KINDS` maps each kind ("portfolio", "supplier") to its builder; the builders take
the contexts of reports.context and return PDF bytes. See docs/reports.md.
"""

from reports.registry import REPORT_KINDS, ReportKind, page_count

__all__ = ["REPORT_KINDS", "ReportKind", "page_count"]
