"""SQL over the company-dependent columns of ``res_partner`` (``crm_*``).

Odoo 19 stores a company-dependent field as one jsonb object per row keyed by
company id (``{"1": "a", "3": "c"}``); a company without a key has no value.
The classification, the credit rating and the reports of crm_analytics read
and write these columns in bulk with SQL: this module is the one place that
knows the layout, so a query asks for "the grade of partner ``p`` in company
``c``" and never spells ``->> company_id::text`` itself.

``company`` is a company id (an ``int`` or its ``str`` key, passed as a query
parameter) or an ``SQL`` expression giving the id row by row (``SQL("c.id")``).
"""

from odoo.tools import SQL


def _key(company):
    """The jsonb key of ``company`` as an SQL value."""
    if isinstance(company, SQL):
        return SQL("(%s)::text", company)
    return SQL("%s", str(company))


def company_value(alias, column, company, cast=None, default=None):
    """SQL expression of ``alias.column`` in ``company``: the text stored under
    the company's key, cast to ``cast`` (``"int"``, ``"date"``, ``"numeric"``,
    ...) and replaced by ``default`` (a Python value) when there is none."""
    value = SQL("%s.%s ->> %s", SQL.identifier(alias), SQL.identifier(column), _key(company))
    if cast:
        value = SQL("(%s)::%s", value, SQL(cast))
    if default is not None:
        value = SQL("COALESCE(%s, %s)", value, default)
    return value


def company_value_stored(column, company, value, alias=None):
    """SQL expression of the jsonb ``column`` with ``value`` (an SQL
    expression) stored under the company's key, or the key removed when
    ``value`` is NULL: the ORM stores no key for an empty company-dependent
    value. ``alias``: the alias of the ``res_partner`` row read, if any."""
    old = SQL.identifier(alias, column) if alias else SQL.identifier(column)
    return SQL(
        """CASE WHEN %(value)s IS NULL
                THEN COALESCE(%(old)s, '{}'::jsonb) - %(key)s
                ELSE COALESCE(%(old)s, '{}'::jsonb) || jsonb_build_object(%(key)s, %(value)s)
           END""",
        old=old, value=value, key=_key(company),
    )


def company_value_set(column, company, value, alias=None):
    """``SET`` clause of an UPDATE of ``res_partner`` that stores ``value`` for
    the company in ``column`` (see ``company_value_stored``)."""
    return SQL("%s = %s", SQL.identifier(column),
               company_value_stored(column, company, value, alias=alias))


def company_value_differs(alias, column, company, value):
    """SQL condition: ``value`` differs from what ``alias.column`` stores for
    the company (compared as jsonb, so ``1`` and ``1.0`` are equal, and a
    missing key equals NULL)."""
    return SQL("%s.%s -> %s IS DISTINCT FROM to_jsonb(%s)",
               SQL.identifier(alias), SQL.identifier(column), _key(company), value)


def company_value_exists(alias, column, company):
    """SQL condition: ``alias.column`` has a value for the company."""
    return SQL("%s.%s ? %s", SQL.identifier(alias), SQL.identifier(column), _key(company))
