"""PDF report building with ReportLab over plain data classes (no Flask)."""
