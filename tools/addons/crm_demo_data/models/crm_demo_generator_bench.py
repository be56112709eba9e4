"""Bulk data of the benchmarks besides ``generate_bulk()``: purchase histories
for the scoring, complaints, and service contracts, all with set-based SQL
(INSERT ... SELECT, COPY). The benchmarks call them and commit."""

import io
import time

import numpy as np

from odoo import api, models
from odoo.tools import SQL


def simulate_purchases(customers, orders, seed, days=1095):
    """Purchase days and values of ``customers`` customers drawn from BG/NBD
    (r=1.2, alpha=20 days, a=0.7, b=5) and Gamma-Gamma (p=4, q=3, v=200),
    thinned or topped up to exactly ``orders`` orders. Returns arrays
    (customer index, days before today, amount)."""
    rng = np.random.default_rng(seed)
    age = rng.integers(1, days, customers)  # days since the first purchase
    lam = rng.gamma(1.2, 1 / 20.0, customers)
    p = rng.beta(0.7, 5.0, customers)
    nu = rng.gamma(3.0, 1 / 200.0, customers)
    cap = 60
    drop_after = np.minimum(rng.geometric(p), cap)  # purchases before dropping out
    idx = np.repeat(np.arange(customers), drop_after)
    gaps = rng.exponential(1.0, idx.size) / lam[idx]
    csum = np.cumsum(gaps)
    starts = np.concatenate([[0], np.cumsum(drop_after)[:-1]])
    offset = np.repeat(csum[starts] - gaps[starts], drop_after)
    t = csum - offset  # time of the repeat purchase after the first one
    keep = t < age[idx]
    idx, t = idx[keep], t[keep]
    cust = np.concatenate([np.arange(customers), idx])
    when = np.concatenate([np.zeros(customers), t])
    extra = cust.size - orders
    if extra > 0:  # drop random repeat purchases (never a first one)
        drop = rng.choice(np.arange(customers, cust.size), extra, replace=False)
        mask = np.ones(cust.size, bool)
        mask[drop] = False
        cust, when = cust[mask], when[mask]
    elif extra < 0:  # more repeat purchases of random customers, within their age
        more = rng.integers(0, customers, -extra)
        cust = np.concatenate([cust, more])
        when = np.concatenate([when, rng.random(-extra) * age[more]])
    days_ago = np.maximum(age[cust] - np.floor(when).astype(int), 0)
    amount = np.round(rng.gamma(4.0, 1.0, cust.size) / nu[cust], 2)
    return cust, days_ago, amount


class CrmDemoGenerator(models.AbstractModel):
    _inherit = "crm.demo.generator"

    @api.model
    def generate_bulk_purchases(self, customers=100000, orders=1000000, seed=7):
        """Customers and confirmed orders for the scoring benchmarks, written with
        COPY: purchase histories drawn from BG/NBD with Gamma-Gamma order values
        (``simulate_purchases``), 10% of the orders in EUR, margins on every order,
        posted credit notes for 2% of the customers, 1% of the customers archived.
        Returns counts and seconds."""
        self._check_generator_rights()
        env = self.env
        cr = env.cr
        company = env.company
        started = time.monotonic()
        cr.execute("UPDATE res_currency SET active = true WHERE name = 'EUR' RETURNING id")
        eur = cr.fetchone()[0]
        usd = company.currency_id.id
        cr.execute("SELECT id FROM product_pricelist LIMIT 1")
        row = cr.fetchone()
        pricelist = row[0] if row else None
        cr.execute("SELECT id FROM stock_warehouse WHERE company_id = %s LIMIT 1", [company.id])
        row = cr.fetchone()
        warehouse = row[0] if row else None

        cr.execute("SELECT COALESCE(MAX(id), 0) FROM res_partner")
        base = cr.fetchone()[0] + 1
        buffer = io.StringIO()
        for i in range(customers):
            pid = base + i
            active = "f" if i % 100 == 99 else "t"
            buffer.write(f"{pid}\tBench Customer {i + 1}\tBench Customer {i + 1}\t{pid}\t"
                         f"{active}\tt\tcontact\task\tdefault\tdefault\t1\tt\n")
        buffer.seek(0)
        cr.copy_expert(
            "COPY res_partner (id, name, complete_name, commercial_partner_id, active, is_company,"
            " type, autopost_bills, group_rfq, group_on, customer_rank, partner_share) FROM STDIN",
            buffer,
        )
        cr.execute("SELECT setval('res_partner_id_seq', (SELECT MAX(id) FROM res_partner))")

        cust, days_ago, amount = simulate_purchases(customers, orders, seed)
        rng = np.random.default_rng(seed + 1)
        foreign = rng.random(cust.size) < 0.1
        rate = np.where(foreign, 0.9, 1.0)
        amount_doc = np.round(amount * rate, 2)
        margin = np.round(amount_doc * rng.uniform(0.1, 0.4, cust.size), 2)
        second = rng.integers(0, 86400, cust.size)
        cr.execute("SELECT COALESCE(MAX(id), 0) FROM sale_order")
        order_base = cr.fetchone()[0] + 1
        today = np.datetime64("today", "s")
        stamps = (today - days_ago.astype("timedelta64[D]") + second.astype("timedelta64[s]"))
        stamps = np.minimum(stamps, np.datetime64("now", "s") - np.timedelta64(60, "s"))
        buffer = io.StringIO()
        partner_ids = cust + base
        pl = str(pricelist) if pricelist else r"\N"
        wh = str(warehouse) if warehouse else r"\N"
        for k in range(cust.size):
            oid = order_base + k
            pid = partner_ids[k]
            cur = eur if foreign[k] else usd
            buffer.write(
                f"{oid}\tBENCH{oid}\t{pid}\t{pid}\t{pid}\t{company.id}\t{stamps[k]}\tsale\t"
                f"{amount_doc[k]}\t{amount_doc[k]}\t0\t{rate[k]}\t{margin[k]}\t{cur}\t{pl}\t{wh}\tdirect\n"
            )
        buffer.seek(0)
        cr.copy_expert(
            "COPY sale_order (id, name, partner_id, partner_invoice_id, partner_shipping_id,"
            " company_id, date_order, state, amount_untaxed, amount_total, amount_tax,"
            " currency_rate, margin, currency_id, pricelist_id, warehouse_id, picking_policy)"
            " FROM STDIN",
            buffer,
        )
        cr.execute("SELECT setval('sale_order_id_seq', (SELECT MAX(id) FROM sale_order))")

        # Posted credit notes for 2% of the customers, within the last year.
        refunded = rng.choice(customers, max(customers // 50, 1), replace=False)
        cr.execute("SELECT id FROM account_journal WHERE type = 'sale' AND company_id = %s LIMIT 1",
                   [company.id])
        journal = cr.fetchone()[0]
        buffer = io.StringIO()
        for j, c in enumerate(refunded):
            value = round(float(rng.uniform(50, 800)), 2)
            day = np.datetime64("today", "D") - np.timedelta64(int(rng.integers(0, 360)), "D")
            buffer.write(f"RBENCH{j}\t{journal}\t{usd}\t{company.id}\tposted\tout_refund\tno\t{day}\t"
                         f"{day}\t{base + c}\t{base + c}\t{-value}\t{value}\n")
        buffer.seek(0)
        cr.copy_expert(
            "COPY account_move (name, journal_id, currency_id, company_id, state, move_type,"
            " auto_post, date, invoice_date, partner_id, commercial_partner_id,"
            " amount_untaxed_signed, amount_untaxed) FROM STDIN",
            buffer,
        )
        cr.execute("ANALYZE res_partner; ANALYZE sale_order; ANALYZE account_move")
        env.invalidate_all()
        return {"customers": customers, "orders": int(cust.size), "refunds": int(refunded.size),
                "seconds": round(time.monotonic() - started, 1)}


    @api.model
    def generate_bulk_complaints(self, count=100000):
        """2,000 customers, a team with 10 agents, and ``count`` complaints of the
        last year in one INSERT (80% closed; of the open ones most already
        escalated, some waiting on the customer). Returns the seconds."""
        self._check_generator_rights()
        env = self.env
        cr = env.cr
        started = time.monotonic()
        calendar = env.company.resource_calendar_id
        users = env["res.users"].create([
            {"name": f"Bench Agent {i}", "login": f"bench_cmp_agent_{i}",
             "group_ids": [(6, 0, [env.ref("sales_team.group_sale_salesman").id])]}
            for i in range(10)
        ])
        team = env["crm.complaint.team"].create({
            "name": "Bench After-sales", "member_ids": [(6, 0, users.ids)],
            "leader_id": users[0].id, "escalation_manager_id": env.ref("base.user_admin").id,
            "resource_calendar_id": calendar.id,
        })
        customers = env["res.partner"].create([
            {"name": f"Bench Customer {i}", "is_company": True, "email": f"c{i}@bench.example.com"}
            for i in range(2000)
        ])
        stage = {xml: env.ref(f"crm_extended.crm_complaint_stage_{xml}").id
                 for xml in ("new", "assigned", "in_progress", "waiting", "resolved", "closed")}
        # pylint: disable-next=no-search-all  # every category: complaints are spread over all of them
        categories = env["crm.complaint.category"].search([]).ids
        env.flush_all()
        cr.execute(
            """
            WITH src AS (
                SELECT g AS n,
                       now() AT TIME ZONE 'UTC' - (g::float / %(count)s * interval '365 days') AS created,
                       (g %% 100) AS bucket
                  FROM generate_series(1, %(count)s) g
            )
            INSERT INTO crm_complaint (
                code, name, complaint_type, channel, priority, active, company_id,
                partner_id, commercial_partner_id, email_from, category_id, team_id, user_id,
                stage_id, is_closed, reopen_count, escalation_level, sla_start,
                first_response_deadline, resolution_deadline, escalation_deadline,
                first_response_date, resolved_date, closed_date, sla_paused_since, sla_status,
                create_date, write_date, create_uid, write_uid)
            SELECT 'BENCH/' || lpad(n::text, 6, '0'), 'Bench complaint ' || n,
                   (ARRAY['complaint', 'complaint', 'complaint', 'suggestion', 'praise',
                          'inquiry'])[1 + n %% 6],
                   (ARRAY['email', 'phone', 'portal', 'in_person', 'social', 'other'])[1 + n %% 6],
                   (n %% 4)::text, true, %(company)s,
                   (%(customers)s)[1 + n %% %(ncustomers)s], (%(customers)s)[1 + n %% %(ncustomers)s],
                   'c' || (n %% %(ncustomers)s) || '@bench.example.com',
                   (%(categories)s)[1 + n %% %(ncategories)s], %(team)s,
                   (%(users)s)[1 + n %% 10],
                   CASE WHEN bucket < 80 THEN %(closed)s
                        WHEN bucket < 83 THEN %(waiting)s
                        WHEN bucket < 90 THEN %(in_progress)s
                        ELSE %(assigned)s END,
                   bucket < 80, 0,
                   -- open: breached long ago and already escalated to the manager
                   CASE WHEN bucket BETWEEN 83 AND 94 THEN '2' ELSE '0' END,
                   created,
                   created + interval '8 hours', created + interval '40 hours',
                   created + interval '48 hours',
                   CASE WHEN bucket < 80 THEN created + interval '2 hours' END,
                   CASE WHEN bucket < 80 THEN created + interval '30 hours' END,
                   CASE WHEN bucket < 80 THEN created + interval '50 hours' END,
                   CASE WHEN bucket BETWEEN 80 AND 82 THEN created + interval '3 hours' END,
                   CASE WHEN bucket BETWEEN 83 AND 94 THEN 'breached' ELSE 'on_time' END,
                   created, created, 1, 1
              FROM src
            """,
            {"count": count, "company": env.company.id, "customers": customers.ids,
             "ncustomers": len(customers), "categories": categories,
             "ncategories": len(categories), "team": team.id, "users": users.ids, **stage},
        )
        cr.execute("UPDATE ir_sequence SET number_next = %s WHERE code = 'crm.complaint'", [count + 1])
        cr.execute("ANALYZE crm_complaint")
        env.invalidate_all()
        return time.monotonic() - started


    @api.model
    def generate_bulk_contracts(self, customers=10000, contracts=50000):
        """``customers`` customers with the ORM (batched), ``contracts`` active
        contracts ending from 30 days ago to two years ahead, and their visits with
        SQL (half with a visit every 3 months: one done, 90% with the next planned).
        Returns the seconds."""
        self._check_generator_rights()
        env = self.env
        cr = env.cr
        started = time.monotonic()
        Partner = env["res.partner"].with_context(tracking_disable=True)
        partner_ids = []
        for offset in range(0, customers, 5000):
            partner_ids += Partner.create([
                {"name": f"Bench Contract Customer {i}", "is_company": True,
                 "email": f"bench{i}@example.com"}
                for i in range(offset, min(offset + 5000, customers))
            ]).ids
        company = env.company
        calendar = company.resource_calendar_id
        cr.execute(SQL(
            """
            INSERT INTO crm_service_contract (
                name, partner_id, user_id, company_id, state, date_start, date_end,
                visit_interval_months, included_visits, included_cases, included_hours,
                first_response_hours, resolution_hours, resource_calendar_id, fee_amount,
                create_uid, create_date, write_uid, write_date)
            SELECT 'BENCH/' || lpad(n::text, 6, '0'),
                   (%(partners)s::int[])[1 + (n %% array_length(%(partners)s::int[], 1))],
                   %(uid)s, %(company)s, 'active',
                   LEAST(end_date - 729, CURRENT_DATE - 100), end_date,
                   CASE WHEN n %% 2 = 0 THEN 3 ELSE 0 END, 4, 10, 0,
                   4, 24, %(calendar)s, 1200,
                   %(uid)s, now(), %(uid)s, now()
              FROM (SELECT n, (CURRENT_DATE - 30 + (n %% 760))::date AS end_date
                      FROM generate_series(1, %(contracts)s) n) g
            """,
            partners=partner_ids, uid=env.uid, company=company.id, calendar=calendar.id,
            contracts=contracts,
        ))
        # Every contract with visits had one done visit 1 to 3 months ago; 90% of them
        # already have their next visit planned.
        cr.execute(SQL(
            """
            INSERT INTO crm_service_visit (name, contract_id, partner_id, company_id, date,
                                           duration, state, cost, billable,
                                           create_uid, create_date, write_uid, write_date)
            SELECT 'BV/' || c.id || '/' || v.kind, c.id, c.partner_id, c.company_id,
                   CASE v.kind WHEN 'done' THEN now() - interval '1 month' * (1 + c.id %% 3)
                               ELSE now() + interval '1 month' * (2 - c.id %% 3) END,
                   1.5, v.kind, 80, false, %(uid)s, now(), %(uid)s, now()
              FROM crm_service_contract c
              CROSS JOIN (VALUES ('done'), ('planned')) v(kind)
             WHERE c.visit_interval_months > 0 AND c.name LIKE 'BENCH/%%'
               AND (v.kind = 'done' OR c.id %% 10 != 0)
            """,
            uid=env.uid,
        ))
        return time.monotonic() - started


    @api.model
    def generate_bulk_contract_history(self, contracts=50000):
        """``contracts`` service contracts on the existing customers, in all states
        (draft, active, expiring, expired), half with a done and a planned visit,
        one in ten renewed, with SQL. Returns the seconds."""
        self._check_generator_rights()
        env = self.env
        cr = env.cr
        started = time.monotonic()
        cr.execute("SELECT array_agg(id) FROM res_partner WHERE is_company AND customer_rank > 0")
        partners = cr.fetchone()[0] or []
        if not partners:
            cr.execute("SELECT array_agg(id) FROM res_partner WHERE id = commercial_partner_id")
            partners = cr.fetchone()[0]
        company = env.company
        cr.execute(SQL(
            """
            INSERT INTO crm_service_contract (
                name, partner_id, user_id, company_id, state, date_start, date_end,
                visit_interval_months, included_visits, included_cases, included_hours,
                first_response_hours, resolution_hours, resource_calendar_id, fee_amount,
                create_uid, create_date, write_uid, write_date)
            SELECT 'XSBENCH/' || lpad(n::text, 6, '0'),
                   (%(partners)s::int[])[1 + (n %% array_length(%(partners)s::int[], 1))],
                   %(uid)s, %(company)s,
                   CASE WHEN end_date < CURRENT_DATE THEN 'expired'
                        WHEN end_date < CURRENT_DATE + 30 THEN 'expiring'
                        WHEN n %% 50 = 0 THEN 'draft' ELSE 'active' END,
                   end_date - 364, end_date,
                   CASE WHEN n %% 2 = 0 THEN 3 ELSE 0 END, 4, 10, 8,
                   4, 24, %(calendar)s, 1200,
                   %(uid)s, now(), %(uid)s, now()
              FROM (SELECT n, (CURRENT_DATE - 200 + (n %% 560))::date AS end_date
                      FROM generate_series(1, %(contracts)s) n) g
            """,
            partners=partners, uid=env.uid, company=company.id,
            calendar=company.resource_calendar_id.id, contracts=contracts,
        ))
        cr.execute(SQL(
            "UPDATE crm_service_contract r SET previous_contract_id = p.id "
            "FROM crm_service_contract p WHERE r.name LIKE %(names)s AND p.name LIKE %(names)s "
            "AND mod(r.id, 10) = 0 AND p.id = r.id - 1 AND p.state = 'expired'",
            names="XSBENCH/%"))
        cr.execute(SQL(
            """
            INSERT INTO crm_service_visit (name, contract_id, partner_id, company_id, date,
                                           duration, state, cost, billable,
                                           create_uid, create_date, write_uid, write_date)
            SELECT 'XSV/' || c.id || '/' || v.kind, c.id, c.partner_id, c.company_id,
                   CASE v.kind WHEN 'done' THEN now() - interval '1 month' * (1 + c.id %% 3)
                               ELSE now() + interval '1 month' * (1 - c.id %% 3) END,
                   1.5, v.kind, 80, false, %(uid)s, now(), %(uid)s, now()
              FROM crm_service_contract c
              CROSS JOIN (VALUES ('done'), ('planned')) v(kind)
             WHERE c.visit_interval_months > 0 AND c.name LIKE 'XSBENCH/%%'
            """,
            uid=env.uid,
        ))
        return time.monotonic() - started
