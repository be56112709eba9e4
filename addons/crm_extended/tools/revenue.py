"""The revenue rule, stated once for every SQL aggregate of both modules.

A customer's revenue is the untaxed amount of its confirmed sales orders
(``state = 'sale'``) in the currency of the order's company, each order at the
rate stored when it was confirmed (``currency_rate``: order currency per
company currency), counted for its commercial partner; posted customer credit
notes (``out_refund``) are subtracted by those who report net revenue.

The classification (crm_extended), the score aggregate, the back-test and the
cohort report (crm_analytics) all select their orders with
``confirmed_orders()``: a change of the rule is made here.
"""

from odoo.tools import SQL


def in_company_currency(amount, rate=None):
    """SQL expression: ``amount`` (an SQL expression in the order currency)
    converted to the company currency at the order's stored rate. ``rate``
    defaults to ``so.currency_rate``; a missing or zero rate counts as 1."""
    rate = rate if rate is not None else SQL("so.currency_rate")
    return SQL("%s / COALESCE(NULLIF(%s, 0), 1)", amount, rate)


def confirmed_orders(company_id=None, date_from=None, date_to=None, where=None,
                     columns=None):
    """SELECT of the confirmed orders, one row per order, with the columns

    - ``order_id``, ``company_id``,
    - ``partner_id``: the commercial partner (the customer),
    - ``date_order`` (timestamp) and ``order_day`` (its date),
    - ``amount``: untaxed amount in company currency,

    plus ``columns`` ({name: SQL expression}, e.g. the margin in company
    currency). Filters: ``company_id`` (None: every company), ``date_from``
    (included) and ``date_to`` (excluded) on ``date_order``, and ``where``, an
    SQL condition over the aliases ``so`` (sale_order) and ``rp`` (the order's
    partner). Use it as a sub-query or a CTE; the planner folds it into the
    outer query."""
    conditions = [SQL("so.state = 'sale'")]
    if company_id is not None:
        conditions.append(SQL("so.company_id = %s", company_id))
    if date_from is not None:
        conditions.append(SQL("so.date_order >= %s", date_from))
    if date_to is not None:
        conditions.append(SQL("so.date_order < %s", date_to))
    if where is not None:
        conditions.append(where)
    extra = [SQL("%s AS %s", expression, SQL.identifier(name))
             for name, expression in (columns or {}).items()]
    return SQL(
        """SELECT so.id AS order_id,
                  so.company_id,
                  rp.commercial_partner_id AS partner_id,
                  so.date_order,
                  so.date_order::date AS order_day,
                  %(amount)s AS amount%(extra)s
             FROM sale_order so
             JOIN res_partner rp ON rp.id = so.partner_id
            WHERE %(conditions)s""",
        amount=in_company_currency(SQL("so.amount_untaxed")),
        extra=SQL("").join(SQL(", %s", column) for column in extra),
        conditions=SQL(" AND ").join(conditions),
    )


def posted_refunds(company_id=None, date_from=None, date_to=None, where=None):
    """SELECT of the posted customer credit notes, one row per credit note,
    with ``move_id``, ``company_id``, ``partner_id`` (the commercial partner),
    ``invoice_date`` and ``amount``: the untaxed amount in company currency,
    negative (what it takes off the revenue). Filters as ``confirmed_orders``
    on ``invoice_date`` (``date_to`` excluded), ``where`` over the alias
    ``am`` (account_move)."""
    conditions = [
        SQL("am.move_type = 'out_refund'"),
        SQL("am.state = 'posted'"),
        SQL("am.commercial_partner_id IS NOT NULL"),
    ]
    if company_id is not None:
        conditions.append(SQL("am.company_id = %s", company_id))
    if date_from is not None:
        conditions.append(SQL("am.invoice_date >= %s", date_from))
    if date_to is not None:
        conditions.append(SQL("am.invoice_date < %s", date_to))
    if where is not None:
        conditions.append(where)
    return SQL(
        """SELECT am.id AS move_id,
                  am.company_id,
                  am.commercial_partner_id AS partner_id,
                  am.invoice_date,
                  am.amount_untaxed_signed AS amount
             FROM account_move am
            WHERE %s""",
        SQL(" AND ").join(conditions),
    )
