"""The purchase aggregate the scoring engine reads instead of the orders.

One row per customer (commercial partner with a confirmed order) and company in
``crm_customer_score_aggregate``: what the scores need from the order history,
kept between runs so that a run does not aggregate 1,000,000 orders again:

- values that do not depend on the reference date (first and last purchase day,
  purchase days, repeat value, active months, the intervals between purchase
  days), over the confirmed orders up to the aggregate's date;
- sums over windows that end at the aggregate's date (RFM window, last 12
  months, the 12 months before; orders and posted credit notes), in company
  currency, kept exact (numeric) so that they can be moved forward.

``crm_customer_score_aggregate_state`` holds per company the aggregate's date
(``as_of``), the settings it was built with (``setup``: window, currency), the
watermark of the last full run and the day of the last rebuild.

Moving to a later day subtracts what left each window (the orders and credit
notes of the days in between, found by date index) and re-aggregates the
customers whose documents changed since the watermark or who have documents
dated in the days in between. Both tables are engine state, not user data: they
have no ORM model (nothing reads them over RPC) and are written only inside
the scoring transaction, under the company's advisory lock, so a run that stops
half way leaves the previous state.
"""

from dateutil.relativedelta import relativedelta

from odoo import api, models
from odoo.tools import SQL
from odoo.tools.sql import create_index, index_exists

from odoo.addons.crm_extended.tools.revenue import (
    confirmed_orders,
    in_company_currency,
    posted_refunds,
)

# A full run rebuilds the aggregate from scratch when it is older than this
# (moving it forward costs more than rebuilding then) and at the first run of a
# month, which repairs what no watermark sees (a contact moved to another
# customer, orders written with SQL).
MAX_SHIFT_DAYS = 31

# The gross margin (sale_margin) of an order in company currency, as its amount.
ORDER_MARGIN = in_company_currency(SQL("COALESCE(so.margin, 0)"))

AGGREGATE_COLUMNS = (
    "first_day", "last_day", "purchase_days", "repeat_amount", "active_months",
    "gap_mean", "gap_std", "gap_count", "frequency", "window_amount", "window_margin",
    "amount_12m", "amount_prev_12m", "window_refund", "refund_12m", "refund_prev_12m",
)


class CrmCustomerScore(models.Model):
    _inherit = "crm.customer.score"

    def init(self):  # pylint: disable=missing-return  # init returns nothing
        super().init()
        cr = self.env.cr
        cr.execute(SQL("""
            CREATE TABLE IF NOT EXISTS crm_customer_score_aggregate (
                company_id integer NOT NULL REFERENCES res_company(id) ON DELETE CASCADE,
                partner_id integer NOT NULL REFERENCES res_partner(id) ON DELETE CASCADE,
                first_day date NOT NULL,
                last_day date NOT NULL,
                purchase_days integer NOT NULL,
                repeat_amount numeric NOT NULL,
                active_months integer NOT NULL,
                gap_mean double precision NOT NULL,
                gap_std double precision NOT NULL,
                gap_count integer NOT NULL,
                frequency integer NOT NULL,
                window_amount numeric NOT NULL,
                window_margin numeric NOT NULL,
                amount_12m numeric NOT NULL,
                amount_prev_12m numeric NOT NULL,
                window_refund numeric NOT NULL,
                refund_12m numeric NOT NULL,
                refund_prev_12m numeric NOT NULL,
                PRIMARY KEY (company_id, partner_id)
            );
            CREATE TABLE IF NOT EXISTS crm_customer_score_aggregate_state (
                company_id integer PRIMARY KEY REFERENCES res_company(id) ON DELETE CASCADE,
                as_of date NOT NULL,
                setup varchar NOT NULL,
                watermark timestamp NOT NULL,
                rebuilt_on date NOT NULL
            );
        """))
        # The scores are rewritten whole every day and no indexed column
        # changes: room on each page lets PostgreSQL update them in place (HOT),
        # without touching the indexes.
        cr.execute(SQL("ALTER TABLE crm_customer_score SET (fillfactor = 45)"))
        # What changed since the last full run: orders and credit notes by
        # write date.
        if not index_exists(cr, "sale_order_crm_score_write_date_idx"):
            create_index(cr, "sale_order_crm_score_write_date_idx", "sale_order",
                         ["write_date"])
        if not index_exists(cr, "account_move_crm_score_refund_write_date_idx"):
            create_index(cr, "account_move_crm_score_refund_write_date_idx", "account_move",
                         ["write_date"], where="move_type = 'out_refund'")

    # ------------------------------------------------------------
    # Windows
    # ------------------------------------------------------------

    @api.model
    def _crm_score_windows(self, config, day):
        """Start days of the windows ending at ``day`` (included)."""
        return {
            "window_start": day - relativedelta(months=config.rfm_window_months, days=-1),
            "start_12m": day - relativedelta(years=1) + relativedelta(days=1),
            "start_24m": day - relativedelta(years=2) + relativedelta(days=1),
        }

    @api.model
    def _crm_score_aggregate_setup(self, company, config):
        """The settings the aggregate depends on: another value rebuilds it."""
        return f"window={config.rfm_window_months};currency={company.currency_id.id}"

    # ------------------------------------------------------------
    # Bringing the aggregate up to date
    # ------------------------------------------------------------

    @api.model
    def _crm_score_aggregate_sync(self, company, config, today, partner_ids=None,
                                  rebuild=False):
        """Bring the aggregate of ``company`` to ``today``: rebuilt, or moved
        forward with the changed customers re-aggregated (a full run: those
        changed since the watermark; an incremental update: ``partner_ids``).
        Call under the company's scoring lock. Returns {"mode": "rebuild",
        "update" or "partial" (an incremental update while the aggregate needs
        a rebuild: only its customers), "customers": re-aggregated customers}."""
        cr = self.env.cr
        full = partner_ids is None
        setup = self._crm_score_aggregate_setup(company, config)
        cr.execute(SQL(
            """SELECT as_of, setup, watermark, rebuilt_on
                 FROM crm_customer_score_aggregate_state WHERE company_id = %s""",
            company.id,
        ))
        state = cr.fetchone()
        # Whatever a transaction still running writes carries a write date at
        # or after its start: the earliest start is the next watermark, so no
        # change committed after this run is missed by the next one.
        cr.execute(SQL(
            """SELECT (LEAST(now(), MIN(xact_start)) AT TIME ZONE 'UTC')
                 FROM pg_stat_activity
                WHERE datname = current_database() AND xact_start IS NOT NULL"""
        ))
        watermark = cr.fetchone()[0]
        unusable = (
            not state or state[1] != setup or state[0] > today
            or (today - state[0]).days > MAX_SHIFT_DAYS
        )
        if unusable and not full:
            # An order confirmation does not rebuild the whole aggregate: its
            # customers are aggregated at today, and the aggregate is marked
            # for a rebuild by the next full run.
            cr.execute(SQL(
                "DELETE FROM crm_customer_score_aggregate "
                "WHERE company_id = %s AND partner_id = ANY(%s)",
                company.id, list(partner_ids),
            ))
            count = self._crm_score_aggregate_insert(company, config, today, partner_ids)
            cr.execute(SQL(
                "UPDATE crm_customer_score_aggregate_state SET setup = '' "
                "WHERE company_id = %s", company.id,
            ))
            return {"mode": "partial", "customers": count}
        if rebuild or unusable or (full and state[3] < today.replace(day=1)):
            cr.execute(SQL("DELETE FROM crm_customer_score_aggregate WHERE company_id = %s",
                           company.id))
            count = self._crm_score_aggregate_insert(company, config, today, None)
            # Fresh statistics, or the planner reads 100,000 rows as a few.
            cr.execute(SQL("ANALYZE crm_customer_score_aggregate"))
            cr.execute(SQL(
                """INSERT INTO crm_customer_score_aggregate_state
                       (company_id, as_of, setup, watermark, rebuilt_on)
                   VALUES (%(company)s, %(today)s, %(setup)s, %(watermark)s, %(today)s)
                   ON CONFLICT (company_id) DO UPDATE
                      SET as_of = EXCLUDED.as_of, setup = EXCLUDED.setup,
                          watermark = EXCLUDED.watermark, rebuilt_on = EXCLUDED.rebuilt_on""",
                company=company.id, today=today, setup=setup, watermark=watermark,
            ))
            return {"mode": "rebuild", "customers": count}
        as_of, __, last_watermark, __ = state
        dirty = set() if full else set(partner_ids)
        if as_of < today:
            self._crm_score_aggregate_shift(company, config, as_of, today)
            dirty |= self._crm_score_dated_between(company, as_of, today)
        if full:
            dirty |= self._crm_score_changed_since(company, last_watermark)
        dirty = sorted(dirty)
        if dirty:
            cr.execute(SQL(
                "DELETE FROM crm_customer_score_aggregate "
                "WHERE company_id = %s AND partner_id = ANY(%s)",
                company.id, dirty,
            ))
            self._crm_score_aggregate_insert(company, config, today, dirty)
        cr.execute(SQL(
            """UPDATE crm_customer_score_aggregate_state
                  SET as_of = %(today)s, watermark = %(watermark)s
                WHERE company_id = %(company)s""",
            company=company.id, today=today,
            # An incremental update re-aggregates only its own customers: the
            # changes of the others wait for the next full run.
            watermark=watermark if full else last_watermark,
        ))
        return {"mode": "update", "customers": len(dirty)}

    @api.model
    def _crm_score_aggregate_insert(self, company, config, today, partner_ids):
        """Aggregate the confirmed orders and posted credit notes up to
        ``today`` of the customers ``partner_ids`` (None: all) into the
        aggregate table (their rows must not exist). Returns the row count."""
        windows = self._crm_score_windows(config, today)
        tomorrow = today + relativedelta(days=1)
        scope_so = scope_am = None
        if partner_ids is not None:
            contacts = SQL(
                "(SELECT id FROM res_partner WHERE commercial_partner_id = ANY(%s))",
                list(partner_ids),
            )
            scope_so = SQL("so.partner_id IN %s", contacts)
            scope_am = SQL("am.commercial_partner_id = ANY(%s)", list(partner_ids))
        query = SQL(
            """
INSERT INTO crm_customer_score_aggregate (company_id, partner_id, %(columns)s)
WITH orders AS (%(orders)s),
days AS (
    SELECT partner_id, order_day AS day,
           COUNT(*) AS orders,
           SUM(amount) AS amount,
           SUM(margin) AS margin
      FROM orders
     GROUP BY partner_id, order_day
),
gaps AS (
    SELECT d.*,
           day - LAG(day) OVER w AS gap,
           date_trunc('month', LAG(day) OVER w) IS DISTINCT FROM date_trunc('month', day)
               AS new_month
      FROM days d
    WINDOW w AS (PARTITION BY partner_id ORDER BY day)
),
-- One pass over the purchase days of each customer: the order-level sums are
-- carried by the day rows.
ds AS (
    SELECT partner_id,
           MIN(day) AS first_day,
           MAX(day) AS last_day,
           COUNT(*) AS purchase_days,
           COALESCE(SUM(amount) FILTER (WHERE gap IS NOT NULL), 0) AS repeat_amount,
           COUNT(*) FILTER (WHERE new_month) AS active_months,
           COALESCE(AVG(gap), 0) AS gap_mean,
           COALESCE(STDDEV_POP(gap), 0) AS gap_std,
           COUNT(gap) AS gap_count,
           COALESCE(SUM(orders) FILTER (WHERE day >= %(window_start)s), 0) AS frequency,
           COALESCE(SUM(amount) FILTER (WHERE day >= %(window_start)s), 0) AS window_amount,
           COALESCE(SUM(margin) FILTER (WHERE day >= %(window_start)s), 0) AS window_margin,
           COALESCE(SUM(amount) FILTER (WHERE day >= %(start_12m)s), 0) AS amount_12m,
           COALESCE(SUM(amount) FILTER (WHERE day >= %(start_24m)s AND day < %(start_12m)s), 0)
               AS amount_prev_12m
      FROM gaps
     GROUP BY partner_id
),
refunds AS (
    SELECT partner_id,
           -COALESCE(SUM(amount) FILTER (WHERE invoice_date >= %(window_start)s), 0)
               AS window_refund,
           -COALESCE(SUM(amount) FILTER (WHERE invoice_date >= %(start_12m)s), 0)
               AS refund_12m,
           -COALESCE(SUM(amount)
                     FILTER (WHERE invoice_date >= %(start_24m)s AND invoice_date < %(start_12m)s), 0)
               AS refund_prev_12m
      FROM (%(refunds)s) r
     GROUP BY partner_id
)
SELECT %(company)s, ds.partner_id, ds.first_day, ds.last_day, ds.purchase_days,
       ds.repeat_amount, ds.active_months, ds.gap_mean, ds.gap_std, ds.gap_count,
       ds.frequency, ds.window_amount, ds.window_margin, ds.amount_12m,
       ds.amount_prev_12m, COALESCE(rf.window_refund, 0), COALESCE(rf.refund_12m, 0),
       COALESCE(rf.refund_prev_12m, 0)
  FROM ds
  LEFT JOIN refunds rf ON rf.partner_id = ds.partner_id
            """,
            columns=SQL(", ").join(SQL.identifier(name) for name in AGGREGATE_COLUMNS),
            company=company.id,
            orders=confirmed_orders(company.id, date_to=tomorrow, where=scope_so,
                                    columns={"margin": ORDER_MARGIN}),
            refunds=posted_refunds(
                company.id, date_from=min(windows["window_start"], windows["start_24m"]),
                date_to=tomorrow, where=scope_am),
            **windows,
        )
        self.env.cr.execute(query)
        return self.env.cr.rowcount

    @api.model
    def _crm_score_aggregate_shift(self, company, config, as_of, today):
        """Move the window sums of every customer from ``as_of`` to ``today``:
        subtract the orders and credit notes of the days that left each window
        (a few days of documents, read by date). What came in (documents dated
        after ``as_of``) is not added here: those customers are re-aggregated."""
        old = self._crm_score_windows(config, as_of)
        new = self._crm_score_windows(config, today)
        ranges = {
            name: (old[key], new[key])
            for name, key in (("w", "window_start"), ("y", "start_12m"), ("p", "start_24m"))
        }

        def within(column, name):
            return SQL("(%s >= %s AND %s < %s)", column, ranges[name][0], column,
                       ranges[name][1])

        day = SQL("so.date_order")
        orders_in = SQL("(%s OR %s OR %s)", within(day, "w"), within(day, "y"),
                        within(day, "p"))
        day = SQL("o.order_day")
        self.env.cr.execute(SQL(
            """
            WITH o AS (%(orders)s), moved AS (
                SELECT partner_id,
                       COUNT(*) FILTER (WHERE %(in_w)s) AS frequency,
                       COALESCE(SUM(amount) FILTER (WHERE %(in_w)s), 0) AS window_amount,
                       COALESCE(SUM(margin) FILTER (WHERE %(in_w)s), 0) AS window_margin,
                       COALESCE(SUM(amount) FILTER (WHERE %(in_y)s), 0) AS left_12m,
                       COALESCE(SUM(amount) FILTER (WHERE %(in_p)s), 0) AS left_24m
                  FROM o GROUP BY partner_id
            )
            UPDATE crm_customer_score_aggregate a
               SET frequency = a.frequency - m.frequency,
                   window_amount = a.window_amount - m.window_amount,
                   window_margin = a.window_margin - m.window_margin,
                   amount_12m = a.amount_12m - m.left_12m,
                   amount_prev_12m = a.amount_prev_12m + m.left_12m - m.left_24m
              FROM moved m
             WHERE a.company_id = %(company)s AND a.partner_id = m.partner_id
            """,
            company=company.id,
            orders=confirmed_orders(company.id, where=orders_in,
                                    columns={"margin": ORDER_MARGIN}),
            in_w=within(day, "w"), in_y=within(day, "y"), in_p=within(day, "p"),
        ))
        day = SQL("am.invoice_date")
        refunds_in = SQL("(%s OR %s OR %s)", within(day, "w"), within(day, "y"),
                         within(day, "p"))
        day = SQL("r.invoice_date")
        self.env.cr.execute(SQL(
            """
            WITH moved AS (
                SELECT partner_id,
                       -COALESCE(SUM(amount) FILTER (WHERE %(in_w)s), 0) AS window_refund,
                       -COALESCE(SUM(amount) FILTER (WHERE %(in_y)s), 0) AS left_12m,
                       -COALESCE(SUM(amount) FILTER (WHERE %(in_p)s), 0) AS left_24m
                  FROM (%(refunds)s) r
                 GROUP BY partner_id
            )
            UPDATE crm_customer_score_aggregate a
               SET window_refund = a.window_refund - m.window_refund,
                   refund_12m = a.refund_12m - m.left_12m,
                   refund_prev_12m = a.refund_prev_12m + m.left_12m - m.left_24m
              FROM moved m
             WHERE a.company_id = %(company)s AND a.partner_id = m.partner_id
            """,
            company=company.id,
            refunds=posted_refunds(company.id, where=refunds_in),
            in_w=within(day, "w"), in_y=within(day, "y"), in_p=within(day, "p"),
        ))

    @api.model
    def _crm_score_dated_between(self, company, as_of, today):
        """Customers with a confirmed order or a posted credit note dated after
        ``as_of`` up to ``today``: the aggregate does not count them yet."""
        after = as_of + relativedelta(days=1)
        tomorrow = today + relativedelta(days=1)
        self.env.cr.execute(SQL(
            """SELECT partner_id FROM (%(orders)s) o
               UNION
               SELECT partner_id FROM (%(refunds)s) r""",
            orders=confirmed_orders(company.id, date_from=after, date_to=tomorrow),
            refunds=posted_refunds(company.id, date_from=after, date_to=tomorrow),
        ))
        return {row[0] for row in self.env.cr.fetchall()}

    @api.model
    def _crm_score_changed_since(self, company, watermark):
        """Customers whose orders or credit notes (in any state) were written
        since ``watermark``, or one of whose contacts was (moved, merged): by
        the write-date indexes, whatever wrote them through the ORM."""
        self.env.cr.execute(SQL(
            """SELECT rp.commercial_partner_id
                 FROM sale_order so JOIN res_partner rp ON rp.id = so.partner_id
                WHERE so.company_id = %(company)s AND so.write_date >= %(watermark)s
               UNION
               SELECT am.commercial_partner_id
                 FROM account_move am
                WHERE am.company_id = %(company)s AND am.move_type = 'out_refund'
                  AND am.write_date >= %(watermark)s
                  AND am.commercial_partner_id IS NOT NULL
               UNION
               SELECT commercial_partner_id
                 FROM res_partner
                WHERE write_date >= %(watermark)s AND commercial_partner_id IS NOT NULL""",
            company=company.id, watermark=watermark,
        ))
        return {row[0] for row in self.env.cr.fetchall()}
