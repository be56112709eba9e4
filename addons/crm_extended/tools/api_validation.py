"""Input validation shared by every public ``crm_api_*`` method (both modules).

JSON-2 and XML-RPC hand a method whatever the client sent: ``NaN`` and
``Infinity`` (both transports carry them), booleans where numbers belong (in
Python ``True`` is an ``int``), integers beyond PostgreSQL's ``integer``,
strings with NUL bytes (which PostgreSQL refuses), a scalar where a list is
expected and the reverse. Left to the ORM or to SQL, each of them is an HTTP
500 or, worse, a stored ``NaN`` that breaks every later search or sum. These
functions turn them into a ``ValidationError`` naming the field (and the row or
line, given as ``where``), before anything is written.

Plain functions over ``env`` (no model): crm_analytics imports them as well,
and a test calls them without a registry lookup. The limits are listed in
docs/API.md ("Validation").
"""

import math
from datetime import date

from odoo import fields
from odoo.exceptions import ValidationError

# Amounts, quantities, prices: far above any real value, far below what
# numeric and float columns hold, and what a float still represents to the cent.
MAX_AMOUNT = 1e12
# Record ids are PostgreSQL ``integer``: beyond that the query itself fails.
MAX_ID = 2**31 - 1
# OFFSET and LIMIT of a page: PostgreSQL takes a bigint, no one pages that far.
MAX_OFFSET = 2**31 - 1
# Text sizes: names, references and e-mails; descriptions and messages.
NAME_SIZE = 256
TEXT_SIZE = 65536
# Items of a list argument (ids, references, domain values).
MAX_ITEMS = 10000
# Dates: anything outside is a typo or a unit mix-up (days for years).
MIN_YEAR, MAX_YEAR = 1900, 2100
# A domain: conditions, and the nesting of ``any`` conditions.
MAX_DOMAIN_TERMS = 100
MAX_DOMAIN_DEPTH = 5
DOMAIN_OPERATORS = frozenset({
    "=", "!=", "<>", "<", "<=", ">", ">=", "=?", "=like", "=ilike", "like", "not like",
    "ilike", "not ilike", "in", "not in", "child_of", "parent_of", "any", "not any",
    "any!", "not any!",
})
DOMAIN_LOGIC = frozenset({"&", "|", "!"})
INTEGER_TYPES = frozenset({"integer", "many2one", "one2many", "many2many", "many2one_reference"})
NUMBER_TYPES = frozenset({"float", "monetary"})


def _raise(env, message, where=None):
    if where:
        message = env._("%(where)s: %(message)s", where=where, message=message)
    raise ValidationError(message)


def _shown(value, size=40):
    text = repr(value)
    return text if len(text) <= size else text[:size] + "..."


def is_number(value):
    """A real, finite number within MAX_AMOUNT (not a boolean)."""
    return (isinstance(value, int | float) and not isinstance(value, bool)
            and math.isfinite(value) and abs(value) <= MAX_AMOUNT)


def number(env, value, field, *, where=None, minimum=None, positive=False,
           maximum=MAX_AMOUNT, integer=False):
    """``value`` as a float (an int with ``integer``), or ValidationError.

    ``positive``: must be greater than 0 (a quantity); ``minimum``: the
    smallest value allowed (0 for a price); ``maximum``: the bound of the
    absolute value."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        _raise(env, env._("%(field)s must be a number, not %(value)s.",
                          field=field, value=_shown(value)), where)
    if not math.isfinite(value):
        _raise(env, env._("%(field)s must be a finite number, not %(value)s.",
                          field=field, value=value), where)
    if abs(value) > maximum:
        _raise(env, env._("%(field)s must be at most %(max)s in absolute value, not %(value)s.",
                          field=field, max=f"{maximum:g}", value=f"{value:g}"), where)
    if integer and value != int(value):
        _raise(env, env._("%(field)s must be a whole number, not %(value)s.",
                          field=field, value=value), where)
    if positive and value <= 0:
        _raise(env, env._("%(field)s must be greater than 0, not %(value)s.",
                          field=field, value=value), where)
    if minimum is not None and value < minimum:
        _raise(env, env._("%(field)s must be %(min)s or more, not %(value)s.",
                          field=field, min=minimum, value=value), where)
    return int(value) if integer else float(value)


def integer(env, value, field, *, where=None, minimum=0, maximum=MAX_OFFSET):
    """A whole number (not a boolean, not a float) from ``minimum`` to ``maximum``:
    offsets, limits, counts."""
    if isinstance(value, bool) or not isinstance(value, int):
        _raise(env, env._("%(field)s must be a whole number, not %(value)s.",
                          field=field, value=_shown(value)), where)
    if not minimum <= value <= maximum:
        _raise(env, env._("%(field)s must be between %(min)s and %(max)s, not %(value)s.",
                          field=field, min=minimum, max=maximum, value=_shown(value)), where)
    return value


def record_id(env, value, field, *, where=None):
    """A database id: a whole number from 1 to MAX_ID."""
    if isinstance(value, bool) or not isinstance(value, int) or not 0 < value <= MAX_ID:
        _raise(env, env._("%(field)s must be a record id (a whole number from 1 to %(max)s), "
                          "not %(value)s.", field=field, max=MAX_ID, value=_shown(value)), where)
    return value


def record_ids(records):
    """The ids a method is called on (JSON-2 ``ids``, XML-RPC's first argument)."""
    for value in records._ids:
        record_id(records.env, value, "ids")
    return records


def boolean(env, value, field, *, where=None):
    if not isinstance(value, bool):
        _raise(env, env._("%(field)s must be true or false.", field=field), where)
    return value


def text(env, value, field, *, where=None, size=NAME_SIZE, required=False):
    """Stripped text of at most ``size`` characters without NUL bytes; False when
    empty (ValidationError when ``required``)."""
    if value is None or value is False or (isinstance(value, str) and not value.strip()):
        if required:
            _raise(env, env._("%(field)s is required.", field=field), where)
        return False
    if not isinstance(value, str):
        _raise(env, env._("%(field)s must be text, not %(value)s.",
                          field=field, value=_shown(value)), where)
    check_text(env, value, field, where=where, size=size)
    return value.strip()


def check_text(env, value, field, *, where=None, size=NAME_SIZE):
    """NUL bytes and over-long strings, for text already known to be a str."""
    if "\x00" in value:
        _raise(env, env._("%(field)s must not contain NUL characters.", field=field), where)
    if len(value) > size:
        _raise(env, env._("%(field)s is longer than %(size)s characters.",
                          field=field, size=size), where)
    return value


def listing(env, value, field, *, where=None, max_items=MAX_ITEMS, allow_none=True):
    """A list (or tuple) of at most ``max_items`` items; ``[]`` for None."""
    if value is None and allow_none:
        return []
    if not isinstance(value, list | tuple):
        _raise(env, env._("%(field)s must be a list, not %(value)s.",
                          field=field, value=_shown(value)), where)
    if len(value) > max_items:
        _raise(env, env._("%(field)s may hold at most %(max)s items, not %(count)s.",
                          field=field, max=max_items, count=len(value)), where)
    return list(value)


def id_list(env, value, field, *, where=None):
    return [record_id(env, item, field, where=where)
            for item in listing(env, value, field, where=where)]


def text_list(env, value, field, *, where=None, size=NAME_SIZE):
    items = listing(env, value, field, where=where)
    for item in items:
        if not isinstance(item, str):
            _raise(env, env._("%(field)s must be a list of texts, not of %(value)s.",
                              field=field, value=_shown(item)), where)
        check_text(env, item, field, where=where, size=size)
    return items


def date_value(env, value, field, *, where=None, with_time=True, check_years=True):
    """A datetime (or date) from ``YYYY-MM-DD[ HH:MM:SS]`` between MIN_YEAR and
    MAX_YEAR (``check_years=False``: the caller checks the range after its own,
    more telling, rule, e.g. "not in the future")."""
    parsed = None
    if isinstance(value, str) and "\x00" not in value and len(value) <= 32:
        try:
            parsed = (fields.Datetime.to_datetime if with_time else fields.Date.to_date)(value)
        except (TypeError, ValueError, OverflowError):
            parsed = None
    elif isinstance(value, date):
        parsed = value
    if not isinstance(parsed, date):
        _raise(env, env._("%(field)s %(value)s is not a date (YYYY-MM-DD or "
                          "YYYY-MM-DD HH:MM:SS).", field=field, value=_shown(value)), where)
    if check_years:
        year_in_range(env, parsed, field, value, where=where)
    return parsed


def year_in_range(env, parsed, field, value, *, where=None):
    if not MIN_YEAR <= parsed.year <= MAX_YEAR:
        _raise(env, env._("%(field)s must be between %(min)s and %(max)s, not %(value)s.",
                          field=field, min=MIN_YEAR, max=MAX_YEAR, value=_shown(value)), where)
    return parsed


def _domain_field(model, path):
    """The field a dotted ``path`` ends on, or None (unknown: left to the ORM,
    which refuses it cleanly)."""
    field = None
    for name in path.split("."):
        if model is None:
            return None
        field = model._fields.get(name)
        if field is None:
            return None
        model = model.env[field.comodel_name] if field.relational else None
    return field


def _domain_scalar(env, model, fname, value, where):
    """One value of a condition on the path ``fname`` of ``model``."""
    field = _domain_field(model, fname)
    ftype = field.type if field else None
    if field is not None and field.name == "id":
        ftype = "integer"
    if value is None or isinstance(value, bool):
        return
    if isinstance(value, float) and not math.isfinite(value):
        _raise(env, env._("%(field)s must be a finite number, not %(value)s.",
                          field=fname, value=value), where)
    if isinstance(value, str):
        check_text(env, value, fname, where=where, size=TEXT_SIZE)
        if ftype in ("date", "datetime"):
            date_value(env, value, fname, where=where)
        elif ftype == "integer":
            _raise(env, env._("%(field)s must be compared with whole numbers, not %(value)s.",
                              field=fname, value=_shown(value)), where)
        elif ftype in NUMBER_TYPES:
            _raise(env, env._("%(field)s must be compared with numbers, not %(value)s.",
                              field=fname, value=_shown(value)), where)
        return
    if isinstance(value, int | float):
        if ftype in INTEGER_TYPES:
            if not isinstance(value, int) or abs(value) > MAX_ID:
                _raise(env, env._("%(field)s must be compared with whole numbers up to "
                                  "%(max)s, not %(value)s.",
                                  field=fname, max=MAX_ID, value=_shown(value)), where)
        elif abs(value) > MAX_AMOUNT:
            number(env, value, fname, where=where)
        if ftype in ("date", "datetime", "char", "text", "html", "selection"):
            _raise(env, env._("%(field)s cannot be compared with the number %(value)s.",
                              field=fname, value=_shown(value)), where)
        return
    _raise(env, env._("%(field)s: %(value)s is not a value a condition can compare with.",
                      field=fname, value=_shown(value)), where)


def domain(env, value, model, field="domain", depth=0):
    """An Odoo domain given by a client: a list of ``[path, operator, value]``
    conditions and ``&``, ``|``, ``!``, with values of the field's kind (ids and
    integers within 32 bits, finite numbers, dates from MIN_YEAR to MAX_YEAR,
    text without NUL). The ORM checks the field names and the rights."""
    if depth > MAX_DOMAIN_DEPTH:
        _raise(env, env._("%(field)s nests conditions deeper than %(max)s levels.",
                          field=field, max=MAX_DOMAIN_DEPTH))
    terms = listing(env, value, field, max_items=MAX_DOMAIN_TERMS)
    for index, term in enumerate(terms, start=1):
        where = env._("%(field)s condition %(index)s", field=field, index=index)
        if isinstance(term, str):
            if term not in DOMAIN_LOGIC:
                _raise(env, env._("%(value)s is not a condition: use [field, operator, value], "
                                  "&, | or !.", value=_shown(term)), where)
            continue
        if not isinstance(term, list | tuple) or len(term) != 3:
            _raise(env, env._("%(value)s is not a condition: use [field, operator, value], "
                              "&, | or !.", value=_shown(term)), where)
        path, operator, operand = term
        if not isinstance(path, str) or not path or "\x00" in path or len(path) > NAME_SIZE:
            _raise(env, env._("the field of a condition must be a field name, not %(value)s.",
                              value=_shown(path)), where)
        if not isinstance(operator, str) or operator.lower() not in DOMAIN_OPERATORS:
            _raise(env, env._("unknown operator %(value)s.", value=_shown(operator)), where)
        operator = operator.lower()
        if operator in ("any", "not any", "any!", "not any!"):
            field_ = _domain_field(model, path)
            comodel = env[field_.comodel_name] if field_ and field_.relational else None
            if comodel is None:
                _raise(env, env._("%(operator)s needs a relational field, not %(field)s.",
                                  operator=operator, field=path), where)
            domain(env, operand, comodel, field=path, depth=depth + 1)
            continue
        if operator in ("in", "not in"):
            items = listing(env, operand, path, where=where, allow_none=False)
        elif isinstance(operand, list | tuple):
            items = listing(env, operand, path, where=where)
        else:
            items = [operand]
        for item in items:
            _domain_scalar(env, model, path, item, where)
    return terms


def echo(value):
    """``value`` as an answer may quote it back (a refused row's reference):
    text without NUL bytes or an id-sized integer; False otherwise, since
    XML-RPC cannot carry a NUL byte, nor an integer beyond 32 bits."""
    if isinstance(value, str) and "\x00" not in value and len(value) <= NAME_SIZE:
        return value or False
    if isinstance(value, int) and not isinstance(value, bool) and abs(value) <= MAX_ID:
        return value or False
    return False


def user_company(env, value, field):
    """One of the user's companies (``res.users.company_ids``) by id or exact
    name; another company, even an existing one, is refused."""
    companies = env.user.company_ids
    if isinstance(value, str):
        name = text(env, value, field, required=True)
        found = companies.filtered(lambda company: company.name == name)
    else:
        record_id(env, value, field)
        found = companies.filtered(lambda company: company.id == value)
    if len(found) != 1:
        _raise(env, env._("%(field)s %(value)s is not one of your companies (%(companies)s).",
                          field=field, value=_shown(value),
                          companies=", ".join(companies.mapped("name"))))
    return found
