"""Import feedback from CSV/XLSX exports of survey tools (``kano feedback import``).

``mapping`` says which column holds what (a YAML file or a shipped preset for Qualtrics,
SurveyMonkey, Google Forms, LimeSurvey and Formbricks), ``readers`` reads the file,
``rows`` turns rows into checked submissions, ``importing`` stores them all or nothing.
"""

from kano.adapters.importers.feedback_file.importing import (
    ImportOptions,
    ImportReport,
    import_file,
    prepare,
)
from kano.adapters.importers.feedback_file.mapping import (
    FileMapping,
    LoadedMapping,
    MappingInvalid,
    load_mapping,
    preset_names,
)
from kano.adapters.importers.feedback_file.rows import RowError

__all__ = [
    "FileMapping",
    "ImportOptions",
    "ImportReport",
    "LoadedMapping",
    "MappingInvalid",
    "RowError",
    "import_file",
    "load_mapping",
    "prepare",
    "preset_names",
]
