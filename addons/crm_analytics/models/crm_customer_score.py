import io
import logging
import time

import numpy as np
from dateutil.relativedelta import relativedelta

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError
from odoo.tools import SQL

from odoo.addons.crm_extended.tools.company_values import company_value

from ..scoring import btyd, composite, loyalty, rfm

_logger = logging.getLogger(__name__)

RFM_SEGMENTS = [
    ("champions", "Champions"),
    ("loyal", "Loyal"),
    ("potential_loyalist", "Potential Loyalist"),
    ("new", "New"),
    ("promising", "Promising"),
    ("need_attention", "Need Attention"),
    ("about_to_sleep", "About to Sleep"),
    ("at_risk", "At Risk"),
    ("cannot_lose", "Cannot Lose"),
    ("hibernating", "Hibernating"),
    ("lost", "Lost"),
]
CHURN_RISKS = [("low", "Low"), ("medium", "Medium"), ("high", "High")]
# Second key of the advisory lock (the first is the company id).
SCORE_LOCK_KEY = 735_120_006
SCORE_WORK_MEM = "128MB"
INTEGER_COLUMNS = {
    "partner_id", "r_score", "f_score", "m_score", "churn_flags", "frequency",
    "recency_days", "purchase_days", "repeat_purchases", "tenure_days",
}

SELECTION_KEYS = {"rfm_segment": RFM_SEGMENTS, "churn_risk": CHURN_RISKS}
# Kind of column -> (type in the temporary table, numpy type in binary COPY).
# Numeric values go as fixed-width numerics (see _crm_score_numeric_digits):
# casting millions of float8 to numeric in SQL costs more than the update.
NUMERIC_DTYPE = [("ndigits", ">i2"), ("weight", ">i2"), ("sign", ">u2"), ("dscale", ">u2"),
                 ("digits", ">i2", (6,))]
BINARY_TYPES = {
    "float": ("float8", ">f8"),
    "numeric": ("numeric", NUMERIC_DTYPE),
    "integer": ("int4", ">i4"),
    "date": ("date", ">i4"),
    "selection": ("int2", ">i2"),
}

# Columns written by the engine, in COPY order (after partner_id, company_id).
SCORE_COLUMNS = [
    "recency_days", "frequency", "monetary", "r_score", "f_score", "m_score",
    "rfm_segment", "first_order_date", "last_order_date", "purchase_days",
    "repeat_purchases", "avg_repeat_value", "p_alive", "expected_purchases",
    "expected_avg_value", "predicted_clv", "churn_risk", "churn_flags",
    "revenue_12m", "revenue_prev_12m", "margin", "complaint_cost", "service_cost",
    "profit", "tenure_days", "persistence", "stability", "spend_trend",
    "share_of_wallet", "rfm_component", "clv_component", "profit_component",
    "loyalty_component", "alive_component", "value_score", "computed_at",
]


class CrmCustomerScore(models.Model):
    """Value scores of a customer (commercial partner) in one company.

    Written only by the engine (one SQL upsert per company); users read them."""

    _name = "crm.customer.score"
    _description = "Customer Value Score"
    _order = "value_score desc, id"
    _rec_name = "partner_id"
    _check_company_auto = True

    partner_id = fields.Many2one(
        "res.partner", string="Customer", required=True, readonly=True,
        ondelete="cascade",
    )  # indexed by the unique (partner_id, company_id) index
    partner_active = fields.Boolean(related="partner_id.active", string="Active Customer")
    company_id = fields.Many2one("res.company", required=True, readonly=True)
    currency_id = fields.Many2one(related="company_id.currency_id")
    computed_at = fields.Datetime(string="Computed On", readonly=True)

    # RFM
    recency_days = fields.Integer(string="Days Since Last Order", readonly=True,
                                  aggregator="avg")
    frequency = fields.Integer(string="Orders (RFM window)", readonly=True, aggregator="avg")
    monetary = fields.Monetary(string="Net Revenue (RFM window)", readonly=True)
    r_score = fields.Integer(readonly=True, aggregator="avg")
    f_score = fields.Integer(readonly=True, aggregator="avg")
    m_score = fields.Integer(readonly=True, aggregator="avg")
    rfm_code = fields.Char(string="RFM", compute="_compute_rfm_code")
    rfm_segment = fields.Selection(RFM_SEGMENTS, string="RFM Segment", readonly=True)

    # Lifetime value (BG/NBD + Gamma-Gamma)
    first_order_date = fields.Date(string="First Order", readonly=True)
    last_order_date = fields.Date(string="Last Order", readonly=True)
    purchase_days = fields.Integer(readonly=True, aggregator="avg",
                                   help="Days with at least one confirmed order.")
    repeat_purchases = fields.Integer(readonly=True,
                                      aggregator="avg")
    avg_repeat_value = fields.Monetary(string="Average Repeat Order Value", readonly=True,
                                       aggregator="avg")
    p_alive = fields.Float(string="Probability Active", readonly=True, aggregator="avg",
                           digits=(16, 4))
    expected_purchases = fields.Float(readonly=True,
                                      digits=(16, 2))
    expected_avg_value = fields.Monetary(string="Expected Order Value", readonly=True,
                                         aggregator="avg")
    predicted_clv = fields.Monetary(string="Predicted Lifetime Value", readonly=True)

    # Churn
    churn_risk = fields.Selection(CHURN_RISKS, readonly=True)
    churn_flags = fields.Integer(string="Churn Reason Flags", readonly=True, aggregator=None)
    churn_reasons = fields.Text(compute="_compute_churn_reasons")

    # Profitability
    revenue_12m = fields.Monetary(string="Net Revenue (12 months)", readonly=True)
    revenue_prev_12m = fields.Monetary(string="Net Revenue (previous 12 months)",
                                       readonly=True)
    margin = fields.Monetary(string="Margin (RFM window)", readonly=True)
    complaint_cost = fields.Monetary(string="Complaint Compensation", readonly=True)
    service_cost = fields.Monetary(readonly=True)
    profit = fields.Monetary(readonly=True,
                             help="Margin minus complaint compensation and service cost.")

    # Loyalty
    tenure_days = fields.Integer(string="Tenure (days)", readonly=True, aggregator="avg")
    persistence = fields.Float(readonly=True, aggregator="avg",
                               digits=(16, 3))
    stability = fields.Float(readonly=True, aggregator="avg",
                             digits=(16, 3))
    spend_trend = fields.Float(readonly=True, aggregator="avg",
                               digits=(16, 3))
    share_of_wallet = fields.Float(string="Share of Wallet", readonly=True, aggregator="avg",
                                   digits=(16, 3))

    # Composite
    rfm_component = fields.Float(string="RFM Component", readonly=True, aggregator="avg",
                                 digits=(16, 1))
    clv_component = fields.Float(string="Lifetime Value Component", readonly=True,
                                 aggregator="avg", digits=(16, 1))
    profit_component = fields.Float(string="Profitability Component", readonly=True,
                                    aggregator="avg", digits=(16, 1))
    loyalty_component = fields.Float(readonly=True,
                                     aggregator="avg", digits=(16, 1))
    alive_component = fields.Float(string="Activity Component", readonly=True,
                                   aggregator="avg", digits=(16, 1))
    value_score = fields.Float(readonly=True, aggregator="avg",
                               digits=(16, 1))

    _partner_company_unique = models.UniqueIndex(
        "(partner_id, company_id)", "A customer has one score per company."
    )

    # ------------------------------------------------------------
    # COMPUTE METHODS
    # ------------------------------------------------------------

    @api.depends("r_score", "f_score", "m_score")
    def _compute_rfm_code(self):
        for score in self:
            score.rfm_code = f"{score.r_score}{score.f_score}{score.m_score}"

    @api.depends("churn_flags", "p_alive", "recency_days", "spend_trend")
    def _compute_churn_reasons(self):
        for score in self:
            flags = score.churn_flags
            lines = []
            if flags & composite.REASON_P_ALIVE:
                lines.append(self.env._("Probability of still buying is %(p)s%%",
                                        p=round(score.p_alive * 100)))
            if flags & composite.REASON_INACTIVE:
                lines.append(self.env._("No order for %(days)s days", days=score.recency_days))
            if flags & composite.REASON_SPEND_FALLING:
                lines.append(self.env._("Spend fell by %(pct)s%% against the previous 12 months",
                                        pct=round(-score.spend_trend * 100)))
            if flags & composite.REASON_COMPLAINTS:
                lines.append(self.env._("Recent complaints"))
            if flags & composite.REASON_CONTRACT:
                lines.append(self.env._("Contract ended without renewal"))
            score.churn_reasons = "\n".join(lines)

    # ------------------------------------------------------------
    # ACTIONS
    # ------------------------------------------------------------

    @api.model
    def action_crm_recompute_scores(self):
        """Button: full recompute of the scores of the current company."""
        if not self.env.su and not self.env.user.has_group(
            "crm_extended.group_crm_extended_manager"
        ):
            raise AccessError(self.env._("Only CRM managers may recompute the customer scores."))
        result = self._crm_score_company(self.env.company)
        if result is None:
            raise UserError(self.env._(
                "The customer scores of %(company)s are being recomputed by another run; "
                "try again when it has finished.",
                company=self.env.company.display_name,
            ))
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "type": "success",
                "message": self.env._("%(count)s customers scored.", count=result["customers"]),
                "customers": result["customers"],
                "sticky": False,
                "next": {"type": "ir.actions.act_window_close"},
            },
        }

    def action_crm_recompute_scores_button(self):
        """The list's header button: the web client calls it on the selected
        records (possibly none); the whole company is recomputed all the same."""
        return self.browse().action_crm_recompute_scores()

    @api.model
    def _cron_crm_recompute_scores(self):
        """Daily full recompute, one transaction (and commit) per company; a
        company whose recompute is already running is skipped."""
        # pylint: disable-next=no-search-all  # every company: the cron covers them all, one at a time
        companies = self.env["res.company"].sudo().search([])
        self.env["ir.cron"]._commit_progress(remaining=len(companies))
        for company in companies:
            self.with_company(company)._crm_score_company(company)
            if not self.env["ir.cron"]._commit_progress(1):
                break

    # ------------------------------------------------------------
    # HOOKS for complaints and contracts (filled by other modules)
    # ------------------------------------------------------------

    @api.model
    def _crm_score_complaint_costs(self, company, partner_ids, date_from):
        """Compensation paid on complaints since ``date_from``, in company
        currency: {commercial partner id: amount}. ``partner_ids`` is None for
        every customer. Extend when complaints exist."""
        return {}

    @api.model
    def _crm_score_service_costs(self, company, partner_ids, date_from):
        """Cost of service (contracts, repairs) since ``date_from``, in company
        currency: {commercial partner id: amount}."""
        return {}

    @api.model
    def _crm_score_recent_complaints(self, company, partner_ids, date_from):
        """Complaints received since ``date_from``: {partner id: count}."""
        return {}

    @api.model
    def _crm_score_expired_contracts(self, company, partner_ids, today):
        """Contracts ended without renewal (recently, as the contract module
        defines it): {partner id: count}."""
        return {}

    # ------------------------------------------------------------
    # ENGINE
    # ------------------------------------------------------------

    @api.model
    def _crm_score_today(self):
        today = self.env.context.get("crm_score_today")
        return fields.Date.to_date(today) if today else fields.Date.today()

    @api.model
    def _crm_score_lock(self, company, wait=False):
        """Transaction-level advisory lock per company: a second full run skips
        (returns False) instead of writing the same rows twice; an incremental
        update (``wait``) waits for the running one."""
        function = "pg_advisory_xact_lock" if wait else "pg_try_advisory_xact_lock"
        self.env.cr.execute(SQL(
            "SELECT %s(%s, %s)", SQL.identifier(function), SCORE_LOCK_KEY, company.id
        ))
        return wait or self.env.cr.fetchone()[0]

    @api.model
    def _crm_score_company(self, company, partner_ids=None, rebuild=False):
        """Score the customers of ``company`` (all, or the commercial partners
        ``partner_ids``) in the current transaction; ``rebuild`` aggregates the
        whole order history again instead of bringing the stored aggregate up
        to date. Returns {"customers": n, ...} or None when another full run
        holds the company's lock."""
        company = company.sudo()
        full = partner_ids is None
        if not self._crm_score_lock(company, wait=not full):
            _logger.info("Customer scores of company %s: another run is busy, skipped",
                         company.id)
            return None
        started = time.monotonic()
        self.env.flush_all()
        # For this transaction: sorts and hashes over 100,000 customers stay in
        # memory; no JIT compilation of the aggregate queries.
        self.env.cr.execute(SQL(
            "SELECT set_config('jit', 'off', true), set_config('work_mem', %s, true)",
            SCORE_WORK_MEM,
        ))
        config = self.env["crm.score.config"]._get_for_company(company)
        today = self._crm_score_today()
        aggregate = self._crm_score_aggregate_sync(company, config, today, partner_ids,
                                                   rebuild=rebuild)
        aggregated_at = time.monotonic()
        data = self._crm_score_read(company, config, today, partner_ids)
        read_at = time.monotonic()
        if full:
            params, message = self._crm_score_fit(data, self._crm_score_stored_params(config))
            last_full_run = config.fitted_at
            config.write({
                "bgnbd_r": params["bgnbd"].r if params["bgnbd"] else 0.0,
                "bgnbd_alpha": params["bgnbd"].alpha if params["bgnbd"] else 0.0,
                "bgnbd_a": params["bgnbd"].a if params["bgnbd"] else 0.0,
                "bgnbd_b": params["bgnbd"].b if params["bgnbd"] else 0.0,
                "gamma_p": params["gamma"].p if params["gamma"] else 0.0,
                "gamma_q": params["gamma"].q if params["gamma"] else 0.0,
                "gamma_v": params["gamma"].v if params["gamma"] else 0.0,
                **self._crm_score_log_likelihoods(data, params),
                "fit_as_of": today,
                "fitted_at": fields.Datetime.now(),
                "fit_customers": len(data["partner_id"]),
                "fit_message": message,
            })
            population = None
        else:
            params = self._crm_score_stored_params(config)
            population = self._crm_score_population(company, partner_ids)
        fit_at = time.monotonic()
        rows = self._crm_score_compute(company, config, data, params, population, today)
        if full:
            self._crm_score_snapshot(company, today, last_full_run)
        self._crm_score_write(company, rows, partner_ids)
        done = time.monotonic()
        _logger.info(
            "Customer scores of company %s (%s): %s customers; aggregate (%s, %s "
            "customers) %.2fs, read %.2fs, fit %.2fs, score and write %.2fs",
            company.id, "full" if full else "incremental", len(data["partner_id"]),
            aggregate["mode"], aggregate["customers"], aggregated_at - started,
            read_at - aggregated_at, fit_at - read_at, done - fit_at,
        )
        return {
            "customers": len(data["partner_id"]),
            "aggregate": aggregate["mode"],
            "aggregated_customers": aggregate["customers"],
            "aggregate_seconds": aggregated_at - started,
            "read_seconds": read_at - aggregated_at,
            "fit_seconds": fit_at - read_at,
            "write_seconds": done - fit_at,
        }

    @api.model
    def _crm_score_partners(self, partners):
        """Incremental update of the commercial partners ``partners`` in
        ``self.env.company`` with the stored fit (order confirmed or cancelled,
        credit note posted). Without a fit yet, the first call runs the full
        recompute."""
        company = self.env.company
        config = self.env["crm.score.config"].sudo().search(
            [("company_id", "=", company.id)], limit=1
        )
        if not config.fitted_at:
            self._crm_score_company(company)
            return
        self._crm_score_company(company, partners.ids)

    @api.model
    def _crm_score_read(self, company, config, today, partner_ids=None):
        """The scoring inputs of the customers (commercial partners with at
        least one confirmed order in the company; all, or ``partner_ids``) from
        the purchase aggregate, which must be at ``today`` (see
        _crm_score_aggregate_sync): a dict of numpy arrays, one entry per
        customer, ordered by partner id.

        Amounts are untaxed, in company currency (each order at its own rate,
        credit notes at their posting rate), refunds are posted customer credit
        notes of the window; archived customers are included."""
        scope = SQL("") if partner_ids is None else SQL(
            "AND a.partner_id = ANY(%s)", list(partner_ids))
        # Every column is NOT NULL float8 or int4: the result comes back as
        # binary COPY and numpy reads it as records in one go (no Python
        # object per value). Days are integers since 1970-01-01.
        columns = [
            ("partner_id", "int4", SQL("a.partner_id")),
            ("recency", "int4", SQL("%s::date - a.last_day", today)),
            ("t_x", "int4", SQL("a.last_day - a.first_day")),
            ("age", "int4", SQL("%s::date - a.first_day", today)),
            ("purchase_days", "int4", SQL("a.purchase_days")),
            ("repeat_amount", "float8", SQL("a.repeat_amount")),
            ("active_months", "int4", SQL("a.active_months")),
            ("months_span", "int4", SQL(
                "(EXTRACT(YEAR FROM %s::date) - EXTRACT(YEAR FROM a.first_day)) * 12"
                " + EXTRACT(MONTH FROM %s::date) - EXTRACT(MONTH FROM a.first_day) + 1",
                today, today)),
            ("gap_mean", "float8", SQL("a.gap_mean")),
            ("gap_std", "float8", SQL("a.gap_std")),
            ("gap_count", "int4", SQL("a.gap_count")),
            ("frequency", "int4", SQL("a.frequency")),
            ("monetary", "float8", SQL("a.window_amount - a.window_refund")),
            ("window_amount", "float8", SQL("a.window_amount")),
            ("window_refund", "float8", SQL("a.window_refund")),
            ("window_margin", "float8", SQL("a.window_margin")),
            ("revenue_12m", "float8", SQL("a.amount_12m - a.refund_12m")),
            ("revenue_prev_12m", "float8", SQL("a.amount_prev_12m - a.refund_prev_12m")),
            ("potential", "float8", company_value(
                "rp", "crm_estimated_potential", company.id, "float8", 0)),
            ("first_day", "int4", SQL("a.first_day - DATE '1970-01-01'")),
            ("last_day", "int4", SQL("a.last_day - DATE '1970-01-01'")),
        ]
        query = SQL(
            """SELECT %s
                 FROM crm_customer_score_aggregate a
                 JOIN res_partner rp ON rp.id = a.partner_id
                WHERE a.company_id = %s %s
                ORDER BY a.partner_id""",
            SQL(", ").join(SQL("(%s)::%s", expression, SQL(kind))
                           for __, kind, expression in columns),
            company.id, scope,
        )
        data = self._crm_score_fetch_records(
            query, [(name, kind) for name, kind, __ in columns])
        for name in ("recency", "t_x", "age", "purchase_days", "active_months",
                     "months_span", "gap_count", "frequency"):
            data[name] = data[name].astype(float)
        for name in ("first_day", "last_day"):
            data[name] = data[name].astype("datetime64[D]")
        return data

    @api.model
    def _crm_score_fit(self, data, previous=None):
        """BG/NBD and Gamma-Gamma fits on the company's customers; a model that
        cannot be fitted (too few repeat buyers) is None with the reason. The
        previous fit (``previous``, as from _crm_score_stored_params) is the
        starting point: from one day to the next it barely moves."""
        previous = previous or {}
        x = data["purchase_days"] - 1
        params = {"bgnbd": None, "gamma": None}
        messages = []
        start = previous.get("bgnbd")
        try:
            params["bgnbd"] = btyd.fit_bgnbd(
                x, data["t_x"], data["age"],
                initial=[start.r, start.alpha, start.a, start.b] if start else None,
            )
        except btyd.FitError as error:
            messages.append(self.env._("BG/NBD not fitted: %(error)s", error=error))
        with np.errstate(divide="ignore", invalid="ignore"):
            m = np.where(x > 0, data["repeat_amount"] / np.maximum(x, 1), 0.0)
        start = previous.get("gamma")
        try:
            params["gamma"] = btyd.fit_gamma_gamma(
                x, m, initial=[start.p, start.q, start.v] if start else None
            )
        except btyd.FitError as error:
            messages.append(self.env._("Gamma-Gamma not fitted: %(error)s", error=error))
        return params, "; ".join(messages) or self.env._("Both models fitted")

    @api.model
    def _crm_score_log_likelihoods(self, data, params):
        """Total log-likelihood of each fitted model on ``data`` (0 when not
        fitted), for the settings and crm_api_score_model."""
        x = data["purchase_days"] - 1
        values = {"bgnbd_log_likelihood": 0.0, "gamma_log_likelihood": 0.0}
        with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
            if params["bgnbd"]:
                ll = btyd.bgnbd_log_likelihood(
                    [params["bgnbd"].r, params["bgnbd"].alpha, params["bgnbd"].a,
                     params["bgnbd"].b], x, data["t_x"], data["age"])
                values["bgnbd_log_likelihood"] = float(np.sum(ll)) if np.isfinite(
                    np.sum(ll)) else 0.0
            if params["gamma"]:
                m = np.where(x > 0, data["repeat_amount"] / np.maximum(x, 1), 0.0)
                ll = np.nansum(btyd.gamma_gamma_log_likelihood(params["gamma"], x, m))
                values["gamma_log_likelihood"] = float(ll) if np.isfinite(ll) else 0.0
        return values

    @api.model
    def _crm_score_as_of(self, company, as_of, horizon_days=None):
        """The scores of ``company`` as they would have been computed on
        ``as_of``: only the orders and credit notes dated up to that day
        count, the models are fitted on that history. Nothing is stored (the
        purchase aggregate is rebuilt at ``as_of`` inside a savepoint that is
        rolled back): today's scores and fit stay as they are, and no later
        run can overwrite the answer. Returns {"rows": column -> array,
        "params": {"bgnbd", "gamma"}, "message", "customers", "data"} or None
        when a full run of the company is busy."""
        company = company.sudo()
        if not self._crm_score_lock(company):
            return None
        self.env.flush_all()
        engine = self.with_context(crm_score_today=as_of)
        config = self.env["crm.score.config"]._get_for_company(company)
        with self.env.cr.savepoint(flush=False) as savepoint:
            self.env.cr.execute(SQL(
                "DELETE FROM crm_customer_score_aggregate WHERE company_id = %s", company.id))
            engine._crm_score_aggregate_insert(company, config, as_of, None)
            data = engine._crm_score_read(company, config, as_of)
            savepoint.rollback()
        params, message = engine._crm_score_fit(data)
        rows = engine._crm_score_compute(company, config, data, params, None, as_of,
                                         horizon_days=horizon_days)
        return {"rows": rows, "params": params, "message": message, "data": data,
                "customers": len(data["partner_id"]),
                **engine._crm_score_log_likelihoods(data, params)}

    @api.model
    def _crm_score_stored_params(self, config):
        bgnbd = gamma = None
        if config.bgnbd_r > 0:
            bgnbd = btyd.BGNBDParams(config.bgnbd_r, config.bgnbd_alpha, config.bgnbd_a,
                                     config.bgnbd_b)
        if config.gamma_p > 0:
            gamma = btyd.GammaGammaParams(config.gamma_p, config.gamma_q, config.gamma_v)
        return {"bgnbd": bgnbd, "gamma": gamma}

    @api.model
    def _crm_score_population(self, company, partner_ids):
        """Stored values of the company's other customers, to rank an
        incremental update against (one query)."""
        query = SQL(
            """SELECT COALESCE(recency_days::float8, 'NaN'), COALESCE(frequency::float8, 'NaN'),
                      COALESCE(monetary::float8, 'NaN'), COALESCE(predicted_clv::float8, 'NaN'),
                      COALESCE(profit::float8, 'NaN')
                 FROM crm_customer_score
                WHERE company_id = %s AND partner_id != ALL(%s)""",
            company.id, list(partner_ids),
        )
        return self._crm_score_fetch_records(query, [
            ("recency", "float8"), ("frequency", "float8"), ("monetary", "float8"),
            ("clv", "float8"), ("profit", "float8"),
        ])

    @api.model
    def _crm_score_fetch_records(self, query, columns):
        """Run ``query`` (its columns NOT NULL int4 or float8, as ``columns``
        lists them: (name, type)) as a binary COPY that numpy reads as records
        in one go, without a Python object per value: {name: array}, int4 as
        int64, float8 as float."""
        buffer = io.BytesIO()
        cr = self.env.cr
        cr.copy_expert(
            cr.mogrify(SQL("COPY (%s) TO STDOUT WITH (FORMAT binary)", query)).decode(),
            buffer,
        )
        layout = [("fields", ">i2")]
        for name, kind in columns:
            layout += [(f"{name}_size", ">i4"), (name, ">i4" if kind == "int4" else ">f8")]
        # 19-byte header (signature, flags, extension length), 2-byte trailer.
        records = np.frombuffer(buffer.getbuffer()[19:-2], dtype=np.dtype(layout))
        return {name: records[name].astype(np.int64 if kind == "int4" else float)
                for name, kind in columns}

    @api.model
    def _crm_score_compute(self, company, config, data, params, population, today,
                           horizon_days=None):
        """All measures from the aggregate and the fit: a dict of column -> array.
        ``horizon_days``: forecast horizon of the expected purchases (default:
        the settings')."""
        n = len(data["partner_id"])
        ids = data["partner_id"].tolist()
        pop = population or {}

        def with_population(name, values):
            return np.concatenate([pop[name], values]) if population is not None else values

        recency = data["recency"]
        frequency = data["frequency"]
        monetary = data["monetary"]
        r_score = rfm.quintile_scores(recency, with_population("recency", recency),
                                      higher_is_better=False)
        f_score = rfm.quintile_scores(frequency, with_population("frequency", frequency))
        m_score = rfm.quintile_scores(monetary, with_population("monetary", monetary))
        segment = rfm.segments(r_score, f_score, m_score)

        x = data["purchase_days"] - 1
        age = data["age"]
        nan = np.full(n, np.nan)
        bgnbd, gamma = params["bgnbd"], params["gamma"]
        avg_repeat, p_alive, expected, expected_value, clv = self._crm_score_predictions(
            config, data, params, horizon_days)
        complaint_cost, service_cost, complaints, contracts = self._crm_score_service_signals(
            company, config, ids, today, everyone=population is None)
        # Refunded sales lose their margin in proportion: the order margin rate
        # applied to the credit notes of the window.
        with np.errstate(divide="ignore", invalid="ignore"):
            margin_rate = np.where(data["window_amount"] > 0,
                                   data["window_margin"] / data["window_amount"], 0.0)
        margin = data["window_margin"] - data["window_refund"] * margin_rate
        profit = margin - complaint_cost - service_cost

        persistence = loyalty.persistence(data["active_months"], data["months_span"])
        stability = loyalty.stability(data["gap_mean"], data["gap_std"], data["gap_count"])
        trend = loyalty.spend_trend(data["revenue_12m"], data["revenue_prev_12m"])
        wallet = loyalty.share_of_wallet(data["revenue_12m"], data["potential"])

        level, flags = composite.churn_risk(
            np.nan_to_num(p_alive, nan=1.0), recency, trend, complaints, contracts,
            medium_below=config.churn_medium_below, high_below=config.churn_high_below,
            lost_days=company.crm_lost_days, falling_trend=config.churn_falling_trend / 100.0,
        )

        weights = config._weights()
        if not (bgnbd and gamma):
            weights["clv"] = 0.0
        if not bgnbd:
            weights["alive"] = 0.0
        components = {
            "rfm": composite.rfm_component(r_score, f_score, m_score),
            "clv": composite.rank_component(clv, with_population("clv", clv)),
            "profit": composite.rank_component(profit, with_population("profit", profit)),
            "loyalty": np.nanmean(
                np.vstack([np.nan_to_num(persistence, nan=0.0), np.nan_to_num(stability, nan=0.0)]),
                axis=0,
            ),
            "alive": np.nan_to_num(p_alive, nan=0.0),
        }
        if sum(weights.values()) <= 0:
            weights = {"rfm": 1.0}
            components = {"rfm": components["rfm"]}
        score = composite.value_score(components, weights)
        return {
            "partner_id": data["partner_id"],
            "recency_days": recency,
            "frequency": frequency,
            "monetary": monetary,
            "r_score": r_score,
            "f_score": f_score,
            "m_score": m_score,
            "rfm_segment": segment,
            "first_order_date": data["first_day"],
            "last_order_date": data["last_day"],
            "purchase_days": data["purchase_days"],
            "repeat_purchases": x,
            "avg_repeat_value": avg_repeat,
            "p_alive": p_alive,
            "expected_purchases": expected,
            "expected_avg_value": expected_value,
            "predicted_clv": clv,
            "churn_risk": np.asarray(composite.CHURN_LEVELS, dtype=object)[level],
            "churn_flags": flags,
            "revenue_12m": data["revenue_12m"],
            "revenue_prev_12m": data["revenue_prev_12m"],
            "margin": margin,
            "complaint_cost": complaint_cost,
            "service_cost": service_cost,
            "profit": profit,
            "tenure_days": age,
            "persistence": persistence,
            "stability": stability,
            "spend_trend": trend,
            "share_of_wallet": wallet,
            "rfm_component": np.round(100 * components["rfm"], 1),
            "clv_component": np.round(100 * (components["clv"] if weights.get("clv") else nan), 1),
            "profit_component": np.round(100 * components.get("profit", nan), 1),
            "loyalty_component": np.round(100 * components.get("loyalty", nan), 1),
            "alive_component": np.round(
                100 * (components["alive"] if weights.get("alive") else nan), 1
            ),
            "value_score": score,
        }

    @api.model
    def _crm_score_predictions(self, config, data, params, horizon_days=None):
        """BG/NBD and Gamma-Gamma per customer: mean repeat value, probability
        of being alive, expected purchases over the horizon, expected average
        value and CLV (NaN where the model is not fitted)."""
        x = data["purchase_days"] - 1
        t_x, age = data["t_x"], data["age"]
        with np.errstate(divide="ignore", invalid="ignore"):
            avg_repeat = np.where(x > 0, data["repeat_amount"] / np.maximum(x, 1), 0.0)
        nan = np.full(len(x), np.nan)
        bgnbd, gamma = params["bgnbd"], params["gamma"]
        p_alive = btyd.probability_alive(bgnbd, x, t_x, age) if bgnbd else nan
        expected = (
            btyd.expected_purchases(bgnbd, horizon_days or config.horizon_days, x, t_x, age)
            if bgnbd else nan
        )
        expected_value = btyd.expected_average_value(gamma, x, avg_repeat) if gamma else nan
        if bgnbd and gamma:
            monthly = (1 + config.discount_rate / 100.0) ** (1 / 12) - 1
            clv = btyd.customer_lifetime_value(
                bgnbd, gamma, x, t_x, age, avg_repeat, config.clv_months, monthly
            )
        else:
            clv = nan
        return avg_repeat, p_alive, expected, expected_value, clv

    @api.model
    def _crm_score_service_signals(self, company, config, ids, today, everyone):
        """Per customer of ``ids`` (arrays in that order): complaint and service
        costs of the RFM window, complaints of the last 90 days and service
        contracts ended without renewal. ``everyone``: ``ids`` are all the
        company's customers (one query each, not filtered by id)."""
        scope = None if everyone else ids
        window_start = today - relativedelta(months=config.rfm_window_months, days=-1)
        complaint_cost = self._crm_score_lookup(
            self._crm_score_complaint_costs(company, scope, window_start), ids)
        service_cost = self._crm_score_lookup(
            self._crm_score_service_costs(company, scope, window_start), ids)
        complaints = self._crm_score_lookup(
            self._crm_score_recent_complaints(company, scope, today - relativedelta(days=90)),
            ids)
        contracts = self._crm_score_lookup(
            self._crm_score_expired_contracts(company, scope, today), ids)
        return complaint_cost, service_cost, complaints, contracts

    @staticmethod
    def _crm_score_lookup(mapping, ids):
        return np.array([float(mapping.get(pid, 0.0)) for pid in ids], dtype=float) \
            if mapping else np.zeros(len(ids))

    @api.model
    def _crm_score_write(self, company, rows, partner_ids=None):
        """One bulk write: binary COPY into a temporary table, then set-based
        update, insert and delete against it (customers without a confirmed
        order any more lose their row: all of them in a full run, the given
        ones in an incremental one). Row ids stay stable from one run to the
        next."""
        cr = self.env.cr
        now = fields.Datetime.to_string(fields.Datetime.now())
        columns = ["partner_id"] + [name for name in SCORE_COLUMNS if name != "computed_at"]
        # The temporary table has fixed-width columns only (float8, int4, dates,
        # selection keys as int2 codes): numpy lays the rows out in PostgreSQL's
        # binary COPY format in one go, where formatting 3.6 million numbers
        # as text took seconds. NaN (undefined) becomes NULL in SQL.
        kinds = {name: self._crm_score_column_kind(name) for name in columns}
        for name, kind in kinds.items():
            if kind == "numeric" and self._crm_score_numeric_digits(rows[name]) is None:
                kinds[name] = "float"
        cr.execute(SQL("DROP TABLE IF EXISTS crm_customer_score_tmp"))
        cr.execute(SQL(
            "CREATE TEMP TABLE crm_customer_score_tmp (%s) ON COMMIT DROP",
            SQL(", ").join(
                SQL("%s %s", SQL.identifier(name), SQL(BINARY_TYPES[kinds[name]][0]))
                for name in columns
            ),
        ))
        cr.copy_expert(
            cr.mogrify(SQL(
                "COPY crm_customer_score_tmp (%s) FROM STDIN WITH (FORMAT binary)",
                SQL(", ").join(SQL.identifier(name) for name in columns),
            )).decode(),
            io.BytesIO(self._crm_score_binary_copy(rows, columns, kinds)),
        )

        def value(name):
            kind = kinds[name]
            column = SQL("t.%s", SQL.identifier(name))
            if kind in ("float", "numeric"):
                return SQL("NULLIF(%s, 'NaN')", column)
            if kind == "selection":
                keys = [key for key, __ in SELECTION_KEYS[name]]
                return SQL("(%s::varchar[])[%s]", keys, column)
            return column

        values = {name: value(name) for name in columns}
        values["computed_at"] = SQL("%s::timestamp", now)
        # Existing rows: one UPDATE joined on the temporary table (a hash join,
        # cheaper than probing the unique index row by row with ON CONFLICT);
        # new customers: one INSERT; customers without orders any more: DELETE.
        cr.execute(SQL(
            """UPDATE crm_customer_score s SET %(assignments)s, write_uid = %(uid)s,
                      write_date = %(now)s
                 FROM crm_customer_score_tmp t
                WHERE s.partner_id = t.partner_id AND s.company_id = %(company)s
            RETURNING s.partner_id""",
            assignments=SQL(", ").join(
                SQL("%s = %s", SQL.identifier(name), values[name]) for name in SCORE_COLUMNS
            ),
            uid=self.env.uid,
            now=now,
            company=company.id,
        ))
        updated_ids = np.array([row[0] for row in cr.fetchall()], dtype=np.int64)
        # New customers: those the update did not find. Named explicitly rather
        # than by an anti-join (here and for the delete), whose plan goes
        # quadratic when the score table looks empty to the planner (first run
        # after install or a vacuum) but is not.
        new_ids = np.setdiff1d(np.asarray(rows["partner_id"], dtype=np.int64), updated_ids)
        if new_ids.size:
            cr.execute(SQL(
                """
                INSERT INTO crm_customer_score (company_id, %(columns)s,
                                                create_uid, create_date, write_uid, write_date)
                SELECT %(company)s, %(values)s, %(uid)s, %(now)s, %(uid)s, %(now)s
                  FROM crm_customer_score_tmp t
                 WHERE t.partner_id = ANY(%(new_ids)s)
                """,
                columns=SQL(", ").join(SQL.identifier(name) for name in values),
                values=SQL(", ").join(values.values()),
                company=company.id,
                uid=self.env.uid,
                now=now,
                new_ids=new_ids.tolist(),
            ))
        scope = SQL("") if partner_ids is None else SQL("AND s.partner_id = ANY(%s)",
                                                        list(partner_ids))
        # Customers without a confirmed order any more, by id as well.
        cr.execute(SQL("SELECT s.partner_id FROM crm_customer_score s WHERE s.company_id = %s %s",
                       company.id, scope))
        gone = np.setdiff1d(np.array([row[0] for row in cr.fetchall()], dtype=np.int64),
                            np.asarray(rows["partner_id"], dtype=np.int64))
        if gone.size:
            cr.execute(SQL(
                "DELETE FROM crm_customer_score WHERE company_id = %s AND partner_id = ANY(%s)",
                company.id, gone.tolist(),
            ))
        cr.execute(SQL("DROP TABLE crm_customer_score_tmp"))
        self.invalidate_model()

    @api.model
    def _crm_score_column_kind(self, name):
        if name in ("first_order_date", "last_order_date"):
            return "date"
        if name in SELECTION_KEYS:
            return "selection"
        if name in INTEGER_COLUMNS:
            return "integer"
        if self._fields[name].column_type[0] == "numeric":
            return "numeric"
        return "float"

    @staticmethod
    def _crm_score_numeric_digits(values):
        """Values rounded to 6 decimals as PostgreSQL binary numerics of a
        fixed width: 6 base-10000 digits, weight 3 (4 digit groups before the
        point, 2 after), dscale 6; NaN as numeric NaN. numeric_recv strips the
        leading and trailing zero groups. None when a value is too large for
        that width (the caller sends float8 then)."""
        values = np.asarray(values, dtype=float)
        finite = np.isfinite(values)
        magnitude = np.where(finite, np.abs(values), 0.0)
        if magnitude.size and magnitude.max() >= 1e10:
            return None
        # In units of 1e-8 (two base-10000 groups after the point).
        units = np.round(magnitude * 1e6).astype(np.int64) * 100
        result = np.zeros(values.size, dtype=NUMERIC_DTYPE)
        result["ndigits"] = 6
        result["weight"] = 3
        result["dscale"] = 6
        result["sign"] = np.where(~finite, 0xC000, np.where(values < 0, 0x4000, 0))
        for position in range(5, -1, -1):
            result["digits"][:, position] = units % 10000
            units //= 10000
        return result

    @api.model
    def _crm_score_binary_copy(self, rows, columns, kinds):
        """The rows in PostgreSQL's binary COPY format: a header, per row the
        field count then each field as its length and big-endian value, a
        trailer. Every field has a fixed width, so all rows share one numpy
        record layout."""
        n = len(rows["partner_id"])
        layout = [("fields", ">i2")]
        for name in columns:
            layout += [(f"{name}_size", ">i4"), (name, BINARY_TYPES[kinds[name]][1])]
        records = np.zeros(n, dtype=layout)
        records["fields"] = len(columns)
        for name in columns:
            kind = kinds[name]
            records[f"{name}_size"] = np.dtype(BINARY_TYPES[kind][1]).itemsize
            values = rows[name]
            if kind == "numeric":
                values = self._crm_score_numeric_digits(values)
            elif kind == "float":
                values = np.round(np.asarray(values, dtype=float), 6)
            elif kind == "date":
                # Days since 2000-01-01, PostgreSQL's date epoch.
                values = (np.asarray(values, dtype="datetime64[D]")
                          - np.datetime64("2000-01-01", "D")).astype(np.int64)
            elif kind == "selection":
                # 1-based position of the key in the selection.
                codes = {key: index for index, (key, __) in enumerate(SELECTION_KEYS[name], 1)}
                keys, inverse = np.unique(np.asarray(values, dtype=object), return_inverse=True)
                values = np.array([codes[key] for key in keys], dtype=np.int64)[inverse]
            records[name] = values
        return b"PGCOPY\n\xff\r\n\x00" + bytes(8) + records.tobytes() + b"\xff\xff"

    @api.model
    def _crm_score_snapshot(self, company, today, last_full_run=None):
        """Monthly snapshot, taken by the first full run of a new month before
        it writes: the scores still stored are the last ones of the month they
        were computed in, and become that month's snapshot (one statement, once
        a month; the current month is the score table itself)."""
        month_start = today.replace(day=1)
        if last_full_run and last_full_run.date() >= month_start:
            # The last full run rewrote every score this month already: no
            # score of an earlier month is left (and no scan to find out).
            return
        self.env.cr.execute(SQL(
            "SELECT 1 FROM crm_customer_score WHERE company_id = %s AND computed_at < %s LIMIT 1",
            company.id, month_start,
        ))
        if not self.env.cr.fetchone():
            return
        now = fields.Datetime.now()
        self.env.cr.execute(SQL(
            """
            INSERT INTO crm_customer_score_snapshot (
                partner_id, company_id, month, value_score, rfm_segment, r_score,
                f_score, m_score, monetary, predicted_clv, p_alive, churn_risk, profit,
                create_uid, create_date, write_uid, write_date)
            SELECT partner_id, company_id, date_trunc('month', computed_at)::date,
                   value_score, rfm_segment, r_score,
                   f_score, m_score, monetary, predicted_clv, p_alive, churn_risk, profit,
                   %(uid)s, %(now)s, %(uid)s, %(now)s
              FROM crm_customer_score
             WHERE company_id = %(company)s AND computed_at < %(month_start)s
            ON CONFLICT (partner_id, company_id, month) DO NOTHING
            """,
            month_start=month_start, uid=self.env.uid, now=now, company=company.id,
        ))
        self.env["crm.customer.score.snapshot"].invalidate_model()
