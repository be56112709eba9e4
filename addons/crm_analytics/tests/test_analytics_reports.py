from collections import defaultdict
from datetime import datetime

from odoo.exceptions import AccessError
from odoo.tests import new_test_user, tagged
from odoo.tools import SQL

from odoo.addons.crm_extended.tests.common import CrmExtendedCase
from odoo.addons.crm_extended.tests.complaint_common import CrmComplaintCase


class ReportAccessMixin:
    """Users to check that a report is for the analytics group of its companies."""

    @classmethod
    def _report_users(cls):
        cls.other_company = cls.env["res.company"].create({"name": "Reports Other Co"})
        cls.analyst = new_test_user(
            cls.env, login="crm_reports_analyst", name="Report Analyst",
            groups="crm_analytics.group_crm_analytics_user")
        cls.internal = new_test_user(
            cls.env, login="crm_reports_internal", name="Plain Employee",
            groups="base.group_user")
        cls.portal = new_test_user(
            cls.env, login="crm_reports_portal", name="Portal Customer",
            groups="base.group_portal")

    def _assert_report_access(self, model):
        """The analyst reads only its company's rows; a plain salesperson, a
        plain employee and a portal user cannot read the report at all."""
        everything = self.env[model].search([])
        self.assertIn(self.other_company, everything.company_id, "crafted data in both companies")
        seen = self.env[model].with_user(self.analyst).search([])
        self.assertTrue(seen)
        self.assertEqual(seen.company_id, self.company)
        self.assertEqual(len(seen), len(everything.filtered(
            lambda row: row.company_id == self.company)))
        for user in (self.salesman, self.internal, self.portal):
            with self.assertRaises(AccessError, msg=f"{user.login} on {model}"):
                self.env[model].with_user(user).search([])


@tagged("post_install", "-at_install")
class TestScoreReports(ReportAccessMixin, CrmExtendedCase):
    """RFM matrix, Pareto and customer equity on crafted scores agree with a
    direct computation from crm.customer.score and the partners' grades."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._report_users()
        cls.seller_1 = new_test_user(cls.env, login="crm_reports_seller1", name="Seller One",
                                     groups="sales_team.group_sale_salesman")
        cls.seller_2 = new_test_user(cls.env, login="crm_reports_seller2", name="Seller Two",
                                     groups="sales_team.group_sale_salesman")
        # (name, grade, seller, r, f, m, segment, monetary, margin, clv)
        plan = [
            ("Pareto 01", "a", 1, 5, 5, 5, "champions", 5000.0, 1000.0, 9000.0),
            ("Pareto 02", "a", 1, 5, 4, 5, "champions", 3000.0, 200.0, 4000.0),
            ("Pareto 03", "b", 2, 4, 4, 4, "loyal", 1000.0, 600.0, 1500.0),
            ("Pareto 04", "b", 2, 5, 4, 4, "loyal", 1000.0, 100.0, 1200.0),
            ("Pareto 05", "b", 1, 3, 3, 3, "need_attention", 500.0, 300.0, 400.0),
            ("Pareto 06", "c", 2, 2, 2, 2, "at_risk", 250.0, 50.0, 120.0),
            ("Pareto 07", "c", 0, 1, 1, 2, "lost", 150.0, 30.0, 10.0),
            ("Pareto 08", "c", 0, 1, 1, 1, "lost", 100.0, 20.0, 5.0),
            ("Pareto 09", False, 2, 1, 1, 1, "hibernating", 0.0, 0.0, 0.0),
            ("Pareto 10", "c", 1, 2, 1, 1, "hibernating", -50.0, -10.0, 0.0),
        ]
        sellers = {0: False, 1: cls.seller_1.id, 2: cls.seller_2.id}
        cls.customers = cls.env["res.partner"]
        scores = []
        for name, grade, seller, r, f, m, segment, monetary, margin, clv in plan:
            partner = cls._crm_customer(name, user_id=sellers[seller])
            if grade:
                partner.with_company(cls.company).crm_value_grade = grade
            cls.customers |= partner
            scores.append(cls._score_vals(partner, cls.company, r, f, m, segment, monetary,
                                          margin, clv))
        # Archived customers are out of the reports.
        cls.archived = cls._crm_customer("Pareto Archived")
        scores.append(cls._score_vals(cls.archived, cls.company, 5, 5, 5, "champions",
                                      99999.0, 9999.0, 99999.0))
        # The same customer scored in the other company, with another grade.
        cls.customers[0].with_company(cls.other_company).crm_value_grade = "c"
        scores.append(cls._score_vals(cls.customers[0], cls.other_company, 1, 1, 1, "lost",
                                      10.0, 1.0, 7.0))
        cls.other = cls._crm_customer("Pareto Other Co")
        scores.append(cls._score_vals(cls.other, cls.other_company, 3, 3, 3, "promising",
                                      800.0, 80.0, 90.0))
        cls.env["crm.customer.score"].create(scores)
        cls.archived.active = False

    @classmethod
    def _score_vals(cls, partner, company, r, f, m, segment, monetary, margin, clv):
        return {
            "partner_id": partner.id, "company_id": company.id,
            "r_score": r, "f_score": f, "m_score": m, "rfm_segment": segment,
            "monetary": monetary, "margin": margin, "predicted_clv": clv,
            "revenue_12m": monetary, "frequency": f, "recency_days": 10 * (6 - r),
            "p_alive": r / 5.0, "expected_purchases": f / 2.0, "value_score": 20.0 * m,
            "churn_risk": "high" if r <= 2 else "low",
        }

    def _scores(self, company):
        return self.env["crm.customer.score"].search([
            ("company_id", "=", company.id), ("partner_id.active", "=", True)])

    def _direct_groups(self, company, key):
        """{group key: (customers, monetary, margin, clv)} from the scores."""
        groups = defaultdict(lambda: [0, 0.0, 0.0, 0.0])
        for score in self._scores(company):
            group = groups[key(score)]
            group[0] += 1
            group[1] += score.monetary
            group[2] += score.margin
            group[3] += score.predicted_clv
        return {k: tuple(v) for k, v in groups.items()}

    def _assert_groups(self, report_groups, direct, fields):
        self.assertEqual(set(report_groups), set(direct))
        for key, expected in direct.items():
            got = report_groups[key]
            self.assertEqual(got[0], expected[0], key)
            for value, wanted, name in zip(got[1:], expected[1:], fields, strict=True):
                self.assertAlmostEqual(value, wanted, places=2, msg=f"{key} {name}")

    def test_rfm_matrix_matches_scores(self):
        Report = self.env["crm.rfm.report"].with_user(self.analyst)
        groups = Report.formatted_read_group(
            [], ["r_score", "f_score"],
            ["customer_count:sum", "monetary:sum", "margin:sum", "predicted_clv:sum"])
        report = {(g["r_score"], g["f_score"]): (
            g["customer_count:sum"], g["monetary:sum"], g["margin:sum"],
            g["predicted_clv:sum"]) for g in groups}
        direct = self._direct_groups(self.company, lambda s: (s.r_score, s.f_score))
        self._assert_groups(report, direct, ["monetary", "margin", "clv"])
        self.assertEqual(report[(5, 4)][:2], (2, 4000.0))
        # The first pivot level (rows: R score) sums its cells.
        rows = {g["r_score"]: g["customer_count:sum"]
                for g in Report.formatted_read_group([], ["r_score"], ["customer_count:sum"])}
        self.assertEqual(rows, {5: 3, 4: 1, 3: 1, 2: 2, 1: 3})

    def test_segment_by_grade_matches_partner_grades(self):
        Report = self.env["crm.rfm.report"].with_user(self.analyst)
        groups = Report.formatted_read_group(
            [], ["rfm_segment", "value_grade"],
            ["customer_count:sum", "monetary:sum", "margin:sum", "predicted_clv:sum"])
        report = {(g["rfm_segment"], g["value_grade"]): (
            g["customer_count:sum"], g["monetary:sum"], g["margin:sum"],
            g["predicted_clv:sum"]) for g in groups}
        # The grade of the score's company, read through the ORM (company dependent).
        direct = self._direct_groups(self.company, lambda s: (
            s.rfm_segment, s.partner_id.with_company(s.company_id).crm_value_grade))
        self._assert_groups(report, direct, ["monetary", "margin", "clv"])
        self.assertEqual(report[("champions", "a")][0], 2)
        self.assertEqual(report[("hibernating", False)][0], 1)
        other = self.env["crm.rfm.report"].search([("company_id", "=", self.other_company.id),
                                                    ("partner_id", "=", self.customers[0].id)])
        self.assertEqual(other.value_grade, "c", "the grade of the score's own company")

    def test_rfm_cell_drills_down_to_customers(self):
        Report = self.env["crm.rfm.report"].with_user(self.analyst)
        cell = Report.search([("r_score", "=", 5), ("f_score", "=", 4)])
        self.assertEqual(cell.partner_id, self.customers[1] | self.customers[3])
        # The matrix's axes are the same scores with readable labels.
        self.assertEqual(Report.search([("r_level", "=", "5"), ("f_level", "=", "4")]), cell)
        labels = dict(Report._fields["r_level"]._description_selection(self.env))
        self.assertEqual(labels["5"], "R5 (most recent)")
        action = cell[0].action_open_customer()
        self.assertEqual((action["res_model"], action["res_id"]),
                         ("res.partner", cell[0].partner_id.id))
        self.assertNotIn(self.archived, Report.search([]).partner_id)

    def test_pareto_matches_direct_ranking(self):
        scores = self._scores(self.company)
        for basis, rank_field, share_field, cumulative_field, top_field in (
            ("monetary", "revenue_rank", "revenue_share", "cumulative_revenue_share",
             "in_top_80"),
            ("margin", "margin_rank", "margin_share", "cumulative_margin_share",
             "in_top_80_margin"),
        ):
            ranked = scores.sorted(lambda s, b=basis: (-max(s[b], 0.0), s.partner_id.id))
            total = sum(max(s[basis], 0.0) for s in ranked)
            running = 0.0
            rows = {row.partner_id: row for row in self.env["crm.pareto.report"].search(
                [("company_id", "=", self.company.id)])}
            self.assertEqual(set(rows), set(scores.partner_id))
            for position, score in enumerate(ranked, start=1):
                value = max(score[basis], 0.0)
                row = rows[score.partner_id]
                self.assertEqual(row[rank_field], position, score.partner_id.name)
                self.assertAlmostEqual(row[share_field], value / total, places=4)
                self.assertAlmostEqual(row[cumulative_field], (running + value) / total,
                                       places=4)
                self.assertEqual(row[top_field], value > 0 and running / total < 0.8,
                                 f"{basis} {score.partner_id.name}")
                running += value
        # 11,000 of revenue: 5,000 + 3,000 + 1,000 reach 9,000 (81.8%); three customers.
        Report = self.env["crm.pareto.report"].with_user(self.analyst)
        groups = {g["in_top_80"]: g for g in Report.formatted_read_group(
            [], ["in_top_80"],
            ["customer_count:sum", "customer_share:sum", "revenue_share:sum",
             "margin_share:sum"])}
        self.assertEqual(groups[True]["customer_count:sum"], 3)
        self.assertAlmostEqual(groups[True]["customer_share:sum"], 0.3, places=4)
        self.assertAlmostEqual(groups[True]["revenue_share:sum"], 9000 / 11000, places=4)
        # Their part of the margin (1,000 + 200 + 600 of 2,300).
        self.assertAlmostEqual(groups[True]["margin_share:sum"], 1800 / 2300, places=4)
        self.assertEqual(groups[False]["customer_count:sum"], 7)
        # The pivot's rows read "Makes 80% of Revenue" / "Other Customers", not Yes / No.
        labelled = {g["pareto_group"]: g["customer_count:sum"] for g in
                    Report.formatted_read_group([], ["pareto_group"], ["customer_count:sum"])}
        self.assertEqual(labelled, {"top": 3, "rest": 7})
        self.assertEqual(
            dict(Report._fields["pareto_group"]._description_selection(self.env))["top"],
            "Makes 80% of Revenue")
        # Margin: 1,000 + 600 + 300 = 1,900 of 2,300 (82.6%).
        self.assertEqual(Report.search_count([("in_top_80_margin", "=", True)]), 3)
        other = self.env["crm.pareto.report"].search(
            [("company_id", "=", self.other_company.id)], order="revenue_rank")
        self.assertEqual(other.mapped("revenue_rank"), [1, 2], "ranked per company")
        self.assertEqual(other[0].partner_id, self.other)

    def test_customer_equity_matches_scores(self):
        Report = self.env["crm.customer.equity.report"].with_user(self.analyst)
        for groupby, key in (
            (["value_grade"], lambda s: (
                s.partner_id.with_company(s.company_id).crm_value_grade,)),
            (["rfm_segment"], lambda s: (s.rfm_segment,)),
            (["user_id"], lambda s: (s.partner_id.user_id.id or False,)),
        ):
            groups = Report.formatted_read_group(
                [], groupby, ["customer_count:sum", "predicted_clv:sum", "equity_share:sum"])
            report = {}
            for g in groups:
                value = g[groupby[0]]
                value = value[0] if isinstance(value, tuple) else value
                report[(value,)] = (g["customer_count:sum"], g["predicted_clv:sum"],
                                    g["equity_share:sum"])
            direct = self._direct_groups(self.company, key)
            total = sum(v[3] for v in direct.values())
            direct = {k: (v[0], v[3], v[3] / total) for k, v in direct.items()}
            self._assert_groups(report, direct, ["clv", "share"])
        grades = {g["value_grade"]: g["predicted_clv:sum"] for g in Report.formatted_read_group(
            [], ["value_grade"], ["predicted_clv:sum"])}
        self.assertEqual(grades["a"], 13000.0)
        self.assertEqual(grades["b"], 3100.0)
        companies = self.env["crm.customer.equity.report"].formatted_read_group(
            [], ["company_id"], ["predicted_clv:sum", "equity_share:sum"])
        for group in companies:
            self.assertAlmostEqual(group["equity_share:sum"], 1.0, places=4)

    def test_reports_see_pending_changes(self):
        """The views declare what they read (_depends): a grade or a score
        changed in the same transaction shows at once."""
        customer = self.customers[8]
        customer.with_company(self.company).crm_value_grade = "b"
        score = self.env["crm.customer.score"].search(
            [("partner_id", "=", customer.id), ("company_id", "=", self.company.id)])
        score.monetary = 20000.0
        rfm = self.env["crm.rfm.report"].search(
            [("partner_id", "=", customer.id), ("company_id", "=", self.company.id)])
        self.assertEqual(rfm.value_grade, "b")
        pareto = self.env["crm.pareto.report"].search(
            [("partner_id", "=", customer.id), ("company_id", "=", self.company.id)])
        self.assertEqual(pareto.revenue_rank, 1)
        self.assertTrue(pareto.in_top_80)

    def test_access(self):
        for model in ("crm.rfm.report", "crm.pareto.report", "crm.customer.equity.report"):
            self._assert_report_access(model)


@tagged("post_install", "-at_install")
class TestLifecycleFlowReport(ReportAccessMixin, CrmExtendedCase):
    """Monthly flows between lifecycle stages agree with the classification history."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._report_users()
        History = cls.env["crm.classification.history"]
        History.search([]).unlink()  # only the crafted history
        partners = [cls._crm_customer(f"Flow {i}") for i in range(5)]
        cls.partners = partners

        def move(partner, date, old, new, company=None, classification="lifecycle_stage"):
            return {"partner_id": partner.id, "company_id": (company or cls.company).id,
                    "classification": classification, "old_value": old, "new_value": new,
                    "date": datetime.fromisoformat(date)}
        History.create([
            move(partners[0], "2026-01-03 10:00", False, "new"),
            move(partners[1], "2026-01-20 10:00", False, "new"),
            move(partners[2], "2026-01-31 23:30", False, "potential"),
            move(partners[0], "2026-02-10 10:00", "new", "regular"),
            move(partners[1], "2026-02-11 10:00", "new", "regular"),
            # Back and forth in one month: two changes, one customer.
            move(partners[3], "2026-02-02 10:00", "regular", "at_risk"),
            move(partners[3], "2026-02-25 10:00", "at_risk", "regular"),
            move(partners[3], "2026-02-26 10:00", "regular", "at_risk"),
            move(partners[4], "2026-03-01 00:10", "at_risk", "lost"),
            move(partners[4], "2026-04-05 10:00", "lost", "regular"),
            # Not lifecycle: out of the report.
            move(partners[0], "2026-02-10 10:00", "c", "b", classification="value_grade"),
            move(partners[0], "2026-02-10 10:00", False, "new", company=cls.other_company),
        ])

    def _direct(self, company):
        cells = defaultdict(lambda: [set(), 0])
        for entry in self.env["crm.classification.history"].search([
                ("company_id", "=", company.id), ("classification", "=", "lifecycle_stage")]):
            key = (entry.date.date().replace(day=1), entry.old_value or "none",
                   entry.new_value or False)
            cells[key][0].add(entry.partner_id.id)
            cells[key][1] += 1
        return {key: (len(customers), changes) for key, (customers, changes) in cells.items()}

    def test_flows_match_history(self):
        rows = self.env["crm.lifecycle.flow.report"].with_user(self.analyst).search([])
        report = {(r.month, r.from_stage, r.to_stage): (r.customer_count, r.change_count)
                  for r in rows}
        self.assertEqual(report, self._direct(self.company))
        feb = datetime(2026, 2, 1).date()
        self.assertEqual(report[(feb, "regular", "at_risk")], (1, 2))
        self.assertEqual(report[(feb, "new", "regular")], (2, 2))
        moves = {(r.from_stage, r.to_stage): r.move for r in rows}
        self.assertEqual(moves[("none", "new")], "entered")
        # A first classification reads as coming from "None (new)", not as a blank.
        labels = dict(rows._fields["from_stage"]._description_selection(self.env))
        self.assertEqual(labels["none"], "None (new)")
        self.assertEqual(moves[("at_risk", "lost")], "lost")
        self.assertEqual(moves[("lost", "regular")], "won_back")
        self.assertEqual(moves[("new", "regular")], "progressed")

    def test_first_pivot_level_by_month(self):
        groups = self.env["crm.lifecycle.flow.report"].with_user(self.analyst) \
            .formatted_read_group([], ["month:month"], ["customer_count:sum",
                                                         "change_count:sum"])
        months = {g["month:month"][0]: (g["customer_count:sum"], g["change_count:sum"])
                  for g in groups}
        # A month sums its cells: customer 3 moved both ways in February (2 cells).
        self.assertEqual(months, {"2026-01-01": (3, 3), "2026-02-01": (4, 5),
                                  "2026-03-01": (1, 1), "2026-04-01": (1, 1)})

    def test_access(self):
        self._assert_report_access("crm.lifecycle.flow.report")


@tagged("post_install", "-at_install")
class TestComplaintReport(ReportAccessMixin, CrmComplaintCase):
    """Complaint volumes, times, SLA compliance, reopen rate, satisfaction and
    compensation agree with a direct computation from the complaints."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._report_users()
        cls.cat_quality = cls.env["crm.complaint.category"].create({"name": "Report Quality"})
        cls.cat_delivery = cls.env["crm.complaint.category"].create({"name": "Report Delivery"})
        Complaint = cls.env["crm.complaint"]
        # (category, channel, closed, responded h, resolved h, sla, reopens,
        #  satisfaction, rating, compensation)
        plan = [
            (cls.cat_quality, "phone", True, 2.0, 10.0, "on_time", 0, "5", 5.0, 0.0),
            (cls.cat_quality, "phone", True, 4.0, 30.0, "breached", 1, "2", 1.0, 150.0),
            (cls.cat_quality, "email", True, 1.0, 8.0, "on_time", 2, False, 0.0, 40.5),
            (cls.cat_quality, "email", False, 3.0, None, "at_risk", 0, False, 0.0, 0.0),
            (cls.cat_delivery, "portal", False, None, None, "breached", 0, False, 0.0, 0.0),
            (cls.cat_delivery, "portal", False, None, None, "on_time", 0, False, 0.0, 0.0),
            (cls.cat_delivery, "phone", True, 6.0, 20.0, "on_time", 0, "4", 3.0, 300.0),
            (False, "email", True, 0.5, 5.0, "breached", 0, "3", 0.0, 0.0),
            # No service level (no SLA start): no hours, no SLA outcome.
            (cls.cat_delivery, "other", True, 0.0, 0.0, None, 0, False, 0.0, 0.0),
        ]
        cls.complaints = Complaint
        for index, (category, channel, closed, response, resolution, sla, reopens,
                    satisfaction, rating, cost) in enumerate(plan):
            complaint = cls._complaint(name=f"Report case {index}", channel=channel,
                                       category_id=category.id if category else False,
                                       product_id=cls.product.id if index % 2 else False)
            cls.complaints |= complaint
            cls.env.flush_all()
            start = datetime(2026, 3, 2, 9, 0)
            cls.env.cr.execute(SQL(
                """UPDATE crm_complaint
                      SET sla_start = CASE WHEN %(sla)s::varchar IS NOT NULL
                                           THEN %(start)s::timestamp END,
                          stage_id = %(stage)s, is_closed = %(closed)s,
                          first_response_date = CASE WHEN %(response)s::float IS NOT NULL
                              THEN %(start)s::timestamp + interval '1 hour' END,
                          time_to_first_response_hours = COALESCE(%(response)s::float, 0),
                          resolved_date = CASE WHEN %(resolution)s::float IS NOT NULL
                              THEN %(start)s::timestamp + interval '1 day' END,
                          closed_date = CASE WHEN %(closed)s
                              THEN %(start)s::timestamp + interval '2 days' END,
                          time_to_resolution_hours = COALESCE(%(resolution)s::float, 0),
                          sla_status = %(sla)s, reopen_count = %(reopens)s,
                          followup_satisfaction = %(satisfaction)s,
                          rating_last_value = %(rating)s, compensation_cost = %(cost)s
                    WHERE id = %(id)s""",
                start=start, stage=(cls.stage_closed if closed else cls.stage_progress).id,
                closed=closed, response=response, resolution=resolution, sla=sla,
                reopens=reopens, satisfaction=satisfaction or None, rating=rating, cost=cost,
                id=complaint.id,
            ))
        # Archived complaints are out; another company's complaint is out for the analyst.
        archived = cls._complaint(name="Report archived", channel="phone",
                                  category_id=cls.cat_quality.id)
        archived.active = False
        other_env = cls.env(context=dict(cls.env.context,
                                         allowed_company_ids=[cls.other_company.id]))
        other_team = other_env["crm.complaint.team"].create(
            {"name": "Other desk", "company_id": cls.other_company.id})
        other_customer = other_env["res.partner"].create(
            {"name": "Other Co Customer", "company_id": cls.other_company.id})
        other_env["crm.complaint"].create({
            "name": "Other company case", "partner_id": other_customer.id,
            "team_id": other_team.id, "company_id": cls.other_company.id,
            "category_id": cls.cat_quality.id,
        })
        cls.env.invalidate_all()

    def _direct(self, key):
        """Per group: count, avg response, avg resolution, SLA met / due,
        reopened / resolved at least once, avg satisfaction, avg rating, cost."""
        groups = defaultdict(list)
        for complaint in self.env["crm.complaint"].search([("company_id", "=", self.company.id)]):
            groups[key(complaint)].append(complaint)

        def avg(values):
            values = [v for v in values if v is not None]
            return sum(values) / len(values) if values else False

        result = {}
        for group_key, items in groups.items():
            due = [c for c in items if c.sla_start and c.sla_status
                   and (c.resolved_date or c.closed_date or c.sla_status == "breached")]
            reopen_base = [c for c in items if c.resolved_date or c.closed_date
                           or c.reopen_count]
            result[group_key] = (
                len(items),
                avg([c.time_to_first_response_hours for c in items
                     if c.first_response_date and c.sla_start]),
                avg([c.time_to_resolution_hours for c in items
                     if c.resolved_date and c.sla_start]),
                avg([100.0 * (c.sla_status != "breached") for c in due]),
                avg([100.0 * (c.reopen_count > 0) for c in reopen_base]),
                avg([int(c.followup_satisfaction) for c in items if c.followup_satisfaction]),
                avg([c.rating_last_value for c in items if c.rating_last_value]),
                sum(c.compensation_cost for c in items),
            )
        return result

    MEASURES = ("__count", "first_response_hours:avg", "resolution_hours:avg",
                "sla_compliance:avg", "reopen_rate:avg", "satisfaction:avg", "rating:avg",
                "compensation_cost:sum")

    def _report(self, groupby):
        groups = self.env["crm.complaint.report"].with_user(self.analyst).formatted_read_group(
            [], [groupby], list(self.MEASURES))
        report = {}
        for g in groups:
            value = g[groupby]
            value = value[0] if isinstance(value, tuple) else value
            report[value] = tuple(g[m] for m in self.MEASURES)
        return report

    def _assert_matches(self, report, direct):
        self.assertEqual(set(report), set(direct))
        for key, expected in direct.items():
            self.assertEqual(report[key][0], expected[0], key)
            for got, wanted, name in zip(report[key][1:], expected[1:], self.MEASURES[1:], strict=True):
                if wanted is False:
                    self.assertFalse(got, f"{key} {name}")
                else:
                    self.assertAlmostEqual(got, wanted, places=4, msg=f"{key} {name}")

    def test_measures_by_category_match_complaints(self):
        report = self._report("category_id")
        self._assert_matches(report, self._direct(lambda c: c.category_id.id or False))
        quality = report[self.cat_quality.id]
        # 4 complaints: responses 2, 4, 1, 3 h; resolutions 10, 30, 8 h; SLA known for
        # 3 (1 breached); reopened 2 of the 3 resolved; satisfaction 5 and 2.
        self.assertEqual(quality[0], 4)
        self.assertAlmostEqual(quality[1], 2.5)
        self.assertAlmostEqual(quality[2], 16.0)
        self.assertAlmostEqual(quality[3], 200 / 3)
        self.assertAlmostEqual(quality[4], 200 / 3)
        self.assertAlmostEqual(quality[5], 3.5)
        self.assertAlmostEqual(quality[6], 3.0)
        self.assertAlmostEqual(quality[7], 190.5)

    def test_measures_by_channel_team_and_product(self):
        self._assert_matches(self._report("channel"), self._direct(lambda c: c.channel))
        self._assert_matches(self._report("team_id"), self._direct(lambda c: c.team_id.id))
        self._assert_matches(self._report("product_id"),
                             self._direct(lambda c: c.product_id.id or False))
        # One group over everything: the rates are numerator over denominator.
        total = self.env["crm.complaint.report"].with_user(self.analyst).formatted_read_group(
            [], [], ["__count", "sla_met_count:sum", "sla_due_count:sum", "sla_compliance:avg",
                     "reopened_count:sum", "open_count:sum", "resolved_count:sum"])[0]
        self.assertEqual(total["__count"], 9)
        # SLA outcome known for the 5 resolved and the open breached one; 3 met.
        self.assertEqual((total["sla_met_count:sum"], total["sla_due_count:sum"]), (3, 6))
        self.assertAlmostEqual(total["sla_compliance:avg"], 50.0)
        self.assertEqual(total["reopened_count:sum"], 2)
        self.assertEqual((total["open_count:sum"], total["resolved_count:sum"]), (3, 6))
        # Delivery: the hours of the one complaint under an SLA, not averaged with
        # the closed complaint without SLA.
        delivery = self._report("category_id")[self.cat_delivery.id]
        self.assertEqual(delivery[0], 4)
        self.assertAlmostEqual(delivery[1], 6.0)
        self.assertAlmostEqual(delivery[2], 20.0)

    def test_access(self):
        self._assert_report_access("crm.complaint.report")
