"""Strategy as code: a workspace's scorecards, OKRs and MBO sheets as one YAML file.

``export_yaml`` writes it; ``import_strategy`` checks a file completely (reporting every
error as ``FILE:LINE: path: message``) and applies it in one transaction, matching rows by
stable keys so that importing twice changes nothing and export → import → export gives
the same bytes.
"""

from kano.adapters.strategy_code.apply import ChangeSummary
from kano.adapters.strategy_code.export import build_document, export_yaml
from kano.adapters.strategy_code.importer import ImportResult, import_strategy, read_document
from kano.adapters.strategy_code.source import DocumentError, StrategyFileInvalid

__all__ = [
    "ChangeSummary",
    "DocumentError",
    "ImportResult",
    "StrategyFileInvalid",
    "build_document",
    "export_yaml",
    "import_strategy",
    "read_document",
]
