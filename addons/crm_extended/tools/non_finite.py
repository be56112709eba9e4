"""Clean NaN and Infinity stored by older versions.

Before the API validated numbers (tools/api_validation), an import could store
``NaN`` or ``Infinity`` in a quantity or a price, and from there in amounts,
revenues and scores. PostgreSQL keeps them in ``numeric`` and ``float``
columns and sorts them above every number; ``SUM`` of a column holding one is
``NaN``, and a search comparing with it matches nothing sensible. The jsonb
columns of company-dependent numbers cannot hold a NaN number, but can hold the
text ``"NaN"``, which ``(value)::float`` turns back into one.

Run by the migrations of crm_extended and crm_analytics; safe to run again.
"""

import logging

from odoo.tools import SQL

_logger = logging.getLogger(__name__)

NON_FINITE = ("NaN", "Infinity", "-Infinity")
# The Odoo tables the modules write numbers into, besides their own crm_* tables.
ODOO_TABLES = ("res_partner", "sale_order", "sale_order_line")


def _columns(cr, tables, types):
    cr.execute(SQL(
        """SELECT c.table_name, c.column_name, c.is_nullable = 'YES'
             FROM information_schema.columns c
             JOIN information_schema.tables t
               ON t.table_schema = c.table_schema AND t.table_name = c.table_name
            WHERE c.table_schema = current_schema() AND t.table_type = 'BASE TABLE'
              AND c.data_type = ANY(%s)
              AND (c.table_name LIKE 'crm\\_%%' OR c.table_name = ANY(%s))
            ORDER BY c.table_name, c.column_name""",
        list(types), list(tables),
    ))
    return cr.fetchall()


def clean_non_finite(cr, tables=ODOO_TABLES):
    """Set every non-finite number of the ``crm_*`` tables and of ``tables`` to
    NULL (0 in a NOT NULL column), and drop the non-finite texts from the
    company-dependent jsonb columns of ``res_partner`` (``crm_*``).

    Returns ``{"table.column": rows cleaned}`` for the columns that had any."""
    cleaned = {}
    for table, column, nullable in _columns(
            cr, tables, ("numeric", "double precision", "real")):
        cr.execute(SQL(
            "UPDATE %(table)s SET %(column)s = %(empty)s "
            "WHERE %(column)s::text = ANY(%(bad)s)",
            table=SQL.identifier(table), column=SQL.identifier(column),
            empty=SQL("NULL") if nullable else SQL("0"), bad=list(NON_FINITE),
        ))
        if cr.rowcount:
            cleaned[f"{table}.{column}"] = cr.rowcount
    for table, column, _nullable in _columns(cr, tables, ("jsonb",)):
        if table != "res_partner" or not column.startswith("crm_"):
            continue
        # Each company's key holding a non-finite text is removed (empty value).
        cr.execute(SQL(
            """UPDATE %(table)s t
                  SET %(column)s = (SELECT COALESCE(jsonb_object_agg(e.key, e.value), '{}')
                                      FROM jsonb_each(t.%(column)s) e
                                     WHERE NOT (jsonb_typeof(e.value) = 'string'
                                                AND e.value #>> '{}' ILIKE ANY(%(bad)s)))
                WHERE jsonb_typeof(t.%(column)s) = 'object'
                  AND EXISTS (SELECT 1 FROM jsonb_each(t.%(column)s) e
                               WHERE jsonb_typeof(e.value) = 'string'
                                 AND e.value #>> '{}' ILIKE ANY(%(bad)s))""",
            table=SQL.identifier(table), column=SQL.identifier(column),
            bad=[*NON_FINITE, "inf", "-inf", "+Infinity", "+inf"],
        ))
        if cr.rowcount:
            cleaned[f"{table}.{column}"] = cr.rowcount
    for name, count in cleaned.items():
        _logger.warning("Cleaned %s non-finite value(s) in %s.", count, name)
    return cleaned
