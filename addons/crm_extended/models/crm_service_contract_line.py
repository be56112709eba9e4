from odoo import api, fields, models
from odoo.exceptions import ValidationError


class CrmServiceContractLine(models.Model):
    """A product, and optionally the serial number delivered to the customer,
    covered by a service contract."""

    _name = "crm.service.contract.line"
    _description = "Service Contract Line"
    _order = "contract_id, sequence, id"
    _check_company_auto = True

    contract_id = fields.Many2one(
        "crm.service.contract", required=True, index=True, ondelete="cascade"
    )
    sequence = fields.Integer(default=10)
    company_id = fields.Many2one(related="contract_id.company_id", store=True, index=True)
    partner_id = fields.Many2one(related="contract_id.partner_id")
    product_id = fields.Many2one(
        "product.product", required=True, check_company=True
    )
    lot_id = fields.Many2one(
        "stock.lot", string="Serial Number", check_company=True, index="btree_not_null",
        domain="[('product_id', '=', product_id)]",
        help="Only a serial number delivered to this customer can be covered.",
    )
    note = fields.Char(string="Description")

    def write(self, vals):
        # A line moves only to a contract the user may change (the record rules
        # check the line before the write, not its new contract).
        if vals.get("contract_id") and not self.env.su:
            self.env["crm.service.contract"].browse(vals["contract_id"]).check_access("write")
        return super().write(vals)

    @api.onchange("lot_id")
    def _onchange_lot_id(self):
        if self.lot_id:
            self.product_id = self.lot_id.product_id

    @api.constrains("lot_id", "contract_id")
    def _check_lot_overlap(self):
        # Lines added on their own (not through the contract) are checked too.
        self.filtered("lot_id").contract_id._check_serial_overlap()

    @api.constrains("lot_id", "product_id", "contract_id")
    def _check_lot_delivered(self):
        lines = self.filtered("lot_id")
        if not lines:
            return
        # One query: done moves of these serials into a customer location.
        rows = self.env["stock.move.line"].sudo()._read_group(
            [
                ("lot_id", "in", lines.lot_id.ids),
                ("state", "=", "done"),
                ("location_dest_id.usage", "=", "customer"),
            ],
            ["lot_id", "picking_partner_id"],
        )
        delivered = {(lot.id, partner.commercial_partner_id.id) for lot, partner in rows}
        for line in lines:
            if line.lot_id.product_id != line.product_id:
                raise ValidationError(self.env._(
                    "Serial number %(serial)s is not a serial of %(product)s.",
                    serial=line.lot_id.name, product=line.product_id.display_name,
                ))
            customer = line.contract_id.partner_id.commercial_partner_id
            if (line.lot_id.id, customer.id) not in delivered:
                raise ValidationError(self.env._(
                    "Serial number %(serial)s was not delivered to %(customer)s: a contract "
                    "only covers what the customer received.",
                    serial=line.lot_id.name, customer=customer.display_name,
                ))
