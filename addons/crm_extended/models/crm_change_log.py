"""Change log for incremental sync: what changed since a watermark.

PostgreSQL triggers (one per statement, over the transition tables) append a
row per changed record to ``crm_change_log`` in the transaction that makes the
change, whatever writes it: the ORM, the classification's and the scoring's
SQL fast paths, deletions. Each row carries the id of the transaction that
wrote it (``pg_current_xact_id()``).

The watermark is a PostgreSQL snapshot (``pg_current_snapshot()``), as PgQ
does it: a call returns the rows whose transaction is visible (committed) in
the call's snapshot but was not in the watermark's, and the call's snapshot
becomes the next watermark. A transaction still running at the time of a call
is not visible in its snapshot, so its rows come with a later call however
early their ids or write dates are; a row visible in the watermark is never
returned again. A paged answer (``limit``) carries both snapshots and the last
row returned. See docs/API.md ("Incremental sync").
"""

import re

from odoo import api, fields, models
from odoo.exceptions import AccessError, ValidationError
from odoo.tools import SQL

from ..tools import api_validation as check

# Rows of the change log per call: the default and the most.
CHANGES_LIMIT = 1000
MAX_CHANGES_LIMIT = 10000
# pg_snapshot as text: xmin:xmax:xip,xip,... (64-bit transaction ids).
SNAPSHOT_RE = re.compile(r"^(\d{1,19}):(\d{1,19}):((?:\d{1,19})(?:,\d{1,19})*)?$")
# Two snapshots with their in-progress lists: room for thousands of connections.
MAX_WATERMARK_SIZE = 65536
MAX_XID = 2**63 - 1
# The watermark of the very first call: no transaction is visible in it.
NOTHING_SEEN = "1:1:"
# Days the change log keeps superseded rows and deletions (compaction); a
# client whose watermark is older must start again from an empty watermark
# (ir.config_parameter overrides the number).
RETENTION_DAYS = 90
RETENTION_PARAM = "crm_extended.change_log_retention_days"
PRUNED_PARAM = "crm_extended.change_log_pruned_xid"
# The columns of a table whose change is not a change of the record.
STAMP_COLUMNS = ("write_date", "write_uid")


class CrmChangeLog(models.Model):
    _name = "crm.change.log"
    _description = "Change Log for Incremental Sync"
    # The table is created by init() with a transaction-id column the ORM has
    # no field type for; nobody reads it through the ORM (no access rights),
    # only crm_api_changes.
    _auto = False
    _log_access = False
    _order = "id"

    kind = fields.Char(readonly=True)
    res_id = fields.Integer(string="Record", readonly=True)
    company_id = fields.Many2one("res.company", readonly=True)
    deleted = fields.Boolean(readonly=True)

    # ------------------------------------------------------------
    # What is followed
    # ------------------------------------------------------------

    @api.model
    def _crm_change_sources(self):
        """Per kind of change the API returns: the ``table``; ``key``, the
        column of the id returned (the record, or the customer of a score);
        either ``company`` (the column of the record's company) or, for
        customers, ``company_columns`` (company-dependent jsonb columns: a
        change is logged for each company whose value changed) and ``columns``
        (plain columns that count, with the value meaning "nothing"). Without
        ``columns`` every column but the write stamps (and ``ignore``) counts."""
        return {
            "customers": {
                "table": "res_partner",
                "key": "id",
                "company_columns": ("crm_value_grade", "crm_lifecycle_stage", "crm_tier_id",
                                    "crm_credit_rating"),
                "columns": {
                    "crm_commercial_blacklist": "FALSE",
                    "crm_blacklist_reason": "NULL",
                    "crm_key_account": "NULL",
                    "crm_account_manager_id": "NULL",
                    "crm_external_ref": "NULL",
                },
            },
            "complaints": {"table": "crm_complaint", "key": "id", "company": "company_id"},
            "contracts": {"table": "crm_service_contract", "key": "id", "company": "company_id"},
        }

    # ------------------------------------------------------------
    # Table and triggers
    # ------------------------------------------------------------

    def init(self):
        cr = self.env.cr
        cr.execute(SQL(
            """
            CREATE TABLE IF NOT EXISTS crm_change_log (
                id bigserial PRIMARY KEY,
                xid xid8 NOT NULL DEFAULT pg_current_xact_id(),
                kind varchar NOT NULL,
                res_id int4 NOT NULL,
                company_id int4,
                deleted boolean NOT NULL DEFAULT FALSE
            );
            -- The start of the writing transaction: all rows of a transaction
            -- have the same, so pruning never splits one.
            ALTER TABLE crm_change_log ADD COLUMN IF NOT EXISTS logged_at timestamp NOT NULL
                DEFAULT (now() AT TIME ZONE 'UTC');
            CREATE INDEX IF NOT EXISTS crm_change_log_xid_id_index ON crm_change_log (xid, id);
            CREATE INDEX IF NOT EXISTS crm_change_log_xid_res_id_index
                ON crm_change_log (xid, res_id);
            CREATE INDEX IF NOT EXISTS crm_change_log_res_id_index
                ON crm_change_log (res_id, kind);
            """
        ))
        # Triggers go on the tables of other models: after every model of the
        # module has its table.
        self.pool.post_init(self._crm_change_install_triggers)

    @api.model
    def _crm_change_install_triggers(self):
        """(Re)create the triggers of every source. A source whose triggers are
        new (the module's install, or a module adding a source) logs its
        current records once, as if just created: the first call of a client
        returns everything there is."""
        cr = self.env.cr
        for kind, source in self._crm_change_sources().items():
            table = source["table"]
            cr.execute(SQL(
                "SELECT 1 FROM pg_trigger WHERE tgname = %s AND tgrelid = to_regclass(%s)",
                f"crm_change_log_{table}_ins", table,
            ))
            new = not cr.rowcount
            for operation, event, transition in (
                ("ins", "INSERT", "NEW TABLE AS crm_change_new"),
                ("upd", "UPDATE", "OLD TABLE AS crm_change_old NEW TABLE AS crm_change_new"),
                ("del", "DELETE", "OLD TABLE AS crm_change_old"),
            ):
                name = f"crm_change_log_{table}_{operation}"
                cr.execute(SQL(
                    """
                    CREATE OR REPLACE FUNCTION %(function)s() RETURNS trigger
                    LANGUAGE plpgsql AS $body$
                    BEGIN
                        %(insert)s;
                        RETURN NULL;
                    END
                    $body$;
                    DROP TRIGGER IF EXISTS %(trigger)s ON %(table)s;
                    CREATE TRIGGER %(trigger)s AFTER %(event)s ON %(table)s
                        REFERENCING %(transition)s
                        FOR EACH STATEMENT EXECUTE FUNCTION %(function)s();
                    """,
                    function=SQL.identifier(name),
                    trigger=SQL.identifier(name),
                    table=SQL.identifier(table),
                    event=SQL(event),
                    transition=SQL(transition),
                    insert=self._crm_change_insert(kind, source, operation),
                ))
            if new:
                cr.execute(self._crm_change_insert(
                    kind, source, "ins", new_rows=SQL.identifier(table)))

    @api.model
    def _crm_change_insert(self, kind, source, operation, new_rows=None):
        """The INSERT INTO crm_change_log of the changes of one statement:
        ``operation`` ins (rows in crm_change_new, or ``new_rows``), upd (old
        and new rows joined on id), del (rows in crm_change_old)."""
        if operation == "ins":
            rows = SQL("%s AS n", new_rows or SQL("crm_change_new"))
            key = SQL.identifier("n", source["key"])
        elif operation == "upd":
            rows = SQL("crm_change_new AS n JOIN crm_change_old AS o ON o.id = n.id")
            key = SQL.identifier("n", source["key"])
        else:
            rows = SQL("crm_change_old AS o")
            key = SQL.identifier("o", source["key"])
        deleted = SQL("TRUE") if operation == "del" else SQL("FALSE")
        if "company" in source:
            company = SQL.identifier("o" if operation == "del" else "n", source["company"])
            where = SQL("TRUE")
            if operation == "upd":
                ignored = SQL(" - ").join(
                    SQL("%s", name) for name in (*STAMP_COLUMNS, *source.get("ignore", ())))
                where = SQL("(to_jsonb(n) - %s) IS DISTINCT FROM (to_jsonb(o) - %s)",
                            ignored, ignored)
            return SQL(
                "INSERT INTO crm_change_log (kind, res_id, company_id, deleted) "
                "SELECT %s, %s, %s, %s FROM %s WHERE %s",
                kind, key, company, deleted, rows, where,
            )
        # Customers: one row per company whose company-dependent value changed,
        # and one without company (every company) when a plain column changed.

        def column(alias, name, empty):
            if alias is None:
                return SQL(empty)
            return SQL("COALESCE(%s, %s)", SQL.identifier(alias, name), SQL(empty))

        new = None if operation == "del" else "n"
        old = None if operation == "ins" else "o"
        plain = source["columns"]
        plain_changed = SQL(
            "ROW(%s) IS DISTINCT FROM ROW(%s)",
            SQL(", ").join(column(new, name, empty) for name, empty in plain.items()),
            SQL(", ").join(column(old, name, empty) for name, empty in plain.items()),
        )

        def jsonb(alias, name):
            return SQL("NULL::jsonb") if alias is None else SQL.identifier(alias, name)

        def value(alias, name):
            # A JSON null is no value, like a missing key.
            if alias is None:
                return SQL("NULL::jsonb")
            return SQL("NULLIF(%s -> k, 'null'::jsonb)", SQL.identifier(alias, name))

        dependent = source["company_columns"]
        # Cheap test first (most statements on res_partner touch none of these
        # columns); then one pass over the company keys of all the columns.
        changed = SQL("(%s OR ROW(%s) IS DISTINCT FROM ROW(%s))", plain_changed,
                      SQL(", ").join(jsonb(new, name) for name in dependent),
                      SQL(", ").join(jsonb(old, name) for name in dependent))
        keys = SQL(" || ").join(
            SQL("COALESCE(%s, '{}'::jsonb)", jsonb(alias, name))
            for name in dependent for alias in (new, old) if alias)
        companies = SQL(
            """SELECT NULL::int4 WHERE %(plain)s
               UNION ALL
               SELECT k::int4 FROM jsonb_object_keys(%(keys)s) AS keys(k)
                WHERE k ~ '^[0-9]{1,9}$' AND (%(differs)s)""",
            plain=plain_changed, keys=keys,
            differs=SQL(" OR ").join(
                SQL("%s IS DISTINCT FROM %s", value(new, name), value(old, name))
                for name in dependent),
        )
        return SQL(
            "INSERT INTO crm_change_log (kind, res_id, company_id, deleted) "
            "SELECT %s, %s, c.company_id, %s FROM %s, LATERAL (%s) AS c(company_id) WHERE %s",
            kind, key, deleted, rows, companies, changed,
        )

    @api.model
    def _cron_crm_prune_change_log(self):
        """Compact the log as Kafka compacts a topic: a row older than the
        retention goes when a later row of the same record follows it (that
        one carries the record's state), and so does a deletion older than
        the retention. The log keeps the latest change of every record, so an
        empty watermark still gives every record. A client whose watermark has
        not seen a pruned deletion would miss it: the newest one pruned is
        remembered, and such a watermark is refused."""
        days = int(self.env["ir.config_parameter"].sudo().get_param(
            RETENTION_PARAM, RETENTION_DAYS) or RETENTION_DAYS)
        rows = self.env.execute_query(SQL(
            """WITH gone AS (
                   DELETE FROM crm_change_log l
                    WHERE l.logged_at < (now() AT TIME ZONE 'UTC') - make_interval(days => %s)
                      AND (l.deleted OR EXISTS (
                          SELECT 1 FROM crm_change_log later
                           WHERE later.res_id = l.res_id AND later.kind = l.kind
                             AND later.company_id IS NOT DISTINCT FROM l.company_id
                             AND (later.xid, later.id) > (l.xid, l.id)))
                RETURNING l.xid, l.deleted)
               SELECT max(xid) FILTER (WHERE deleted)::text, count(*) FROM gone""",
            max(days, 1)))
        newest_deletion, count = rows[0]
        if newest_deletion:
            Param = self.env["ir.config_parameter"].sudo()
            previous = int(Param.get_param(PRUNED_PARAM, 0) or 0)
            Param.set_param(PRUNED_PARAM, str(max(previous, int(newest_deletion))))
        return count

    @api.model
    def _crm_change_uninstall(self):
        """Drop the triggers and their functions (the tables of other modules
        keep them otherwise, and would fail on the dropped log table)."""
        cr = self.env.cr
        for source in self._crm_change_sources().values():
            table = source["table"]
            for operation in ("ins", "upd", "del"):
                name = f"crm_change_log_{table}_{operation}"
                cr.execute(SQL("SELECT to_regclass(%s) IS NOT NULL", table))
                if cr.fetchone()[0]:
                    cr.execute(SQL("DROP TRIGGER IF EXISTS %s ON %s",
                                   SQL.identifier(name), SQL.identifier(table)))
                cr.execute(SQL("DROP FUNCTION IF EXISTS %s()", SQL.identifier(name)))

    # ------------------------------------------------------------
    # API
    # ------------------------------------------------------------

    @api.model
    def crm_api_changes(self, since=False, models=None, limit=CHANGES_LIMIT, companies=None):
        """What changed since the watermark ``since``, for data warehouses and
        other systems that keep a copy.

        ``since``: the ``watermark`` of the previous answer (empty: from the
        start, i.e. every record once and what changed since); ``models``: the
        kinds of change wanted, a list of ``customers`` (classification: grade,
        stage, tier, credit rating, blacklist, key account, account manager,
        external reference), ``scores``, ``complaints``, ``contracts`` (default
        all); ``limit``: change-log rows per call (1 to 10,000, default 1,000);
        ``companies``: ids or names of the caller's companies (default the
        current company). Keep the same ``models`` and ``companies`` from one
        call to the next.

        Returns ``{"changes": {kind: [record, ...]}, "deleted": {kind: [id, ...]},
        "watermark": "...", "more": bool}``: each changed record once, as it is
        now (the current state, not the history), with ``company_id``;
        ``deleted`` the ids of deleted records (for scores: the customers whose
        score was removed). Store ``watermark`` and pass it as ``since`` next
        time; with ``more`` call again at once. No change is returned twice
        nor missed, even while other transactions write: a change shows once
        its transaction has committed. Only the records the caller may read
        are returned. Integration users and CRM managers only."""
        if not self.env.su and not (
            self.env.user.has_group("crm_extended.group_crm_extended_integration")
            or self.env.user.has_group("crm_extended.group_crm_extended_manager")
        ):
            raise AccessError(self.env._("Only integration users and CRM managers may read the changes."))
        sources = self._crm_change_sources()
        kinds = list(sources)
        if models is not None:
            kinds = check.text_list(self.env, models, "models")
            unknown = sorted(set(kinds) - set(sources))
            if unknown or not kinds:
                raise ValidationError(self.env._(
                    "models must be a list of: %(kinds)s.", kinds=", ".join(sources)))
        kinds = [kind for kind in sources if kind in kinds]
        limit = check.integer(self.env, limit, "limit", minimum=1, maximum=MAX_CHANGES_LIMIT)
        scope = self.env.company
        if companies is not None:
            scope = self.env["res.company"]
            for value in check.listing(self.env, companies, "companies", max_items=100,
                                       allow_none=False):
                scope |= check.user_company(self.env, value, "companies")
            if not scope:
                raise ValidationError(self.env._("companies must name at least one company."))
        for kind in kinds:
            self.env[self._crm_change_model(kind)].check_access("read")
        seen, until, cursor = self._crm_change_watermark(since)
        return self._crm_changes(kinds, limit, scope, seen, until, cursor)

    @api.model
    def _crm_changes(self, kinds, limit, scope, seen, until, cursor=("0", 0)):
        """The answer of crm_api_changes between the snapshots ``seen`` and
        ``until`` (pg_snapshot texts), after the row ``cursor`` (xid, id)."""
        pruned = self.env["ir.config_parameter"].sudo().get_param(PRUNED_PARAM)
        if pruned and seen != NOTHING_SEEN and not self.env.execute_query(SQL(
                "SELECT pg_visible_in_snapshot(%s::xid8, %s::pg_snapshot)", pruned, seen))[0][0]:
            raise ValidationError(self.env._(
                "This watermark is older than the change log keeps deletions (%(days)s days): "
                "start again from an empty watermark (every record once).",
                days=self.env["ir.config_parameter"].sudo().get_param(
                    RETENTION_PARAM, RETENTION_DAYS)))
        rows = self.env.execute_query(SQL(
            """
            SELECT l.id, l.xid::text, l.kind, l.res_id, l.company_id, l.deleted
              FROM crm_change_log l
             WHERE l.xid >= pg_snapshot_xmin(%(seen)s::pg_snapshot)
               AND NOT pg_visible_in_snapshot(l.xid, %(seen)s::pg_snapshot)
               AND pg_visible_in_snapshot(l.xid, %(until)s::pg_snapshot)
               AND (l.xid, l.id) > (%(cursor_xid)s::xid8, %(cursor_id)s)
               AND l.kind = ANY(%(kinds)s)
               AND (l.company_id IS NULL OR l.company_id = ANY(%(companies)s))
               -- A record changed by several statements of one transaction:
               -- its last row only, so that pages never split it.
               AND NOT EXISTS (
                   SELECT 1 FROM crm_change_log later
                    WHERE later.xid = l.xid AND later.res_id = l.res_id
                      AND later.kind = l.kind AND later.id > l.id
                      AND later.company_id IS NOT DISTINCT FROM l.company_id)
             ORDER BY l.xid, l.id
             LIMIT %(limit)s
            """,
            seen=seen, until=until, cursor_xid=cursor[0], cursor_id=cursor[1],
            kinds=kinds, companies=scope.ids, limit=limit + 1,
        ))
        more = len(rows) > limit
        rows = rows[:limit]
        if more:
            last = rows[-1]
            watermark = f"{seen}/{until}/{last[1]}/{last[0]}"
        else:
            watermark = until
        # The last row of a record in this page says whether it is deleted.
        latest = {}
        for _id, _xid, kind, res_id, company_id, deleted in rows:
            latest[kind, res_id, company_id] = deleted
        changed = {kind: {} for kind in kinds}
        deleted = {kind: set() for kind in kinds}
        for (kind, res_id, company_id), is_deleted in latest.items():
            targets = [company_id] if company_id else scope.ids
            if is_deleted:
                deleted[kind].add(res_id)
            else:
                for target in targets:
                    changed[kind].setdefault(target, set()).add(res_id)
        changes = {}
        for kind in kinds:
            records = []
            for company_id, ids in sorted(changed[kind].items()):
                records += self._crm_change_read(kind, sorted(ids),
                                                 self.env["res.company"].browse(company_id))
            changes[kind] = records
        return {
            "changes": changes,
            "deleted": {kind: sorted(ids) for kind, ids in deleted.items()},
            "watermark": watermark,
            "more": more,
        }

    @api.model
    def _crm_change_model(self, kind):
        return {"customers": "res.partner", "complaints": "crm.complaint",
                "contracts": "crm.service.contract"}[kind]

    @api.model
    def _crm_change_watermark(self, since):
        """(seen, until, (xid, id)) from a watermark: the snapshot whose
        changes the client has, the snapshot to read up to (the current one,
        or the one a paged answer started), the last row returned of a paged
        answer."""
        if since in (None, False, ""):
            since = NOTHING_SEEN
        if not isinstance(since, str):
            raise ValidationError(self.env._("since must be the watermark text of a previous answer."))
        check.check_text(self.env, since, "since", size=MAX_WATERMARK_SIZE)
        parts = since.split("/")
        if len(parts) not in (1, 4):
            raise ValidationError(self.env._("since %(value)s is not a watermark of crm_api_changes.",
                                    value=check._shown(since)))
        current = self.env.execute_query(SQL("SELECT pg_current_snapshot()::text"))[0][0]
        snapshots = [self._crm_change_snapshot(part, since, current) for part in parts[:2]]
        if len(parts) == 1:
            return snapshots[0], current, ("0", 0)
        cursor_xid, cursor_id = parts[2], parts[3]
        if (not cursor_xid.isdigit() or not cursor_id.isdigit() or len(cursor_xid) > 19
                or len(cursor_id) > 19 or int(cursor_xid) > MAX_XID or int(cursor_id) > MAX_XID):
            raise ValidationError(self.env._("since %(value)s is not a watermark of crm_api_changes.",
                                    value=check._shown(since)))
        return snapshots[0], snapshots[1], (cursor_xid, int(cursor_id))

    @api.model
    def _crm_change_snapshot(self, text, since, current):
        """A pg_snapshot text checked as PostgreSQL would (xmin <= xip < xmax,
        ascending) and not later than the current snapshot (a watermark of
        another database, or made up, would hide changes)."""
        match = SNAPSHOT_RE.match(text)
        invalid = ValidationError(self.env._(
            "since %(value)s is not a watermark of crm_api_changes.", value=check._shown(since)))
        if not match:
            raise invalid
        xmin, xmax = int(match[1]), int(match[2])
        xip = [int(x) for x in match[3].split(",")] if match[3] else []
        if (xmax > MAX_XID or not 1 <= xmin <= xmax or xip != sorted(set(xip))
                or any(not xmin <= x < xmax for x in xip)):
            raise invalid
        if xmax > int(current.split(":")[1]):
            raise ValidationError(self.env._(
                "since %(value)s is later than this database's transactions: a watermark of "
                "another database?", value=check._shown(since)))
        return text

    @api.model
    def _crm_change_read(self, kind, ids, company):
        """The records ``ids`` of ``kind`` as the API returns them, in
        ``company``; the ones the user may not read are left out."""
        if kind == "customers":
            summary = self.env["res.partner"].with_company(company).crm_api_customer_summary(
                partner_ids=ids, keys=list(CUSTOMER_KEYS))
            # A contact's id gives its company in the summary: only the ids asked.
            wanted = set(ids)
            return [dict(customer, company_id=company.id) for customer in summary["customers"]
                    if customer["id"] in wanted]
        if kind == "complaints":
            return self._crm_change_search_read("crm.complaint", ids, company, COMPLAINT_FIELDS)
        return self._crm_change_search_read("crm.service.contract", ids, company,
                                            CONTRACT_FIELDS)

    @api.model
    def _crm_change_search_read(self, model, ids, company, field_names):
        records = self.env[model].with_context(
            active_test=False, allowed_company_ids=[company.id]).search_read(
            [("id", "in", ids), ("company_id", "=", company.id)], list(field_names), order="id")
        for record in records:
            for name, value in record.items():
                # A many2one as its id: the name is for people, the id for sync.
                if isinstance(value, tuple | list) and len(value) == 2:
                    record[name] = value[0]
        return records


# What a changed customer carries: its classification (summary keys).
CUSTOMER_KEYS = (
    "external_ref", "name", "value_grade", "lifecycle_stage", "tier", "credit_rating",
    "blacklisted", "blacklist_reason", "key_account", "account_manager", "classified_at",
)
COMPLAINT_FIELDS = (
    "code", "name", "partner_id", "commercial_partner_id", "complaint_type", "channel",
    "priority", "category_id", "stage_id", "team_id", "user_id", "sla_status",
    "is_closed", "resolved_date", "closed_date", "sale_order_id", "product_id",
    "create_date", "write_date", "company_id", "active",
)
CONTRACT_FIELDS = (
    "name", "partner_id", "user_id", "state", "date_start", "date_end", "fee_amount",
    "included_cases", "included_visits", "included_hours", "previous_contract_id",
    "create_date", "write_date", "company_id",
)
