#!/usr/bin/env python3
"""Write the spreadsheet dashboards that crm_analytics ships.

    python3 -m tools.gen_dashboards      (or python3 tools/gen_dashboards.py)

writes ``addons/crm_analytics/data/files/customer_value_dashboard.json`` and
``customer_service_dashboard.json``. Edit the dashboards here, not in the JSON:
the pivots, lists and charts are declared once with their model and fields,
cell addresses are computed, and every label goes through ``_t()`` so that
Odoo's term extraction (``odoo/tools/translate.py``, files ``*_dashboard.json``
under ``data/``) puts it in the module's .pot. The format is the one of Odoo
19's o-spreadsheet (version 18.5.10, as in ``spreadsheet_dashboard_sale``).
Plain Python, no Odoo import. tests/test_dashboards_generated.py checks that the
shipped JSON is what this script writes.
"""

import json
from pathlib import Path

OUT_DIR = Path(__file__).resolve().parent.parent / "addons" / "crm_analytics" / "data" / "files"
VERSION = "18.5.10"

# Columns of the dashboard sheet: two blocks of four columns with a gap.
COL_WIDTHS = [180, 100, 170, 150, 40, 220, 130, 120, 110]
LEFT, RIGHT = 0, 5          # first column of the left and right block
RIGHT_WIDTH = sum(COL_WIDTHS[RIGHT:])
FULL_WIDTH = sum(COL_WIDTHS)

STYLES = {
    "1": {"bold": True, "fontSize": 16, "textColor": "#01666B"},             # section title
    "2": {"bold": True, "fontSize": 11, "textColor": "#434343"},             # table header
    "3": {"bold": True, "fontSize": 11, "textColor": "#434343", "align": "right"},
    "4": {"textColor": "#434343", "verticalAlign": "middle"},                # table body
    "5": {"bold": True, "textColor": "#434343"},                             # total row
}
FORMATS = {"1": "#,##0", "2": "#,##0.00", "3": "0.0%", "4": "0.0"}
BORDERS = {
    "1": {"bottom": {"style": "thin", "color": "#CCCCCC"}},
    "2": {"top": {"style": "thin", "color": "#CCCCCC"}},
}
SCORECARD_BLUE, SCORECARD_ORANGE = "#EFF6FF", "#FFF7ED"
SCORE_MENU = "crm_analytics.crm_customer_score_menu"
CLASSIFICATION_MENU = "crm_analytics.crm_classification_report_menu"
COMPLAINT_MENU = "crm_extended.crm_complaint_menu"
CONTRACT_MENU = "crm_analytics.crm_contract_report_menu"
VISIT_MENU = "crm_extended.crm_service_visit_menu"


def col_name(col):
    name = ""
    col += 1
    while col:
        col, rest = divmod(col - 1, 26)
        name = chr(65 + rest) + name
    return name


def xc(col, row):
    return f"{col_name(col)}{row + 1}"


def q(text):
    """A string literal in a formula."""
    return json.dumps(text, ensure_ascii=False)


def t(text):
    """A translatable label cell."""
    return f"=_t({q(text)})"


class Sheet:
    def __init__(self, sheet_id, name, col_widths, rows=110):
        self.id = sheet_id
        self.name = name
        self.col_widths = col_widths
        self.row_count = rows
        self.cells, self.styles, self.formats, self.borders = {}, {}, {}, {}
        self.figures = []

    def set(self, col, row, content, style=None, fmt=None, border=None):
        ref = xc(col, row)
        self.cells[ref] = content
        if style:
            self.styles[ref] = int(style)
        if fmt:
            self.formats[ref] = int(fmt)
        if border:
            self.borders[ref] = int(border)
        return ref

    def figure(self, figure_id, col, row, width, height, data, tag="chart"):
        if tag == "chart":
            data = dict(data, chartId=figure_id)
        self.figures.append({
            "id": figure_id, "col": col, "row": row, "offset": {"x": 0, "y": 0},
            "width": width, "height": height, "tag": tag, "data": data,
        })

    def to_json(self):
        return {
            "id": self.id, "name": self.name,
            "colNumber": max(len(self.col_widths), 26), "rowNumber": self.row_count,
            "rows": {}, "cols": {str(i): {"size": w} for i, w in enumerate(self.col_widths)},
            "merges": [], "cells": self.cells, "styles": self.styles, "formats": self.formats,
            "borders": self.borders, "conditionalFormats": [], "dataValidationRules": [],
            "figures": self.figures, "tables": [], "areGridLinesVisible": False,
            "isVisible": True, "headerGroups": {"ROW": [], "COL": []}, "comments": {},
        }


class Dashboard:
    def __init__(self, prefix):
        self.prefix = prefix
        self.sheet = Sheet(f"{prefix}_dashboard", "Dashboard", COL_WIDTHS)
        self.data = Sheet(f"{prefix}_data", "Data", [260, 120, 120], rows=40)
        self.data.set(0, 0, t("Key figure"), style=2, border=1)
        self.data.set(1, 0, t("Value"), style=3, border=1)
        self.data.set(2, 0, t("Shown"), style=3, border=1)
        self.pivots, self.lists = {}, {}
        self.filters = []
        self.menus = {}  # figure id -> xml id of the menu a click opens
        self.figure_count = 0

    # -- data sources --------------------------------------------------

    def pivot(self, name, model, measures, rows=(), domain=(), sort=None):
        """A pivot; ``measures`` are (field, aggregator) pairs or "__count";
        ``rows`` field names (with ``:granularity`` for dates). Returns its id."""
        pivot_id = str(len(self.pivots) + 1)
        measure_defs = []
        for measure in measures:
            if measure == "__count":
                measure_defs.append({"id": "__count", "fieldName": "__count"})
            else:
                field, aggregator = measure
                measure_defs.append({"id": f"{field}:{aggregator}", "fieldName": field,
                                     "aggregator": aggregator})
        row_defs = []
        for row in rows:
            field, _sep, granularity = row.partition(":")
            row_def = {"fieldName": field}
            if granularity:
                row_def["granularity"] = granularity
            row_defs.append(row_def)
        self.pivots[pivot_id] = {
            "type": "ODOO", "id": pivot_id, "formulaId": pivot_id, "name": name,
            "model": model, "domain": list(domain), "context": {},
            "measures": measure_defs, "rows": row_defs, "columns": [],
            "sortedColumn": {"measure": sort, "order": "desc", "domain": []} if sort else None,
            "fieldMatching": {},
        }
        return pivot_id

    def list(self, name, model, columns, order, domain=()):
        list_id = str(len(self.lists) + 1)
        self.lists[list_id] = {
            "id": list_id, "name": name, "model": model, "columns": list(columns),
            "domain": list(domain), "context": {},
            "orderBy": [{"name": order, "asc": False}], "fieldMatching": {},
        }
        return list_id

    # -- content -------------------------------------------------------

    def key_figure(self, row, label, formula, shown=None, fmt=None):
        """A key figure on the Data sheet: label, raw value and the text that
        the scorecard shows. Returns the address of the shown cell."""
        self.data.set(0, row, t(label))
        self.data.set(1, row, formula, fmt=fmt)
        value_ref = xc(1, row)
        shown = shown or f"=FORMAT.LARGE.NUMBER({value_ref})"
        self.data.set(2, row, shown.format(value=value_ref), fmt=fmt)
        return f"Data!{xc(2, row)}"

    def global_filter(self, filter_id, label, filter_type, model=None):
        """A filter of the dashboard's search bar, empty by default (all
        records); sources follow it through their ``matching``."""
        definition = {"id": filter_id, "type": filter_type, "label": label}
        if model:
            definition["modelName"] = model
        self.filters.append(definition)

    def match_model(self, model, matching):
        """Make every pivot and chart on ``model`` follow the global filters."""
        for pivot in self.pivots.values():
            if pivot["model"] == model:
                pivot["fieldMatching"] = matching
        for figure in self.sheet.figures:
            if figure["data"].get("metaData", {}).get("resModel") == model:
                figure["data"]["fieldMatching"] = matching

    def next_figure_id(self):
        self.figure_count += 1
        return f"{self.prefix}_figure_{self.figure_count}"

    def scorecards(self, row, cards, width=230, gap=12):
        """Key figure cards in a row: (title, Data cell, background, xml id of
        the menu that a click on the card opens)."""
        for index, (title, key_ref, background, menu) in enumerate(cards):
            figure_id = self.next_figure_id()
            self.menus[figure_id] = menu
            self.sheet.figures.append({
                "id": figure_id, "col": 0, "row": row,
                "offset": {"x": index * (width + gap), "y": 0},
                "width": width, "height": 100, "tag": "chart",
                "data": {
                    "type": "scorecard", "title": {"text": title, "bold": True, "color": "#434343"},
                    "keyValue": key_ref, "background": background, "baselineMode": "text",
                    "baselineColorUp": "#00A04A", "baselineColorDown": "#DC6965",
                    "humanize": False, "chartId": figure_id,
                },
            })

    def chart(self, chart_type, title, col, row, width, height, model, group_by, measure="__count",
              domain=(), legend="top", stacked=False, order=None):
        mode = chart_type.removeprefix("odoo_")
        data = {
            "type": chart_type, "title": {"text": title, "bold": True, "color": "#434343"},
            "background": "#FFFFFF", "legendPosition": legend,
            "metaData": {"groupBy": list(group_by), "measure": measure, "order": order,
                         "resModel": model, "mode": mode, "cumulatedStart": False},
            "searchParams": {"comparison": None, "context": {}, "domain": list(domain),
                             "groupBy": list(group_by), "orderBy": []},
            "dataSets": [], "fieldMatching": {},
        }
        if chart_type in ("odoo_bar", "odoo_line"):
            # No axis titles: o-spreadsheet does not translate them.
            data.update(verticalAxisPosition="left", stacked=stacked, cumulatedStart=False)
        if chart_type == "odoo_line":
            data["fillArea"] = False
        self.sheet.figure(self.next_figure_id(), col, row, width, height, data)

    def ranked_pie(self, title, col, row, width, height, pivot_id, field, keys, data_row):
        """A pie of a pivot's counts by ``field`` with the slices in the order
        of ``keys``: o-spreadsheet colours slices by position only (blue, red,
        teal, orange...), so the order gives e.g. "High" and "Breached" the red
        and "Low" and "On Time" the teal. Its series are on the Data sheet
        (columns D and E from ``data_row``)."""
        first = data_row
        for index, key in enumerate(keys):
            current = data_row + index
            args = f"{q(field)},{q(key)}"
            self.data.set(3, current, f'=IF(ISNUMBER(PIVOT.VALUE({pivot_id},"__count",{args})),'
                                      f'PIVOT.HEADER({pivot_id},{args}),"")')
            self.data.set(4, current, f'=PIVOT.VALUE({pivot_id},"__count",{args})', fmt=1)
        last = data_row + len(keys) - 1
        self.sheet.figure(self.next_figure_id(), col, row, width, height, {
            "type": "pie", "title": {"text": title, "bold": True, "color": "#434343"},
            "background": "#FFFFFF", "legendPosition": "top",
            "dataSets": [{"dataRange": f"Data!{xc(4, first)}:{xc(4, last)}"}],
            "labelRange": f"Data!{xc(3, first)}:{xc(3, last)}",
            "dataSetsHaveTitle": False, "aggregated": False, "isDoughnut": False,
        })

    def title(self, col, row, text):
        self.sheet.set(col, row, t(text), style=1)

    def header(self, col, row, labels, columns=None, text_columns=1):
        """Column titles; the first ``text_columns`` are left-aligned like
        their text, the others right-aligned like their numbers."""
        columns = columns or [col + offset for offset in range(len(labels))]
        for index, (current, label) in enumerate(zip(columns, labels, strict=True)):
            self.sheet.set(current, row, t(label), style=2 if index < text_columns else 3)
        for current in range(columns[0], columns[-1] + 1):
            self.sheet.borders[xc(current, row)] = 1

    def pivot_table(self, col, row, pivot_id, field, keys, measures, formats, total=True):
        """Rows of a pivot, one per key, then a total row. A key is a fixed
        value (its row stays blank when no record has it) or ``#n``, the n-th
        group in the pivot's order (blank past the last group)."""
        for index, key in enumerate(keys):
            current = row + index
            if key.startswith("#"):
                args = f"{q('#' + field)},{key[1:]}"
                header = f"=PIVOT.HEADER({pivot_id},{args})"
            else:
                args = f"{q(field)},{q(key)}"
                header = (f'=IF(ISNUMBER(PIVOT.VALUE({pivot_id},"__count",{args})),'
                          f"PIVOT.HEADER({pivot_id},{args}),\"\")")
            self.sheet.set(col, current, header, style=4)
            for offset, (measure, fmt) in enumerate(zip(measures, formats, strict=True), start=1):
                self.sheet.set(col + offset, current,
                               f"=PIVOT.VALUE({pivot_id},{q(measure)},{args})", style=4, fmt=fmt)
        if total:
            current = row + len(keys)
            self.sheet.set(col, current, t("Total"), style=5, border=2)
            for offset, (measure, fmt) in enumerate(zip(measures, formats, strict=True), start=1):
                self.sheet.set(col + offset, current, f"=PIVOT.VALUE({pivot_id},{q(measure)})",
                               style=5, fmt=fmt, border=2)

    def list_table(self, col, row, list_id, fields, formats, count=10, columns=None):
        columns = columns or [col + offset for offset in range(len(fields))]
        for index in range(1, count + 1):
            for current, field, fmt in zip(columns, fields, formats, strict=True):
                self.sheet.set(current, row + index - 1,
                               f"=ODOO.LIST({list_id},{index},{q(field)})", style=4, fmt=fmt)


    def to_json(self):
        return {
            "version": VERSION,
            "sheets": [self.sheet.to_json(), self.data.to_json()],
            "styles": STYLES, "formats": FORMATS, "borders": BORDERS,
            "revisionId": "START_REVISION", "uniqueFigureIds": True,
            "settings": {"locale": {
                "name": "English (US)", "code": "en_US", "thousandsSeparator": ",",
                "decimalSeparator": ".", "dateFormat": "mm/dd/yyyy", "timeFormat": "hh:mm:ss",
                "formulaArgSeparator": ",", "weekStart": 7}},
            "pivots": self.pivots, "pivotNextId": len(self.pivots) + 1,
            "customTableStyles": {}, "globalFilters": self.filters,
            "lists": self.lists, "listNextId": len(self.lists) + 1,
            "chartOdooMenusReferences": self.menus,
        }


# ----------------------------------------------------------------------
# Customer Value (sales manager)
# ----------------------------------------------------------------------

CHURN_RISKS = ["low", "medium", "high"]
VALUE_GRADES = ["a", "b", "c"]
SCORE = "crm.customer.score"
CLASSIFICATION = "crm.classification.report"
ACTIVE_SCORED = [["partner_id.active", "=", True]]


def customer_value():
    d = Dashboard("cv")
    scores = d.pivot("Scores by RFM segment", SCORE,
                     ["__count", ("monetary", "sum"), ("margin", "sum"), ("predicted_clv", "sum"),
                      ("value_score", "avg")],
                     rows=["rfm_segment"], domain=ACTIVE_SCORED, sort="__count")
    churn = d.pivot("Scores by churn risk", SCORE,
                    ["__count", ("predicted_clv", "sum"), ("value_score", "avg")],
                    rows=["churn_risk"], domain=ACTIVE_SCORED)
    grades = d.pivot("Customers by value grade", CLASSIFICATION,
                     ["__count", ("revenue_12m", "sum"), ("revenue_share", "sum")],
                     rows=["value_grade"], domain=[["value_grade", "!=", False]])
    revenue = d.pivot("Revenue of the last 12 months", CLASSIFICATION, [("revenue_12m", "sum")])

    # Key figures (Data sheet) and their scorecards.
    cards = [
        ("Scored Customers", d.key_figure(1, "Active scored customers",
                                          f'=PIVOT.VALUE({scores},"__count")'),
         SCORECARD_BLUE, SCORE_MENU),
        ("Customer Equity", d.key_figure(2, "Customer equity (sum of predicted lifetime values)",
                                         f'=PIVOT.VALUE({scores},"predicted_clv:sum")'),
         SCORECARD_BLUE, SCORE_MENU),
        ("Average Value Score", d.key_figure(3, "Average value score",
                                             f'=PIVOT.VALUE({scores},"value_score:avg")',
                                             shown="=ROUND({value},1)", fmt=4),
         SCORECARD_BLUE, SCORE_MENU),
        ("High Churn Risk", d.key_figure(4, "Customers at high churn risk",
                                         f'=PIVOT.VALUE({churn},"__count","churn_risk","high")'),
         SCORECARD_ORANGE, SCORE_MENU),
        ("Revenue (12 months)", d.key_figure(5, "Net revenue of the last 12 months",
                                             f'=PIVOT.VALUE({revenue},"revenue_12m:sum")'),
         SCORECARD_ORANGE, CLASSIFICATION_MENU),
    ]
    d.scorecards(0, cards)

    # RFM segments: table and lifetime value chart.
    row = 6
    d.title(LEFT, row, "Customers by RFM Segment")
    d.header(LEFT, row + 1, ["RFM Segment", "Customers", "Net Revenue", "Lifetime Value"])
    d.pivot_table(LEFT, row + 2, scores, "rfm_segment", [f"#{n}" for n in range(1, 12)],
                  ["__count", "monetary:sum", "predicted_clv:sum"], [1, 2, 2])
    d.title(RIGHT, row, "Lifetime Value by RFM Segment")
    d.chart("odoo_bar", "", RIGHT, row + 1, RIGHT_WIDTH, 300, SCORE, ["rfm_segment"],
            measure="predicted_clv", domain=ACTIVE_SCORED, legend="none", order="DESC")

    # Churn risk.
    row = 22
    d.title(LEFT, row, "Churn Risk")
    d.header(LEFT, row + 1, ["Churn Risk", "Customers", "Lifetime Value", "Value Score"])
    d.pivot_table(LEFT, row + 2, churn, "churn_risk", CHURN_RISKS,
                  ["__count", "predicted_clv:sum", "value_score:avg"], [1, 2, 4])
    d.chart("odoo_bar", "Margin by RFM Segment", LEFT, row + 7, sum(COL_WIDTHS[:4]), 230, SCORE,
            ["rfm_segment"], measure="margin", domain=ACTIVE_SCORED, legend="none", order="DESC")
    d.title(RIGHT, row, "Customers by Churn Risk")
    d.ranked_pie("", RIGHT, row + 1, RIGHT_WIDTH, 320, churn, "churn_risk",
                 ["medium", "high", "low"], data_row=20)

    # Value grades and the Pareto share.
    row = 41
    d.title(LEFT, row, "Value Grades (Pareto)")
    d.header(LEFT, row + 1, ["Value Grade", "Customers", "Revenue (12 months)", "Revenue Share"])
    d.pivot_table(LEFT, row + 2, grades, "value_grade", VALUE_GRADES,
                  ["__count", "revenue_12m:sum", "revenue_share:sum"], [1, 2, 3])
    d.chart("odoo_bar", "Customers by Lifecycle Stage", LEFT, row + 7, sum(COL_WIDTHS[:4]), 250,
            CLASSIFICATION, ["lifecycle_stage"], legend="none", order="DESC")
    d.title(RIGHT, row, "Revenue by Value Grade")
    d.chart("odoo_pie", "", RIGHT, row + 1, RIGHT_WIDTH, 340, CLASSIFICATION, ["value_grade"],
            measure="revenue_12m", domain=[["value_grade", "!=", False]])

    # Retention and the best customers.
    row = 61
    d.title(LEFT, row, "Cohort Retention")
    d.chart("odoo_line", "Retention by Months Since First Order", LEFT, row + 1,
            sum(COL_WIDTHS[:4]), 300, "crm.cohort.report", ["months_since"],
            measure="retention_rate", domain=[["months_since", ">", 0], ["months_since", "<=", 12]],
            legend="none")
    d.title(RIGHT, row, "Top Customers by Value Score")
    top = d.list("Top customers by value score", SCORE,
                 ["partner_id", "rfm_segment", "predicted_clv", "value_score"], "value_score",
                 domain=ACTIVE_SCORED)
    d.header(RIGHT, row + 1, ["Customer", "RFM Segment", "Lifetime Value", "Value Score"],
             text_columns=2)
    d.list_table(RIGHT, row + 2, top, ["partner_id", "rfm_segment", "predicted_clv", "value_score"],
                 [None, None, 2, 4])

    # Cross-selling.
    row = 76
    d.title(LEFT, row, "Top Cross-Selling Rules by Lift")
    rules = d.list("Cross-selling rules by lift", "crm.cross.sell.rule",
                   ["antecedent_id", "consequent_id", "confidence", "lift"], "lift")
    # Product names are long: they run over the empty column(s) on their right.
    columns = [LEFT, LEFT + 2, RIGHT, RIGHT + 1]
    d.header(LEFT, row + 1, ["Customers Who Bought", "Also Buy", "Confidence", "Lift"], columns,
             text_columns=2)
    d.list_table(LEFT, row + 2, rules, ["antecedent_id", "consequent_id", "confidence", "lift"],
                 [None, None, 3, 2], columns=columns)
    return d


# ----------------------------------------------------------------------
# Customer Service (service manager)
# ----------------------------------------------------------------------

COMPLAINT = "crm.complaint"
CONTRACT_REPORT = "crm.contract.report"
OPEN = [["is_closed", "=", False]]


# Global filters of Customer Service: the period in which complaints came in
# (visits: their date) and the complaint team.
PERIOD, TEAM = "cs_filter_period", "cs_filter_team"
BY_COMPLAINT = {PERIOD: {"chain": "create_date", "type": "datetime", "offset": 0},
                TEAM: {"chain": "team_id", "type": "many2one"}}
BY_VISIT = {PERIOD: {"chain": "date", "type": "datetime", "offset": 0}}


def customer_service():
    d = Dashboard("cs")
    d.global_filter(PERIOD, "Period", "date")
    d.global_filter(TEAM, "Team", "relation", model="crm.complaint.team")
    open_complaints = d.pivot("Open complaints by SLA status", COMPLAINT, ["__count"],
                              rows=["sla_status"], domain=OPEN)
    all_complaints = d.pivot("All complaints", COMPLAINT,
                             ["__count", ("compensation_cost", "sum")])
    responded = d.pivot("Answered complaints", COMPLAINT,
                        [("time_to_first_response_hours", "avg")],
                        domain=[["first_response_date", "!=", False]])
    resolved = d.pivot("Resolved complaints by team", COMPLAINT,
                       ["__count", ("time_to_first_response_hours", "avg"),
                        ("time_to_resolution_hours", "avg")],
                       rows=["team_id"], domain=[["resolved_date", "!=", False]], sort="__count")
    satisfaction = d.pivot("Follow-up satisfaction", COMPLAINT, ["__count"],
                           rows=["followup_satisfaction"],
                           domain=[["followup_satisfaction", "!=", False]])
    categories = d.pivot("Complaints by category", COMPLAINT,
                         ["__count", ("compensation_cost", "sum")],
                         rows=["category_id"], domain=[["category_id", "!=", False]],
                         sort="__count")
    contracts = d.pivot("Service contracts by status", CONTRACT_REPORT,
                        ["__count", ("fee_amount", "sum"), ("active_count", "sum"),
                         ("expiring_count", "sum"), ("renewal_rate", "avg"),
                         ("visits_overdue", "sum"), ("visit_completion", "avg")],
                        rows=["state"], sort="__count")

    satisfied = (f'=IFERROR((PIVOT.VALUE({satisfaction},"__count","followup_satisfaction","4")'
                 f'+PIVOT.VALUE({satisfaction},"__count","followup_satisfaction","5"))'
                 f'/PIVOT.VALUE({satisfaction},"__count"),"")')
    cards = [
        ("Open Complaints", d.key_figure(1, "Open complaints",
                                         f'=PIVOT.VALUE({open_complaints},"__count")'),
         SCORECARD_BLUE, COMPLAINT_MENU),
        ("SLA Breached", d.key_figure(
            2, "Open complaints past their SLA deadline",
            f'=PIVOT.VALUE({open_complaints},"__count","sla_status","breached")'),
         SCORECARD_ORANGE, COMPLAINT_MENU),
        ("First Response (h)", d.key_figure(
            3, "Average working hours to the first response",
            f'=PIVOT.VALUE({responded},"time_to_first_response_hours:avg")',
            shown="=ROUND({value},1)", fmt=4), SCORECARD_BLUE, COMPLAINT_MENU),
        ("Resolution (h)", d.key_figure(
            4, "Average working hours to resolution",
            f'=PIVOT.VALUE({resolved},"time_to_resolution_hours:avg")',
            shown="=ROUND({value},1)", fmt=4), SCORECARD_BLUE, COMPLAINT_MENU),
        # A dash, not a blank card, before the first follow-up survey.
        ("Satisfied Customers", d.key_figure(
            5, "Share of follow-ups satisfied or very satisfied", satisfied,
            shown='=IF({value}="","—",{value})', fmt=3), SCORECARD_BLUE, COMPLAINT_MENU),
        ("Compensation Cost", d.key_figure(
            6, "Compensation cost", f'=PIVOT.VALUE({all_complaints},"compensation_cost:sum")'),
         SCORECARD_ORANGE, COMPLAINT_MENU),
    ]
    d.scorecards(0, cards, width=195, gap=10)

    row = 6
    d.title(LEFT, row, "Complaints by Category")
    d.header(LEFT, row + 1, ["Category", "Complaints", "Compensation Cost"])
    d.pivot_table(LEFT, row + 2, categories, "category_id", [f"#{n}" for n in range(1, 9)],
                  ["__count", "compensation_cost:sum"], [1, 2])
    d.title(RIGHT, row, "Complaints by Channel")
    d.chart("odoo_pie", "", RIGHT, row + 1, RIGHT_WIDTH, 250, COMPLAINT, ["channel"])

    row = 19
    d.title(LEFT, row, "Resolved Complaints by Team")
    d.header(LEFT, row + 1, ["Team", "Resolved", "First Response (h)", "Resolution (h)"])
    d.pivot_table(LEFT, row + 2, resolved, "team_id", [f"#{n}" for n in range(1, 6)],
                  ["__count", "time_to_first_response_hours:avg", "time_to_resolution_hours:avg"],
                  [1, 4, 4])
    d.title(RIGHT, row, "SLA Status of Open Complaints")
    d.ranked_pie("", RIGHT, row + 1, RIGHT_WIDTH, 230, open_complaints, "sla_status",
                 ["at_risk", "breached", "on_time"], data_row=20)

    row = 31
    d.title(LEFT, row, "Complaints by Month")
    d.chart("odoo_bar", "", LEFT, row + 1, FULL_WIDTH, 280, COMPLAINT,
            ["create_date:month", "complaint_type"], stacked=True)

    row = 45
    d.title(LEFT, row, "Service Contracts")
    d.scorecards(row + 1, [
        ("Active Contracts", d.key_figure(7, "Active service contracts",
                                          f'=PIVOT.VALUE({contracts},"active_count:sum")'),
         SCORECARD_BLUE, CONTRACT_MENU),
        ("Expiring Soon", d.key_figure(8, "Service contracts expiring soon",
                                       f'=PIVOT.VALUE({contracts},"expiring_count:sum")'),
         SCORECARD_ORANGE, CONTRACT_MENU),
        ("Renewal Rate", d.key_figure(9, "Renewal rate",
                                      f'=PIVOT.VALUE({contracts},"renewal_rate:avg")',
                                      shown="={value}", fmt=3), SCORECARD_BLUE, CONTRACT_MENU),
        ("Visit Completion", d.key_figure(10, "Visit completion",
                                          f'=PIVOT.VALUE({contracts},"visit_completion:avg")',
                                          shown="={value}", fmt=3), SCORECARD_BLUE, CONTRACT_MENU),
        ("Visits Overdue", d.key_figure(11, "Maintenance visits overdue",
                                        f'=PIVOT.VALUE({contracts},"visits_overdue:sum")'),
         SCORECARD_ORANGE, VISIT_MENU),
    ])
    row = 52
    d.title(LEFT, row, "Contracts by Status")
    d.header(LEFT, row + 1, ["Status", "Contracts", "Contract Fee", "Visit Completion"])
    d.pivot_table(LEFT, row + 2, contracts, "state", [f"#{n}" for n in range(1, 7)],
                  ["__count", "fee_amount:sum", "visit_completion:avg"], [1, 2, 3])
    d.title(RIGHT, row, "Maintenance Visits by Month")
    d.chart("odoo_bar", "", RIGHT, row + 1, RIGHT_WIDTH, 260, "crm.service.visit",
            ["date:month", "state"], stacked=True)
    # Contracts are a state, not an event of the period: they ignore the filters.
    d.match_model(COMPLAINT, BY_COMPLAINT)
    d.match_model("crm.service.visit", BY_VISIT)
    return d


def dashboards():
    """{file name: JSON text} of the dashboards, as shipped."""
    return {
        name: json.dumps(build().to_json(), indent=1, ensure_ascii=False) + "\n"
        for name, build in (("customer_value_dashboard.json", customer_value),
                            ("customer_service_dashboard.json", customer_service))
    }


def main():
    OUT_DIR.mkdir(parents=True, exist_ok=True)
    for name, text in dashboards().items():
        path = OUT_DIR / name
        path.write_text(text, encoding="utf-8")
        print(f"wrote {path}")


if __name__ == "__main__":
    main()
