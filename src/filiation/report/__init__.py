"""Report stage: the views of one analysis (``Results``) and the self-contained ``report.html``."""
from .html import render_report, served_page, write_report
from .results import Results, ResultsError

__all__ = ["Results", "ResultsError", "render_report", "served_page", "write_report"]
