import json
import re

import polib

from odoo.tests import HttpCase, new_test_user, tagged
from odoo.tools import mute_logger
from odoo.tools.misc import file_open, file_path
from odoo.tools.translate import code_translations, extract_spreadsheet_terms

from odoo.addons.crm_extended.tests.common import CrmExtendedCase
from odoo.addons.spreadsheet.utils.validate_data import odoo_charts

DASHBOARDS = {
    "crm_analytics.spreadsheet_dashboard_customer_value":
        "crm_analytics/data/files/customer_value_dashboard.json",
    "crm_analytics.spreadsheet_dashboard_customer_service":
        "crm_analytics/data/files/customer_service_dashboard.json",
}
PIVOT_CALL = re.compile(r'PIVOT\.(VALUE|HEADER)\((\d+),"([^"]*)"')
LIST_VALUE = re.compile(r'ODOO\.LIST\((\d+),\d+,"([^"]*)"\)')
SHEET_REF = re.compile(r"^(\w+)!([A-Z]+)(\d+)$")


def _read_dashboard(xmlid):
    with file_open(DASHBOARDS[xmlid], "rb") as f:
        return json.load(f)


def _data_sources(data):
    """(kind, name, model, domain, group-bys, aggregates) of every pivot and
    chart, in the form ``_read_group`` takes."""
    for pivot in data["pivots"].values():
        groupby = [row["fieldName"] + (f":{row['granularity']}" if "granularity" in row else "")
                   for row in pivot["rows"] + pivot["columns"]]
        aggregates = [
            "__count" if m["fieldName"] == "__count" else f"{m['fieldName']}:{m['aggregator']}"
            for m in pivot["measures"]
        ]
        yield "pivot", pivot["name"], pivot["model"], pivot["domain"], groupby, aggregates
    for chart in odoo_charts(data):
        meta = chart["metaData"]
        measure = meta["measure"]
        yield ("chart", chart["id"], meta["resModel"], chart["searchParams"]["domain"],
               meta["groupBy"], [measure if measure == "__count" else f"{measure}:sum"])


class DashboardCase(CrmExtendedCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.sales_manager = new_test_user(
            cls.env, login="crm_dash_sales_manager", name="Sales Manager",
            groups="sales_team.group_sale_manager")
        cls.crm_manager = cls.manager  # CRM manager and sales manager
        cls.value_dashboard = cls.env.ref("crm_analytics.spreadsheet_dashboard_customer_value")
        cls.service_dashboard = cls.env.ref(
            "crm_analytics.spreadsheet_dashboard_customer_service")


@tagged("post_install", "-at_install")
class TestDashboards(DashboardCase):
    """The shipped dashboards: every data source refers to stored, groupable or
    aggregatable fields and runs; every formula refers to a data source that
    exists; the right managers see them; their labels are translated."""

    def test_data_sources_use_stored_fields_and_run(self):
        # Each dashboard's data as the least privileged manager who sees it.
        readers = {"crm_analytics.spreadsheet_dashboard_customer_value": self.sales_manager,
                   "crm_analytics.spreadsheet_dashboard_customer_service": self.crm_manager}
        for xmlid in DASHBOARDS:
            data = _read_dashboard(xmlid)
            reader = readers[xmlid]
            self.assertEqual(data["version"], "18.5.10")
            sources = list(_data_sources(data))
            self.assertGreater(len(sources), 5, xmlid)
            for kind, name, model, domain, groupby, aggregates in sources:
                with self.subTest(dashboard=xmlid, source=name):
                    self.assertIn(model, self.env)
                    Model = self.env[model]
                    for spec in groupby:
                        field = Model._fields[spec.split(":")[0]]
                        self.assertTrue(field.store, f"{kind} {name} groups by non-stored {spec}")
                        self.assertTrue(field._description_groupable(self.env), spec)
                    for spec in aggregates:
                        if spec == "__count":
                            continue
                        fname, aggregator = spec.split(":")
                        field = Model._fields[fname]
                        self.assertTrue(field.store, f"{kind} {name} measures non-stored {fname}")
                        self.assertIn(field.type, ("integer", "float", "monetary"), fname)
                        if kind == "pivot":
                            self.assertIn(aggregator, ("sum", "avg", "max", "min"))
                    # Run it the way the spreadsheet does.
                    Model.with_user(reader).formatted_read_group(
                        domain, groupby, aggregates)
            for list_def in data["lists"].values():
                with self.subTest(dashboard=xmlid, source=list_def["name"]):
                    Model = self.env[list_def["model"]]
                    for fname in list_def["columns"] + [o["name"] for o in list_def["orderBy"]]:
                        self.assertIn(fname, Model._fields)
                    order = ", ".join(f"{o['name']} {'asc' if o['asc'] else 'desc'}"
                                      for o in list_def["orderBy"])
                    Model.with_user(reader).search_read(
                        list_def["domain"], list_def["columns"], order=order, limit=10)

    def test_global_filters_match_stored_fields(self):
        service = _read_dashboard("crm_analytics.spreadsheet_dashboard_customer_service")
        filters = {f["id"]: f for f in service["globalFilters"]}
        self.assertEqual({f["label"] for f in filters.values()}, {"Period", "Team"})
        matched = 0
        for data in map(_read_dashboard, DASHBOARDS):
            sources = [(p["model"], p["fieldMatching"]) for p in data["pivots"].values()]
            sources += [(c["metaData"]["resModel"], c["fieldMatching"]) for c in odoo_charts(data)]
            for model, matching in sources:
                for filter_id, match in matching.items():
                    self.assertIn(filter_id, filters)
                    field = self.env[model]._fields[match["chain"]]
                    self.assertTrue(field.store, match)
                    expected = {"date": ("date", "datetime"), "relation": ("many2one",)}
                    self.assertIn(field.type, expected[filters[filter_id]["type"]], match)
                    if field.type == "many2one":
                        self.assertEqual(field.comodel_name, filters[filter_id]["modelName"])
                    matched += 1
        self.assertGreater(matched, 10)

    def test_formulas_refer_to_existing_sources(self):
        for xmlid in DASHBOARDS:
            data = _read_dashboard(xmlid)
            pivots, lists = data["pivots"], data["lists"]
            cells = {(sheet["name"], ref): content
                     for sheet in data["sheets"] for ref, content in sheet["cells"].items()}
            formulas = [content for content in cells.values() if content.startswith("=")]
            self.assertTrue(any("PIVOT.VALUE" in formula for formula in formulas))
            for formula in formulas:
                for function, pivot_id, arg in PIVOT_CALL.findall(formula):
                    self.assertIn(pivot_id, pivots, formula)
                    pivot = pivots[pivot_id]
                    if function == "VALUE":  # the measure
                        self.assertIn(arg, {m["id"] for m in pivot["measures"]}, formula)
                    else:  # the row field, by value or by position
                        self.assertIn(arg.removeprefix("#"),
                                      {r["fieldName"] for r in pivot["rows"]}, formula)
                for list_id, fname in LIST_VALUE.findall(formula):
                    self.assertIn(fname, lists[list_id]["columns"], formula)
            scorecards = [figure["data"] for sheet in data["sheets"] for figure in sheet["figures"]
                          if figure["data"].get("type") == "scorecard"]
            self.assertGreaterEqual(len(scorecards), 5)
            for scorecard in scorecards:
                sheet_name, col, row = SHEET_REF.match(scorecard["keyValue"]).groups()
                self.assertIn((sheet_name, f"{col}{row}"), cells, scorecard["keyValue"])

    def test_odoo_validation_accepts_the_files(self):
        # The mixin checks models, fields and menus of a spreadsheet in test mode.
        for dashboard in self.value_dashboard | self.service_dashboard:
            dashboard._check_spreadsheet_data()
            self.assertEqual(json.loads(dashboard.spreadsheet_data)["sheets"][0]["name"],
                             "Dashboard")
            self.assertEqual(dashboard._get_dashboard_translation_namespace(), "crm_analytics")

    def test_visible_to_the_right_managers_only(self):
        Dashboard = self.env["spreadsheet.dashboard"]
        ours = self.value_dashboard | self.service_dashboard
        visible = {
            user.login: Dashboard.with_user(user).search([("id", "in", ours.ids)])
            for user in (self.salesman, self.sales_manager, self.crm_manager)
        }
        self.assertFalse(visible[self.salesman.login], "a salesperson sees no CRM dashboard")
        self.assertEqual(visible[self.sales_manager.login], self.value_dashboard)
        self.assertEqual(visible[self.crm_manager.login], ours)
        # The sales manager can read what Customer Value shows.
        self.assertTrue(self.sales_manager.has_group("crm_analytics.group_crm_analytics_user"))

    def test_pie_colours_follow_the_meaning(self):
        # o-spreadsheet colours pie slices by position (blue, red, teal...):
        # the churn and SLA pies put the bad value second (red) and the good
        # one third (teal), whatever the database's group order.
        expected = {"churn_risk": ["medium", "high", "low"],
                    "sla_status": ["at_risk", "breached", "on_time"]}
        found = {}
        for xmlid in DASHBOARDS:
            data = _read_dashboard(xmlid)
            sheets = {sheet["name"]: sheet for sheet in data["sheets"]}
            for figure in sheets["Dashboard"]["figures"]:
                chart = figure["data"]
                if chart.get("type") != "pie":
                    continue
                sheet_name, col, first, _last_col, last = re.match(
                    r"^(\w+)!([A-Z]+)(\d+):([A-Z]+)(\d+)$", chart["dataSets"][0]["dataRange"]
                ).groups()
                cells = sheets[sheet_name]["cells"]
                keys = [re.search(r'"__count","(\w+)","(\w+)"', cells[f"{col}{row}"]).groups()
                        for row in range(int(first), int(last) + 1)]
                found[keys[0][0]] = [key for _field, key in keys]
        self.assertEqual(found, expected)

    def test_labels_translated(self):
        # The web client translates the dashboards' _t() labels, chart titles
        # and the like with the module's JavaScript terms: all must be there.
        web = {message["id"]: message["string"] for message
               in code_translations.get_web_translations("crm_analytics", "zh_CN")["messages"]}
        for path in DASHBOARDS.values():
            with file_open(path, "rb") as f:
                terms = {term for _line, _func, term, _comments
                         in extract_spreadsheet_terms(f, [], [], {})}
            self.assertIn("Customer Equity" if "value" in path else "Open Complaints", terms)
            self.assertFalse(sorted(terms - set(web)), path)
        self.assertEqual(web["Customer Equity"], "客户资产")
        # The dashboard and group names are record translations.
        catalog = polib.pofile(file_path("crm_analytics/i18n/zh_CN.po"))
        names = {entry.msgid: entry.msgstr for entry in catalog
                 if any("spreadsheet_dashboard" in occurrence for occurrence, _line
                        in entry.occurrences)}
        self.assertEqual(names, {"Customer Value": "客户价值", "Customer Service": "客户服务",
                                 "Customer Relationship": "客户关系"})


@tagged("post_install", "-at_install")
class TestDashboardLoad(DashboardCase, HttpCase):
    def test_dashboard_data_route(self):
        self.authenticate(self.sales_manager.login, self.sales_manager.login)
        response = self.url_open(f"/spreadsheet/dashboard/data/{self.value_dashboard.id}")
        self.assertEqual(response.status_code, 200)
        data = response.json()
        self.assertEqual(data["translation_namespace"], "crm_analytics")
        self.assertEqual([sheet["name"] for sheet in data["snapshot"]["sheets"]],
                         ["Dashboard", "Data"])
        # Not for a sales manager: the record rule hides Customer Service.
        with mute_logger("odoo.http"):
            response = self.url_open(f"/spreadsheet/dashboard/data/{self.service_dashboard.id}")
        self.assertNotEqual(response.status_code, 200)


@tagged("post_install", "-at_install")
class TestDashboardTour(DashboardCase, HttpCase):
    """A manager opens both dashboards in a browser; the tour compares a key
    figure of each with the same count read through the ORM."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        for index in range(4):
            partner = cls._crm_customer(f"Dashboard Buyer {index}")
            cls._crm_orders(partner, [(10 + 45 * k, 300.0 + 100 * index) for k in range(index + 2)])
            if index < 3:
                cls.env["crm.complaint"].create({
                    "name": f"Dashboard complaint {index}", "partner_id": partner.id,
                })
        cls.env["crm.customer.score"]._crm_score_company(cls.company)

    def test_dashboard_tour(self):
        self.assertGreaterEqual(self.env["crm.customer.score"].search_count([]), 4)
        self.assertGreaterEqual(
            self.env["crm.complaint"].search_count([("is_closed", "=", False)]), 3)
        self.start_tour("/odoo/dashboards", "crm_analytics_dashboard_tour",
                        login=self.crm_manager.login)
