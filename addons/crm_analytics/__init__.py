from . import models
from . import report
from . import wizard


def uninstall_hook(env):
    """Drop what the scoring engine created outside the ORM: its purchase
    aggregate tables and the write-date indexes on orders and credit notes."""
    env.cr.execute("""
        DROP TABLE IF EXISTS crm_customer_score_aggregate_state;
        DROP TABLE IF EXISTS crm_customer_score_aggregate;
        DROP INDEX IF EXISTS sale_order_crm_score_write_date_idx;
        DROP INDEX IF EXISTS account_move_crm_score_refund_write_date_idx;
        DROP FUNCTION IF EXISTS crm_change_log_crm_customer_score_ins() CASCADE;
        DROP FUNCTION IF EXISTS crm_change_log_crm_customer_score_upd() CASCADE;
        DROP FUNCTION IF EXISTS crm_change_log_crm_customer_score_del() CASCADE;
    """)
