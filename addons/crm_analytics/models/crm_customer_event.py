import logging
from datetime import timedelta

from odoo import api, fields, models
from odoo.tools import SQL

_logger = logging.getLogger(__name__)

EVENT_KINDS = [
    ("birthday", "Birthday"),
    ("contract_anniversary", "Contract Anniversary"),
]
ACTIVITY_TYPES = {
    "birthday": "crm_analytics.mail_activity_type_crm_birthday",
    "contract_anniversary": "crm_analytics.mail_activity_type_crm_contract_anniversary",
}


class CrmCustomerEvent(models.Model):
    """A customer event that got its activity: a birthday or a service
    contract anniversary in a given year. The daily job inserts these rows
    first; the unique index makes it create one activity per event and year,
    however often it runs and whatever happens to the activity afterwards."""

    _name = "crm.customer.event"
    _description = "Customer Event"
    _order = "event_date desc, id desc"
    _rec_name = "partner_id"

    kind = fields.Selection(EVENT_KINDS, string="Event", required=True, readonly=True)
    partner_id = fields.Many2one("res.partner", string="Contact", required=True, readonly=True,
                                 index=True, ondelete="cascade")
    contract_id = fields.Many2one("crm.service.contract", string="Service Contract",
                                  readonly=True, index="btree_not_null", ondelete="cascade")
    company_id = fields.Many2one("res.company", required=True, readonly=True)
    event_date = fields.Date(string="Date", required=True, readonly=True)
    year = fields.Integer(required=True, readonly=True, aggregator=None)
    years = fields.Integer(readonly=True, aggregator=None,
                           help="Age at the birthday, or years since the contract started.")
    user_id = fields.Many2one("res.users", string="Assigned To", readonly=True)
    activity_id = fields.Many2one("mail.activity", readonly=True,
                                  ondelete="set null")

    _event_year_unique = models.UniqueIndex(
        "(kind, partner_id, COALESCE(contract_id, 0), year)",
        "This event already has its activity this year.",
    )

    @api.model
    def _cron_crm_customer_events(self):
        """Daily: the activities for the birthdays and contract anniversaries
        of the coming days, one transaction per company."""
        # pylint: disable-next=no-search-all  # every company: the cron covers them all, one at a time
        companies = self.env["res.company"].sudo().search([])
        self.env["ir.cron"]._commit_progress(remaining=len(companies))
        for company in companies:
            self._crm_create_events(company)
            if not self.env["ir.cron"]._commit_progress(1):
                break

    @api.model
    def _crm_event_today(self):
        today = self.env.context.get("crm_event_today")
        return fields.Date.to_date(today) if today else fields.Date.today()

    @api.model
    def _crm_create_events(self, company):
        """Record the events of ``company`` falling within its look-ahead
        window and create their activities; returns the new events."""
        today = self._crm_event_today()
        until = today + timedelta(days=company.crm_event_days_ahead)
        params = {
            "company": company.id, "today": today, "until": until,
            "years": list(range(today.year, until.year + 1)),
            "uid": self.env.uid, "now": fields.Datetime.now(),
        }
        self.env.flush_all()
        # An anniversary in year Y is the date plus Y - start years: PostgreSQL
        # moves 29 February to the 28th in other years.
        birthdays = SQL(
            """
            SELECT 'birthday' AS kind, p.id AS partner_id, NULL::int AS contract_id,
                   y.year, (p.crm_birthday + make_interval(
                       years => y.year - EXTRACT(YEAR FROM p.crm_birthday)::int))::date AS event_date,
                   y.year - EXTRACT(YEAR FROM p.crm_birthday)::int AS years,
                   COALESCE(manager.id, seller.id, own_seller.id) AS user_id
              FROM res_partner p
              JOIN res_partner entity ON entity.id = p.commercial_partner_id
             CROSS JOIN unnest(%(years)s::int[]) AS y(year)
              LEFT JOIN res_users manager
                ON manager.id = entity.crm_account_manager_id AND manager.active
              LEFT JOIN res_users seller ON seller.id = entity.user_id AND seller.active
              LEFT JOIN res_users own_seller ON own_seller.id = p.user_id AND own_seller.active
             WHERE p.active AND p.crm_birthday IS NOT NULL
               AND (p.company_id = %(company)s OR p.company_id IS NULL)
               AND y.year > EXTRACT(YEAR FROM p.crm_birthday)
            """,
            **params,
        )
        anniversaries = SQL(
            """
            SELECT 'contract_anniversary', c.partner_id, c.id,
                   y.year, (c.date_start + make_interval(
                       years => y.year - EXTRACT(YEAR FROM c.date_start)::int))::date,
                   y.year - EXTRACT(YEAR FROM c.date_start)::int,
                   COALESCE(owner.id, manager.id, seller.id)
              FROM crm_service_contract c
              JOIN res_partner p ON p.id = c.partner_id
              JOIN res_partner entity ON entity.id = p.commercial_partner_id
             CROSS JOIN unnest(%(years)s::int[]) AS y(year)
              LEFT JOIN res_users owner ON owner.id = c.user_id AND owner.active
              LEFT JOIN res_users manager
                ON manager.id = entity.crm_account_manager_id AND manager.active
              LEFT JOIN res_users seller ON seller.id = entity.user_id AND seller.active
             WHERE c.company_id = %(company)s AND c.state IN ('active', 'expiring')
               AND y.year > EXTRACT(YEAR FROM c.date_start)
               -- within the contract's term
               AND c.date_start + make_interval(
                       years => y.year - EXTRACT(YEAR FROM c.date_start)::int) <= c.date_end
            """,
            **params,
        )
        # One INSERT for both kinds; an event already recorded (this year, by
        # an earlier run) conflicts and is left out of RETURNING.
        rows = self.env.execute_query(SQL(
            """
            INSERT INTO crm_customer_event (kind, partner_id, contract_id, year, event_date,
                                            years, user_id, company_id,
                                            create_uid, create_date, write_uid, write_date)
            SELECT e.kind, e.partner_id, e.contract_id, e.year, e.event_date, e.years,
                   e.user_id, %(company)s, %(uid)s, %(now)s, %(uid)s, %(now)s
              FROM (%(birthdays)s UNION ALL %(anniversaries)s) AS e
             WHERE e.event_date BETWEEN %(today)s AND %(until)s AND e.user_id IS NOT NULL
            ON CONFLICT DO NOTHING
            RETURNING id
            """,
            birthdays=birthdays, anniversaries=anniversaries, **params,
        ))
        events = self.browse([row[0] for row in rows])
        if events:
            self._crm_create_activities(events)
        _logger.info("Customer events of company %s: %s new", company.id, len(events))
        return events

    @api.model
    def _crm_create_activities(self, events):
        """One activity per event, created together, in the assignee's language."""
        Activity = self.env["mail.activity"].with_context(mail_activity_quick_update=True)
        types = {kind: self.env.ref(xmlid, raise_if_not_found=False)
                 or self.env.ref("mail.mail_activity_data_todo")
                 for kind, xmlid in ACTIVITY_TYPES.items()}
        models_ids = {name: self.env["ir.model"]._get_id(name)
                      for name in ("res.partner", "crm.service.contract")}
        events.fetch(["kind", "partner_id", "contract_id", "event_date", "years", "user_id"])
        # The documents' names (mail.activity stores them, record by record)
        # and the assignees' languages, read once for all.
        events.partner_id.mapped("display_name")
        events.contract_id.mapped("display_name")
        events.user_id.fetch(["lang"])
        vals_list = []
        for event in events:
            lang_env = self.with_context(lang=event.user_id.lang or "en_US").env
            if event.kind == "birthday":
                target = ("res.partner", event.partner_id.id)
                summary = lang_env._("Birthday of %(name)s (%(years)s)",
                                     name=event.partner_id.name, years=event.years)
            else:
                target = ("crm.service.contract", event.contract_id.id)
                summary = lang_env._("%(years)s years of contract %(contract)s",
                                     years=event.years, contract=event.contract_id.name)
            vals_list.append({
                "res_model_id": models_ids[target[0]],
                "res_id": target[1],
                "activity_type_id": types[event.kind].id,
                "summary": summary,
                "date_deadline": event.event_date,
                "user_id": event.user_id.id,
            })
        activities = Activity.create(vals_list)
        self.env.execute_query(SQL(
            """UPDATE crm_customer_event e SET activity_id = v.activity_id,
                      write_date = %s, write_uid = %s
                 FROM unnest(%s::int[], %s::int[]) AS v(event_id, activity_id)
                WHERE e.id = v.event_id""",
            self.env.cr.now(), self.env.uid, events.ids, activities.ids,
        ))
        events.invalidate_recordset(["activity_id", "write_date", "write_uid"])
        return activities
