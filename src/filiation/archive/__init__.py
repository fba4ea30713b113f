"""Archive stage: a persistent store that each new article is checked against."""
from .archive import AddReport, Archive, CheckResult
from .store import ArchiveError

__all__ = ["Archive", "AddReport", "CheckResult", "ArchiveError"]
