import json
import math

import numpy as np
import psycopg2
from dateutil.relativedelta import relativedelta

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.fields import Domain
from odoo.tools import SQL

from odoo.addons.crm_extended.tools import api_validation as check
from odoo.addons.crm_extended.tools.revenue import confirmed_orders

from ..scoring import btyd

# What crm_api_read_scores can return, in this order by default.
SCORE_TABLE_COLUMNS = (
    "partner_id", "name", "external_ref", "value_score", "rfm_code", "rfm_segment",
    "churn_risk", "p_alive", "predicted_clv", "recency_days", "frequency", "monetary",
    "margin", "profit", "computed_at",
    "expected_purchases", "expected_avg_value", "predicted_spend", "company",
)
# The default columns: all but the company's name, which comes by default when
# several companies are read at once.
SCORE_TABLE_DEFAULT = tuple(c for c in SCORE_TABLE_COLUMNS if c != "company")
# Forecast columns: recomputed per call from the stored fit when a horizon is
# given (expected_purchases, predicted_spend); they need the customer's
# x (repeat purchases), t_x and T (days).
FORECAST_COLUMNS = ("expected_purchases", "predicted_spend")
FORECAST_INPUTS_SQL = (
    "COALESCE(s.repeat_purchases, 0)::float",
    "COALESCE(s.last_order_date - s.first_order_date, 0)::float",
    "COALESCE(s.tenure_days, 0)::float",
    "COALESCE(s.expected_avg_value, 0)::float",
    "s.company_id",
)
# The longest forecast horizon, in days (the engine's time unit): 100 years.
MAX_HORIZON_DAYS = 36_500
# What crm_api_score_as_of answers per customer, in this order.
AS_OF_COLUMNS = (
    "partner_id", "name", "external_ref", "value_score", "rfm_code", "rfm_segment",
    "churn_risk", "p_alive", "expected_purchases", "expected_avg_value", "predicted_spend",
    "predicted_clv", "recency_days", "frequency", "monetary", "repeat_purchases",
    "t_x_days", "T_days",
)
# SQL of each column over crm_customer_score s JOIN res_partner p: numbers as
# search_read gives them (empty is 0; float, XML-RPC has no decimal type).
SCORE_TABLE_SQL = {
    "partner_id": "s.partner_id",
    "name": "p.name",
    "external_ref": "p.crm_external_ref",
    "value_score": "COALESCE(s.value_score, 0)::float",
    "rfm_code": "concat(COALESCE(s.r_score, 0), COALESCE(s.f_score, 0), COALESCE(s.m_score, 0))",
    "rfm_segment": "s.rfm_segment",
    "churn_risk": "s.churn_risk",
    "p_alive": "COALESCE(s.p_alive, 0)::float",
    "predicted_clv": "COALESCE(s.predicted_clv, 0)::float",
    "recency_days": "COALESCE(s.recency_days, 0)",
    "frequency": "COALESCE(s.frequency, 0)",
    "monetary": "COALESCE(s.monetary, 0)::float",
    "margin": "COALESCE(s.margin, 0)::float",
    "profit": "COALESCE(s.profit, 0)::float",
    "computed_at": "to_char(s.computed_at, 'YYYY-MM-DD HH24:MI:SS')",
    "expected_purchases": "COALESCE(s.expected_purchases, 0)::float",
    "expected_avg_value": "COALESCE(s.expected_avg_value, 0)::float",
    "predicted_spend": "(COALESCE(s.expected_purchases, 0) * COALESCE(s.expected_avg_value, 0))::float",
    "company": "(SELECT c.name FROM res_company c WHERE c.id = s.company_id)",
}
MAX_SCORE_ROWS = 100_000
# What crm_api_score_backtest answers per customer.
BACKTEST_COLUMNS = (
    "partner_id", "name", "external_ref", "predicted_purchases", "actual_purchases",
    "predicted_spend", "actual_spend",
)


class CrmCustomerScore(models.Model):
    _inherit = "crm.customer.score"

    @api.model
    def crm_api_read_scores(self, domain=None, offset=0, limit=0, columns=None, rows_as_json=False,
                            horizon_days=None, companies=None):
        """Value scores as one table, for external tools reading many of them.

        ``domain``: an Odoo domain on crm.customer.score (e.g.
        ``[["rfm_segment", "=", "at_risk"]]``); ``offset``/``limit`` page through
        the scores, best value score first (``limit`` 0: all, at most 100,000);
        ``columns``: a subset of SCORE_TABLE_COLUMNS (default all);
        ``rows_as_json``: answer ``rows`` as one JSON text (for XML-RPC clients);
        ``horizon_days``: forecast horizon in days of ``expected_purchases`` and
        ``predicted_spend``, recomputed from the stored fit (default: the
        settings' horizon, the stored values); ``companies``: a list of the
        user's companies (ids or names) to read the scores of (default: the
        current company only); with more than one, the default columns end
        with ``company``.

        Returns ``{"columns": [...], "rows": [[...], ...], "total": N}`` where
        ``total`` counts every score the domain matches. Rows are lists, not
        dicts: the same 10,000 scores are about half the XML of ``search_read``,
        and with ``rows_as_json`` a single XML string, which a client decodes in
        a few milliseconds instead of parsing 90,000 XML-RPC values (0.7 s).
        Access rights and record rules apply as for ``search_read``."""
        domain, scope, columns = self._crm_api_read_scores_arguments(
            domain, offset, limit, columns, rows_as_json, horizon_days, companies)
        try:
            # _search applies the access rights and the record rules; the
            # current company only (docs/API.md), not every allowed one, unless
            # ``companies`` names them. A value PostgreSQL refuses (a text for
            # a number the checks above let through) is a client error too,
            # undone by the savepoint.
            domain = Domain.AND([list(domain), [("company_id", "in", scope.ids)]])
            scoped = self.with_context(allowed_company_ids=scope.ids)
            with self.env.cr.savepoint():
                query = scoped._search(domain, order="value_score desc, id")
                total = scoped.search_count(domain)
        except (ValueError, TypeError, KeyError, psycopg2.DataError) as error:
            raise ValidationError(self.env._("Invalid domain: %(error)s", error=error)) from error
        if total > MAX_SCORE_ROWS and not limit:
            raise ValidationError(self.env._(
                "%(total)s scores match: read them in pages of at most %(max)s (limit, offset).",
                total=total, max=MAX_SCORE_ROWS))
        query.offset = offset or None
        query.limit = limit or None
        ids = [row[0] for row in self.env.execute_query(
            query.select(SQL.identifier(self._table, "id")))]
        rows = self._crm_api_score_rows(ids, columns, horizon_days)
        return {
            "columns": list(columns),
            "rows": json.dumps(rows, separators=(",", ":")) if rows_as_json else rows,
            "total": total,
        }

    @api.model
    def _crm_api_read_scores_arguments(self, domain, offset, limit, columns, rows_as_json,
                                       horizon_days, companies):
        """Checked arguments of crm_api_read_scores: (domain, companies, columns)."""
        if domain is None:
            domain = []
        if not isinstance(domain, list | tuple):
            raise ValidationError(self.env._("domain must be a list of conditions."))
        domain = check.domain(self.env, domain, self)
        for name, value in (("offset", offset), ("limit", limit)):
            if not isinstance(value, int) or isinstance(value, bool) or value < 0:
                raise ValidationError(self.env._("%(name)s must be a whole number, 0 or more.", name=name))
            check.integer(self.env, value, name)
        if limit > MAX_SCORE_ROWS:
            raise ValidationError(self.env._("At most %(max)s scores per call.", max=MAX_SCORE_ROWS))
        if not isinstance(rows_as_json, bool):
            raise ValidationError(self.env._("rows_as_json must be true or false."))
        if horizon_days is not None:
            check.integer(self.env, horizon_days, "horizon_days", minimum=1,
                          maximum=MAX_HORIZON_DAYS)
        scope = self.env.company
        if companies is not None:
            scope = self.env["res.company"]
            for value in check.listing(self.env, companies, "companies", max_items=100,
                                       allow_none=False):
                scope |= self._crm_api_company(value, "companies", default=False)
            if not scope:
                raise ValidationError(self.env._("companies must name at least one company."))
        if columns is None:
            columns = list(SCORE_TABLE_DEFAULT) + (["company"] if len(scope) > 1 else [])
        if (not isinstance(columns, list | tuple) or not columns
                or not all(isinstance(c, str) for c in columns)
                or not set(columns) <= set(SCORE_TABLE_COLUMNS)):
            raise ValidationError(self.env._(
                "columns must be a list of: %(columns)s.", columns=", ".join(SCORE_TABLE_COLUMNS)))
        return domain, scope, columns

    @api.model
    def _crm_api_score_rows(self, ids, columns, horizon_days):
        """The ``columns`` of the scores ``ids``, in that order, as lists;
        the forecast columns recomputed over ``horizon_days`` when given."""
        forecast = horizon_days is not None and bool(set(columns) & set(FORECAST_COLUMNS))
        select = [SCORE_TABLE_SQL[c] for c in columns]
        if forecast:
            select += FORECAST_INPUTS_SQL
        rows = self.env.execute_query(SQL(
            """
            SELECT %(columns)s
              FROM unnest(%(ids)s::int[]) WITH ORDINALITY AS page(id, position)
              JOIN crm_customer_score s ON s.id = page.id
              JOIN res_partner p ON p.id = s.partner_id
             ORDER BY page.position
            """,
            columns=SQL(", ".join(select)),
            ids=ids,
        ))
        if forecast:
            rows = self._crm_api_forecast_rows(rows, columns, horizon_days)
        # XML-RPC cannot send None: an empty value is False, as in search_read.
        return [[False if value is None else value for value in row] for row in rows]

    @api.model
    def _crm_api_forecast_rows(self, rows, columns, horizon_days):
        """Replace expected_purchases and predicted_spend of ``rows`` (which end
        with x, t_x, T, the expected order value and the company id) by their
        values over ``horizon_days``, from the stored BG/NBD fit of each row's
        company; the inputs are cut off again. Without a fit the forecast is
        empty."""
        width = len(columns)
        inputs = np.array([row[width:] for row in rows], dtype=float).reshape(-1, 5)
        expected = np.full(len(rows), np.nan)
        for company_id in np.unique(inputs[:, 4]).astype(int).tolist():
            config = self.env["crm.score.config"]._get_for_company(
                self.env["res.company"].browse(company_id))
            bgnbd = self._crm_score_stored_params(config)["bgnbd"]
            mine = inputs[:, 4] == company_id
            if bgnbd:
                expected[mine] = btyd.expected_purchases(
                    bgnbd, horizon_days, inputs[mine, 0], inputs[mine, 1], inputs[mine, 2])
        spend = expected * inputs[:, 3]
        result = []
        for row, purchases, amount in zip(rows, expected.tolist(), spend.tolist(), strict=True):
            row = list(row[:width])
            for name, value in (("expected_purchases", purchases), ("predicted_spend", amount)):
                if name in columns:
                    row[columns.index(name)] = round(value, 6) if math.isfinite(value) else False
            result.append(row)
        return result

    # ------------------------------------------------------------
    # Scoring as of a date, the fitted models
    # ------------------------------------------------------------

    @api.model
    def _crm_api_check_manager(self):
        if not self.env.su and not self.env.user.has_group(
            "crm_extended.group_crm_extended_manager"
        ):
            raise AccessError(self.env._("Only CRM managers may recompute the customer scores."))

    @api.model
    def _crm_api_as_of_date(self, value, field="as_of"):
        """A past (or today's) date from ``YYYY-MM-DD``, between 1900 and today
        (required: a missing one is refused like a bad one)."""
        day = check.date_value(self.env, value, field, with_time=False, check_years=False)
        if hasattr(day, "date"):
            day = day.date()
        if day > fields.Date.context_today(self):
            raise ValidationError(self.env._(
                "%(field)s must not be in the future, not %(value)s.", field=field, value=value))
        return check.year_in_range(self.env, day, field, value)

    @api.model
    def _crm_api_company(self, company, field="company", default=True):
        """The company a call is about: the current one (None, when
        ``default``), or one of the user's companies by id or exact name."""
        if (company is None or company is False) and default:
            return self.env.company
        if isinstance(company, str):
            name = check.text(self.env, company, field, required=True)
            found = self.env.user.company_ids.filtered(lambda c: c.name == name)
        else:
            check.record_id(self.env, company, field)
            found = self.env.user.company_ids.filtered(lambda c: c.id == company)
        if len(found) != 1:
            raise ValidationError(self.env._(
                "%(field)s %(value)s is not one of your companies (%(companies)s).",
                field=field, value=company,
                companies=", ".join(self.env.user.company_ids.mapped("name"))))
        return found

    @api.model
    def _crm_api_params(self, bgnbd, gamma):
        # Plain floats: a fit gives numpy scalars, which XML-RPC cannot send.
        return {
            "bgnbd": {name: float(getattr(bgnbd, name)) for name in ("r", "alpha", "a", "b")}
            if bgnbd else False,
            "gamma_gamma": {name: float(getattr(gamma, name)) for name in ("p", "q", "v")}
            if gamma else False,
        }

    @api.model
    def crm_api_score_as_of(self, as_of=None, horizon_days=None, partner_ids=None,
                            rows_as_json=False, company=None):
        """The value scores of the current company as they would have been on
        ``as_of`` (``YYYY-MM-DD``, not in the future): only the orders and
        credit notes dated up to that day count, and BG/NBD and Gamma-Gamma are
        fitted on that history. Nothing is stored: today's scores, their fit
        and the nightly run are untouched. CRM managers only.

        ``horizon_days``: forecast horizon of expected purchases and predicted
        spend, in days (default: the settings'); ``partner_ids``: answer only
        these customers (the fit still uses every customer); ``rows_as_json``:
        ``rows`` as one JSON text; ``company``: one of the user's companies, by
        id or name (default: the current company).

        Returns ``{"as_of", "company", "horizon_days", "time_unit": "days",
        "customers", "model": {"bgnbd", "gamma_gamma", "bgnbd_log_likelihood",
        "gamma_log_likelihood", "message"}, "columns", "rows", "total"}``."""
        self._crm_api_check_manager()
        day = self._crm_api_as_of_date(as_of)
        company = self._crm_api_company(company)
        config = self.env["crm.score.config"]._get_for_company(company)
        if horizon_days is None:
            horizon_days = config.horizon_days
        check.integer(self.env, horizon_days, "horizon_days", minimum=1, maximum=MAX_HORIZON_DAYS)
        wanted = None if partner_ids is None else set(
            check.id_list(self.env, partner_ids, "partner_ids"))
        check.boolean(self.env, rows_as_json, "rows_as_json")
        result = self._crm_score_as_of(company, day, horizon_days=horizon_days)
        if result is None:
            raise UserError(self.env._(
                "The customer scores of %(company)s are being recomputed by another run; "
                "try again when it has finished.", company=company.display_name))
        scores, data = result["rows"], result["data"]
        ids = [int(pid) for pid in scores["partner_id"]]
        keep = [i for i, pid in enumerate(ids) if wanted is None or pid in wanted]
        partners = {
            row["id"]: row for row in self.env["res.partner"].sudo().with_context(
                active_test=False).browse([ids[i] for i in keep]).read(["name", "crm_external_ref"])
        }
        expected = np.asarray(scores["expected_purchases"], dtype=float)
        average = np.asarray(scores["expected_avg_value"], dtype=float)
        columns = {
            "value_score": scores["value_score"], "rfm_segment": scores["rfm_segment"],
            "churn_risk": scores["churn_risk"], "p_alive": scores["p_alive"],
            "expected_purchases": expected, "expected_avg_value": average,
            "predicted_spend": expected * average, "predicted_clv": scores["predicted_clv"],
            "recency_days": scores["recency_days"], "frequency": scores["frequency"],
            "monetary": scores["monetary"], "repeat_purchases": scores["repeat_purchases"],
            "t_x_days": data["t_x"], "T_days": data["age"],
        }
        integers = {"recency_days", "frequency", "repeat_purchases", "t_x_days", "T_days"}

        def cell(name, i):
            value = columns[name][i]
            if isinstance(value, str):
                return value
            value = float(value)
            if not math.isfinite(value):
                return False
            return int(value) if name in integers else round(value, 6)

        rows = []
        for i in sorted(keep, key=lambda i: (-float(np.nan_to_num(scores["value_score"][i])),
                                             ids[i])):
            partner = partners.get(ids[i], {})
            rows.append([
                ids[i], partner.get("name") or False, partner.get("crm_external_ref") or False,
                cell("value_score", i),
                f"{int(scores['r_score'][i])}{int(scores['f_score'][i])}{int(scores['m_score'][i])}",
                *(cell(name, i) for name in AS_OF_COLUMNS[5:]),
            ])
        params = result["params"]
        return {
            "as_of": fields.Date.to_string(day),
            "company": company.display_name,
            "horizon_days": horizon_days,
            "time_unit": "days",
            "customers": result["customers"],
            "model": {
                **self._crm_api_params(params["bgnbd"], params["gamma"]),
                "bgnbd_log_likelihood": result["bgnbd_log_likelihood"],
                "gamma_log_likelihood": result["gamma_log_likelihood"],
                "message": result["message"],
            },
            "columns": list(AS_OF_COLUMNS),
            "rows": json.dumps(rows, separators=(",", ":")) if rows_as_json else rows,
            "total": len(rows),
        }

    @api.model
    def crm_api_score_backtest(self, as_of=None, horizon_days=None, partner_ids=None,
                               rows_as_json=False, company=None):
        """Back-test of the forecast: score as of ``as_of`` (as
        crm_api_score_as_of, nothing stored), then compare each customer's
        predicted purchases and spend over the next ``horizon_days`` days with
        what happened in (as_of, as_of + horizon_days]: purchase days (BG/NBD
        counts days with a confirmed order) and the untaxed amount of those
        orders in company currency. The whole period must be past. CRM
        managers only.

        Returns ``{"as_of", "until", "company", "horizon_days", "time_unit",
        "summary": {"customers", "predicted_purchases", "actual_purchases",
        "mae_purchases", "predicted_spend", "actual_spend", "mae_spend"},
        "columns", "rows", "total"}``; the summary covers every customer scored
        as of the date, ``rows`` those of ``partner_ids`` (default all)."""
        self._crm_api_check_manager()
        day = self._crm_api_as_of_date(as_of)
        check.integer(self.env, horizon_days, "horizon_days", minimum=1, maximum=MAX_HORIZON_DAYS)
        until = day + relativedelta(days=horizon_days)
        if until > fields.Date.context_today(self):
            raise ValidationError(self.env._(
                "as_of + horizon_days (%(until)s) must not be after today: the back-test "
                "compares the forecast with what happened.", until=until))
        wanted = None if partner_ids is None else set(
            check.id_list(self.env, partner_ids, "partner_ids"))
        check.boolean(self.env, rows_as_json, "rows_as_json")
        company = self._crm_api_company(company)
        backtest = self._crm_score_backtest(company, day, horizon_days)
        ids, predicted, happened = backtest["ids"], backtest["predicted"], backtest["happened"]
        spend, paid, result = backtest["spend"], backtest["paid"], backtest["result"]
        keep = [i for i, pid in enumerate(ids) if wanted is None or pid in wanted]
        partners = {
            row["id"]: row for row in self.env["res.partner"].sudo().with_context(
                active_test=False).browse([ids[i] for i in keep]).read(["name", "crm_external_ref"])
        }
        rows = [[
            ids[i], partners[ids[i]]["name"], partners[ids[i]]["crm_external_ref"] or False,
            round(float(predicted[i]), 6), int(happened[i]),
            round(float(spend[i]), 2), round(float(paid[i]), 2),
        ] for i in sorted(keep, key=lambda i: ids[i])]
        return {
            "as_of": fields.Date.to_string(day),
            "until": fields.Date.to_string(until),
            "company": company.display_name,
            "horizon_days": horizon_days,
            "time_unit": "days",
            "model": {**self._crm_api_params(result["params"]["bgnbd"], result["params"]["gamma"]),
                      "message": result["message"]},
            "summary": backtest["summary"],
            "columns": list(BACKTEST_COLUMNS),
            "rows": json.dumps(rows, separators=(",", ":")) if rows_as_json else rows,
            "total": len(rows),
        }

    @api.model
    def _crm_score_backtest(self, company, day, horizon_days):
        """Score ``company`` as of ``day`` and compare with (day, day +
        horizon_days]: per customer (arrays in the order of ``ids``) the
        predicted and actual purchase days and spend, the repeat purchases of
        the calibration period (``repeat``), and the ``summary`` (totals,
        mean absolute errors). Shared by crm_api_score_backtest and the
        back-test report (crm.score.backtest)."""
        until = day + relativedelta(days=horizon_days)
        result = self._crm_score_as_of(company, day, horizon_days=horizon_days)
        if result is None:
            raise UserError(self.env._(
                "The customer scores of %(company)s are being recomputed by another run; "
                "try again when it has finished.", company=company.display_name))
        scores = result["rows"]
        ids = [int(pid) for pid in scores["partner_id"]]
        actual = {
            partner_id: (days, amount) for partner_id, days, amount in self.env.execute_query(SQL(
                """SELECT partner_id, COUNT(DISTINCT order_day), SUM(amount)::float
                     FROM (%s) o
                    GROUP BY partner_id""",
                confirmed_orders(
                    company.id, date_from=day + relativedelta(days=1),
                    date_to=until + relativedelta(days=1),
                    where=SQL("rp.commercial_partner_id = ANY(%s)", ids)),
            ))
        }
        predicted = np.nan_to_num(np.asarray(scores["expected_purchases"], dtype=float))
        value = np.nan_to_num(np.asarray(scores["expected_avg_value"], dtype=float))
        spend = predicted * value
        happened = np.array([float(actual.get(pid, (0, 0.0))[0]) for pid in ids])
        paid = np.array([float(actual.get(pid, (0, 0.0))[1]) for pid in ids])
        repeat = np.nan_to_num(np.asarray(scores["repeat_purchases"], dtype=float))
        count = len(ids)

        def mean_abs(a, b):
            return round(float(np.mean(np.abs(a - b))), 6) if count else 0.0

        return {
            "ids": ids, "predicted": predicted, "happened": happened, "spend": spend,
            "paid": paid, "repeat": repeat, "result": result, "until": until,
            "summary": {
                "customers": count,
                "predicted_purchases": round(float(predicted.sum()), 6),
                "actual_purchases": int(happened.sum()),
                "mae_purchases": mean_abs(predicted, happened),
                "predicted_spend": round(float(spend.sum()), 2),
                "actual_spend": round(float(paid.sum()), 2),
                "mae_spend": round(mean_abs(spend, paid), 2),
            },
        }

    @api.model
    def crm_api_score_model(self, company=None):
        """The BG/NBD and Gamma-Gamma parameters of the current company's last
        full recompute, with their time unit (days), log-likelihoods, the
        number of customers fitted and the date the fit is as of. Readable by
        whoever may read the scores. ``company``: one of the user's companies,
        by id or name (default: the current company)."""
        self.check_access("read")
        company = self._crm_api_company(company)
        config = self.env["crm.score.config"]._get_for_company(company)
        params = self._crm_score_stored_params(config)
        return {
            "company": company.display_name,
            "time_unit": "days",
            **self._crm_api_params(params["bgnbd"], params["gamma"]),
            "bgnbd_log_likelihood": config.bgnbd_log_likelihood if params["bgnbd"] else False,
            "gamma_log_likelihood": config.gamma_log_likelihood if params["gamma"] else False,
            "customers": config.fit_customers,
            "as_of": fields.Date.to_string(config.fit_as_of) if config.fit_as_of else False,
            "fitted_at": fields.Datetime.to_string(config.fitted_at) if config.fitted_at else False,
            "message": config.fit_message or False,
            "horizon_days": config.horizon_days,
            "clv_months": config.clv_months,
            "discount_rate": config.discount_rate,
        }

    @api.model
    def crm_api_recompute_scores(self, company=None):
        """Full recompute of the value scores of one of the user's companies
        (``company``: id or name; default the current one), stored as today's
        scores. CRM managers only. Returns ``{"company", "customers"}``."""
        self._crm_api_check_manager()
        company = self._crm_api_company(company)
        result = self.with_company(company)._crm_score_company(company)
        if result is None:
            raise UserError(self.env._(
                "The customer scores of %(company)s are being recomputed by another run; "
                "try again when it has finished.", company=company.display_name))
        return {"company": company.display_name, "customers": result["customers"]}
