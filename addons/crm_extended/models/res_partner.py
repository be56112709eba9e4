import json
import logging
from datetime import datetime, time, timedelta

from dateutil.relativedelta import relativedelta

from odoo import api, fields, models
from odoo.exceptions import AccessError
from odoo.tools import SQL, format_amount

from ..tools.company_values import company_value, company_value_set
from ..tools.revenue import confirmed_orders, posted_refunds

_logger = logging.getLogger(__name__)

VALUE_GRADES = [
    ("a", "A - VIP"),
    ("b", "B - Important"),
    ("c", "C - Ordinary"),
]
LIFECYCLE_STAGES = [
    ("potential", "Potential"),
    # Not "New": the complaint stage New is another word in other languages.
    ("new", "New Customer"),
    ("regular", "Regular"),
    ("old", "Old"),
    ("loyal", "Loyal"),
    ("at_risk", "At Risk"),
    ("lost", "Lost"),
]
KEY_ACCOUNT_STATES = [
    ("potential", "Potential Key Account"),
    ("key", "Key Account"),
]

# Classification values only a CRM manager (or the recompute, as superuser SQL)
# may change: writing them by hand is a manual override.
CLASSIFICATION_GUARDED_FIELDS = (
    "crm_value_grade",
    "crm_value_grade_locked",
    "crm_value_grade_lock_reason",
    "crm_lifecycle_stage",
    "crm_lifecycle_locked",
    "crm_lifecycle_lock_reason",
    "crm_tier_id",
    "crm_tier_valid_until",
)
# Order statistics only the recompute writes (as superuser, with SQL): nobody
# sets a revenue or an order count by hand, managers included.
STATISTICS_FIELDS = (
    "crm_revenue_12m",
    "crm_order_count",
    "crm_order_count_12m",
    "crm_first_order_date",
    "crm_last_order_date",
    "crm_avg_order_interval",
    "crm_classified_at",
)
# Who manages a customer: changed by CRM managers, by hand or with the hand-over.
ACCOUNT_MANAGER_FIELDS = ("crm_account_manager_id",)
# Partner field -> crm.classification.history classification key.
CLASSIFICATION_TRACKED_FIELDS = {
    "crm_value_grade": "value_grade",
    "crm_lifecycle_stage": "lifecycle_stage",
    "crm_tier_id": "tier",
}
CLASSIFICATION_WORK_MEM = "64MB"
# Everything the recompute writes with SQL, to invalidate from the ORM cache.
CLASSIFICATION_COMPUTED_FIELDS = [
    "crm_value_grade",
    "crm_lifecycle_stage",
    "crm_tier_id",
    "crm_tier_valid_until",
    *STATISTICS_FIELDS,
    "crm_classification_history_ids",
    "write_date",
    "write_uid",
]


class ResPartner(models.Model):
    _inherit = "res.partner"

    # Classification lives on the commercial partner and is company dependent:
    # the same customer can be a VIP of one company and ordinary for another.
    # Every crm_* field of the partner is internal (groups=base.group_user): a
    # portal customer may read its own partner, never its grade, credit or blacklist.
    crm_value_grade = fields.Selection(
        VALUE_GRADES, string="Value Grade", company_dependent=True, copy=False,
        groups="base.group_user",
    )
    crm_value_grade_locked = fields.Boolean(
        string="Value Grade Locked",
        company_dependent=True,
        copy=False,
        help="Set by a manual override: the recompute leaves the grade alone.",
        groups="base.group_user",
    )
    crm_value_grade_lock_reason = fields.Char(
        string="Value Grade Override Reason", company_dependent=True, copy=False,
        groups="base.group_user",
    )
    crm_lifecycle_stage = fields.Selection(
        LIFECYCLE_STAGES, string="Lifecycle Stage", company_dependent=True, copy=False,
        groups="base.group_user",
    )
    crm_lifecycle_locked = fields.Boolean(
        string="Lifecycle Stage Locked", company_dependent=True, copy=False,
        groups="base.group_user",
    )
    crm_lifecycle_lock_reason = fields.Char(
        string="Lifecycle Stage Override Reason", company_dependent=True, copy=False,
        groups="base.group_user",
    )
    crm_tier_id = fields.Many2one(
        "crm.customer.tier", string="Tier", company_dependent=True, copy=False,
        groups="base.group_user",
    )
    crm_tier_valid_until = fields.Date(
        string="Tier Valid Until",
        company_dependent=True,
        copy=False,
        help="End of the grace period: the tier is kept until then even if the "
        "customer no longer qualifies.",
        groups="base.group_user",
    )

    # Order statistics written by the recompute (company currency, confirmed
    # orders net of refunds).
    crm_revenue_12m = fields.Float(
        string="Revenue (12 months)", company_dependent=True, copy=False, readonly=True,
        groups="base.group_user",
    )
    crm_order_count = fields.Integer(
        string="Orders (all time)", company_dependent=True, copy=False, readonly=True,
        groups="base.group_user",
    )
    crm_order_count_12m = fields.Integer(
        string="Orders (12 months)", company_dependent=True, copy=False, readonly=True,
        groups="base.group_user",
    )
    crm_first_order_date = fields.Date(
        string="First Order", company_dependent=True, copy=False, readonly=True,
        groups="base.group_user",
    )
    crm_last_order_date = fields.Date(
        string="Last Order", company_dependent=True, copy=False, readonly=True,
        groups="base.group_user",
    )
    crm_avg_order_interval = fields.Float(
        string="Average Days Between Orders", company_dependent=True, copy=False, readonly=True,
        groups="base.group_user",
    )
    crm_classified_at = fields.Datetime(
        string="Classified On", company_dependent=True, copy=False, readonly=True,
        groups="base.group_user",
    )

    # Key accounts
    crm_key_account = fields.Selection(
        KEY_ACCOUNT_STATES, string="Key Account", tracking=True, copy=False,
        groups="base.group_user",
    )
    crm_account_manager_id = fields.Many2one(
        "res.users", string="Account Manager", tracking=True, copy=False,
        domain="[('share', '=', False)]",
        groups="base.group_user",
    )

    crm_classification_history_ids = fields.One2many(
        "crm.classification.history", "partner_id", string="Classification History",
        # Who may read the history (not the integration user, not a plain employee).
        groups="crm_extended.group_crm_extended_user",
    )

    # ------------------------------------------------------------
    # CRUD: manual changes are a manager's override and leave a trace
    # ------------------------------------------------------------

    @api.model_create_multi
    def create(self, vals_list):
        if any(name in vals for vals in vals_list for name in CLASSIFICATION_GUARDED_FIELDS):
            self._crm_check_classification_rights()
        for vals in vals_list:
            self._crm_check_protected_fields(vals)
        return super().create(vals_list)

    def write(self, vals):
        self._crm_check_protected_fields(vals)
        if not any(name in vals for name in CLASSIFICATION_GUARDED_FIELDS):
            return super().write(vals)
        self._crm_check_classification_rights()
        if vals.get("crm_tier_id") and "crm_tier_valid_until" not in vals:
            # A tier granted by hand lasts the tier's grace period, like one
            # reached by revenue; without a date the recompute would drop it.
            tier = self.env["crm.customer.tier"].browse(vals["crm_tier_id"])
            vals = dict(
                vals,
                crm_tier_valid_until=fields.Date.context_today(self)
                + relativedelta(months=tier.grace_months),
            )
        tracked = [name for name in CLASSIFICATION_TRACKED_FIELDS if name in vals]
        before = {partner.id: {name: partner[name] for name in tracked} for partner in self}
        result = super().write(vals)
        self._crm_log_manual_changes(before)
        return result

    def _crm_check_classification_rights(self):
        if not self.env.su and not self.env.user.has_group(
            "crm_extended.group_crm_extended_manager"
        ):
            raise AccessError(
                self.env._(
                    "Only CRM managers may change a customer's value grade, lifecycle "
                    "stage or tier, or lock them."
                )
            )

    def _crm_check_protected_fields(self, vals):
        """Statistics are the recompute's (superuser only); the account manager
        is the CRM managers'. Empty values on create are not a change."""
        if self.env.su:
            return
        if any(vals.get(name) for name in STATISTICS_FIELDS) or (
            self and any(name in vals for name in STATISTICS_FIELDS)
        ):
            raise AccessError(self.env._(
                "A customer's revenue, order counts, order dates and classification "
                "time are computed by the classification: nobody writes them by hand."
            ))
        if (any(vals.get(name) for name in ACCOUNT_MANAGER_FIELDS) or (
            self and any(name in vals for name in ACCOUNT_MANAGER_FIELDS)
        )) and not self.env.user.has_group("crm_extended.group_crm_extended_manager"):
            raise AccessError(self.env._(
                "Only CRM managers may choose a customer's account manager (or hand "
                "customers over to another one)."
            ))

    def _crm_log_manual_changes(self, before):
        """Write one history row per manual change of grade, stage or tier.
        ``before`` maps partner id -> {field name: value before the write}."""
        reason = self.env.context.get("crm_classification_reason")
        vals_list = []
        for partner in self:
            for name, old in before.get(partner.id, {}).items():
                new = partner[name]
                if old == new:
                    continue
                vals_list.append({
                    "partner_id": partner.id,
                    "company_id": self.env.company.id,
                    "classification": CLASSIFICATION_TRACKED_FIELDS[name],
                    "old_value": self._crm_history_value(name, old),
                    "new_value": self._crm_history_value(name, new),
                    "user_id": self.env.uid,
                    "reason": reason,
                })
        if vals_list:
            # The rights were checked above; history is append-only for managers.
            self.env["crm.classification.history"].sudo().create(vals_list)

    @api.model
    def _crm_history_value(self, name, value):
        if name == "crm_tier_id":
            return value.name or False
        return value or False

    # ------------------------------------------------------------
    # ACTIONS
    # ------------------------------------------------------------

    def action_crm_open_override_wizard(self):
        """Open the override dialog on this customer's commercial entity. The
        classification to override comes from the button's context
        (``crm_classification`` or ``default_classification``)."""
        self.ensure_one()
        classification = (
            self.env.context.get("crm_classification")
            or self.env.context.get("default_classification")
            or "value_grade"
        )
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Override Classification"),
            "res_model": "crm.classification.override",
            "view_mode": "form",
            "views": [(False, "form")],
            "target": "new",
            "context": {
                "default_partner_id": self.commercial_partner_id.id,
                "default_classification": classification,
                "default_company_id": self.env.company.id,
            },
        }

    # ------------------------------------------------------------
    # RECOMPUTE
    # ------------------------------------------------------------

    @api.model
    def crm_recompute_classification(self, today=None):
        """Full, set-based recompute of statistics, value grades, lifecycle stages
        and tiers of every customer, for each company of ``self.env.companies``
        (all companies when run by the cron). ``today`` (a date or ISO string,
        default: today) makes the reference date controllable.

        Returns a notification action so that a button can call it; RPC callers
        find the counts in ``params``."""
        if not self.env.su and not self.env.user.has_group(
            "crm_extended.group_crm_extended_manager"
        ):
            raise AccessError(
                self.env._("Only CRM managers may recompute the customer classification.")
            )
        total = self._crm_classify_companies(self.env.companies, today)
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "type": "success",
                "message": self.env._(
                    "%(customers)s customers classified, %(changed)s updated, "
                    "%(history)s classification changes.",
                    **total,
                ),
                "customers": total["customers"],
                "changed": total["changed"],
                "history": total["history"],
                "sticky": False,
            },
        }

    @api.model
    def _crm_classify_companies(self, companies, today=None, in_cron=False):
        today = self._crm_classification_today(today)
        total = {"customers": 0, "changed": 0, "history": 0}
        for company in companies:
            result = self.with_company(company)._crm_classify(company, today)
            for key, value in result.items():
                total[key] += value
            if in_cron and not self.env["ir.cron"]._commit_progress(1):
                break
        return total

    @api.model
    def _cron_crm_recompute_classification(self):
        """Daily run over every company, one commit each. A run cut short by the
        cron time limit resumes with the companies not classified yet today (UTC).
        Private: only the scheduler may commit mid-run and cross companies."""
        fresh = datetime.combine(fields.Date.today(), time.min)
        companies = self.env["res.company"].sudo().search(
            ["|", ("crm_classified_at", "=", False), ("crm_classified_at", "<", fresh)],
            order="crm_classified_at asc nulls first, id",
        )
        self.env["ir.cron"]._commit_progress(remaining=len(companies))
        return self._crm_classify_companies(companies, in_cron=True)

    def _crm_recompute_classification_partners(self):
        """Recompute these customers in ``self.env.company`` (called when their
        orders are confirmed or cancelled). The Pareto grade comes from the
        revenue cut-offs stored by the last full run: ranking everyone at each
        confirmation would be too slow. Without a full run yet, the first call
        runs it for the company."""
        partners = self.sudo().commercial_partner_id
        if not partners:
            return
        company = self.env.company
        today = self._crm_classification_today()
        if company.crm_grade_method == "pareto" and not company.sudo().crm_classified_at:
            self._crm_classify(company, today)
            return
        self._crm_classify(company, today, partner_ids=partners.ids)

    @api.model
    def _crm_classification_today(self, today=None):
        # UTC like the order dates the statistics are built from (date_order::date).
        today = today or self.env.context.get("crm_classification_today")
        return fields.Date.to_date(today) if today else fields.Date.today()

    @api.model
    def _crm_classification_rules(self, company):
        """Human-readable rule names written in the history, per rule code."""
        currency = company.currency_id

        def amount(value):
            return format_amount(self.env, value or 0.0, currency)

        grade_a_share = company.crm_grade_a_share
        grade_rules = {
            "no_revenue": self.env._("No revenue in the last 12 months: C"),
            "no_order": self.env._("No confirmed order"),
            "pareto_a": self.env._("Pareto: A, customers making the first %(share)s%% of revenue",
                                   share=f"{grade_a_share:g}"),
            "pareto_b": self.env._("Pareto: B, customers making the next %(share)s%% of revenue",
                                   share=f"{company.crm_grade_b_share:g}"),
            "pareto_c": self.env._("Pareto: C, customers making the remaining revenue"),
            "cutoff_a": self.env._("Pareto cut-off: A from %(amount)s",
                                   amount=amount(company.crm_grade_a_cutoff)),
            "cutoff_b": self.env._("Pareto cut-off: B from %(amount)s",
                                   amount=amount(company.crm_grade_b_cutoff)),
            "cutoff_c": self.env._("Pareto cut-off: C below %(amount)s",
                                   amount=amount(company.crm_grade_b_cutoff)),
            "threshold_a": self.env._("Threshold: A from %(amount)s",
                                      amount=amount(company.crm_grade_a_threshold)),
            "threshold_b": self.env._("Threshold: B from %(amount)s",
                                      amount=amount(company.crm_grade_b_threshold)),
            "threshold_c": self.env._("Threshold: C below %(amount)s",
                                      amount=amount(company.crm_grade_b_threshold)),
        }
        stage_rules = {
            "none": self.env._("No order, opportunity or quotation"),
            "potential": self.env._("Potential: opportunity or quotation, no confirmed order yet"),
            "lost": self.env._("Lost: no order for more than %(days)s days",
                               days=company.crm_lost_days),
            "at_risk": self.env._("At risk: no order for more than %(factor)s times the usual "
                                  "interval between orders", factor=f"{company.crm_at_risk_factor:g}"),
            "new": self.env._("New: first order less than %(days)s days ago",
                              days=company.crm_new_customer_days),
            "loyal": self.env._("Loyal: customer for %(months)s+ months, %(orders)s+ orders in "
                                "%(active)s+ different months of the last 12",
                                months=company.crm_loyal_min_months,
                                orders=company.crm_loyal_min_orders,
                                active=company.crm_loyal_min_active_months),
            "old": self.env._("Old: customer for %(months)s+ months", months=company.crm_old_min_months),
            "regular": self.env._("Regular: %(orders)s+ orders in the last 12 months",
                                  orders=company.crm_regular_min_orders),
            "new_fallback": self.env._("New: not yet regular, old or loyal"),
        }
        tier_rules = {
            "qualified": self.env._("Tier reached: revenue of the last 12 months at or above its minimum"),
            "expired": self.env._("Grace period over: tier no longer reached"),
            "none": self.env._("Tier no longer available"),
        }
        return grade_rules, stage_rules, tier_rules

    @api.model
    def _crm_classification_rules_translated(self, company):
        """``_crm_classification_rules`` in every installed language: per rule
        code ``{lang: text}``, the value of the translated ``rule`` column of
        the history, so that each reader reads it in their language whoever
        (or whichever scheduled job) ran the classification."""
        langs = {code for code, _name in self.env["res.lang"].get_installed()} | {"en_US"}
        result = ({}, {}, {})
        for lang in sorted(langs):
            rules = self.with_context(lang=lang)._crm_classification_rules(company)
            for by_code, texts in zip(result, rules, strict=True):
                for code, text in texts.items():
                    by_code.setdefault(code, {})[lang] = text
        return result

    @api.model
    def _crm_classify(self, company, today, partner_ids=None):
        """Classify the customers of ``company`` as of ``today`` in a few SQL
        statements: one builds a temporary table with the statistics and the new
        values of every customer concerned, then one UPDATE writes the changed
        jsonb values and one INSERT writes the history of changes.

        ``partner_ids``: commercial partners to recompute (incremental run);
        ``None`` recomputes every customer of the company and stores the Pareto
        cut-offs on the company."""
        full = partner_ids is None
        self.env.flush_all()
        cr = self.env.cr
        company = company.sudo()
        now = fields.Datetime.now()

        cr.execute(SQL("DROP TABLE IF EXISTS crm_classification_tmp"))
        # The planner overestimates the joins of the aggregates by orders of
        # magnitude: JIT compilation would cost more than the query itself, and
        # the sorts of 100,000 customers spill to disk with the default work_mem.
        cr.execute(SQL("SELECT current_setting('jit'), current_setting('work_mem')"))
        settings = cr.fetchone()
        cr.execute(SQL(
            "SELECT set_config('jit', 'off', true), set_config('work_mem', %s, true)",
            CLASSIFICATION_WORK_MEM,
        ))
        cr.execute(self._crm_classification_query(company, today, partner_ids))
        cr.execute(SQL("SELECT COUNT(*) FROM crm_classification_tmp"))
        customers = cr.fetchone()[0]
        if full:
            self._crm_classification_store_cutoffs(company, now)
        changed = self._crm_classification_write(company, now)
        history = self._crm_classification_write_history(company, now)
        cr.execute(SQL("DROP TABLE crm_classification_tmp"))
        cr.execute(SQL(
            "SELECT set_config('jit', %s, true), set_config('work_mem', %s, true)", *settings
        ))

        self.env["res.partner"].invalidate_model(CLASSIFICATION_COMPUTED_FIELDS, flush=False)
        self.env["crm.customer.tier"].invalidate_model(["partner_count"], flush=False)
        _logger.info(
            "Customer classification of company %s (%s): %s customers, %s updated, "
            "%s history rows",
            company.id, "full" if full else "incremental", customers, changed, history,
        )
        return {"customers": customers, "changed": changed, "history": history}

    @api.model
    def _crm_classification_store_cutoffs(self, company, now):
        """After a full run: store on the company the lowest grade basis of an
        A and of a B customer (the Pareto cut-offs an incremental run grades
        by; the thresholds themselves with the threshold method)."""
        cr = self.env.cr
        cr.execute(SQL(
            """
            SELECT MIN(grade_basis) FILTER (WHERE computed_grade = 'a' AND grade_basis > 0),
                   MIN(grade_basis) FILTER (WHERE computed_grade = 'b' AND grade_basis > 0)
              FROM crm_classification_tmp
            """
        ))
        a_cutoff, b_cutoff = cr.fetchone()
        if company.crm_grade_method == "threshold":
            a_cutoff = company.crm_grade_a_threshold
            b_cutoff = company.crm_grade_b_threshold
        a_cutoff = a_cutoff or 0.0
        b_cutoff = b_cutoff or a_cutoff
        company.write({
            "crm_grade_a_cutoff": a_cutoff,
            "crm_grade_b_cutoff": b_cutoff,
            "crm_classified_at": now,
        })

    @api.model
    def _crm_classification_write(self, company, now):
        """Write the new values of the customers whose values changed, from
        ``crm_classification_tmp``, with what the ORM stamps on a write.
        Returns the number of customers updated."""
        def assign(column, value):
            return company_value_set(column, company.id, value, alias="rp")

        self.env.cr.execute(SQL(
            "UPDATE res_partner rp SET %s FROM crm_classification_tmp t "
            "WHERE rp.id = t.partner_id AND t.any_changed",
            SQL(", ").join([
                assign("crm_value_grade", SQL("t.new_grade")),
                assign("crm_lifecycle_stage", SQL("t.new_stage")),
                assign("crm_tier_id", SQL("t.new_tier_id")),
                assign("crm_tier_valid_until", SQL("t.new_tier_until")),
                assign("crm_revenue_12m", SQL("t.revenue")),
                assign("crm_order_count", SQL("t.order_count")),
                assign("crm_order_count_12m", SQL("t.order_count_12m")),
                assign("crm_first_order_date", SQL("t.first_day")),
                assign("crm_last_order_date", SQL("t.last_day")),
                assign("crm_avg_order_interval", SQL("t.avg_interval")),
                assign("crm_classified_at", SQL("%s::text", fields.Datetime.to_string(now))),
                # What the ORM stamps on a write, on the changed rows only.
                SQL("write_date = %s, write_uid = %s", self.env.cr.now(), self.env.uid),
            ]),
        ))
        return self.env.cr.rowcount

    @api.model
    def _crm_classification_write_history(self, company, now):
        """One history row per changed grade, stage and tier, old values read
        from ``crm_classification_tmp``, the rule in every installed language.
        Returns the number of rows."""
        grade_rules, stage_rules, tier_rules = self._crm_classification_rules_translated(
            company)
        lang = self.env.lang or "en_US"
        self.env.cr.execute(SQL(
            """
            INSERT INTO crm_classification_history (
                partner_id, company_id, classification, old_value, new_value,
                date, user_id, rule, reason,
                create_uid, create_date, write_uid, write_date)
            SELECT t.partner_id, %(company_id)s, c.classification, c.old_value,
                   c.new_value, %(now)s, %(uid)s, c.rule, %(reason)s,
                   %(uid)s, %(now)s, %(uid)s, %(now)s
              FROM crm_classification_tmp t
              LEFT JOIN crm_customer_tier old_tier ON old_tier.id = t.old_tier_id
              LEFT JOIN crm_customer_tier new_tier ON new_tier.id = t.new_tier_id
             CROSS JOIN LATERAL (
                    SELECT 'value_grade' AS classification, t.old_grade AS old_value,
                           t.new_grade AS new_value,
                           %(grade_rules)s::jsonb -> t.grade_code AS rule
                     WHERE t.grade_changed
                    UNION ALL
                    SELECT 'lifecycle_stage', t.old_stage, t.new_stage,
                           %(stage_rules)s::jsonb -> t.stage_code
                     WHERE t.stage_changed
                    UNION ALL
                    SELECT 'tier',
                           COALESCE(old_tier.name ->> %(lang)s, old_tier.name ->> 'en_US',
                                    t.old_tier_id::text),
                           COALESCE(new_tier.name ->> %(lang)s, new_tier.name ->> 'en_US'),
                           %(tier_rules)s::jsonb -> t.tier_code
                     WHERE t.tier_changed
                   ) c
            """,
            company_id=company.id,
            now=now,
            uid=self.env.uid,
            reason=self.env.context.get("crm_classification_reason"),
            lang=lang,
            grade_rules=json.dumps(grade_rules),
            stage_rules=json.dumps(stage_rules),
            tier_rules=json.dumps(tier_rules),
        ))
        return self.env.cr.rowcount

    @api.model
    def _crm_grade_basis_sql(self, company):
        """SQL expression of the value the grade ranks customers by (Pareto
        share, thresholds, cut-offs), per company setting ``crm_grade_basis``.
        It may use the columns of the classification query's ``base`` step:
        ``c.partner_id`` and the trailing-12-month ``revenue`` expression.
        Other modules add bases (crm_analytics: the value score)."""
        return SQL("ROUND(COALESCE(os.order_revenue, 0) + COALESCE(rf.amount, 0), %s)",
                   company.currency_id.decimal_places)

    @api.model
    def _crm_classification_query(self, company, today, partner_ids=None):
        """CREATE TEMP TABLE crm_classification_tmp: one row per customer with its
        statistics, current and new grade, stage and tier, the rule codes that
        decided them and what changed.

        Customers: commercial partners with a confirmed order, a posted refund,
        an open quotation or an active lead/opportunity in the company, or already
        classified in it (so that they are cleared when nothing is left). The
        steps: what the customers bought (``_crm_classification_sources``), their
        statistics and current values (``_crm_classification_base``), then the
        rules (``_crm_classification_decisions``)."""
        return SQL(
            """
CREATE TEMP TABLE crm_classification_tmp ON COMMIT DROP AS
WITH %(sources)s,
base AS (%(base)s),
%(decisions)s
SELECT f.*,
       NOT grade_locked AND computed_grade IS DISTINCT FROM old_grade AS grade_changed,
       NOT stage_locked AND computed_stage IS DISTINCT FROM old_stage AS stage_changed,
       new_tier_id IS DISTINCT FROM old_tier_id AS tier_changed,
       (NOT grade_locked AND computed_grade IS DISTINCT FROM old_grade)
       OR (NOT stage_locked AND computed_stage IS DISTINCT FROM old_stage)
       OR new_tier_id IS DISTINCT FROM old_tier_id
       OR new_tier_until IS DISTINCT FROM old_tier_until
       OR revenue <> old_revenue
       OR order_count <> old_order_count
       OR order_count_12m <> old_order_count_12m
       OR first_day IS DISTINCT FROM old_first_day
       OR last_day IS DISTINCT FROM old_last_day
       OR avg_interval <> old_avg_interval AS any_changed
  FROM final f
            """,
            sources=self._crm_classification_sources(company, today, partner_ids),
            base=self._crm_classification_base(company, today),
            decisions=self._crm_classification_decisions(
                company, today, full=partner_ids is None),
        )

    @api.model
    def _crm_classification_sources(self, company, today, partner_ids=None):
        """The first CTEs of the classification query: the company's tiers, the
        confirmed orders (revenue rule of ``tools/revenue.py``) and their
        statistics per customer, the refunds of the last 12 months, the
        prospects (open quotation or active lead) and the ``candidates``."""
        start = today - relativedelta(years=1) + timedelta(days=1)
        if partner_ids is None:
            scope_so = scope_am = scope_lead = SQL("TRUE")
            candidates = SQL(
                """
                SELECT partner_id FROM order_stats
                UNION SELECT partner_id FROM refunds
                UNION SELECT partner_id FROM prospects
                UNION SELECT id FROM res_partner rp
                 WHERE %s
                """,
                SQL(" OR ").join(
                    SQL("%s IS NOT NULL", company_value("rp", column, company.id))
                    for column in ("crm_value_grade", "crm_lifecycle_stage", "crm_tier_id",
                                   "crm_order_count")
                ),
            )
        else:
            # Contacts of the given customers: their orders use the indexes on
            # sale_order.partner_id / account_move.partner_id / crm_lead.partner_id.
            contacts = SQL(
                "(SELECT id FROM res_partner WHERE commercial_partner_id = ANY(%s))",
                list(partner_ids),
            )
            scope_so = SQL("so.partner_id IN %s", contacts)
            scope_am = SQL("am.partner_id IN %s", contacts)
            scope_lead = SQL("l.partner_id IN %s", contacts)
            candidates = SQL("SELECT unnest(%s::int[]) AS partner_id", list(partner_ids))
        return SQL(
            """
tiers AS MATERIALIZED (
    SELECT id, min_yearly_amount, grace_months, sequence
      FROM crm_customer_tier
     WHERE company_id = %(company_id)s AND active
),
orders AS (%(orders)s),
order_stats AS (
    SELECT partner_id,
           COUNT(*) AS order_count,
           COUNT(DISTINCT order_day) AS order_days,
           MIN(order_day) AS first_day,
           MAX(order_day) AS last_day,
           COUNT(*) FILTER (WHERE date_order >= %(start)s) AS order_count_12m,
           COUNT(DISTINCT date_trunc('month', date_order))
               FILTER (WHERE date_order >= %(start)s) AS active_months_12m,
           COALESCE(SUM(amount) FILTER (WHERE date_order >= %(start)s), 0) AS order_revenue
      FROM orders
     GROUP BY partner_id
),
refunds AS (
    SELECT partner_id, SUM(amount) AS amount
      FROM (%(refunds)s) r
     GROUP BY partner_id
),
prospects AS (
    SELECT rp.commercial_partner_id AS partner_id
      FROM sale_order so
      JOIN res_partner rp ON rp.id = so.partner_id
     WHERE so.company_id = %(company_id)s
       AND so.state IN ('draft', 'sent')
       AND %(scope_so)s
    UNION
    SELECT rp.commercial_partner_id
      FROM crm_lead l
      JOIN res_partner rp ON rp.id = l.partner_id
     WHERE (l.company_id = %(company_id)s OR l.company_id IS NULL)
       AND l.active
       AND %(scope_lead)s
),
candidates AS (
    %(candidates)s
)""",
            company_id=company.id,
            start=start,
            orders=confirmed_orders(company.id, date_to=today + timedelta(days=1),
                                    where=scope_so),
            refunds=posted_refunds(company.id, date_from=start,
                                   date_to=today + timedelta(days=1), where=scope_am),
            scope_so=scope_so,
            scope_lead=scope_lead,
            candidates=candidates,
        )

    @api.model
    def _crm_classification_base(self, company, today):
        """The ``base`` step: per candidate customer, its order statistics, its
        revenue and grade basis, and the values stored now (old_*, locks)."""
        def own(column, cast=None, default=None):
            return company_value("rp", column, company.id, cast=cast, default=default)

        return SQL(
            """
    SELECT c.partner_id,
           COALESCE(os.order_count, 0) AS order_count,
           COALESCE(os.order_count_12m, 0) AS order_count_12m,
           COALESCE(os.active_months_12m, 0) AS active_months_12m,
           os.first_day,
           os.last_day,
           COALESCE(ROUND(
               (os.last_day - os.first_day)::numeric / NULLIF(os.order_days - 1, 0), 2
           ), 0) AS avg_interval,
           %(today)s::date - os.last_day AS days_since_last,
           %(today)s::date - os.first_day AS days_since_first,
           (EXTRACT(YEAR FROM age(%(today)s::date, os.first_day)) * 12
            + EXTRACT(MONTH FROM age(%(today)s::date, os.first_day)))::int
               AS relationship_months,
           ROUND(COALESCE(os.order_revenue, 0) + COALESCE(rf.amount, 0),
                 %(decimals)s) AS revenue,
           %(grade_basis)s AS grade_basis,
           pr.partner_id IS NOT NULL AS is_prospect,
           %(old_grade)s AS old_grade,
           %(grade_locked)s AS grade_locked,
           %(old_stage)s AS old_stage,
           %(stage_locked)s AS stage_locked,
           %(old_tier_id)s AS old_tier_id,
           %(old_tier_until)s AS old_tier_until,
           %(old_revenue)s AS old_revenue,
           %(old_order_count)s AS old_order_count,
           %(old_order_count_12m)s AS old_order_count_12m,
           %(old_first_day)s AS old_first_day,
           %(old_last_day)s AS old_last_day,
           %(old_avg_interval)s AS old_avg_interval
      FROM candidates c
      JOIN res_partner rp ON rp.id = c.partner_id
      LEFT JOIN order_stats os ON os.partner_id = c.partner_id
      LEFT JOIN refunds rf ON rf.partner_id = c.partner_id
      LEFT JOIN prospects pr ON pr.partner_id = c.partner_id
""",
            today=today,
            decimals=company.currency_id.decimal_places,
            grade_basis=self._crm_grade_basis_sql(company),
            old_grade=own("crm_value_grade"),
            grade_locked=own("crm_value_grade_locked", "boolean", False),
            old_stage=own("crm_lifecycle_stage"),
            stage_locked=own("crm_lifecycle_locked", "boolean", False),
            old_tier_id=own("crm_tier_id", "int"),
            old_tier_until=own("crm_tier_valid_until", "date"),
            old_revenue=own("crm_revenue_12m", "numeric", 0),
            old_order_count=own("crm_order_count", "int", 0),
            old_order_count_12m=own("crm_order_count_12m", "int", 0),
            old_first_day=own("crm_first_order_date", "date"),
            old_last_day=own("crm_last_order_date", "date"),
            old_avg_interval=own("crm_avg_order_interval", "numeric", 0),
        )

    @api.model
    def _crm_classification_grade_code(self, company, full):
        """SQL expression of the grade rule code of a customer with revenue:
        thresholds, Pareto shares (full run) or the stored Pareto cut-offs (an
        incremental run cannot rank every customer again)."""
        if company.crm_grade_method == "threshold":
            return SQL(
                """CASE WHEN grade_basis >= %(a)s::numeric THEN 'threshold_a'
                        WHEN grade_basis >= %(b)s::numeric THEN 'threshold_b'
                        ELSE 'threshold_c' END""",
                a=company.crm_grade_a_threshold, b=company.crm_grade_b_threshold,
            )
        if full:
            # Ties: revenue_before sums the customers with a strictly larger
            # revenue, so equal revenues get the same (best) grade.
            return SQL(
                """CASE WHEN revenue_before * 100 < %(a)s::numeric * revenue_total THEN 'pareto_a'
                        WHEN revenue_before * 100 < (%(a)s::numeric + %(b)s::numeric) * revenue_total
                             THEN 'pareto_b'
                        ELSE 'pareto_c' END""",
                a=company.crm_grade_a_share, b=company.crm_grade_b_share,
            )
        return SQL(
            """CASE WHEN grade_basis >= %(a)s::numeric THEN 'cutoff_a'
                    WHEN grade_basis >= %(b)s::numeric THEN 'cutoff_b'
                    ELSE 'cutoff_c' END""",
            a=company.crm_grade_a_cutoff, b=company.crm_grade_b_cutoff,
        )

    @api.model
    def _crm_classification_decisions(self, company, today, full):
        """The CTEs after ``base``: Pareto ranking (``ranked``), the rule codes of
        grade, stage and tier (``coded``, ``decided``) and the new values, locks
        kept (``final``)."""
        return SQL(
            """
ranked AS (
    -- Running total up to and including the customers with the same revenue,
    -- minus those: the revenue of the customers strictly above (an EXCLUDE
    -- GROUP frame would recompute the sum for each row).
    SELECT b.*,
           COALESCE(SUM(ranked_revenue) OVER (ORDER BY grade_basis DESC), 0)
           - COALESCE(SUM(ranked_revenue) OVER (PARTITION BY grade_basis), 0) AS revenue_before,
           COALESCE(SUM(ranked_revenue) OVER (), 0) AS revenue_total
      FROM (SELECT base.*,
                   CASE WHEN revenue > 0 AND grade_basis > 0 AND order_count > 0
                        THEN grade_basis END AS ranked_revenue
              FROM base) b
),
coded AS (
    SELECT r.*,
           CASE WHEN order_count = 0 THEN 'no_order'
                WHEN revenue <= 0 THEN 'no_revenue'
                ELSE %(grade_code)s
           END AS grade_code,
           CASE WHEN order_count = 0 THEN
                     CASE WHEN is_prospect THEN 'potential' ELSE 'none' END
                WHEN days_since_last > %(lost_days)s THEN 'lost'
                WHEN days_since_last > %(at_risk_factor)s::numeric
                     * COALESCE(NULLIF(avg_interval, 0), %(new_days)s) THEN 'at_risk'
                WHEN days_since_first < %(new_days)s THEN 'new'
                WHEN relationship_months >= %(loyal_months)s
                     AND order_count_12m >= %(loyal_orders)s
                     AND active_months_12m >= %(loyal_active_months)s THEN 'loyal'
                WHEN relationship_months >= %(old_months)s THEN 'old'
                WHEN order_count_12m >= %(regular_orders)s THEN 'regular'
                ELSE 'new_fallback'
           END AS stage_code,
           qt.id AS qualified_tier_id,
           qt.min_yearly_amount AS qualified_min,
           qt.grace_months AS qualified_grace,
           ct.id AS current_tier_id,
           ct.min_yearly_amount AS current_min
      FROM ranked r
      LEFT JOIN LATERAL (
            SELECT t.id, t.min_yearly_amount, t.grace_months
              FROM tiers t
             WHERE r.order_count > 0
               AND t.min_yearly_amount <= r.revenue
             ORDER BY t.min_yearly_amount DESC, t.sequence, t.id
             LIMIT 1
           ) qt ON TRUE
      LEFT JOIN tiers ct ON ct.id = r.old_tier_id
),
decided AS (
    SELECT c.*,
           CASE grade_code WHEN 'no_order' THEN NULL
                           WHEN 'no_revenue' THEN 'c'
                           ELSE right(grade_code, 1)
           END AS computed_grade,
           CASE stage_code WHEN 'none' THEN NULL
                           WHEN 'new_fallback' THEN 'new'
                           ELSE stage_code
           END AS computed_stage,
           CASE WHEN qualified_tier_id IS NOT NULL
                     AND (current_tier_id IS NULL OR qualified_min >= current_min)
                     THEN 'qualified'
                WHEN current_tier_id IS NOT NULL AND old_tier_until >= %(today)s THEN 'grace'
                WHEN current_tier_id IS NOT NULL THEN 'expired'
                ELSE 'none'
           END AS tier_code
      FROM coded c
),
final AS (
    SELECT d.*,
           CASE WHEN grade_locked THEN old_grade ELSE computed_grade END AS new_grade,
           CASE WHEN stage_locked THEN old_stage ELSE computed_stage END AS new_stage,
           CASE tier_code WHEN 'grace' THEN current_tier_id
                          ELSE qualified_tier_id
           END AS new_tier_id,
           CASE WHEN tier_code = 'grace' THEN old_tier_until
                WHEN qualified_tier_id IS NOT NULL
                     THEN (%(today)s::date + make_interval(months => qualified_grace))::date
           END AS new_tier_until
      FROM decided d
)""",
            today=today,
            grade_code=self._crm_classification_grade_code(company, full),
            lost_days=company.crm_lost_days,
            at_risk_factor=company.crm_at_risk_factor,
            new_days=company.crm_new_customer_days,
            loyal_months=company.crm_loyal_min_months,
            loyal_orders=company.crm_loyal_min_orders,
            loyal_active_months=company.crm_loyal_min_active_months,
            old_months=company.crm_old_min_months,
            regular_orders=company.crm_regular_min_orders,
        )
