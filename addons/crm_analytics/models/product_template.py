from odoo import fields, models


class ProductTemplate(models.Model):
    _inherit = "product.template"

    crm_xsell_together_count = fields.Integer(
        string="Frequently Bought With", compute="_compute_crm_xsell_counts",
        groups="crm_extended.group_crm_extended_user")
    crm_xsell_sequence_count = fields.Integer(
        string="Bought Next", compute="_compute_crm_xsell_counts",
        groups="crm_extended.group_crm_extended_user")

    def _compute_crm_xsell_counts(self):
        rows = self.env["crm.cross.sell.rule"]._read_group(
            [("antecedent_id.product_tmpl_id", "in", self.ids),
             ("company_id", "in", self.env.companies.ids)],
            ["antecedent_id", "rule_type"], ["__count"])
        counts = {}
        for product, rule_type, count in rows:
            key = (product.product_tmpl_id.id, rule_type)
            counts[key] = counts.get(key, 0) + count
        for template in self:
            template.crm_xsell_together_count = counts.get((template.id, "together"), 0)
            template.crm_xsell_sequence_count = counts.get((template.id, "sequence"), 0)

    def action_crm_xsell_together(self):
        return self._crm_xsell_action("together", self.env._("Frequently Bought With"))

    def action_crm_xsell_sequence(self):
        return self._crm_xsell_action("sequence", self.env._("Bought Next"))

    def _crm_xsell_action(self, rule_type, name):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "crm_analytics.crm_cross_sell_rule_action")
        action.update({
            "name": name,
            "domain": [("antecedent_id.product_tmpl_id", "=", self.id),
                       ("rule_type", "=", rule_type)],
            "context": {"search_default_group_antecedent": 0},
        })
        return action
