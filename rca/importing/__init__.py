"""Sample import (docs/sample-format.md): streaming readers, validation, batched upserts by external_id.

The public entry point is `import_records`, used by the bulk API; the `import_samples` command streams files through
`import_rows`.
"""

from rca.importing.services import ImportResult, import_records

__all__ = ["ImportResult", "import_records"]
