from lxml import etree

from odoo.tests import TransactionCase, tagged


@tagged("post_install", "-at_install")
class TestGraphPrecision(TransactionCase):
    """Odoo's graph view formats a measure only by its widget's formatter,
    without digits: the one-decimal shares and scores of the lists and pivots
    must use the one-decimal formatters of crm_analytics in their graphs."""

    def test_graph_measures_have_the_list_precision(self):
        views = self.env["ir.ui.view"].search([
            ("type", "=", "graph"), ("model", "=like", "crm.%"),
        ])
        checked = set()
        for view in views:
            arch = etree.fromstring(self.env[view.model].get_view(view.id, "graph")["arch"])
            for node in arch.xpath("//field[@type='measure']"):
                field = self.env[view.model]._fields[node.get("name")]
                with self.subTest(view=view.xml_id, measure=field.name):
                    # "percentage" would show 14.55% where the list shows 14.5%.
                    self.assertNotEqual(node.get("widget"), "percentage")
                    if getattr(field, "_digits", None) == (16, 1):
                        self.assertEqual(node.get("widget"), "crm_float_1")
                    if node.get("widget", "").startswith("crm_"):
                        checked.add((view.model, field.name))
        self.assertLessEqual({("crm.cohort.report", "retention_rate"),
                              ("crm.pareto.report", "revenue_share"),
                              ("crm.customer.score.snapshot", "value_score")}, checked)
        bundle = self.env["ir.qweb"]._get_asset_bundle("web.assets_backend")
        self.assertTrue(any(
            asset.url.endswith("crm_analytics/static/src/views/one_decimal_formatters.js")
            for asset in bundle.javascripts))
