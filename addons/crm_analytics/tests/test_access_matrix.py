"""The access matrix of docs/SECURITY.md, walked with a real user of each role.

The tables between the ``matrix:`` markers of docs/SECURITY.md are parsed here:
the document is the single source of truth and this test its executable check.
Every cell is tried both ways over the ORM as the user: what the matrix allows
succeeds, what it refuses raises AccessError and writes nothing. A model of
crm_extended or crm_analytics, or a ``crm_*`` field on customers, orders or
leads, without a row in the document fails the test.
"""

import re
from pathlib import Path

from odoo import Command
from odoo.exceptions import AccessError
from odoo.tests import new_test_user, tagged

from odoo.addons.crm_extended.tests.common import CrmExtendedCase

MODULES = ("crm_extended", "crm_analytics")
FIELD_MODELS = ("res.partner", "sale.order", "crm.lead")
OPERATIONS = ("read", "write", "create", "unlink")
ROLE_GROUPS = {
    "portal": "base.group_portal",
    "employee": "base.group_user",
    "sales_own": "sales_team.group_sale_salesman",
    "sales_all": "sales_team.group_sale_salesman_all_leads",
    "crm_user": "crm_extended.group_crm_extended_user",
    "crm_manager": "crm_extended.group_crm_extended_manager",
    "analytics": "crm_analytics.group_crm_analytics_user",
    "integration": "crm_extended.group_crm_extended_integration",
}
SCOPES = {"-", "all", "company", "team", "own"}
# Odoo's own partner fields computed from documents the integration user may not
# read (docs/SECURITY.md, "Generic clients").
ODOO_FIELDS_UNREADABLE_BY_INTEGRATION = {
    "days_sales_outstanding", "supplier_invoice_count", "invoice_ids", "opportunity_ids",
    "purchase_line_ids", "on_time_rate", "rtc_session_ids",
}


def _security_doc():
    path = Path(__file__).resolve().parents[3] / "docs" / "SECURITY.md"
    return path.read_text(encoding="utf-8")


def _table(text, name):
    """The rows (lists of cells, backticks removed) of the table between
    ``<!-- matrix:name -->`` and ``<!-- /matrix:name -->``, header included."""
    match = re.search(rf"<!-- matrix:{name} -->(.*?)<!-- /matrix:{name} -->", text, re.S)
    assert match, f"docs/SECURITY.md has no matrix:{name} table"
    rows = []
    for line in match.group(1).strip().splitlines():
        cells = [cell.strip().replace("`", "") for cell in line.strip().strip("|").split("|")]
        if not set("".join(cells)) <= set("-: "):  # the |---| separator
            rows.append(cells)
    return rows


def load_matrix():
    """(roles, models, classes, fields) of docs/SECURITY.md:
    roles: [key]; models: {model: {role: (read, write, create, unlink) scopes}};
    classes: {class: set of roles or a marker}; fields: {(model, field): (read, write)}."""
    text = _security_doc()
    roles = [row[0] for row in _table(text, "roles")[1:]]
    header, *rows = _table(text, "models")
    assert header[1:] == roles, "the model table's columns are the roles, in order"
    models = {}
    for model, *cells in rows:
        models[model] = {}
        for role, cell in zip(roles, cells, strict=True):
            scopes = ("-",) * 4 if cell == "-" else tuple(cell.split("/"))
            assert len(scopes) == 4 and set(scopes) <= SCOPES, f"{model}/{role}: {cell!r}"
            models[model][role] = scopes
    classes = {}
    for name, members in _table(text, "classes")[1:]:
        tokens = {token.strip() for token in members.split(",")}
        # A list of role keys, or a sentence ("every role that may read the record").
        classes[name] = tokens if tokens <= set(roles) else members
    fields = {}
    for model, names, read, write in _table(text, "fields")[1:]:
        for name in names.split(","):
            fields[model, name.strip()] = (read, write)
    return roles, models, classes, fields


def load_granted():
    """{model: {role: (read, write, create, unlink)}} of the table of Odoo's
    models the modules give rights on (``odoo``: allowed, Odoo's rules)."""
    text = _security_doc()
    roles = [row[0] for row in _table(text, "roles")[1:]]
    header, *rows = _table(text, "granted")
    assert header[1:] == roles, "the granted table's columns are the roles, in order"
    granted = {}
    for model, *cells in rows:
        granted[model] = {}
        for role, cell in zip(roles, cells, strict=True):
            scopes = ("-",) * 4 if cell == "-" else tuple(cell.split("/"))
            assert len(scopes) == 4 and set(scopes) <= {"-", "odoo"}, f"{model}/{role}: {cell!r}"
            granted[model][role] = scopes
    return granted


class _Rollback(Exception):
    pass


class _Refused(Exception):
    pass


@tagged("post_install", "-at_install")
class TestAccessMatrix(CrmExtendedCase):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.roles, cls.models, cls.classes, cls.fields_matrix = load_matrix()
        cls.company_b = cls.env["res.company"].create({"name": "Matrix Company B"})
        both = [Command.set([cls.company.id, cls.company_b.id])]
        cls.users = {}
        for role, group in ROLE_GROUPS.items():
            extra = {} if role == "portal" else {"company_ids": both}
            cls.users[role] = new_test_user(
                cls.env, login=f"matrix_{role}", name=f"Matrix {role}", groups=group,
                company_id=cls.company.id, **extra)
        # The colleague owns the "other" records of the own/team scopes.
        cls.colleague = new_test_user(
            cls.env, login="matrix_colleague", name="Matrix Colleague",
            groups="sales_team.group_sale_salesman", company_ids=both)
        cls.customer = cls._crm_customer("Matrix Customer", customer_rank=1)
        cls.other_customer = cls._crm_customer("Matrix Other Customer", customer_rank=1)
        cls.users["portal"].partner_id.parent_id = cls.customer
        cls.customer.write({"crm_key_account": "key",
                            "crm_account_manager_id": cls.colleague.id,
                            "crm_external_ref": "MATRIX-1", "user_id": cls.colleague.id})
        cls.product = cls.env["product.product"].create({"name": "Matrix Part", "type": "consu"})
        cls.team_other = cls.env["crm.complaint.team"].create({
            "name": "Matrix Colleague Team", "member_ids": [Command.set(cls.colleague.ids)],
        })
        cls.records = {role: cls._scope_records(role) for role in ROLE_GROUPS}

    # ------------------------------------------------------------------
    # Fixtures: per role, a record in scope ("own") and out of scope
    # ("other": a colleague's; "other_company": the user's own, in company B
    # which is allowed but not active)
    # ------------------------------------------------------------------

    @classmethod
    def _contract(cls, user, company=None, partner=None, state="active"):
        company = company or cls.company
        contract = cls.env["crm.service.contract"].with_company(company).create({
            "partner_id": (partner or cls.customer).id, "user_id": user.id,
            "company_id": company.id,
        })
        contract.state = state
        return contract

    @classmethod
    def _scope_records(cls, role):
        user = cls.users[role]
        # A portal customer owns nothing: its "own" records are its company's.
        owner = cls.colleague if role == "portal" else user
        Visit = cls.env["crm.service.visit"]
        records = {}
        for key, who, company, partner in (
            ("own", owner, cls.company, cls.customer),
            ("other", cls.colleague, cls.company, cls.other_customer),
            ("other_company", owner, cls.company_b, cls.customer),
        ):
            contract = cls._contract(who, company, partner)
            line = cls.env["crm.service.contract.line"].create({
                "contract_id": contract.id, "product_id": cls.product.id})
            visit = Visit.with_company(company).create({
                "contract_id": contract.id, "user_id": who.id})
            part = cls.env["crm.service.visit.part"].create({
                "visit_id": visit.id, "product_id": cls.product.id, "price_unit": 5.0})
            complaint = cls.env["crm.complaint"].with_company(company).create({
                "name": f"Matrix {role} {key}", "partner_id": partner.id,
                "company_id": company.id, "user_id": who.id,
                "team_id": cls.team_other.id if company == cls.company else False,
            })
            records[key] = {
                "crm.service.contract": contract, "crm.service.contract.line": line,
                "crm.service.visit": visit, "crm.service.visit.part": part,
                "crm.complaint": complaint,
            }
        return records

    # What each record-level attempt writes or creates.
    WRITES = {
        "crm.service.contract": ("note", "<p>matrix</p>"),
        "crm.service.contract.line": ("note", "matrix"),
        "crm.service.visit": ("duration", 2.5),
        "crm.service.visit.part": ("price_unit", 99999999.0),
        "crm.complaint": ("description", "<p>matrix</p>"),
    }

    def _create_vals(self, model, record):
        """Values of a new record in the same scope as ``record``."""
        sudo = record.sudo()
        if model == "crm.service.contract":
            return {"partner_id": sudo.partner_id.id, "user_id": sudo.user_id.id,
                    "company_id": sudo.company_id.id}
        if model == "crm.service.contract.line":
            return {"contract_id": sudo.contract_id.id, "product_id": self.product.id}
        if model == "crm.service.visit":
            return {"contract_id": sudo.contract_id.id, "user_id": sudo.user_id.id}
        if model == "crm.service.visit.part":
            return {"visit_id": sudo.visit_id.id, "product_id": self.product.id}
        return {"name": "Matrix new", "partner_id": sudo.partner_id.id,
                "company_id": sudo.company_id.id, "user_id": sudo.user_id.id,
                "team_id": sudo.team_id.id}

    # ------------------------------------------------------------------
    # Helpers
    # ------------------------------------------------------------------

    def _env(self, role):
        """The role's environment with company A active only (B is allowed)."""
        user = self.users[role]
        return self.env(user=user, context=dict(self.env.context,
                                                allowed_company_ids=[self.company.id]))

    def _attempt(self, func, unchanged=None, after_rollback=False):
        """True when ``func`` succeeds, False when it raises AccessError; either
        way rolled back. A refusal must leave ``unchanged()`` true: at once (a
        write or a delete is refused before anything is written), or for a
        create after the rollback of the call (Odoo inserts, then checks the
        record rules on the new row)."""
        try:
            with self.env.cr.savepoint():
                try:
                    func()
                    self.env.flush_all()
                except AccessError:
                    self.env.invalidate_all()
                    if unchanged is not None and not after_rollback:
                        self.assertTrue(unchanged(), "a refused operation wrote something")
                    raise _Refused from None
                raise _Rollback
        except _Rollback:
            self.env.invalidate_all()
            return True
        except _Refused:
            self.env.invalidate_all()
            if unchanged is not None and after_rollback:
                self.assertTrue(unchanged(), "a refused operation left something")
            return False

    def _members(self, cls_name, model):
        members = self.classes[cls_name]
        if members == "every role that may read the record":
            return {r for r in self.roles if self._env(r)[model].has_access("read")}
        if members == "every role that may write the record":
            return {r for r in self.roles if self._env(r)[model].has_access("write")}
        if members == "none":
            return set()
        return members

    # ------------------------------------------------------------------
    # Coverage: every model and field has its row
    # ------------------------------------------------------------------

    def test_every_model_and_field_has_a_row(self):
        self.assertEqual(set(self.roles), set(ROLE_GROUPS))
        ours = {
            model.model for model in self.env["ir.model"].search([])
            if (Model := self.env.get(model.model)) is not None
            and Model._original_module in MODULES and not Model._abstract
        }
        self.assertEqual(ours - set(self.models), set(),
                         "models without a row in docs/SECURITY.md")
        self.assertEqual(set(self.models) - ours, set(), "rows of models that do not exist")
        fields = {(model, name) for model in FIELD_MODELS
                  for name in self.env[model]._fields if name.startswith("crm_")}
        self.assertEqual(fields - set(self.fields_matrix), set(),
                         "crm_* fields without a row in docs/SECURITY.md")
        self.assertEqual(set(self.fields_matrix) - fields, set(),
                         "rows of fields that do not exist")

    # ------------------------------------------------------------------
    # Models: access rights of every cell, then the record rules
    # ------------------------------------------------------------------

    def test_model_access_rights(self):
        for model, cells in self.models.items():
            for role, scopes in cells.items():
                Model = self._env(role)[model]
                for operation, scope in zip(OPERATIONS, scopes, strict=True):
                    with self.subTest(model=model, role=role, operation=operation):
                        allowed = self._attempt(lambda M=Model, o=operation: M.check_access(o))
                        self.assertEqual(allowed, scope != "-")

    def test_odoo_models_granted(self):
        """Odoo's models these modules give rights on: one row each, and every
        cell as the document says."""
        granted = load_granted()
        accesses = self.env["ir.model.access"].search([]).filtered(
            lambda access: access.model_id.model not in self.models
            and access.get_external_id()[access.id].split(".")[0] in MODULES)
        self.assertEqual(set(accesses.model_id.mapped("model")), set(granted),
                         "Odoo models given rights without a row in docs/SECURITY.md")
        for model, cells in granted.items():
            for role, scopes in cells.items():
                Model = self._env(role)[model]
                for operation, scope in zip(OPERATIONS, scopes, strict=True):
                    with self.subTest(model=model, role=role, operation=operation):
                        allowed = self._attempt(lambda M=Model, o=operation: M.check_access(o))
                        self.assertEqual(allowed, scope != "-")

    def test_record_scopes(self):
        """Own, team and company cells on real records: in scope allowed, out
        of scope refused, and nothing written by a refusal."""
        for model, (field, value) in self.WRITES.items():
            for role, scopes in self.models[model].items():
                records = self.records[role]
                env = self._env(role)
                for operation, scope in zip(OPERATIONS, scopes, strict=True):
                    if scope == "-":
                        continue  # the access rights test covers it
                    for key in ("own", "other", "other_company"):
                        expected = key == "own" or (key == "other" and scope in ("company", "all"))
                        record = records[key][model]
                        mine = env[model].browse(record.id)
                        with self.subTest(model=model, role=role, operation=operation, key=key):
                            if operation == "read":
                                allowed = self._attempt(lambda r=mine, f=field: r.read([f]))
                            elif operation == "write":
                                before = record.sudo()[field]
                                allowed = self._attempt(
                                    lambda r=mine, f=field, v=value: r.write({f: v}),
                                    lambda r=record, f=field, b=before: r.sudo()[f] == b)
                            elif operation == "create":
                                vals = self._create_vals(model, record)
                                count = env[model].sudo().search_count([])
                                allowed = self._attempt(
                                    lambda M=env[model], v=vals: M.create(v),
                                    lambda M=env[model], c=count: M.sudo().search_count([]) == c,
                                    after_rollback=True)
                            else:
                                def unlink(r=mine, rec=record, model=model):
                                    if model == "crm.service.contract":
                                        # Only draft or cancelled contracts can be deleted.
                                        rec.sudo().state = "cancelled"
                                    r.unlink()
                                allowed = self._attempt(
                                    unlink,
                                    lambda r=record: r.sudo().exists())
                            self.assertEqual(allowed, expected)

    def test_company_scope(self):
        """Company-wide models: a user of A and B with only A active reads A's
        records only, B's when both are active."""
        Score = self.env["crm.customer.score"]
        scores = Score.create([
            {"partner_id": self.customer.id, "company_id": company.id, "value_score": 50.0}
            for company in (self.company, self.company_b)
        ])
        tiers = self.env["crm.customer.tier"].create([
            {"name": f"Matrix tier {company.name}", "company_id": company.id,
             "min_yearly_amount": 10 ** 9} for company in (self.company, self.company_b)
        ])
        segments = self.env["crm.customer.segment"].create([
            {"name": f"Matrix segment {company.name}", "company_id": company.id}
            for company in (self.company, self.company_b)
        ])
        for model, records in (("crm.customer.score", scores), ("crm.customer.tier", tiers),
                               ("crm.customer.segment", segments)):
            for role, scopes in self.models[model].items():
                if scopes[0] != "company":
                    continue
                with self.subTest(model=model, role=role):
                    env = self._env(role)
                    self.assertEqual(env[model].search([("id", "in", records.ids)]).ids,
                                     records[:1].ids)
                    with self.assertRaises(AccessError):
                        env[model].browse(records[1].id).read(["company_id"])
                    both = env[model].with_context(
                        allowed_company_ids=[self.company.id, self.company_b.id])
                    self.assertEqual(both.search([("id", "in", records.ids)]), both.browse(
                        records.ids))

    # ------------------------------------------------------------------
    # Fields on customers, orders and leads
    # ------------------------------------------------------------------

    def _field_records(self):
        order = self.env["sale.order"].create({
            "partner_id": self.users["portal"].partner_id.id,
            "user_id": self.users["sales_own"].id,
            "crm_external_ref": "MATRIX-O1",
            "order_line": [Command.create({"product_id": self.service_product.id})],
        })
        order.message_subscribe(self.users["portal"].partner_id.ids)
        lead = self.env["crm.lead"].create({
            "name": "Matrix lead", "partner_id": self.customer.id,
            "user_id": self.users["sales_own"].id,
        })
        return {"res.partner": self.customer, "sale.order": order, "crm.lead": lead}

    def test_fields(self):
        records = self._field_records()
        for (model, name), (read_class, write_class) in self.fields_matrix.items():
            field = self.env[model]._fields[name]
            plainly_writable = (
                field.store and not field.related and not field.type.endswith("2many")
                and (not field.compute or field.inverse or not field.readonly))
            with self.subTest(model=model, field=name, check="write class"):
                self.assertEqual(write_class != "-", plainly_writable,
                                 "write '-' is for computed, related and x2many fields only")
            readers = self._members(read_class, model)
            writers = self._members(write_class, model)
            record = records[model]
            for role in self.roles:
                env = self._env(role)
                if not env[model].has_access("read"):
                    continue  # the model table refuses every field
                rec = env[model].browse(record.id)
                with self.subTest(model=model, field=name, role=role, operation="read"):
                    self.assertEqual(self._attempt(lambda r=rec, n=name: r.read([n])), role in readers)
                    self.assertEqual(name in env[model].fields_get([name]), role in readers)
                if write_class == "-" or not env[model].has_access("write"):
                    continue
                value = field.convert_to_write(record.sudo()[name], record)
                with self.subTest(model=model, field=name, role=role, operation="write"):
                    before = record.sudo()[name]
                    allowed = self._attempt(
                        lambda r=rec, n=name, v=value: r.write({n: v}),
                        lambda r=record, n=name, b=before: r.sudo()[n] == b)
                    self.assertEqual(allowed, role in writers)

    def test_statistics_cannot_be_forged(self):
        """Revenue and account manager: what the attacker tried."""
        customer = self._env("sales_own")["res.partner"].browse(self.customer.id)
        for vals in ({"crm_revenue_12m": 99999999.0}, {"crm_order_count": 500},
                     {"crm_account_manager_id": self.users["sales_own"].id}):
            with self.subTest(vals=vals), self.assertRaises(AccessError):
                customer.write(vals)
        integration = self._env("integration")["res.partner"]
        with self.assertRaises(AccessError):
            integration.browse(self.customer.id).write({"crm_revenue_12m": 99999999.0})
        with self.assertRaises(AccessError):
            integration.create({"name": "Forged", "crm_revenue_12m": 1.0})
        self.assertFalse(self.customer.crm_revenue_12m)
        self.assertEqual(self.customer.crm_account_manager_id, self.colleague)

    def test_generic_client_reads_every_field(self):
        """read() without a field list: only Odoo's own documented fields fail."""
        failing = set()
        Partner = self._env("integration")["res.partner"]
        for name in Partner.fields_get(attributes=["type"]):
            if not self._attempt(lambda n=name: Partner.browse(self.customer.id).read([n])):
                failing.add(name)
        self.assertEqual(failing, ODOO_FIELDS_UNREADABLE_BY_INTEGRATION)


@tagged("post_install", "-at_install")
class TestAccessFindings(CrmExtendedCase):
    """The attacker's probes of issue 15, one by one, as the least-privileged
    user that tried them."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company_b = cls.env["res.company"].create({"name": "Findings Company B"})
        both = [Command.set([cls.company.id, cls.company_b.id])]
        cls.employee = new_test_user(cls.env, login="find_employee", groups="base.group_user")
        cls.integration = new_test_user(
            cls.env, login="find_integration",
            groups="crm_extended.group_crm_extended_integration", company_ids=both)
        cls.portal = new_test_user(cls.env, login="find_portal", groups="base.group_portal")
        cls.colleague = new_test_user(
            cls.env, login="find_colleague", groups="sales_team.group_sale_salesman")
        cls.mine = cls._crm_customer("Findings Mine")
        cls.theirs = cls._crm_customer("Findings Theirs")
        cls.gadget = cls.env["product.product"].create(
            {"name": "Findings Gadget", "type": "service", "list_price": 10.0, "taxes_id": False})
        for customer, seller in ((cls.mine, cls.salesman), (cls.theirs, cls.colleague)):
            order = cls.env["sale.order"].create(dict(
                cls._crm_order_vals(customer, 100.0, product=cls.gadget), user_id=seller.id))
            order.action_confirm()
        cls.invoice = cls.env["account.move"].create({
            "move_type": "out_invoice", "partner_id": cls.theirs.id,
            "invoice_user_id": cls.colleague.id,
            "invoice_line_ids": [Command.create({"product_id": cls.service_product.id,
                                                 "quantity": 1, "price_unit": 80.0,
                                                 "tax_ids": []})],
        })
        cls.invoice.action_post()

    def test_summary_balances_as_the_360_fields(self):
        Partner = self.env["res.partner"]
        as_employee = Partner.with_user(self.employee)
        row = as_employee.crm_api_customer_summary(partner_ids=[self.theirs.id])["customers"][0]
        self.assertEqual([row[key] for key in ("open_invoice_count", "open_invoice_amount",
                                               "overdue_invoice_count", "overdue_invoice_amount")],
                         [False] * 4)
        self.assertEqual(as_employee.browse(self.theirs.id).crm_360_open_invoice_amount, 0.0)
        # The integration user's documented aggregate, and a manager's own reading.
        for user in (self.integration, self.manager):
            with self.subTest(user=user.login):
                row = Partner.with_user(user).crm_api_customer_summary(
                    partner_ids=[self.theirs.id])["customers"][0]
                self.assertEqual((row["open_invoice_count"], row["open_invoice_amount"]),
                                 (1, 80.0))
                self.assertEqual(
                    Partner.with_user(user).browse(self.theirs.id).crm_360_open_invoice_amount,
                    80.0)

    def test_purchase_history_follows_the_orders(self):
        Partner = self.env["res.partner"]
        for user, visible in ((self.employee, Partner), (self.salesman, self.mine),
                              (self.manager, self.mine | self.theirs)):
            with self.subTest(user=user.login):
                as_user = Partner.with_user(user)
                self.assertEqual(
                    as_user.search([("crm_purchased_product_ids", "in", self.gadget.ids),
                                    ("id", "in", (self.mine | self.theirs).ids)]),
                    visible.with_user(user))
                bought = as_user.browse((self.mine | self.theirs).ids).filtered(
                    lambda p: self.gadget in p.crm_purchased_product_ids)
                self.assertEqual(bought.ids, visible.ids)
        wizard = self.env["crm.cross.sell.segment"].with_user(self.salesman).create({
            "bought_product_id": self.gadget.id, "not_bought_product_id": self.product.id})
        self.assertEqual(wizard._segment_partner_ids(), self.mine.ids)

    def test_score_settings_not_for_portal(self):
        Config = self.env["crm.score.config"]
        Config.sudo().search([("company_id", "=", self.company.id)]).unlink()
        with self.assertRaises(AccessError):
            Config.with_user(self.portal).action_crm_open_config()
        with self.assertRaises(AccessError):
            Config.with_user(self.employee).action_crm_open_config()
        self.assertFalse(Config.sudo().search([("company_id", "=", self.company.id)]))
        action = Config.with_user(self.salesman).action_crm_open_config()
        self.assertEqual(Config.sudo().browse(action["res_id"]).company_id, self.company)

    def test_complaint_update_same_answer_missing_or_forbidden(self):
        team = self.env["crm.complaint.team"].create({
            "name": "Findings Team", "member_ids": [Command.set(self.colleague.ids)]})
        complaint = self.env["crm.complaint"].create({
            "name": "Findings complaint", "partner_id": self.theirs.id, "team_id": team.id,
            "user_id": self.colleague.id})
        Complaint = self.env["crm.complaint"].with_user(self.salesman)
        missing = Complaint.browse(complaint.id + 1000000)
        messages = set()
        for target in (Complaint.browse(complaint.id), missing):
            with self.assertRaises(AccessError) as caught:
                target.crm_api_update(priority="2")
            messages.add(str(caught.exception).replace(str(target.id), "ID"))
        self.assertEqual(len(messages), 1, messages)
        self.assertEqual(complaint.priority, "0")

    def test_no_way_into_a_colleagues_contract(self):
        """Lines, visits and parts follow their contract and visit: a
        salesperson of own documents can neither read nor change a colleague's
        through them, nor open the contract by planning a visit on it, nor move
        a line or part of their own onto it."""
        Contract = self.env["crm.service.contract"]
        theirs = Contract.create({"partner_id": self.theirs.id, "user_id": self.colleague.id})
        mine = Contract.create({"partner_id": self.mine.id, "user_id": self.salesman.id})
        for contract in (theirs, mine):
            contract.state = "active"
        their_line, my_line = self.env["crm.service.contract.line"].create([
            {"contract_id": contract.id, "product_id": self.gadget.id}
            for contract in (theirs, mine)])
        their_visit, my_visit = self.env["crm.service.visit"].create([
            {"contract_id": theirs.id, "user_id": self.colleague.id},
            {"contract_id": mine.id, "user_id": self.salesman.id}])
        their_part, my_part = self.env["crm.service.visit.part"].create([
            {"visit_id": visit.id, "product_id": self.gadget.id, "price_unit": 10.0}
            for visit in (their_visit, my_visit)])
        env = self.env(user=self.salesman)
        with self.assertRaises(AccessError):
            env["crm.service.contract.line"].browse(their_line.id).read(["product_id"])
        with self.assertRaises(AccessError):
            env["crm.service.visit.part"].browse(their_part.id).write({"price_unit": 99999.0})
        with self.assertRaises(AccessError):
            env["crm.service.visit"].create({"contract_id": theirs.id,
                                             "user_id": self.salesman.id})
        # Naming a complaint of their own does not open another contract either.
        complaint = self.env["crm.complaint"].create({
            "name": "Findings mine", "partner_id": self.mine.id, "team_id": False,
            "user_id": self.salesman.id, "contract_id": mine.id})
        with self.assertRaises(AccessError):
            env["crm.service.visit"].create({"contract_id": theirs.id,
                                             "complaint_id": complaint.id,
                                             "user_id": self.salesman.id})
        with self.assertRaises(AccessError):
            env["crm.service.contract.line"].browse(my_line.id).write({"contract_id": theirs.id})
        with self.assertRaises(AccessError):
            env["crm.service.visit.part"].browse(my_part.id).write({"visit_id": their_visit.id})
        with self.assertRaises(AccessError):
            env["crm.service.visit"].browse(my_visit.id).write({"contract_id": theirs.id})
        self.assertFalse(env["crm.service.contract"].search([("id", "=", theirs.id)]))
        self.assertEqual((their_visit.cost, their_part.price_unit), (10.0, 10.0))
        self.assertEqual(theirs.line_ids, their_line)
        # Their own records stay theirs to change.
        env["crm.service.visit.part"].browse(my_part.id).write({"price_unit": 12.0})
        env["crm.service.visit"].create({"contract_id": mine.id, "user_id": self.salesman.id})

    def test_complaint_without_team(self):
        """Not every CRM user's: its assignee's, its creator's and the
        customer's salesperson's; the managers route it."""
        self.theirs.user_id = self.colleague
        complaint = self.env["crm.complaint"].create({
            "name": "Findings teamless", "partner_id": self.theirs.id, "team_id": False,
            "user_id": False})
        Complaint = self.env["crm.complaint"]
        for user, visible in ((self.salesman, False), (self.colleague, True),
                              (self.manager, True)):
            with self.subTest(user=user.login):
                self.assertEqual(bool(Complaint.with_user(user).search(
                    [("id", "=", complaint.id)])), visible)
        with self.assertRaises(AccessError):
            Complaint.with_user(self.salesman).browse(complaint.id).write({"priority": "3"})
        mine = Complaint.with_user(self.salesman).create({
            "name": "Findings filed by me", "partner_id": self.theirs.id, "team_id": False})
        self.assertTrue(mine.with_user(self.salesman).read(["name"]))
        complaint.user_id = self.salesman
        self.assertTrue(Complaint.with_user(self.salesman).search([("id", "=", complaint.id)]))

    def test_segment_count_error_state(self):
        """A segment filtering on what the user may not read shows an error
        state instead of breaking the view."""
        segment = self.env["crm.customer.segment"].create({
            "name": "Findings by history",
            "partner_domain": "[('crm_classification_history_ids.classification', '=', 'tier')]",
        })
        as_integration = segment.with_user(self.integration)
        self.assertEqual(as_integration.customer_count, 0)
        self.assertIn("cannot be counted", as_integration.customer_count_error)
        self.assertFalse(segment.customer_count_error)

    def test_scores_api_current_company_only(self):
        Score = self.env["crm.customer.score"]
        scored = self._crm_customer("Findings Scored")
        Score.create([{"partner_id": scored.id, "company_id": company.id, "value_score": 10.0}
                      for company in (self.company, self.company_b)])
        both = Score.with_user(self.integration).with_context(
            allowed_company_ids=[self.company_b.id, self.company.id])
        self.assertEqual(len(both.search([("partner_id", "=", scored.id)])), 2)
        rows = both.crm_api_read_scores(domain=[("partner_id", "=", scored.id)],
                                        columns=["partner_id"])
        self.assertEqual(rows["total"], 1)
        self.assertEqual(
            both.crm_api_read_scores(domain=[("partner_id", "=", scored.id)],
                                     columns=["partner_id", "computed_at"])["total"], 1)
        only_b = both.with_context(allowed_company_ids=[self.company_b.id])
        self.assertEqual(only_b.crm_api_read_scores(
            domain=[("partner_id", "=", scored.id)])["total"], 1)
