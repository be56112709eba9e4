from dateutil.relativedelta import relativedelta

from odoo import Command
from odoo.exceptions import AccessError, UserError
from odoo.tests import Form, new_test_user, tagged

from .common_service_contract import ServiceContractCase


@tagged("post_install", "-at_install")
class TestServiceContractFlow(ServiceContractCase):
    """Sales flow, visit generation, renewal, hand-over and access rules."""

    def _order(self, *products, partner=None):
        return self.env["sale.order"].create({
            "partner_id": (partner or self.customer).id,
            "order_line": [Command.create({"product_id": p.id, "product_uom_qty": 1})
                           for p in products],
        })

    # ------------------------------------------------------------
    # Sales flow
    # ------------------------------------------------------------

    def test_contract_product_order_creates_active_contract(self):
        order = self._order(self.fee_product)
        self.assertFalse(order.crm_service_contract_ids)
        order.action_confirm()
        contract = order.crm_service_contract_ids
        self.assertEqual(len(contract), 1)
        self.assertEqual(contract.sale_order_id, order)
        self.assertEqual(contract.state, "active")
        self.assertEqual(contract.partner_id, self.customer)
        self.assertEqual(contract.fee_amount, 1200.0)
        self.assertEqual(contract.date_end, self.today + relativedelta(years=1, days=-1))
        self.assertEqual((contract.visit_interval_months, contract.included_visits), (3, 2))
        self.assertEqual(order.crm_service_contract_count, 1)

    def test_contract_creates_its_quotation(self):
        contract = self._contract(activate=False, fee_amount=900.0)
        contract.action_create_quotation()
        order = contract.sale_order_id
        self.assertEqual(order.state, "draft")
        self.assertEqual(order.amount_untaxed, 900.0)
        self.assertEqual(order.crm_service_contract_ids, contract)
        with self.assertRaises(UserError):
            contract.action_create_quotation()
        order.action_confirm()
        self.assertEqual(contract.state, "active")
        self.assertEqual(len(order.crm_service_contract_ids), 1, "no second contract")

    def test_contract_button_on_confirmed_order(self):
        service = self.env["product.product"].create(
            {"name": "Support", "type": "service", "list_price": 300.0, "taxes_id": False})
        order = self._order(service)
        with self._crm_assert_refused(UserError, "Confirm the order"):
            order.action_crm_create_service_contract()
        order.action_confirm()
        self.assertFalse(order.crm_service_contract_ids)
        order.action_crm_create_service_contract()
        contract = order.crm_service_contract_ids
        self.assertEqual(contract.state, "draft")
        self.assertEqual(contract.fee_product_id, service)
        goods_only = self._order(self.part)
        goods_only.action_confirm()
        with self._crm_assert_refused(UserError, "no service product"):
            goods_only.action_crm_create_service_contract()

    # ------------------------------------------------------------
    # Visits
    # ------------------------------------------------------------

    def test_visit_generation(self):
        start = self.today - relativedelta(months=1)
        contract = self._contract(start=start, visit_interval_months=3, line_ids=[
            Command.create({"product_id": self.machine.id, "lot_id": self.serial.id})])
        planned = contract.visit_ids
        self.assertEqual(len(planned), 1)
        self.assertEqual(planned.date.date(), start + relativedelta(months=3))
        self.assertEqual(planned.lot_ids, self.serial)
        self.assertEqual(planned.product_ids, self.machine)
        self.Contract._cron_crm_service_contracts()
        self.assertEqual(len(contract.visit_ids), 1, "no duplicate planned visit")
        planned.action_done()
        self.Contract._cron_crm_service_contracts()
        following = contract.visit_ids - planned
        self.assertEqual(len(following), 1)
        self.assertEqual(following.date.date(), planned.date.date() + relativedelta(months=3))
        # No visit planned beyond the end of the contract.
        short = self._contract(partner=self.other_customer, months=2, visit_interval_months=3)
        self.assertFalse(short.visit_ids)
        no_interval = self._contract(partner=self.other_customer)
        self.assertFalse(no_interval.visit_ids)

    def test_visit_generation_in_bounded_batches(self):
        contracts = self._contract(activate=False, visit_interval_months=1) | self._contract(
            partner=self.other_customer, activate=False, visit_interval_months=2)
        contracts.write({"state": "active"})
        visits, more = contracts._crm_generate_visits(limit=1)
        self.assertEqual(len(visits), 1)
        self.assertTrue(more)
        self.assertEqual(visits.date.date(), self.today + relativedelta(months=1),
                         "the earliest visit first")
        visits, more = contracts._crm_generate_visits(limit=1)
        self.assertEqual(visits.contract_id, contracts[1])
        self.assertFalse(more)
        self.assertEqual(contracts._crm_generate_visits()[0], self.Visit)

    # ------------------------------------------------------------
    # Renewal
    # ------------------------------------------------------------

    def test_renewal_with_price_change(self):
        old = self._contract(included_visits=4, line_ids=[
            Command.create({"product_id": self.machine.id, "lot_id": self.serial.id})])
        old.first_response_hours = 2.0
        wizard = self.env["crm.service.contract.renew"].with_context(
            active_model=old._name, active_ids=old.ids).create({"price_change_percent": 5.0})
        wizard.action_renew()
        new = old.next_contract_id
        self.assertEqual(old.state, "renewed")
        self.assertEqual(new.state, "draft")
        self.assertEqual(new.previous_contract_id, old)
        self.assertEqual(new.date_start, old.date_end + relativedelta(days=1))
        self.assertEqual(new.date_end, old.date_end + relativedelta(years=1))
        self.assertEqual(new.fee_amount, 1260.0)
        self.assertEqual(new.included_visits, 4)
        self.assertEqual(new.first_response_hours, 2.0)
        self.assertEqual(new.line_ids.lot_id, self.serial)
        self.assertNotEqual(new.name, old.name)
        self.assertEqual(new.sale_order_id.amount_untaxed, 1260.0)
        # Confirming the renewal order activates the next contract; the serial
        # is covered by both, one after the other.
        new.sale_order_id.action_confirm()
        self.assertEqual(new.state, "active")
        again = self.env["crm.service.contract.renew"].create(
            {"contract_ids": [Command.set(old.ids)]})
        with self._crm_assert_refused(UserError, "not renewed yet"):
            again.action_renew()
        self.assertEqual(self.Contract.search_count([("previous_contract_id", "=", old.id)]), 1)

    def _renew_form(self, contract, user):
        action = contract.with_user(user).action_open_renew_wizard()
        return Form(self.env[action["res_model"]].with_user(user).with_context(
            **action["context"]))

    def test_renewal_without_contract_product_works_with_its_defaults(self):
        """A contract sold without a contract product (Sales Order empty): Renew
        with the wizard's defaults, as a salesperson, quotes with the product
        sold as a service contract."""
        user = new_test_user(self.env, login="renewer", groups="sales_team.group_sale_salesman")
        old = self._contract(fee_product_id=False, user_id=user.id)
        self.assertFalse(old.sale_order_id)
        form = self._renew_form(old, user)
        self.assertTrue(form.create_quotation)
        self.assertEqual(form.fee_product_id, self.fee_product)
        form.save().action_renew()
        new = old.next_contract_id
        self.assertEqual(old.state, "renewed")
        self.assertEqual(new.fee_product_id, self.fee_product)
        self.assertEqual(new.sale_order_id.order_line.product_id, self.fee_product)
        self.assertEqual(new.sale_order_id.amount_untaxed, 1200.0)

    def test_renewal_without_any_contract_product_says_what_to_set(self):
        """No product is sold as a service contract: Renew with the defaults
        renews without quotation; choosing a product in the wizard quotes."""
        user = new_test_user(self.env, login="renewer", groups="sales_team.group_sale_salesman")
        self.fee_product.crm_contract_ok = False
        old = self._contract(fee_product_id=False, user_id=user.id)
        form = self._renew_form(old, user)
        self.assertFalse(form.fee_product_id)
        self.assertFalse(form.create_quotation, "nothing to quote with")
        form.save().action_renew()
        self.assertEqual(old.state, "renewed")
        self.assertFalse(old.next_contract_id.sale_order_id)
        # The way offered on screen: choose a product, the renewal is quoted.
        other = self._contract(partner=self.other_customer, fee_product_id=False,
                               user_id=user.id)
        form = self._renew_form(other, user)
        form.fee_product_id = self.fee_product
        self.assertTrue(form.create_quotation)
        form.save().action_renew()
        self.assertEqual(other.next_contract_id.fee_product_id, self.fee_product)
        self.assertEqual(other.next_contract_id.sale_order_id.order_line.product_id,
                         self.fee_product)
        # Asked for a quotation with nothing to quote with: said, nothing renewed.
        third = self._contract(partner=self.other_customer, fee_product_id=False,
                               user_id=user.id, start=self.today + relativedelta(years=2))
        wizard = self.env["crm.service.contract.renew"].with_user(user).create(
            {"contract_ids": [Command.set(third.ids)], "create_quotation": True})
        with self._crm_assert_refused(UserError, "Contract Product"):
            wizard.action_renew()
        self.assertEqual(third.state, "active", "nothing renewed")

    def test_quotation_error_names_the_cause(self):
        contract = self._contract(activate=False, fee_product_id=False)
        with self._crm_assert_refused(UserError, "Set the Contract Product"):
            contract.action_create_quotation()

    def test_renewal_refuses_draft(self):
        draft = self._contract(activate=False)
        wizard = self.env["crm.service.contract.renew"].create(
            {"contract_ids": [Command.set(draft.ids)], "price_change_percent": -100})
        with self.assertRaises(UserError):
            wizard.action_renew()
        self.assertEqual(draft.state, "draft")

    # ------------------------------------------------------------
    # Hand-over, access
    # ------------------------------------------------------------

    def test_handover_moves_live_contracts(self):
        live = self._contract(user_id=self.salesman.id)
        expired = self._contract(user_id=self.salesman.id,
                                 start=self.today - relativedelta(years=3))
        wizard = self.env["crm.customer.handover"].with_user(self.manager).create({
            "from_user_id": self.salesman.id, "to_user_id": self.manager.id,
            "move_customers": False, "move_account_manager": False,
            "move_opportunities": False, "move_quotations": False,
        })
        self.assertIn("Live service contracts: 1", wizard.preview)
        wizard.action_handover()
        self.assertEqual(live.user_id, self.manager)
        self.assertEqual(expired.user_id, self.salesman)

    def test_access_own_all_and_company(self):
        mine = self._contract(user_id=self.salesman.id)
        theirs = self._contract(partner=self.other_customer, user_id=self.manager.id)
        Contract = self.Contract.with_user(self.salesman)
        self.assertEqual(Contract.search([("id", "in", (mine | theirs).ids)]), mine)
        with self.assertRaises(AccessError):
            theirs.with_user(self.salesman).read(["name"])
        with self.assertRaises(AccessError):
            mine.with_user(self.salesman).unlink()
        self.assertEqual(len(self.Contract.with_user(self.manager).search(
            [("id", "in", (mine | theirs).ids)])), 2)
        technician = new_test_user(self.env, login="crm_technician",
                                   groups="crm_extended.group_crm_extended_user")
        self.Visit.create({"contract_id": theirs.id, "user_id": technician.id})
        self.assertEqual(
            self.Contract.with_user(technician).search([("id", "in", (mine | theirs).ids)]),
            theirs, "a technician sees the contracts of his visits")
        other_company = self.env["res.company"].create({"name": "Other Co"})
        self.manager.company_ids |= other_company
        foreign = self.Contract.with_company(other_company).create({
            "partner_id": self.other_customer.id, "company_id": other_company.id})
        self.assertFalse(self.Contract.with_user(self.manager).with_context(
            allowed_company_ids=[self.company.id]).search([("id", "=", foreign.id)]))
        self.assertTrue(self.Contract.with_user(self.manager).with_context(
            allowed_company_ids=[other_company.id]).search([("id", "=", foreign.id)]))
        portal = new_test_user(self.env, login="crm_contract_portal", groups="base.group_portal",
                               partner_id=self.customer.id)
        with self.assertRaises(AccessError):
            self.Contract.with_user(portal).browse(theirs.id).read(["name"])
        self.assertEqual(self.Contract.with_user(portal).search([]), mine)
