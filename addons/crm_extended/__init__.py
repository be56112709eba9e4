from . import controllers
from . import models
from . import wizard


def uninstall_hook(env):
    """Drop the change log's triggers on the tables of other modules (they
    would fail once the log table is gone)."""
    env["crm.change.log"]._crm_change_uninstall()
