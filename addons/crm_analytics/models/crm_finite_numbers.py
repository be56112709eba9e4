"""The finite-number check of crm_extended on the analytics settings written
through the ORM (scores and rules are written in SQL from checked data)."""

from odoo import models


class CrmScoreConfig(models.Model):
    _name = "crm.score.config"
    _inherit = ["crm.score.config", "crm.finite.numbers.mixin"]
