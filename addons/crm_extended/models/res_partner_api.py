"""Public API for external systems (web shop, call centre, BI, legacy CRM).

Only what the plain ORM does not give cheaply lives here: upserting customers by
an external reference in batches, and the customer 360 summary of many
customers in one call. Everything else is the standard ORM over XML-RPC or
JSON-2. See docs/API.md.
"""

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tools import SQL, email_normalize

from ..tools import api_validation as check
from ..tools.company_values import company_value

# Every key a customer row may carry (anything else is refused, so that a typo
# in a column name is an error rather than silently ignored data).
CUSTOMER_TEXT_KEYS = (
    "name", "email", "phone", "street", "street2", "city", "zip", "website", "vat",
    "country_code", "state_code",
)
CUSTOMER_KEYS = ("ref", "is_company", *CUSTOMER_TEXT_KEYS)
# Row keys written as they are onto the partner.
CUSTOMER_PLAIN_FIELDS = ("name", "phone", "street", "street2", "city", "zip", "website", "vat")
EXTERNAL_REF_SIZE = 64
MAX_BATCH = 10000
# Customers per create() call.
CUSTOMER_CHUNK = 1000
# Partners created by the API log no "Contact created" message and subscribe no
# one: thousands of chatter rows nobody reads would double the import time.
# The keys of a customer summary, in order: first the columns of the SQL
# statement, then the open invoices, then the currency.
SUMMARY_COLUMNS = (
    "id", "external_ref", "name", "value_grade", "lifecycle_stage", "tier",
    "credit_rating", "blacklisted", "blacklist_reason", "key_account", "account_manager",
    "revenue_12m", "order_count", "order_count_12m", "first_order", "last_order",
    "classified_at",
)
NO_INVOICE = {"open_invoice_count": 0, "open_invoice_amount": 0.0,
              "overdue_invoice_count": 0, "overdue_invoice_amount": 0.0}
SUMMARY_KEYS = (*SUMMARY_COLUMNS, *NO_INVOICE, "currency")
QUIET_CONTEXT = {"tracking_disable": True, "mail_create_nolog": True, "mail_create_nosubscribe": True}


class ResPartner(models.Model):
    _inherit = "res.partner"

    crm_external_ref = fields.Char(
        string="External Reference",
        copy=False,
        index="btree_not_null",
        help="The customer's key in another system (web shop, legacy CRM). Unique per "
        "company among commercial partners; external tools upsert customers by it.",
        groups="base.group_user",
    )

    _crm_external_ref_unique = models.UniqueIndex(
        "(COALESCE(company_id, 0), crm_external_ref) "
        "WHERE crm_external_ref IS NOT NULL AND parent_id IS NULL",
        "Another customer of this company already has this external reference.",
    )

    # ------------------------------------------------------------
    # Validation helpers
    # ------------------------------------------------------------

    @api.model
    def _crm_api_check_rows(self, rows, what):
        """The argument of a batch method: a non-empty list of at most MAX_BATCH rows."""
        if not isinstance(rows, list | tuple):
            raise ValidationError(self.env._("%(what)s must be a list of rows.", what=what))
        if len(rows) > MAX_BATCH:
            raise ValidationError(self.env._(
                "At most %(max)s rows per call, not %(count)s: split the import into batches.",
                max=MAX_BATCH, count=len(rows),
            ))

    @api.model
    def _crm_api_ref(self, row, key="ref"):
        """A stripped external reference from ``row[key]``, or an error message."""
        value = row.get(key)
        if value is None or value is False or (isinstance(value, str) and not value.strip()):
            return None, self.env._("%(field)s is required.", field=key)
        if isinstance(value, int) and not isinstance(value, bool):
            value = str(value)
        if not isinstance(value, str):
            return None, self.env._("%(field)s must be text.", field=key)
        if "\x00" in value:
            return None, self.env._("%(field)s must not contain NUL characters.", field=key)
        value = value.strip()
        if len(value) > EXTERNAL_REF_SIZE:
            return None, self.env._(
                "%(field)s is longer than %(size)s characters.", field=key, size=EXTERNAL_REF_SIZE
            )
        return value, None

    def _crm_api_customer_vals(self, row, countries, states, creating):
        """Partner values of one customer row, or raise ValidationError with the
        first problem found. ``countries``: code -> id; ``states``: (country id,
        code) -> id."""
        unknown = sorted(set(row) - set(CUSTOMER_KEYS))
        if unknown:
            raise ValidationError(
                self.env._("Unknown field(s): %(fields)s.", fields=", ".join(map(str, unknown)))
            )
        for key in CUSTOMER_TEXT_KEYS:
            value = row.get(key)
            if value not in (None, False) and not isinstance(value, str):
                raise ValidationError(self.env._("%(field)s must be text.", field=key))
            if value:
                check.check_text(self.env, value, key)
        if "is_company" in row and not isinstance(row["is_company"], bool):
            raise ValidationError(self.env._("is_company must be true or false."))
        vals = {}
        name = (row.get("name") or "").strip()
        if name:
            vals["name"] = name
        elif creating or "name" in row:
            raise ValidationError(self.env._("name is required."))
        for key in CUSTOMER_PLAIN_FIELDS:
            if key != "name" and key in row:
                vals[key] = (row[key] or "").strip() or False
        if "is_company" in row:
            vals["is_company"] = row["is_company"]
        elif creating:
            vals["is_company"] = True
        if "email" in row:
            email = (row["email"] or "").strip()
            if email and not email_normalize(email):
                raise ValidationError(self.env._("%(email)s is not a valid e-mail address.", email=email))
            vals["email"] = email or False
        if "country_code" in row or "state_code" in row:
            country_code = (row.get("country_code") or "").strip().upper()
            state_code = (row.get("state_code") or "").strip().upper()
            country_id = False
            if country_code:
                country_id = countries.get(country_code)
                if not country_id:
                    raise ValidationError(
                        self.env._("Unknown country code %(code)s (ISO 3166 alpha-2, e.g. CN, DE).",
                          code=country_code))
            if state_code:
                if not country_id:
                    raise ValidationError(self.env._("state_code needs a country_code."))
                state_id = states.get((country_id, state_code))
                if not state_id:
                    raise ValidationError(self.env._(
                        "Unknown state code %(state)s for country %(country)s.",
                        state=state_code, country=country_code))
                vals["state_id"] = state_id
            elif "state_code" in row or country_code:
                vals["state_id"] = False
            if "country_code" in row:
                vals["country_id"] = country_id
        return vals

    # ------------------------------------------------------------
    # Upsert
    # ------------------------------------------------------------

    @api.model
    def crm_api_upsert_customers(self, rows, dry_run=False):
        """Create or update customers (commercial partners) of the current company
        by their external reference ``ref``.

        ``rows``: list of dicts with ``ref`` (required, text, at most 64
        characters), ``name`` (required to create), ``is_company`` (default true),
        ``email``, ``phone``, ``street``, ``street2``, ``city``, ``zip``,
        ``website``, ``vat``, ``country_code`` (ISO alpha-2), ``state_code``
        (needs ``country_code``). A key present with an empty value clears the
        field; an absent key leaves it alone.

        Row-level: every row is validated first; invalid rows are reported and
        change nothing, valid rows are written. A row is written whole or not at
        all (a database error on one row rolls back that row only). With
        ``dry_run`` nothing is written and the result says what would happen.

        Returns one dict per row, in order: ``{index, ref, id, status, message}``
        with status ``created``, ``updated``, ``unchanged`` or ``error``.
        """
        self._crm_api_check_rows(rows, self.env._("Customers"))
        check.boolean(self.env, dry_run, "dry_run")
        company = self.env.company
        countries = {
            country.code.upper(): country.id
            for country in self.env["res.country"].search_fetch([], ["code"])
        }
        states = {
            (state.country_id.id, state.code.upper()): state.id
            for state in self.env["res.country.state"].search_fetch([], ["country_id", "code"])
        }
        results = []
        refs = []
        for index, row in enumerate(rows):
            result = {"index": index, "ref": False, "id": False, "status": "error", "message": ""}
            results.append(result)
            if not isinstance(row, dict):
                result["message"] = self.env._("A row must be a mapping of field names to values.")
                continue
            ref, error = self._crm_api_ref(row)
            result["ref"] = ref if ref is not None else check.echo(row.get("ref"))
            if error:
                result["message"] = error
                continue
            refs.append(ref)
        # The company's own customer, else a shared one (no company) with the
        # reference; archived ones too, so that a re-run never duplicates them.
        existing = {
            partner.crm_external_ref: partner
            for partner in self.with_context(active_test=False).search_fetch(
                [("crm_external_ref", "in", refs), ("company_id", "in", [company.id, False]),
                 ("parent_id", "=", False)],
                ["crm_external_ref", *CUSTOMER_PLAIN_FIELDS, "email", "is_company",
                 "country_id", "state_id"],
                order="company_id",
            )[::-1]  # reversed: the company's own partner (listed first) wins
        }
        seen = set()
        to_create, to_write = [], []
        for row, result in zip(rows, results, strict=True):
            if result["message"]:
                continue
            ref = result["ref"]
            if ref in seen:
                result["message"] = self.env._(
                    "The reference %(ref)s appears more than once in this batch.", ref=ref)
                continue
            seen.add(ref)
            partner = existing.get(ref)
            try:
                vals = self._crm_api_customer_vals(row, countries, states, creating=not partner)
            except ValidationError as error:
                result["message"] = error.args[0]
                continue
            if partner:
                result["id"] = partner.id
                changed = {
                    key: value for key, value in vals.items()
                    if self._crm_api_differs(partner, key, value)
                }
                if changed:
                    result["status"] = "updated"
                    to_write.append((result, partner, changed))
                else:
                    result["status"] = "unchanged"
            else:
                result["status"] = "created"
                to_create.append((result, dict(
                    vals, crm_external_ref=ref, company_id=company.id, customer_rank=1)))
        if not dry_run:
            self._crm_api_write_customers(to_create, to_write)
        return results

    @api.model
    def _crm_api_differs(self, partner, key, value):
        current = partner[key]
        if isinstance(current, models.BaseModel):
            return current.id != (value or False)
        return (current or False) != (value or False)

    @api.model
    def _crm_api_write_customers(self, to_create, to_write):
        """Create and update in bulk inside a savepoint; if the bulk write fails
        (e.g. a constraint, or another import creating the same reference at the
        same time), redo row by row, each in its own savepoint, so that only the
        failing rows are refused and none is half-written."""
        Partner = self.with_context(**QUIET_CONTEXT)
        if to_create:
            try:
                with self.env.cr.savepoint():
                    partners = Partner._crm_api_create_customers(
                        [vals for _result, vals in to_create])
                for (result, _vals), partner in zip(to_create, partners, strict=True):
                    result["id"] = partner.id
            except AccessError:
                raise
            except Exception:  # redone row by row to find the culprits
                self.env.invalidate_all()
                self._crm_api_row_by_row(to_create, Partner.create)
        # Rows with the same changes are written together.
        groups = {}
        for result, partner, vals in to_write:
            groups.setdefault(tuple(sorted(vals.items())), []).append((result, partner))
        for key, members in groups.items():
            vals = dict(key)
            try:
                with self.env.cr.savepoint():
                    Partner.browse([partner.id for _result, partner in members]).write(vals)
                    self.env.flush_all()
            except AccessError:
                raise
            except Exception:  # redone row by row to find the culprits
                self.env.invalidate_all()
                self._crm_api_row_by_row(
                    [(result, partner.id) for result, partner in members],
                    lambda partner_id, vals=vals: Partner.browse(partner_id).write(vals),
                )

    @api.model
    def _crm_api_create_customers(self, vals_list):
        """``create()`` of the new customers, CUSTOMER_CHUNK at a time, so that
        every module's create logic runs. Returns them in the order of
        ``vals_list``."""
        ids = []
        for start in range(0, len(vals_list), CUSTOMER_CHUNK):
            ids += self.create(vals_list[start:start + CUSTOMER_CHUNK]).ids
            self.env.flush_all()
        return self.browse(ids)

    @api.model
    def _crm_api_row_by_row(self, items, write):
        """Run ``write(payload)`` for each ``(result, payload)`` in its own
        savepoint; a failure marks that row as an error and undoes it whole."""
        for result, payload in items:
            try:
                with self.env.cr.savepoint():
                    record = write(payload)
                    self.env.flush_all()
                if isinstance(record, models.BaseModel):
                    result["id"] = record.id
            except AccessError:
                raise
            except (UserError, ValidationError) as error:
                result.update(status="error", message=error.args[0])
                self.env.invalidate_all()
            except Exception as error:  # a database constraint
                message = str(error).strip().splitlines()[0]
                if "crm_external_ref" in str(error):
                    message = self.env._(
                        "Another customer of this company already has this external reference.")
                result.update(status="error", message=message)
                self.env.invalidate_all()
            if result["status"] == "error" and payload and isinstance(payload, dict):
                result["id"] = False

    # ------------------------------------------------------------
    # 360 summary
    # ------------------------------------------------------------

    @api.model
    def _crm_api_summary_arguments(self, partner_ids, external_refs, keys):
        """Checked arguments of crm_api_customer_summary: (ids, refs, wanted keys)."""
        ids = check.listing(self.env, partner_ids or None, "partner_ids")
        refs = check.listing(self.env, external_refs or None, "external_refs")
        if not ids and not refs:
            raise ValidationError(self.env._("Give customer ids or external references."))
        if len(ids) + len(refs) > MAX_BATCH:
            raise ValidationError(self.env._("At most %(max)s customers per call.", max=MAX_BATCH))
        if not all(isinstance(i, int) and not isinstance(i, bool) for i in ids):
            raise ValidationError(self.env._("partner_ids must be a list of integers."))
        check.id_list(self.env, ids, "partner_ids")
        if not all(isinstance(r, str) for r in refs):
            raise ValidationError(self.env._("external_refs must be a list of texts."))
        check.text_list(self.env, refs, "external_refs")
        if keys is not None:
            if (not isinstance(keys, list | tuple)
                    or not all(isinstance(key, str) for key in keys)
                    or not set(keys) <= set(SUMMARY_KEYS)):
                raise ValidationError(self.env._(
                    "keys must be a list of summary keys: %(keys)s.",
                    keys=", ".join(SUMMARY_KEYS)))
            wanted = {"id", *keys}
        else:
            wanted = set(SUMMARY_KEYS)
        return ids, refs, wanted

    @api.model
    def _crm_api_summary_find(self, ids, refs, company):
        """The commercial partners of ``ids`` and ``refs`` the user may read:
        (commercial ids, the ids found, the references found)."""
        Partner = self.with_context(active_test=False)
        # Record rules apply through _search.
        commercial_ids, visible, by_ref = set(), set(), set()
        if ids:
            query = Partner._search([("id", "in", ids)])
            for partner_id, commercial_id in self.env.execute_query(query.select(
                SQL.identifier("res_partner", "id"),
                SQL.identifier("res_partner", "commercial_partner_id"),
            )):
                visible.add(partner_id)
                commercial_ids.add(commercial_id)
        if refs:
            query = Partner._search([
                ("crm_external_ref", "in", refs), ("parent_id", "=", False),
                ("company_id", "in", [company.id, False]),
            ])
            for partner_id, ref in self.env.execute_query(query.select(
                SQL.identifier("res_partner", "id"),
                SQL.identifier("res_partner", "crm_external_ref"),
            )):
                by_ref.add(ref)
                commercial_ids.add(partner_id)
        return commercial_ids, visible, by_ref

    @api.model
    def crm_api_customer_summary(self, partner_ids=None, external_refs=None, keys=None):
        """The 360 summary of many customers in one call, for the current company.

        ``partner_ids``: partner ids (a contact gives its commercial partner);
        ``external_refs``: external references (``crm_external_ref``). At least
        one of them. (Not ``ids``: JSON-2 reserves that name for the records a
        method is called on.)

        Returns ``{"customers": [...], "not_found": {"partner_ids": [...],
        "external_refs": [...]}}``;
        each customer: id, external_ref, name, value_grade, lifecycle_stage, tier,
        credit_rating, blacklisted, blacklist_reason, key_account, account_manager,
        revenue_12m, order_count, order_count_12m, first_order, last_order,
        classified_at, open_invoice_count, open_invoice_amount,
        overdue_invoice_count, overdue_invoice_amount, currency. ``keys``: only
        these keys (and ``id``), e.g. the classification alone: a smaller answer
        is much faster to parse over XML-RPC. Record rules apply: a customer the
        user may not read is not found."""
        ids, refs, wanted = self._crm_api_summary_arguments(partner_ids, external_refs, keys)
        if not self.env.user.has_group("base.group_user"):
            raise AccessError(self.env._("Only internal users may read customer summaries."))
        company = self.env.company
        commercial_ids, visible, by_ref = self._crm_api_summary_find(ids, refs, company)
        Partner = self.with_context(active_test=False)
        query = Partner._search([("id", "in", list(commercial_ids))], order="name, id")
        lang = self.env.lang or "en_US"

        def own(column, cast=None):
            return company_value("p", column, company.id, cast=cast)

        # One SQL statement over the company-dependent columns (10,000 customers
        # in well under a second, which reading them through the ORM record by
        # record is not).
        rows = self.env.execute_query(SQL(
            """
            SELECT p.id, p.crm_external_ref, p.name, %(grade)s, %(stage)s,
                   COALESCE(t.name ->> %(lang)s, t.name ->> 'en_US'), %(credit)s,
                   COALESCE(p.crm_commercial_blacklist, FALSE), p.crm_blacklist_reason,
                   p.crm_key_account, manager.name, %(revenue)s, %(orders)s, %(orders_12m)s,
                   %(first)s, %(last)s, %(classified)s
              FROM res_partner p
              LEFT JOIN crm_customer_tier t ON t.id = %(tier)s
              LEFT JOIN res_users u ON u.id = p.crm_account_manager_id
              LEFT JOIN res_partner manager ON manager.id = u.partner_id
             WHERE p.id IN %(ids)s
             ORDER BY p.name, p.id
            """,
            grade=own("crm_value_grade"), stage=own("crm_lifecycle_stage"),
            credit=own("crm_credit_rating"), tier=own("crm_tier_id", "int"),
            revenue=own("crm_revenue_12m", "float"), orders=own("crm_order_count", "int"),
            orders_12m=own("crm_order_count_12m", "int"), first=own("crm_first_order_date"),
            last=own("crm_last_order_date"), classified=own("crm_classified_at"),
            lang=lang, ids=query.subselect(),
        ))
        invoices = {}
        if rows and wanted & set(NO_INVOICE):
            # The same rule as the 360 fields: None when the user may not know
            # balances, then the invoice keys are false (not 0: unknown).
            invoices = self._crm_360_invoice_totals([row[0] for row in rows])
        no_invoice = NO_INVOICE if invoices is not None else dict.fromkeys(NO_INVOICE, False)
        invoices = invoices or {}
        currency = company.currency_id.name
        customers = []
        for row in rows:
            # False, not None: Odoo's XML-RPC answers cannot carry None.
            customer = {name: (False if value is None else value)
                        for name, value in zip(SUMMARY_COLUMNS, row, strict=True)}
            customer["revenue_12m"] = customer["revenue_12m"] or 0.0
            customer["order_count"] = customer["order_count"] or 0
            customer["order_count_12m"] = customer["order_count_12m"] or 0
            customer.update(no_invoice)
            customer.update(invoices.get(customer["id"], {}))
            customer["currency"] = currency
            customers.append(
                customer if len(wanted) == len(SUMMARY_KEYS)
                else {key: value for key, value in customer.items() if key in wanted})
        return {
            "customers": customers,
            "not_found": {
                "partner_ids": [i for i in ids if i not in visible],
                "external_refs": [r for r in refs if r not in by_ref],
            },
        }
