"""Public API of complaints for external systems (call centre, web shop).

The plain ORM creates and updates complaints by database ids only, and a stage
change plus a message would be two calls that can half-succeed. These two
methods take the keys external systems know (the customer's external reference,
the order's name or external reference, the product's internal reference, stage
names), validate every value with a clear message, and write everything of one
call in one transaction. Listing and reading stay plain ``search_read``. See
docs/API.md.
"""

from markupsafe import Markup, escape

from odoo import api, models
from odoo.exceptions import AccessError, MissingError, ValidationError

from ..tools import api_validation as check
from .crm_complaint import CHANNELS, COMPLAINT_TYPES
from .crm_customer_tier import PRIORITIES

CREATE_KEYS = (
    "subject", "customer_id", "customer_ref", "complaint_type", "channel", "priority",
    "category", "description", "order_ref", "product_code",
)
MESSAGE_TYPES = ("note", "comment")
# What both methods return, in this order.
RESULT_FIELDS = (
    "code", "name", "partner_id", "commercial_partner_id", "complaint_type", "channel",
    "priority", "category_id", "stage_id", "team_id", "user_id", "sla_status",
    "first_response_deadline", "resolution_deadline", "sale_order_id", "product_id",
)


class CrmComplaint(models.Model):
    _inherit = "crm.complaint"

    # ------------------------------------------------------------
    # Validation helpers
    # ------------------------------------------------------------

    @api.model
    def _crm_api_check_keys(self, values, allowed):
        if not isinstance(values, dict):
            raise ValidationError(self.env._("The values must be a mapping of keys to values."))
        unknown = sorted(set(values) - set(allowed))
        if unknown:
            raise ValidationError(self.env._(
                "Unknown key(s): %(keys)s. Allowed: %(allowed)s.",
                keys=", ".join(map(str, unknown)), allowed=", ".join(allowed),
            ))

    @api.model
    def _crm_api_text(self, values, key, required=False, size=check.NAME_SIZE):
        value = values.get(key)
        if value is None or value is False or (isinstance(value, str) and not value.strip()):
            if required:
                raise ValidationError(self.env._("%(key)s is required.", key=key))
            return False
        if not isinstance(value, str):
            raise ValidationError(self.env._("%(key)s must be text.", key=key))
        check.check_text(self.env, value, key, size=size)
        return value.strip()

    @api.model
    def _crm_api_selection(self, values, key, selection):
        """A selection key, given as the key or its English label, case-insensitive."""
        value = values.get(key)
        if value is None or value is False or value == "":
            return False
        if isinstance(value, int) and not isinstance(value, bool):
            value = str(value)
        if isinstance(value, str):
            wanted = value.strip().lower()
            for option, label in selection:
                if wanted in (option, label.lower()):
                    return option
        raise ValidationError(self.env._(
            "%(key)s %(value)s is not valid: use one of %(valid)s.",
            key=key, value=repr(value), valid=", ".join(option for option, _label in selection),
        ))

    @api.model
    def _crm_api_customer(self, values):
        """The customer by ``customer_id`` (a partner id) or ``customer_ref`` (the
        external reference of a commercial partner of the current company or a
        shared one): exactly one of them."""
        has_id = values.get("customer_id") not in (None, False)
        has_ref = values.get("customer_ref") not in (None, False, "")
        if has_id == has_ref:
            raise ValidationError(
                self.env._("Give the customer as customer_id or customer_ref (one of them).")
            )
        Partner = self.env["res.partner"]
        if has_id:
            partner_id = values["customer_id"]
            if not isinstance(partner_id, int) or isinstance(partner_id, bool):
                raise ValidationError(self.env._("customer_id must be a whole number."))
            check.record_id(self.env, partner_id, "customer_id")
            partner = Partner.search([("id", "=", partner_id)], limit=1)
            if not partner:
                raise ValidationError(self.env._("No customer with id %(id)s.", id=partner_id))
            return partner
        ref = self._crm_api_text(values, "customer_ref")
        partner = Partner.search([
            ("crm_external_ref", "=", ref), ("parent_id", "=", False),
            ("company_id", "in", [self.env.company.id, False]),
        ], order="company_id", limit=1)
        if not partner:
            raise ValidationError(self.env._("No customer with the external reference %(ref)s.", ref=ref))
        return partner

    @api.model
    def _crm_api_category(self, value):
        if value in (None, False, ""):
            return self.env["crm.complaint.category"]
        Category = self.env["crm.complaint.category"]
        if isinstance(value, int) and not isinstance(value, bool):
            category = Category.search([("id", "=", check.record_id(self.env, value, "category"))],
                                       limit=1)
        elif isinstance(value, str):
            check.check_text(self.env, value, "category")
            category = Category.search([("name", "=ilike", value.strip())], limit=1)
        else:
            raise ValidationError(self.env._("category must be a name or an id."))
        if not category:
            # pylint: disable-next=no-search-all  # the error lists every category (a short list)
            valid = ", ".join(Category.search([]).mapped("name"))
            raise ValidationError(self.env._(
                "Unknown category %(category)s: use one of %(valid)s.",
                category=repr(value), valid=valid,
            ))
        return category

    @api.model
    def _crm_api_stage(self, value):
        """A stage by name (in any installed language of the user, case-insensitive),
        id or XML id (``crm_extended.crm_complaint_stage_closed``)."""
        Stage = self.env["crm.complaint.stage"]
        stage = Stage
        if isinstance(value, int) and not isinstance(value, bool):
            stage = Stage.search([("id", "=", check.record_id(self.env, value, "stage"))], limit=1)
        elif isinstance(value, str) and value.strip():
            value = check.check_text(self.env, value, "stage").strip()
            if "." in value:
                try:
                    found = self.env.ref(value, raise_if_not_found=False)
                except ValueError:  # not an XML id after all, e.g. "Step 2.b"
                    found = None
                if found is not None and found._name == Stage._name:
                    stage = found
            if not stage:
                stage = Stage.search([("name", "=ilike", value)], limit=1)
        else:
            raise ValidationError(self.env._("stage must be a name, an id or an XML id."))
        if not stage:
            raise ValidationError(self.env._(
                "Unknown stage %(stage)s: use one of %(valid)s.",
                # pylint: disable-next=no-search-all  # the error lists every stage (a short list)
                stage=repr(value), valid=", ".join(Stage.search([]).mapped("name")),
            ))
        return stage

    @api.model
    def _crm_api_user(self, value):
        Users = self.env["res.users"]
        if isinstance(value, int) and not isinstance(value, bool):
            user = Users.search([("id", "=", check.record_id(self.env, value, "assignee")),
                                 ("share", "=", False)], limit=1)
        elif isinstance(value, str) and value.strip():
            check.check_text(self.env, value, "assignee")
            user = Users.search([("login", "=", value.strip()), ("share", "=", False)], limit=1)
        else:
            raise ValidationError(self.env._("assignee must be a login or a user id."))
        if not user:
            raise ValidationError(self.env._(
                "Unknown assignee %(user)s: give the login or id of an internal user.",
                user=repr(value),
            ))
        return user

    @api.model
    def _crm_api_order(self, ref, partner):
        """The sale order by name or external reference, of the customer."""
        Order = self.env["sale.order"]
        orders = Order.search(
            ["|", ("name", "=", ref), ("crm_external_ref", "=", ref),
             ("company_id", "=", self.env.company.id)], limit=2,
        )
        if not orders:
            raise ValidationError(self.env._("No sales order %(ref)s.", ref=ref))
        if len(orders) > 1:
            raise ValidationError(self.env._(
                "Several sales orders match %(ref)s: use the order's name.", ref=ref))
        if orders.partner_id.commercial_partner_id != partner.commercial_partner_id:
            raise ValidationError(self.env._(
                "The sales order %(order)s is not one of %(customer)s.",
                order=orders.name, customer=partner.commercial_partner_id.display_name,
            ))
        return orders

    @api.model
    def _crm_api_product(self, code):
        products = self.env["product.product"].search(
            [("default_code", "=", code), ("company_id", "in", [self.env.company.id, False])],
            limit=2,
        )
        if not products:
            raise ValidationError(self.env._("No product with the internal reference %(code)s.",
                                             code=code))
        if len(products) > 1:
            raise ValidationError(self.env._(
                "Several products have the internal reference %(code)s.", code=code))
        return products

    def _crm_api_result(self):
        """The complaint as the API returns it: plain values, names for relations."""
        self.ensure_one()
        record = self.read(list(RESULT_FIELDS))[0]
        for key, value in record.items():
            if isinstance(value, tuple | list):
                record[key] = value[1] if value else False
        record["customer"] = record.pop("commercial_partner_id")
        record["contact"] = record.pop("partner_id")
        record["category"] = record.pop("category_id")
        record["stage"] = record.pop("stage_id")
        record["team"] = record.pop("team_id")
        record["assignee"] = record.pop("user_id")
        record["subject"] = record.pop("name")
        record["sale_order"] = record.pop("sale_order_id")
        record["product"] = record.pop("product_id")
        record["customer_ref"] = self.commercial_partner_id.crm_external_ref or False
        record["message_count"] = len(self.message_ids)
        return record

    # ------------------------------------------------------------
    # Public methods
    # ------------------------------------------------------------

    @api.model
    def crm_api_create_complaint(self, values):
        """Create one complaint from the keys an external system knows.

        ``values``: ``subject`` (required), the customer as ``customer_id`` (a
        partner id) or ``customer_ref`` (its ``crm_external_ref``), exactly one,
        ``complaint_type`` (complaint, suggestion, praise, inquiry; default
        complaint), ``channel`` (email, phone, portal, in_person, social, other;
        default phone), ``priority`` (0-3 or normal, high, urgent, critical;
        default the customer's tier), ``category`` (root cause, name or id),
        ``description`` (plain text), ``order_ref`` (a sales order of the
        customer, by name or external reference), ``product_code`` (a product's
        internal reference). Any other key is refused.

        Everything is checked before anything is written; a refused call writes
        nothing. The complaint then goes the way of one made in the web client:
        reference from the sequence, team routing, service level deadlines,
        acknowledgement to the customer.

        Returns the complaint: ``id``, ``code``, ``subject``, ``customer``,
        ``customer_ref``, ``contact``, ``complaint_type``, ``channel``,
        ``priority``, ``category``, ``stage``, ``team``, ``assignee``,
        ``sla_status``, deadlines, ``sale_order``, ``product``,
        ``message_count``.
        """
        self.check_access("create")
        self._crm_api_check_keys(values, CREATE_KEYS)
        partner = self._crm_api_customer(values)
        vals = {
            "name": self._crm_api_text(values, "subject", required=True),
            "partner_id": partner.id,
        }
        complaint_type = self._crm_api_selection(values, "complaint_type", COMPLAINT_TYPES)
        if complaint_type:
            vals["complaint_type"] = complaint_type
        channel = self._crm_api_selection(values, "channel", CHANNELS)
        if channel:
            vals["channel"] = channel
        priority = self._crm_api_selection(values, "priority", PRIORITIES)
        if priority:
            vals["priority"] = priority
        category = self._crm_api_category(values.get("category"))
        if category:
            vals["category_id"] = category.id
        description = self._crm_api_text(values, "description", size=check.TEXT_SIZE)
        if description:
            vals["description"] = Markup("<p>%s</p>") % escape(description)
        order_ref = self._crm_api_text(values, "order_ref")
        if order_ref:
            vals["sale_order_id"] = self._crm_api_order(order_ref, partner).id
        product_code = self._crm_api_text(values, "product_code")
        if product_code:
            vals["product_id"] = self._crm_api_product(product_code).id
        complaint = self.create(vals)
        return dict(complaint._crm_api_result(), id=complaint.id)

    def crm_api_update(self, stage=None, priority=None, assignee=None, message=None,
                       message_type="note"):
        """Update one complaint and optionally add a message, in one transaction.

        ``stage``: name (case-insensitive), id or XML id; ``priority``: 0-3 or
        normal, high, urgent, critical; ``assignee``: login or user id of an
        internal user; ``message``: plain text posted in the chatter, as an
        internal ``note`` (default) or a ``comment`` sent to the followers, the
        customer included. At least one of them. A refused call writes nothing.

        Returns the complaint as ``crm_api_create_complaint`` does.
        """
        check.record_ids(self)
        if len(self) != 1:
            raise ValidationError(self.env._("Update one complaint per call."))
        # Rights before existence: a missing id and a forbidden one get the
        # same answer, so ids cannot be probed.
        try:
            self.check_access("write")
            if not self.exists():
                raise MissingError(self.id)
        except (AccessError, MissingError):
            raise AccessError(self.env._(
                "No complaint with id %(id)s that you may update.", id=self.id)) from None
        vals = {}
        if stage not in (None, False, ""):
            vals["stage_id"] = self._crm_api_stage(stage).id
        selected = self._crm_api_selection({"priority": priority}, "priority", PRIORITIES)
        if selected:
            vals["priority"] = selected
        if assignee not in (None, False, ""):
            vals["user_id"] = self._crm_api_user(assignee).id
        body = self._crm_api_text({"message": message}, "message", size=check.TEXT_SIZE)
        if not isinstance(message_type, str) or message_type not in MESSAGE_TYPES:
            raise ValidationError(self.env._(
                "message_type must be one of %(valid)s.", valid=", ".join(MESSAGE_TYPES)))
        if not vals and not body:
            raise ValidationError(self.env._(
                "Nothing to update: give a stage, a priority, an assignee or a message."))
        if vals:
            self.write(vals)
        if body:
            self.message_post(
                body=body, message_type="comment",
                subtype_xmlid="mail.mt_note" if message_type == "note" else "mail.mt_comment",
            )
        return dict(self._crm_api_result(), id=self.id)
