from odoo import http
from odoo.exceptions import AccessError, MissingError
from odoo.http import request

from odoo.addons.portal.controllers.portal import CustomerPortal
from odoo.addons.portal.controllers.portal import pager as portal_pager


class ServiceContractPortal(CustomerPortal):
    """/my/contracts: a customer's service contracts, their coverage, remaining
    entitlement and visits. Records are read as the portal user (record rules),
    or with a valid access token for shared links."""

    def _prepare_home_portal_values(self, counters):
        values = super()._prepare_home_portal_values(counters)
        if "service_contract_count" in counters:
            Contract = request.env["crm.service.contract"]
            values["service_contract_count"] = (
                Contract.search_count(self._crm_contract_domain())
                if Contract.has_access("read") else 0
            )
        return values

    def _crm_contract_domain(self):
        partner = request.env.user.partner_id.commercial_partner_id
        return [("partner_id", "=", partner.id), ("state", "!=", "draft")]

    @http.route(["/my/contracts", "/my/contracts/page/<int:page>"], type="http",
                auth="user", website=True)
    def portal_my_service_contracts(self, page=1, **kwargs):
        Contract = request.env["crm.service.contract"]
        domain = self._crm_contract_domain()
        values = self._prepare_portal_layout_values()
        pager = portal_pager(
            url="/my/contracts", total=Contract.search_count(domain), page=page,
            step=self._items_per_page,
        )
        contracts = Contract.search(
            domain, limit=self._items_per_page, offset=pager["offset"])
        request.session["my_service_contracts_history"] = contracts.ids[:100]
        values.update({
            "contracts": contracts,
            "page_name": "service_contract",
            "pager": pager,
            "default_url": "/my/contracts",
        })
        return request.render("crm_extended.portal_my_service_contracts", values)

    @http.route(["/my/contracts/<int:contract_id>"], type="http", auth="public", website=True)
    def portal_my_service_contract(self, contract_id, access_token=None, **kwargs):
        try:
            contract_sudo = self._document_check_access(
                "crm.service.contract", contract_id, access_token=access_token)
        except (AccessError, MissingError):
            return request.redirect("/my")
        if contract_sudo.state == "draft":
            return request.redirect("/my")
        values = self._get_page_view_values(
            contract_sudo, access_token, {
                "contract": contract_sudo,
                "visits": contract_sudo.visit_ids.filtered(lambda v: v.state != "cancelled"),
                "page_name": "service_contract",
            },
            "my_service_contracts_history", False, **kwargs,
        )
        return request.render("crm_extended.portal_my_service_contract", values)
