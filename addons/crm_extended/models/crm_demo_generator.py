from odoo import models


class CrmDemoGenerator(models.AbstractModel):
    _name = "crm.demo.generator"
    _description = "Realistic CRM Demo Data Generator"
