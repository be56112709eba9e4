import json

from odoo import api, fields, models
from odoo.exceptions import AccessError, ValidationError
from odoo.tools import SQL, format_list

from ..tools.company_values import (
    company_value,
    company_value_differs,
    company_value_exists,
    company_value_set,
    company_value_stored,
)

CREDIT_RATINGS = [
    ("aaa", "AAA"),
    ("aa", "AA"),
    ("a", "A"),
    ("bbb", "BBB"),
    ("bb", "BB"),
    ("b", "B"),
    ("c", "C"),
]

# An invoice settled at most this many days after its due date does not count
# as "paid late" in the late share (bank transfers take a few days). It still
# counts in the average delay, so any delay at all costs the AAA rating.
LATE_TOLERANCE_DAYS = 5

# The scoring table, worst rating first; the first row that matches wins and a
# customer matching none is AAA. Each row: (rating, oldest open invoice overdue
# more than N days, average delay more than N days, share of invoices paid late
# more than N %); None means the criterion does not apply to that row.
CREDIT_SCORING = [
    ("c", 90, 60, None),
    ("b", 60, 30, None),
    ("bb", 30, 15, 50),
    ("bbb", 15, 7, 25),
    ("a", 5, 3, 10),
    ("aa", 0, 0, None),
]

# Written only by CRM managers (or the recompute, as superuser / in SQL).
CREDIT_PROTECTED_FIELDS = frozenset({
    "crm_credit_rating",
    "crm_credit_rating_locked",
    "crm_credit_rating_lock_reason",
    "crm_avg_days_late",
    "crm_late_invoice_ratio",
    "crm_overdue_amount",
    "crm_max_days_overdue",
    "crm_credit_invoice_count",
})

# Company-dependent columns the recompute fills, with their jsonb value type.
CREDIT_METRIC_COLUMNS = (
    "crm_avg_days_late",
    "crm_late_invoice_ratio",
    "crm_overdue_amount",
    "crm_max_days_overdue",
    "crm_credit_invoice_count",
)


class ResPartner(models.Model):
    _inherit = "res.partner"

    # Builds on account's own credit_limit / use_partner_credit_limit: the rating
    # describes payment behaviour, the limit stays Odoo's.
    crm_credit_rating = fields.Selection(
        CREDIT_RATINGS,
        string="Credit Rating",
        company_dependent=True,
        copy=False,
        help="Derived every day from the payment behaviour of the customer's invoices "
        "in this company. Empty when the customer has no invoice history yet.",
        groups="base.group_user",
    )
    crm_credit_rating_locked = fields.Boolean(
        string="Credit Rating Locked",
        company_dependent=True,
        copy=False,
        help="Set by a manual override: the recompute leaves the rating alone.",
        groups="base.group_user",
    )
    crm_credit_rating_lock_reason = fields.Char(
        string="Credit Rating Override Reason", company_dependent=True, copy=False,
        groups="base.group_user",
    )
    crm_avg_days_late = fields.Float(
        string="Average Days Late",
        company_dependent=True,
        copy=False,
        readonly=True,
        help="Average delay of the invoices due in the rating window: days between "
        "due date and payment, zero when paid on time, days so far when still open.",
        groups="base.group_user",
    )
    crm_late_invoice_ratio = fields.Float(
        string="Late Paid Invoices (%)",
        company_dependent=True,
        copy=False,
        readonly=True,
        help="Share of the invoices due in the rating window that were paid, or are "
        "still open, more than 5 days after their due date.",
        groups="base.group_user",
    )
    crm_overdue_amount = fields.Float(
        string="Overdue Amount",
        company_dependent=True,
        copy=False,
        readonly=True,
        help="Open amount of the customer's invoices past their due date, in company "
        "currency, at the last rating.",
        groups="base.group_user",
    )
    crm_max_days_overdue = fields.Integer(
        string="Oldest Overdue (days)",
        company_dependent=True,
        copy=False,
        readonly=True,
        help="Days the oldest open invoice is past its due date, at the last rating.",
        groups="base.group_user",
    )
    crm_credit_invoice_count = fields.Integer(
        string="Rated Invoices",
        company_dependent=True,
        copy=False,
        readonly=True,
        help="Number of invoices due in the rating window.",
        groups="base.group_user",
    )
    crm_credit_limit_exceeded = fields.Boolean(
        string="Credit Limit Exceeded",
        compute="_compute_crm_credit_limit_exceeded",
        help="The receivable plus the confirmed orders still to invoice exceed the "
        "credit limit set in Accounting (Odoo's own partner credit limit).",
        groups="base.group_user",
    )

    @api.constrains("crm_credit_rating_locked", "crm_credit_rating_lock_reason")
    def _check_crm_credit_rating_lock_reason(self):
        for partner in self:
            if partner.crm_credit_rating_locked and not (
                partner.crm_credit_rating_lock_reason or ""
            ).strip():
                raise ValidationError(
                    self.env._(
                        "Give a reason to lock the credit rating of %(partner)s.",
                        partner=partner.display_name,
                    )
                )

    # ------------------------------------------------------------
    # COMPUTE METHODS
    # ------------------------------------------------------------

    @api.depends_context("company")
    def _compute_crm_credit_limit_exceeded(self):
        if not self.env.company.account_use_credit_limit:
            self.crm_credit_limit_exceeded = False
            return
        # credit and credit_limit belong to the accounting groups: the flag itself
        # is shown to sales people, the amounts stay hidden.
        commercials = self.commercial_partner_id.sudo()
        exceeded = {
            partner.id: bool(partner.credit_limit)
            and partner.credit + partner.credit_to_invoice > partner.credit_limit
            for partner in commercials
        }
        for partner in self:
            partner.crm_credit_limit_exceeded = exceeded.get(
                partner.commercial_partner_id.id, False
            )

    # ------------------------------------------------------------
    # CRUD
    # ------------------------------------------------------------

    @api.model_create_multi
    def create(self, vals_list):
        if any(CREDIT_PROTECTED_FIELDS & vals.keys() for vals in vals_list):
            self._crm_check_credit_rights()
        return super().create(vals_list)

    def write(self, vals):
        if not CREDIT_PROTECTED_FIELDS & vals.keys():
            return super().write(vals)
        self._crm_check_credit_rights()
        old_ratings = (
            {partner.id: partner.crm_credit_rating for partner in self}
            if "crm_credit_rating" in vals
            else {}
        )
        result = super().write(vals)
        if old_ratings:
            self._crm_log_manual_credit_rating(old_ratings)
        return result

    def _crm_check_credit_rights(self):
        if not self.env.su and not self.env.user.has_group(
            "crm_extended.group_crm_extended_manager"
        ):
            raise AccessError(
                self.env._("Only CRM managers may change or lock a customer's credit rating.")
            )

    def _crm_log_manual_credit_rating(self, old_ratings):
        # History keeps the selection keys, like the other classifications.
        company = self.env.company
        context_reason = self.env.context.get("crm_classification_reason")
        vals_list = [
            {
                "partner_id": partner.id,
                "company_id": company.id,
                "classification": "credit_rating",
                "old_value": old_ratings.get(partner.id) or False,
                "new_value": partner.crm_credit_rating or False,
                "user_id": self.env.uid,
                "reason": context_reason
                or partner.crm_credit_rating_lock_reason
                or self.env._("Manual change of the credit rating"),
            }
            for partner in self
            if partner.crm_credit_rating != old_ratings.get(partner.id)
        ]
        if vals_list:
            # History is read-only for everyone but managers; the rights were
            # checked in write() already.
            self.env["crm.classification.history"].sudo().create(vals_list)

    # ------------------------------------------------------------
    # RECOMPUTE
    # ------------------------------------------------------------

    @api.model
    def crm_recompute_credit_rating(self):
        """Rate the payment behaviour of every customer of the active companies.

        Public so that managers can run it from the interface or over RPC; the
        daily cron rates all companies."""
        self._crm_check_credit_rights()
        for company in self.env.companies:
            self._crm_recompute_credit_rating_company(company)
        return True

    def action_crm_recompute_credit_rating(self):
        """Recompute Credit Ratings (customer list): rate the selected
        customers' commercial entities in the active companies and say how
        many were rated and how many ratings changed."""
        self._crm_check_credit_rights()
        partners = self.commercial_partner_id
        changed = sum(
            self._crm_recompute_credit_rating_company(company, partners.ids)
            for company in self.env.companies
        )
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "title": self.env._("Credit ratings recomputed"),
                "message": self.env._(
                    "Customers rated: %(count)s. Ratings changed: %(changed)s.",
                    count=len(partners), changed=changed,
                ),
                "type": "success",
                "sticky": False,
                "next": {"type": "ir.actions.client", "tag": "soft_reload"},
            },
        }

    @api.model
    def _cron_crm_recompute_credit_rating(self):
        # pylint: disable-next=no-search-all  # every company: the cron covers them all, one at a time
        companies = self.env["res.company"].sudo().search([])
        for index, company in enumerate(companies, start=1):
            self._crm_recompute_credit_rating_company(company)
            self.env["ir.cron"]._commit_progress(1, remaining=len(companies) - index)

    def _crm_recompute_credit_rating_partners(self):
        """Rate only these partners' commercial entities in the current company,
        e.g. right after one of their invoices was paid."""
        partners = self.commercial_partner_id
        if partners:
            self._crm_recompute_credit_rating_company(self.env.company, partners.ids)

    @api.model
    def _crm_credit_rating_sql(self):
        """The scoring table as one SQL CASE over the columns of ``stats``."""
        branches = []
        for rating, overdue, delay, late_share in CREDIT_SCORING:
            tests = [
                SQL("stats.max_overdue > %s", overdue),
                SQL("stats.avg_late > %s", delay),
            ]
            if late_share is not None:
                tests.append(SQL("stats.late_pct > %s", late_share))
            branches.append(SQL("WHEN %s THEN %s", SQL(" OR ").join(tests), rating))
        return SQL(
            "CASE WHEN stats.partner_id IS NULL THEN NULL %s ELSE 'aaa' END",
            SQL(" ").join(branches),
        )

    @api.model
    def _crm_credit_rule_label(self, rating):
        """Translated text of the scoring-table row that gives ``rating``."""
        labels = dict(CREDIT_RATINGS)
        if not rating:
            return self.env._("No invoice due in the rating window")
        for row_rating, overdue, delay, late_share in CREDIT_SCORING:
            if row_rating != rating:
                continue
            parts = [
                self.env._("an invoice overdue more than %(days)s days", days=overdue),
                self.env._("an average delay above %(days)s days", days=delay),
            ]
            if late_share is not None:
                parts.append(
                    self.env._("more than %(share)s%% of invoices paid late", share=late_share)
                )
            return self.env._(
                "Credit rating %(rating)s: %(criteria)s",
                rating=labels[rating],
                criteria=format_list(self.env, parts, "or"),
            )
        return self.env._(
            "Credit rating %(rating)s: every invoice paid on time and nothing overdue",
            rating=labels[rating],
        )

    @api.model
    def _crm_recompute_credit_rating_company(self, company, partner_ids=None):
        """Derive the credit rating of the customers of ``company`` in one pass.

        One statement computes, per commercial partner, the payment statistics of
        the posted customer invoices, scores them and writes the company-dependent
        jsonb columns of the partners whose values changed; a second one inserts
        the history of the rating changes. Locked ratings keep their value; their
        statistics are still refreshed."""
        self.env.flush_all()
        today = fields.Date.context_today(self.with_company(company))
        start = fields.Date.subtract(today, days=max(company.crm_credit_window_days, 0))
        partner_filter = SQL("TRUE")
        candidate_filter = SQL(
            "%s OR %s OR %s",
            *(company_value_exists("p", column, company.id)
              for column in ("crm_credit_rating", "crm_credit_invoice_count",
                             "crm_max_days_overdue")),
        )
        if partner_ids is not None:
            partner_filter = SQL("m.commercial_partner_id = ANY(%s)", list(partner_ids))
            candidate_filter = SQL("(%s) AND p.id = ANY(%s)", candidate_filter, list(partner_ids))

        metric_values = {
            "crm_avg_days_late": SQL("t.avg_late"),
            "crm_late_invoice_ratio": SQL("t.late_pct"),
            "crm_overdue_amount": SQL("t.overdue_amount"),
            "crm_max_days_overdue": SQL("t.max_overdue"),
            "crm_credit_invoice_count": SQL("t.invoice_count"),
        }
        query = SQL(
            """
            WITH %(statistics)s,
            target AS (
                SELECT p.id AS partner_id,
                       %(old_rating)s AS old_rating,
                       %(locked)s AS locked,
                       %(rating)s AS new_rating,
                       stats.invoice_count,
                       stats.avg_late::float AS avg_late,
                       stats.late_pct::float AS late_pct,
                       stats.overdue_amount::float AS overdue_amount,
                       stats.max_overdue
                  FROM res_partner p
                  LEFT JOIN stats ON stats.partner_id = p.id
                 WHERE stats.partner_id IS NOT NULL OR %(candidates)s
            )
            UPDATE res_partner p
               SET crm_credit_rating = CASE WHEN t.locked THEN p.crm_credit_rating
                                            ELSE %(put_rating)s END,
                   %(put_metrics)s,
                   write_date = %(now)s, write_uid = %(uid)s
              FROM target t
             WHERE p.id = t.partner_id
               AND ((NOT t.locked AND t.old_rating IS DISTINCT FROM t.new_rating)
                    OR %(metric_changed)s)
         RETURNING p.id, t.locked, t.old_rating, t.new_rating, t.invoice_count,
                   t.avg_late, t.late_pct, t.overdue_amount, t.max_overdue
            """,
            now=self.env.cr.now(),  # the ORM's write_date: the transaction's time
            uid=self.env.uid,
            statistics=self._crm_credit_statistics_sql(company, today, start, partner_filter),
            old_rating=company_value("p", "crm_credit_rating", company.id),
            locked=company_value("p", "crm_credit_rating_locked", company.id, "boolean", False),
            candidates=candidate_filter,
            rating=self._crm_credit_rating_sql(),
            put_rating=company_value_stored("crm_credit_rating", company.id,
                                            SQL("t.new_rating"), alias="p"),
            put_metrics=SQL(", ").join(
                company_value_set(column, company.id, value, alias="p")
                for column, value in metric_values.items()
            ),
            metric_changed=SQL(" OR ").join(
                company_value_differs("p", column, company.id, value)
                for column, value in metric_values.items()
            ),
        )
        rows = self.env.execute_query(query)
        self.invalidate_model(
            ["crm_credit_rating", *CREDIT_METRIC_COLUMNS, "crm_classification_history_ids",
             "write_date", "write_uid"]
        )
        changes = [row for row in rows if not row[1] and row[2] != row[3]]
        if changes:
            self._crm_insert_credit_history(company, changes)
        return len(changes)

    @api.model
    def _crm_credit_statistics_sql(self, company, today, start, partner_filter):
        """The CTEs of the credit rating up to ``stats``: one row per commercial
        partner with its payment statistics over the posted customer invoices
        of ``company`` due from ``start`` (or still open) up to ``today``:
        invoice count, average days late, share paid late, overdue amount and
        the oldest overdue invoice."""
        return SQL(
            """
            inv AS (
                SELECT m.id,
                       m.commercial_partner_id AS partner_id,
                       m.invoice_date_due AS due,
                       m.amount_residual_signed AS residual,
                       m.payment_state IN ('paid', 'in_payment') AS settled
                  FROM account_move m
                 WHERE m.company_id = %(company)s
                   AND m.move_type = 'out_invoice'
                   AND m.state = 'posted'
                   AND m.payment_state NOT IN ('reversed', 'invoicing_legacy')
                   AND m.commercial_partner_id IS NOT NULL
                   AND m.invoice_date_due <= %(today)s
                   AND (m.invoice_date_due >= %(start)s
                        OR m.payment_state NOT IN ('paid', 'in_payment'))
                   AND %(partner_filter)s
            ),
            settlement AS (
                -- reconciled payments and credit notes: the later date of each match
                SELECT inv.id, p.max_date AS paid_date
                  FROM account_partial_reconcile p
                  JOIN account_move_line l ON l.id = p.debit_move_id
                  JOIN inv ON inv.id = l.move_id
                 WHERE inv.settled
                   AND l.display_type = 'payment_term'
                 UNION ALL
                -- payments registered without a journal entry (not reconciled yet)
                SELECT inv.id, pay.date
                  FROM account_move__account_payment rel
                  JOIN account_payment pay ON pay.id = rel.payment_id
                  JOIN inv ON inv.id = rel.invoice_id
                 WHERE inv.settled
                   AND pay.move_id IS NULL
                   AND pay.state IN ('in_process', 'paid')
            ),
            paid AS (
                SELECT id, MAX(paid_date) AS paid_date FROM settlement GROUP BY id
            ),
            delay AS (
                SELECT inv.partner_id, inv.due, inv.residual, inv.settled,
                       CASE WHEN inv.settled
                            THEN GREATEST(COALESCE(paid.paid_date, inv.due) - inv.due, 0)
                            ELSE %(today)s - inv.due
                       END AS days_late
                  FROM inv
                  LEFT JOIN paid ON paid.id = inv.id
            ),
            stats AS (
                SELECT partner_id,
                       COUNT(*) FILTER (WHERE due >= %(start)s) AS invoice_count,
                       ROUND(COALESCE(AVG(days_late) FILTER (WHERE due >= %(start)s), 0), 2)
                           AS avg_late,
                       ROUND(COALESCE(100.0 * COUNT(*) FILTER (
                                 WHERE due >= %(start)s AND days_late > %(tolerance)s)
                             / NULLIF(COUNT(*) FILTER (WHERE due >= %(start)s), 0), 0), 2)
                           AS late_pct,
                       ROUND(COALESCE(SUM(residual) FILTER (
                                 WHERE NOT settled AND due < %(today)s), 0), 2)
                           AS overdue_amount,
                       COALESCE(MAX(%(today)s - due) FILTER (
                                 WHERE NOT settled AND due < %(today)s), 0)
                           AS max_overdue
                  FROM delay
                 GROUP BY partner_id
            )
            """,
            company=company.id,
            today=today,
            start=start,
            tolerance=LATE_TOLERANCE_DAYS,
            partner_filter=partner_filter,
        )

    @api.model
    def _crm_insert_credit_history(self, company, changes):
        """Insert one history row per rating change in a single statement."""
        rule_labels = {}
        langs = sorted({code for code, _name in self.env["res.lang"].get_installed()}
                       | {"en_US"})
        # Translated once, filled per row: 100k calls to the translator would
        # cost seconds.
        reason_template = self.env._(
            "%(count)s invoices due in the last %(window)s days, %(late)s%% paid "
            "late, %(delay)s days late on average; overdue amount %(overdue)s, "
            "oldest overdue invoice %(oldest)s days."
        )
        partner_ids, old_values, new_values, rules, reasons = [], [], [], [], []
        for (partner_id, _locked, old, new, count, avg_late, late_pct, overdue,
             max_overdue) in changes:
            if new not in rule_labels:
                # The translated rule column: the label in every installed language.
                rule_labels[new] = json.dumps({
                    lang: self.with_context(lang=lang)._crm_credit_rule_label(new)
                    for lang in langs
                })
            partner_ids.append(partner_id)
            old_values.append(old)
            new_values.append(new)
            rules.append(rule_labels[new])
            reasons.append(reason_template % {
                "count": count or 0,
                "window": company.crm_credit_window_days,
                "late": late_pct or 0,
                "delay": avg_late or 0,
                "overdue": overdue or 0,
                "oldest": max_overdue or 0,
            })
        now = fields.Datetime.now()
        self.env["crm.classification.history"].flush_model()
        self.env.cr.execute(
            SQL(
                """
                INSERT INTO crm_classification_history
                       (partner_id, company_id, classification, old_value, new_value,
                        date, rule, reason, create_uid, create_date, write_uid, write_date)
                SELECT t.partner_id, %(company)s, 'credit_rating', t.old_value, t.new_value,
                       %(now)s, t.rule, t.reason, %(uid)s, %(now)s, %(uid)s, %(now)s
                  FROM unnest(%(partner_ids)s::int[], %(old_values)s::varchar[],
                              %(new_values)s::varchar[], %(rules)s::jsonb[],
                              %(reasons)s::text[])
                       AS t(partner_id, old_value, new_value, rule, reason)
                """,
                company=company.id,
                now=now,
                uid=self.env.uid,
                partner_ids=partner_ids,
                old_values=old_values,
                new_values=new_values,
                rules=rules,
                reasons=reasons,
            )
        )
        self.env["crm.classification.history"].invalidate_model()
