import ast
import json

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.fields import Domain
from odoo.tools import SQL

from odoo.addons.crm_extended.models.res_partner import LIFECYCLE_STAGES, VALUE_GRADES
from odoo.addons.crm_extended.tools import api_validation as check
from odoo.addons.crm_extended.tools.company_values import company_value

from .crm_customer_score import CHURN_RISKS, RFM_SEGMENTS

# Kinds of selection criteria a segment picks values of, and the selection each
# one mirrors (the option records of data/crm_customer_segment_option_data.xml
# carry exactly these keys; a test keeps them in step).
OPTION_KINDS = [
    ("value_grade", "Value Grade"),
    ("lifecycle_stage", "Lifecycle Stage"),
    ("rfm_segment", "RFM Segment"),
    ("churn_risk", "Churn Risk"),
]
OPTION_SELECTIONS = {
    "value_grade": VALUE_GRADES,
    "lifecycle_stage": LIFECYCLE_STAGES,
    "rfm_segment": RFM_SEGMENTS,
    "churn_risk": CHURN_RISKS,
}
# The customers a segment picks from: commercial entities that are customers
# (the same definition as `crm-client customers`).
CUSTOMER_DOMAIN = Domain("parent_id", "=", False) & (
    Domain("customer_rank", ">", 0)
    | Domain("sale_order_ids", "!=", False)
    | Domain("crm_lifecycle_stage", "!=", False)
)
# Columns of crm_api_segment_export, in order.
EXPORT_FIELDS = (
    "id", "name", "ref", "external_ref", "email", "value_grade", "lifecycle_stage",
    "rfm_segment", "churn_risk", "value_score",
)
EXPORT_MAX_LIMIT = 10000


class CrmCustomerSegmentOption(models.Model):
    """One value of a classification or score selection (grade A, stage at
    risk, RFM champions...), so that a segment can pick several of them as tags."""

    _name = "crm.customer.segment.option"
    _description = "Customer Segment Criterion Value"
    _order = "kind, sequence, id"

    kind = fields.Selection(OPTION_KINDS, string="Criterion", required=True, readonly=True)
    code = fields.Char(string="Key", required=True, readonly=True)
    name = fields.Char(string="Value", required=True, translate=True)
    sequence = fields.Integer(default=10)

    _kind_code_unique = models.UniqueIndex("(kind, code)", "A criterion value exists once.")


class CrmCustomerSegment(models.Model):
    """A saved group of customers: classification, score and product criteria
    plus any domain on the customers, counted live and acted upon (activities,
    mailing lists, export). Everything is evaluated in the segment's company."""

    _name = "crm.customer.segment"
    _description = "Customer Segment"
    _inherit = ["mail.thread"]
    _order = "sequence, name, id"
    _check_company_auto = True

    name = fields.Char(string="Segment", required=True, tracking=True)
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True, tracking=True)
    company_id = fields.Many2one(
        "res.company", required=True, index=True, tracking=True,
        default=lambda self: self.env.company,
    )
    description = fields.Text()
    value_grade_ids = fields.Many2many(
        "crm.customer.segment.option", "crm_customer_segment_grade_rel", "segment_id",
        "option_id", string="Value Grades", domain=[("kind", "=", "value_grade")],
    )
    lifecycle_stage_ids = fields.Many2many(
        "crm.customer.segment.option", "crm_customer_segment_stage_rel", "segment_id",
        "option_id", string="Lifecycle Stages", domain=[("kind", "=", "lifecycle_stage")],
    )
    tier_ids = fields.Many2many(
        "crm.customer.tier", "crm_customer_segment_tier_rel", "segment_id", "tier_id",
        string="Tiers",
    )
    rfm_segment_ids = fields.Many2many(
        "crm.customer.segment.option", "crm_customer_segment_rfm_rel", "segment_id",
        "option_id", string="RFM Segments", domain=[("kind", "=", "rfm_segment")],
    )
    churn_risk_ids = fields.Many2many(
        "crm.customer.segment.option", "crm_customer_segment_churn_rel", "segment_id",
        "option_id", string="Churn Risks", domain=[("kind", "=", "churn_risk")],
    )
    min_value_score = fields.Float(
        string="Minimum Value Score", digits=(16, 1),
        help="Only customers whose value score (0-100) is at least this; 0 for no limit.",
    )
    bought_product_ids = fields.Many2many(
        "product.product", "crm_customer_segment_bought_rel", "segment_id", "product_id",
        string="Bought Any Of", check_company=True,
        help="Customers with a confirmed order line of one of these products in the company.",
    )
    not_bought_product_ids = fields.Many2many(
        "product.product", "crm_customer_segment_not_bought_rel", "segment_id", "product_id",
        string="Never Bought Any Of", check_company=True,
        help="Customers without any confirmed order line of these products in the company.",
    )
    partner_domain = fields.Char(
        string="Other Conditions", default="[]",
        help="Any further filter on the customers, built with the domain editor.",
    )
    customer_count = fields.Integer(
        string="Customers", compute="_compute_customer_count",
        help="Customers in the segment now, counted when shown.",
    )
    customer_count_error = fields.Char(
        string="Count Error", compute="_compute_customer_count",
        help="Why the customers could not be counted (a condition the user may not "
        "read, or no longer valid).",
    )
    mass_mailing_installed = fields.Boolean(compute="_compute_mass_mailing_installed")

    # ------------------------------------------------------------
    # COMPUTE METHODS
    # ------------------------------------------------------------

    @api.depends_context("uid", "company")
    @api.depends(
        "company_id", "value_grade_ids", "lifecycle_stage_ids", "tier_ids", "rfm_segment_ids",
        "churn_risk_ids", "min_value_score", "bought_product_ids", "not_bought_product_ids",
        "partner_domain",
    )
    def _compute_customer_count(self):
        # One count per segment: a segment is any domain, so counts cannot be
        # grouped; fine for the tens of segments a company keeps.
        for segment in self:
            try:
                segment.customer_count = segment._crm_segment_partners().search_count(
                    segment._crm_segment_domain())
                segment.customer_count_error = False
            except (ValidationError, ValueError, AccessError) as error:
                # A condition on what the user may not read (an AccessError
                # inside the domain) or no longer valid: the error state, not a
                # broken view.
                segment.customer_count = 0
                segment.customer_count_error = self.env._(
                    "The customers of this segment cannot be counted: %(error)s",
                    error=getattr(error, "args", [error])[0])

    @api.depends_context("uid")
    def _compute_mass_mailing_installed(self):
        # Shown to the users who may add contacts to mailing lists (Email
        # Marketing users), and only when the app is installed.
        installed = "mailing.list" in self.env and self.env["mailing.contact"].has_access("create")
        for segment in self:
            segment.mass_mailing_installed = installed

    # ------------------------------------------------------------
    # CONSTRAINTS
    # ------------------------------------------------------------

    @api.constrains("partner_domain")
    def _check_partner_domain(self):
        for segment in self:
            segment._crm_parse_partner_domain()

    @api.constrains("bought_product_ids", "not_bought_product_ids")
    def _check_products(self):
        for segment in self:
            if segment.bought_product_ids & segment.not_bought_product_ids:
                raise ValidationError(self.env._(
                    "A product cannot be both bought and never bought in segment %(segment)s.",
                    segment=segment.display_name))

    @api.constrains("min_value_score")
    def _check_min_value_score(self):
        for segment in self:
            if not 0 <= segment.min_value_score <= 100:
                raise ValidationError(self.env._(
                    "The minimum value score must be between 0 and 100."))

    # ------------------------------------------------------------
    # DOMAIN
    # ------------------------------------------------------------

    def _crm_parse_partner_domain(self):
        """The free domain as a Domain, or ValidationError when it is not a
        valid domain on the customers."""
        self.ensure_one()
        text = (self.partner_domain or "").strip() or "[]"
        try:
            domain = Domain(ast.literal_eval(text))
            # Resolves every field path now rather than when counting.
            self.env["res.partner"]._search(domain)
        except (ValueError, SyntaxError, TypeError, KeyError) as error:
            raise ValidationError(self.env._(
                "The other conditions of segment %(segment)s are not a valid filter on "
                "customers: %(error)s",
                segment=self.name, error=error)) from None
        return domain

    def _crm_segment_partners(self):
        """res.partner in the segment's company (company-dependent grades and
        stages are read there)."""
        self.ensure_one()
        return self.env["res.partner"].with_company(self.company_id)

    def _crm_segment_domain(self):
        """The effective domain on res.partner: the customers, every criterion
        that is set, and the free domain, all together. Only serialisable terms:
        the same domain opens the customers list in the web client."""
        self.ensure_one()
        company = self.company_id
        parts = [CUSTOMER_DOMAIN, Domain("company_id", "in", [company.id, False])]
        if self.value_grade_ids:
            parts.append(Domain("crm_value_grade", "in", self.value_grade_ids.mapped("code")))
        if self.lifecycle_stage_ids:
            parts.append(Domain(
                "crm_lifecycle_stage", "in", self.lifecycle_stage_ids.mapped("code")))
        if self.tier_ids:
            parts.append(Domain("crm_tier_id", "in", self.tier_ids.ids))
        score = []
        if self.rfm_segment_ids:
            score.append(Domain("rfm_segment", "in", self.rfm_segment_ids.mapped("code")))
        if self.churn_risk_ids:
            score.append(Domain("churn_risk", "in", self.churn_risk_ids.mapped("code")))
        if self.min_value_score:
            score.append(Domain("value_score", ">=", self.min_value_score))
        if score:
            # One EXISTS on the score table: set-based, whatever the segment size.
            parts.append(Domain(
                "crm_score_ids", "any", Domain.AND([Domain("company_id", "=", company.id), *score])
            ))
        if self.bought_product_ids:
            parts.append(Domain("crm_purchased_product_ids", "in", self.bought_product_ids.ids))
        if self.not_bought_product_ids:
            parts.append(Domain(
                "crm_purchased_product_ids", "not in", self.not_bought_product_ids.ids))
        parts.append(self._crm_parse_partner_domain())
        return Domain.AND(parts)

    def _crm_check_current_company(self):
        if self.company_id != self.env.company:
            raise UserError(self.env._(
                "Segment %(segment)s belongs to %(company)s: switch to that company first.",
                segment=self.display_name, company=self.company_id.display_name))

    # ------------------------------------------------------------
    # ACTIONS
    # ------------------------------------------------------------

    def action_open_customers(self):
        """Smart button: the customers of the segment, a list one can filter
        further and export with Odoo's standard export."""
        self.ensure_one()
        # Grades and stages are read in the current company: only there is the
        # list the segment's.
        self._crm_check_current_company()
        return {
            "type": "ir.actions.act_window",
            "name": self.name,
            "res_model": "res.partner",
            "view_mode": "list,form",
            "views": [(False, "list"), (False, "form")],
            "domain": list(self._crm_segment_domain()),
            "context": {"create": False},
        }

    def _crm_wizard_action(self, model, name):
        self.ensure_one()
        self._crm_check_current_company()
        return {
            "type": "ir.actions.act_window",
            "name": name,
            "res_model": model,
            "view_mode": "form",
            "views": [(False, "form")],
            "target": "new",
            "context": {"default_segment_id": self.id},
        }

    def action_schedule_activities(self):
        return self._crm_wizard_action(
            "crm.customer.segment.activity", self.env._("Schedule Activities"))

    def action_add_to_mailing_list(self):
        self.env["crm.customer.segment.mailing"]._crm_check_mailing_rights()
        return self._crm_wizard_action(
            "crm.customer.segment.mailing", self.env._("Add to Mailing List"))

    # ------------------------------------------------------------
    # API
    # ------------------------------------------------------------

    @api.model
    def _crm_api_find_segment(self, segment):
        """A segment the user may read, by id or exact name; UserError otherwise."""
        if isinstance(segment, int) and not isinstance(segment, bool):
            found = self.search([("id", "=", check.record_id(self.env, segment, "segment"))])
        elif isinstance(segment, str) and segment.strip():
            check.check_text(self.env, segment, "segment")
            found = self.search([("name", "=", segment.strip())])
            if len(found) > 1:
                raise UserError(self.env._(
                    "Several customer segments are named %(name)s: give the id (%(ids)s).",
                    name=segment.strip(), ids=", ".join(map(str, found.ids))))
        else:
            raise ValidationError(self.env._("segment must be a segment id or name."))
        if not found:
            raise UserError(self.env._("No customer segment \"%(segment)s\".", segment=segment))
        return found

    @api.model
    def crm_api_segment_export(self, segment, fields=None, offset=0, limit=1000,
                               rows_as_json=False):
        """The customers of a segment, a page at a time, in a compact form.

        ``segment``: id or exact name of a segment the user may read.
        ``fields``: columns among id, name, ref, external_ref, email,
        value_grade, lifecycle_stage, rfm_segment, churn_risk, value_score
        (default: all, in that order). ``offset``/``limit`` (at most 10,000):
        the page, customers ordered by name then id.

        Returns ``{"segment": {"id", "name", "company"}, "total": n, "offset":
        offset, "header": [column, ...], "rows": [[value, ...], ...]}``: rows
        are lists, not dicts, so that large pages stay small over XML-RPC. Empty
        values are false. ``rows_as_json``: ``rows`` as one JSON text, which an
        XML-RPC client decodes far faster than as many XML values (as
        ``crm.customer.score.crm_api_read_scores``). Record rules apply to the
        customers."""
        if fields is None:
            fields = list(EXPORT_FIELDS)
        if (not isinstance(fields, list | tuple) or not fields
                or not all(isinstance(name, str) for name in fields)):
            raise ValidationError(self.env._(
                "fields must be a list of columns among %(fields)s.",
                fields=", ".join(EXPORT_FIELDS)))
        unknown = [name for name in fields if name not in EXPORT_FIELDS]
        if unknown:
            raise ValidationError(self.env._(
                "Unknown column(s) %(unknown)s: use %(fields)s.",
                unknown=", ".join(unknown), fields=", ".join(EXPORT_FIELDS)))
        for name, value in (("offset", offset), ("limit", limit)):
            if not isinstance(value, int) or isinstance(value, bool) or value < 0:
                raise ValidationError(self.env._("%(name)s must be an integer, 0 or more.", name=name))
            check.integer(self.env, value, name)
        if not isinstance(rows_as_json, bool):
            raise ValidationError(self.env._("rows_as_json must be true or false."))
        if not 0 < limit <= EXPORT_MAX_LIMIT:
            raise ValidationError(self.env._(
                "limit must be between 1 and %(max)s.", max=EXPORT_MAX_LIMIT))
        record = self._crm_api_find_segment(segment)
        company = record.company_id
        Partner = record._crm_segment_partners()
        domain = record._crm_segment_domain()
        total = Partner.search_count(domain)
        partner_ids = Partner.search(domain, offset=offset, limit=limit, order="name, id").ids
        rows = []
        if partner_ids:
            if {"rfm_segment", "churn_risk", "value_score"} & set(fields):
                self.env["crm.customer.score"].check_access("read")
            self.env.flush_all()
            # One statement for the page: the company's values of the
            # company-dependent columns, the score is the company's row.
            result = self.env.execute_query(SQL(
                """
                SELECT p.id, p.name, p.ref, p.crm_external_ref, p.email,
                       %(value_grade)s, %(lifecycle_stage)s,
                       s.rfm_segment, s.churn_risk, s.value_score
                  FROM res_partner p
                  LEFT JOIN crm_customer_score s
                    ON s.partner_id = p.id AND s.company_id = %(company)s
                 WHERE p.id = ANY(%(ids)s)
                """,
                value_grade=company_value("p", "crm_value_grade", company.id),
                lifecycle_stage=company_value("p", "crm_lifecycle_stage", company.id),
                company=company.id, ids=partner_ids,
            ))
            by_id = {row[0]: dict(zip(EXPORT_FIELDS, row, strict=True)) for row in result}
            for partner_id in partner_ids:
                values = by_id[partner_id]
                # False, not None: XML-RPC cannot carry None.
                rows.append([False if values[name] is None else values[name]
                             for name in fields])
        return {
            "segment": {"id": record.id, "name": record.name, "company": company.name},
            "total": total,
            "offset": offset,
            "header": list(fields),
            "rows": json.dumps(rows, separators=(",", ":")) if rows_as_json else rows,
        }
