from odoo import fields, http
from odoo.exceptions import AccessError, MissingError, ValidationError
from odoo.http import request
from odoo.tools import plaintext2html
from odoo.tools.mimetypes import guess_mimetype

from odoo.addons.portal.controllers.portal import CustomerPortal
from odoo.addons.portal.controllers.portal import pager as portal_pager

from ..models.crm_complaint import COMPLAINT_TYPES
from ..tools import api_validation as check


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
                "complaints": self._crm_contract_complaints(contract_sudo),
                "page_name": "service_contract",
            },
            "my_service_contracts_history", False, **kwargs,
        )
        return request.render("crm_extended.portal_my_service_contract", values)

    def _crm_contract_complaints(self, contract):
        """The complaints charged to the contract, read with the visitor's own
        rights: a customer sees their company's; a shared link alone shows none."""
        Complaint = request.env["crm.complaint"]
        if not Complaint.has_access("read"):
            return Complaint
        return Complaint.search([("contract_id", "=", contract.id)], limit=PAGE_SIZE)


PAGE_SIZE = 20
# What one portal submission may carry, and how many a customer may send: every
# submission is a record, an acknowledgement e-mail and work for the team.
SUBJECT_MAX_LENGTH = 200
DESCRIPTION_MAX_LENGTH = 10000
SUBMISSIONS_PER_HOUR = 10
# Photos and documents sent with the form: what Odoo shows inline or
# downloads, never a type a browser would run (HTML, SVG).
ATTACHMENTS_MAX = 5
ATTACHMENT_MAX_MB = 8  # under the 10 MB a form part may have in Odoo
ATTACHMENT_MIMETYPES = {"image/jpeg", "image/png", "image/gif", "image/webp", "application/pdf"}


class CrmComplaintPortal(CustomerPortal):
    """/my/complaints: a customer sees, submits and rates the complaints and
    feedback of their own company. Access is the portal record rule (own
    commercial partner) or the record's access token."""

    def _prepare_home_portal_values(self, counters):
        values = super()._prepare_home_portal_values(counters)
        if "complaint_count" in counters:
            Complaint = request.env["crm.complaint"]
            values["complaint_count"] = (
                Complaint.search_count([]) if Complaint.has_access("read") else 0
            )
        return values

    @http.route(["/my/complaints", "/my/complaints/page/<int:page>"], type="http",
                auth="user", website=True)
    def portal_my_complaints(self, page=1, sortby=None, **kw):
        Complaint = request.env["crm.complaint"]
        sortings = {
            "date": {"label": request.env._("Newest"), "order": "create_date desc, id desc"},
            "stage": {"label": request.env._("Stage"), "order": "stage_id, id desc"},
        }
        sortby = sortby if sortby in sortings else "date"
        count = Complaint.search_count([])
        pager = portal_pager(url="/my/complaints", url_args={"sortby": sortby},
                             total=count, page=page, step=PAGE_SIZE)
        complaints = Complaint.search([], order=sortings[sortby]["order"],
                                      limit=PAGE_SIZE, offset=pager["offset"])
        request.session["my_complaints_history"] = complaints.ids[:100]
        values = self._prepare_portal_layout_values()
        values.update({
            "complaints": complaints.sudo(),
            "page_name": "complaint",
            "pager": pager,
            "default_url": "/my/complaints",
            "searchbar_sortings": sortings,
            "sortby": sortby,
        })
        return request.render("crm_extended.portal_my_complaints", values)

    @http.route("/my/complaints/<int:complaint_id>", type="http", auth="public", website=True)
    def portal_my_complaint(self, complaint_id, access_token=None, **kw):
        try:
            complaint_sudo = self._document_check_access("crm.complaint", complaint_id,
                                                         access_token)
        except (AccessError, MissingError):
            return request.redirect("/my")
        values = self._get_page_view_values(
            complaint_sudo, access_token,
            {"complaint": complaint_sudo, "page_name": "complaint"},
            "my_complaints_history", False, **kw,
        )
        if complaint_sudo.is_resolved and complaint_sudo.partner_id:
            # The same token as the satisfaction email's links (Odoo's rating).
            values["rating_token"] = complaint_sudo._rating_get_access_token()
        return request.render("crm_extended.portal_my_complaint", values)

    @http.route("/my/complaints/new", type="http", auth="user", website=True,
                methods=["GET", "POST"])
    def portal_new_complaint(self, **post):
        values = self._prepare_portal_layout_values()
        partner = request.env.user.partner_id
        orders = request.env["sale.order"].search(
            [("partner_id", "child_of", partner.commercial_partner_id.id),
             ("state", "=", "sale")], order="date_order desc", limit=50,
        ) if request.env["sale.order"].has_access("read") else request.env["sale.order"]
        contracts = self._crm_covering_contracts(partner)
        # The labels in the visitor's language, not the module constant's English.
        complaint_types = request.env["crm.complaint"]._fields[
            "complaint_type"]._description_selection(request.env)
        values.update({"page_name": "complaint", "complaint_types": complaint_types,
                       "orders": orders, "contracts": contracts, "post": post, "errors": []})
        if request.httprequest.method != "POST":
            return request.render("crm_extended.portal_new_complaint", values)
        subject = (post.get("name") or "").strip()
        errors = self._crm_form_text_errors(post, subject, partner)
        attachments = self._crm_form_attachments(errors)
        complaint_type = post.get("complaint_type") or "complaint"
        if complaint_type not in dict(COMPLAINT_TYPES):
            errors.append(request.env._("Unknown type of feedback."))
        order = self._crm_form_choice(orders, post.get("sale_order_id"), errors,
                                      request.env._("This order is not one of yours."))
        contract = self._crm_form_choice(
            contracts, post.get("contract_id"), errors,
            request.env._("This contract is not one of your active contracts."))
        if errors:
            values["errors"] = errors
            return request.render("crm_extended.portal_new_complaint", values)
        # The portal user may not create complaints directly: everything above
        # was checked with their own rights, the record is made by the system.
        vals = {
            "name": subject,
            "complaint_type": complaint_type,
            "description": plaintext2html(post["description"]) if post.get("description") else False,
            "partner_id": partner.id,
            "channel": "portal",
            "sale_order_id": order.id,
            "company_id": request.env.user.company_id.id,
        }
        if contract:
            # Otherwise the covering contract is found as for any complaint.
            vals["contract_id"] = contract.id
        complaint = request.env["crm.complaint"].sudo().with_company(
            request.env.user.company_id
        ).create(vals)
        if attachments:
            # After the acknowledgement, as the customer's own message of the
            # conversation, like a photo sent from the portal's chatter.
            complaint.message_post(
                author_id=partner.id, message_type="comment", subtype_xmlid="mail.mt_comment",
                attachments=[(name, data) for name, data, _mimetype in attachments],
            )
        return request.redirect(f"/my/complaints/{complaint.id}")

    def _crm_form_text_errors(self, post, subject, partner):
        """The errors of the form's subject and description, and of the
        customer's sending rate."""
        errors = []
        if not subject:
            errors.append(request.env._("Please give your message a subject."))
        elif len(subject) > SUBJECT_MAX_LENGTH:
            errors.append(request.env._(
                "The subject is too long: at most %(max)s characters.", max=SUBJECT_MAX_LENGTH))
        if len(post.get("description") or "") > DESCRIPTION_MAX_LENGTH:
            errors.append(request.env._(
                "The description is too long: at most %(max)s characters. Add more "
                "details in the messages once it is sent.", max=DESCRIPTION_MAX_LENGTH))
        if self._crm_recent_submissions(partner) >= SUBMISSIONS_PER_HOUR:
            errors.append(request.env._(
                "You have sent %(count)s messages in the last hour: please wait a little "
                "before sending another one, or add to one you sent.",
                count=SUBMISSIONS_PER_HOUR))
        # A NUL byte would fail in the database: said here.
        for key, label, size in (
            ("name", request.env._("Subject"), SUBJECT_MAX_LENGTH),
            ("description", request.env._("Description"), DESCRIPTION_MAX_LENGTH),
        ):
            try:
                check.check_text(request.env, post.get(key) or "", label, size=size)
            except ValidationError as error:
                if "\x00" in (post.get(key) or ""):
                    errors.append(error.args[0])
        return errors

    @staticmethod
    def _crm_form_choice(records, value, errors, message):
        """The one of ``records`` whose id the form sent as ``value`` (none when
        empty); ``message`` goes to ``errors`` when it is not one of them."""
        if not value:
            return records.browse()
        try:
            chosen = records.filtered(lambda record: record.id == int(value))
        except ValueError:
            chosen = records.browse()
        if not chosen:
            errors.append(message)
        return chosen

    def _crm_form_attachments(self, errors):
        """(name, bytes, mimetype) of the files sent with the form, or their
        errors appended to ``errors``. The type is read from the content, not
        from the name the browser sent."""
        files = [f for f in request.httprequest.files.getlist("attachments") if f.filename]
        if len(files) > ATTACHMENTS_MAX:
            errors.append(request.env._(
                "At most %(count)s photos or documents can be sent with the form: add more "
                "in the messages once it is sent.", count=ATTACHMENTS_MAX))
            return []
        attachments = []
        for file in files:
            name = file.filename.replace("\x00", "")[:200]
            data = file.read(ATTACHMENT_MAX_MB * 1024 * 1024 + 1)
            mimetype = guess_mimetype(data)
            if len(data) > ATTACHMENT_MAX_MB * 1024 * 1024:
                errors.append(request.env._(
                    "%(name)s is larger than %(size)s MB.", name=name, size=ATTACHMENT_MAX_MB))
            elif mimetype not in ATTACHMENT_MIMETYPES:
                errors.append(request.env._(
                    "%(name)s is not a photo (JPEG, PNG, GIF, WebP) or a PDF document.",
                    name=name))
            else:
                attachments.append((name, data, mimetype))
        return attachments

    def _crm_recent_submissions(self, partner):
        """Portal submissions of the customer's company in the last hour."""
        since = fields.Datetime.subtract(fields.Datetime.now(), hours=1)
        # sudo: counted over the whole company of the customer, whatever the
        # visitor may read; only the number is used.
        return request.env["crm.complaint"].sudo().with_context(active_test=False).search_count([
            ("commercial_partner_id", "=", partner.commercial_partner_id.id),
            ("channel", "=", "portal"),
            ("create_date", ">=", since),
        ])

    def _crm_covering_contracts(self, partner):
        """The customer's contracts in force today, read with their own rights."""
        Contract = request.env["crm.service.contract"]
        if not Contract.has_access("read"):
            return Contract
        return Contract.search(Contract._crm_covering_domain(partner), limit=PAGE_SIZE)
