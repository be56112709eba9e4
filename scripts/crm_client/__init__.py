"""crm_client: a command-line client for the CRM extension of Odoo 19, over RPC only.

Standard library only; nothing here imports Odoo or the add-ons.
"""

from .config import Settings, load_settings
from .connection import Connection, RetryPolicy
from .errors import ClientError

__version__ = "1.0.0"
__all__ = ["ClientError", "Connection", "RetryPolicy", "Settings", "__version__", "load_settings"]
