from odoo import Command, fields
from odoo.tests import new_test_user, tagged

from .common import CrmExtendedCase

# Fixed dates: the order date, a currency rate valid on it and a later one
# (the rate of "today" for every date after it).
ORDER_DATE = "2025-03-14 09:30:00"
RATE_AT_ORDER = "2025-03-01"
RATE_LATER = "2025-06-01"


@tagged("post_install", "-at_install")
class TestOrderImportParity(CrmExtendedCase):
    """An imported order is the order Odoo makes with create() + action_confirm()
    for the same customer, products, quantities, prices and date: taxes, fiscal
    position, pricelist, currency, amounts, delivery, invoice status."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.integration = new_test_user(
            cls.env, login="crm_integration_parity", name="Parity Shop",
            groups="crm_extended.group_crm_extended_integration",
            company_id=cls.company.id, company_ids=[cls.company.id],
        )
        Tax = cls.env["account.tax"]
        cls.tax_10, cls.tax_5 = Tax.create([
            {"name": "Parity 10%", "type_tax_use": "sale", "amount": 10.0},
            {"name": "Parity 5%", "type_tax_use": "sale", "amount": 5.0},
        ])
        cls.tax_incl = Tax.create({"name": "Parity 15% incl.", "type_tax_use": "sale",
                                   "amount": 15.0, "price_include_override": "tax_included"})
        belgium = cls.env.ref("base.be")
        cls.fpos = cls.env["account.fiscal.position"].create({
            "name": "Parity Belgium", "auto_apply": True, "country_id": belgium.id})
        cls.tax_export = Tax.create({"name": "Parity 6% BE", "type_tax_use": "sale",
                                     "amount": 6.0, "fiscal_position_ids": cls.fpos.ids})
        cls.tax_export.original_tax_ids = cls.tax_incl
        Product = cls.env["product.product"]
        cls.multi_tax = Product.create({
            "name": "Parity Two Taxes", "type": "consu", "list_price": 40.0,
            "default_code": "PAR-MULTI", "taxes_id": [Command.set((cls.tax_10 | cls.tax_5).ids)],
        })
        cls.included = Product.create({
            "name": "Parity Tax Included", "type": "consu", "list_price": 115.0,
            "default_code": "PAR-INCL", "taxes_id": [Command.set(cls.tax_incl.ids)],
        })
        cls.service = Product.create({
            "name": "Parity Service", "type": "service", "list_price": 30.0,
            "default_code": "PAR-SERV", "taxes_id": [Command.set(cls.tax_10.ids)],
        })
        results = cls.env["res.partner"].crm_api_upsert_customers([
            {"ref": "PAR-HOME", "name": "Parity Home"},
            {"ref": "PAR-BE", "name": "Parity Belgium", "country_code": "BE"},
        ])
        cls.home, cls.belgian = cls.env["res.partner"].browse([r["id"] for r in results])
        cls.eur = cls.env.ref("base.EUR")
        if cls.eur == cls.company.currency_id:  # pragma: no cover - a EUR company
            cls.eur = cls.env.ref("base.CHF")
        cls.eur.active = True
        cls.env["res.currency.rate"].create([
            {"name": RATE_AT_ORDER, "rate": 2.0, "currency_id": cls.eur.id,
             "company_id": cls.company.id},
            {"name": RATE_LATER, "rate": 3.0, "currency_id": cls.eur.id,
             "company_id": cls.company.id},
        ])
        cls.eur_pricelist = cls.env["product.pricelist"].create({
            "name": "Parity foreign", "currency_id": cls.eur.id, "company_id": cls.company.id})

    def _import(self, orders):
        results = self.env["sale.order"].with_user(self.integration).crm_api_import_orders(orders)
        self.assertEqual([r["status"] for r in results], ["created"] * len(orders),
                         [r["message"] for r in results])
        return self.env["sale.order"].browse([r["id"] for r in results])

    def _reference(self, partner, lines, state="sale", pricelist=None):
        """The same order made the standard way: create(), action_confirm(),
        then dated back like a salesperson would (the confirmation dates it
        now); a closed order is locked."""
        vals = {
            "partner_id": partner.id,
            "date_order": ORDER_DATE,
            "order_line": [Command.create(dict(line)) for line in lines],
        }
        if pricelist:
            vals["pricelist_id"] = pricelist.id
        order = self.env["sale.order"].create(vals)
        if state == "done":
            order.with_context(skip_procurement=True).action_confirm()
            order.action_lock()
        else:
            order.action_confirm()
        order.date_order = ORDER_DATE
        return order

    def assertSameOrder(self, imported, reference):
        for name in ("amount_untaxed", "amount_tax", "amount_total", "fiscal_position_id",
                     "currency_id", "pricelist_id", "state", "locked", "invoice_status",
                     "currency_rate", "date_order", "partner_invoice_id",
                     "partner_shipping_id", "payment_term_id", "warehouse_id"):
            self.assertEqual(imported[name], reference[name], name)
        self.assertEqual(len(imported.order_line), len(reference.order_line))
        for mine, theirs in zip(imported.order_line, reference.order_line, strict=True):
            for name in ("product_id", "product_uom_qty", "price_unit", "tax_ids",
                         "price_subtotal", "price_tax", "price_total", "qty_to_invoice",
                         "invoice_status", "qty_delivered_method"):
                self.assertEqual(mine[name], theirs[name], f"line {mine.product_id.name}: {name}")

        def moves(order):
            return sorted(
                (move.product_id.id, move.product_uom_qty, move.location_id.id,
                 move.location_dest_id.id, move.state, move.partner_id.id)
                for move in order.picking_ids.move_ids)

        self.assertEqual(len(imported.picking_ids), len(reference.picking_ids))
        self.assertEqual(moves(imported), moves(reference))

    def test_open_order_with_several_and_included_taxes(self):
        imported = self._import([{
            "ref": "PAR-SO-1", "customer_ref": "PAR-HOME", "date_order": ORDER_DATE,
            "state": "sale", "lines": [
                {"product_code": "PAR-MULTI", "quantity": 3, "price_unit": 19.99},
                {"product_code": "PAR-INCL", "quantity": 2},
                {"product_code": "PAR-SERV", "quantity": 1.5, "price_unit": 33.33},
            ],
        }])
        reference = self._reference(self.home, [
            {"product_id": self.multi_tax.id, "product_uom_qty": 3, "price_unit": 19.99},
            {"product_id": self.included.id, "product_uom_qty": 2},
            {"product_id": self.service.id, "product_uom_qty": 1.5, "price_unit": 33.33},
        ])
        self.assertSameOrder(imported, reference)
        lines = imported.order_line
        self.assertEqual(lines[0].tax_ids, self.tax_10 | self.tax_5)
        self.assertEqual(lines[1].tax_ids, self.tax_incl)
        # 115 tax included is 100 before tax, twice.
        self.assertAlmostEqual(lines[1].price_subtotal, 200.0)
        self.assertAlmostEqual(lines[1].price_total, 230.0)
        self.assertEqual(fields.Datetime.to_string(imported.date_order), ORDER_DATE)
        self.assertEqual(imported.invoice_status, "to invoice")
        self.assertFalse(imported.locked)
        # Still to deliver: the procurement ran, the delivery waits.
        self.assertEqual(len(imported.picking_ids), 1)
        self.assertEqual(imported.picking_ids.move_ids.product_id, self.multi_tax | self.included)
        self.assertNotIn(imported.picking_ids.state, ("done", "cancel"))
        self.assertEqual(imported.create_uid, self.integration)
        self.assertEqual(imported.crm_external_ref, "PAR-SO-1")
        self.assertNotEqual(imported.name, reference.name)

    def test_closed_order_under_a_fiscal_position(self):
        imported = self._import([{
            "ref": "PAR-SO-2", "customer_ref": "PAR-BE", "date_order": ORDER_DATE,
            "lines": [
                {"product_code": "PAR-INCL", "quantity": 4},
                {"product_code": "PAR-MULTI", "quantity": 1, "price_unit": 12.5},
            ],
        }])
        reference = self._reference(self.belgian, [
            {"product_id": self.included.id, "product_uom_qty": 4},
            {"product_id": self.multi_tax.id, "product_uom_qty": 1, "price_unit": 12.5},
        ], state="done")
        # Delivered elsewhere: what a user records by hand on the reference.
        for line in reference.order_line:
            line.qty_delivered = line.product_uom_qty
        self.assertSameOrder(imported, reference)
        self.assertEqual(imported.fiscal_position_id, self.fpos)
        # The fiscal position replaces the included 15% by 6% on top of 100.
        self.assertEqual(imported.order_line[0].tax_ids, self.tax_export)
        self.assertAlmostEqual(imported.order_line[0].price_unit, 100.0)
        self.assertEqual(imported.state, "sale")
        self.assertTrue(imported.locked)
        self.assertFalse(imported.picking_ids, "closed history: delivered elsewhere")
        self.assertEqual(imported.order_line.mapped("qty_delivered"), [4.0, 1.0])
        # No invoice of it is in Odoo: Odoo shows it as to invoice.
        self.assertEqual(imported.invoice_status, "to invoice")

    def test_foreign_currency_at_the_rate_of_the_order_date(self):
        imported = self._import([{
            "ref": "PAR-SO-3", "customer_ref": "PAR-HOME", "date_order": ORDER_DATE,
            "state": "sale", "currency": self.eur.name.lower(), "lines": [
                {"product_code": "PAR-SERV", "quantity": 2, "price_unit": 50.0},
                {"product_code": "PAR-MULTI", "quantity": 1},
            ],
        }])
        reference = self._reference(self.home, [
            {"product_id": self.service.id, "product_uom_qty": 2, "price_unit": 50.0},
            {"product_id": self.multi_tax.id, "product_uom_qty": 1},
        ], pricelist=self.eur_pricelist)
        self.assertSameOrder(imported, reference)
        self.assertEqual(imported.currency_id, self.eur)
        self.assertEqual(imported.pricelist_id, self.eur_pricelist)
        self.assertEqual(imported.order_line.currency_id, self.eur)
        # The amounts are in the order's currency; the company's at the order date's rate.
        self.assertAlmostEqual(imported.order_line[0].price_subtotal, 100.0)
        self.assertAlmostEqual(imported.order_line[1].price_unit, 80.0, msg="list price 40 x 2")
        self.assertAlmostEqual(imported.currency_rate, 2.0)

    def test_unknown_currency_or_no_pricelist_is_refused(self):
        gbp = self.env.ref("base.GBP")
        if gbp == self.company.currency_id:  # pragma: no cover - a GBP company
            gbp = self.env.ref("base.JPY")
        gbp.active = True
        orders = [
            {"ref": ref, "customer_ref": "PAR-HOME", "date_order": ORDER_DATE,
             "currency": currency, "lines": [{"product_code": "PAR-SERV", "quantity": 1}]}
            for ref, currency in (("PAR-X1", "XYZ"), ("PAR-X2", gbp.name), ("PAR-X3", 7),
                                  ("PAR-X4", self.company.currency_id.name))
        ]
        results = self.env["sale.order"].with_user(self.integration).crm_api_import_orders(orders)
        self.assertEqual([r["status"] for r in results], ["error", "error", "error", "created"])
        self.assertIn("Unknown currency XYZ", results[0]["message"])
        self.assertIn(f"No pricelist in {gbp.name}", results[1]["message"])
        self.assertIn("currency must be text", results[2]["message"])
        self.assertFalse(self.env["sale.order"].search(
            [("crm_external_ref", "in", ["PAR-X1", "PAR-X2", "PAR-X3"])]))
        order = self.env["sale.order"].browse(results[3]["id"])
        self.assertEqual(order.currency_id, self.company.currency_id)

    def test_names_follow_the_sequence_and_the_dates(self):
        dates = ["2025-02-01 08:00:00", "2025-01-01 08:00:00", "2025-03-01 08:00:00"]
        imported = self._import([
            {"ref": f"PAR-N{n}", "customer_ref": "PAR-HOME", "date_order": date,
             "lines": [{"product_code": "PAR-SERV", "quantity": 1}]}
            for n, date in enumerate(dates)
        ])
        self.assertEqual(len(set(imported.mapped("name"))), 3)
        by_date = imported.sorted("date_order")
        self.assertEqual(by_date.mapped("name"), sorted(by_date.mapped("name")))
        self.assertEqual([fields.Datetime.to_string(d) for d in imported.mapped("date_order")],
                         dates)
