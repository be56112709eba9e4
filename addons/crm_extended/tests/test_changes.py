from odoo.exceptions import AccessError, ValidationError
from odoo.tests import new_test_user, tagged, users
from odoo.tools import SQL

from .common import CrmExtendedCase


@tagged("post_install", "-at_install")
class TestChanges(CrmExtendedCase):
    """The change log behind crm_api_changes: what the triggers record (ORM,
    the classification's SQL fast path, deletions), and the snapshot
    arithmetic of the watermark.

    A test runs in one transaction, which a real call never sees before it
    commits; the tests therefore read between explicit snapshots around the
    test's own transaction id X: "X:X+1:X" (X still running), "X+1:X+1:" (X
    committed). The live test tests/test_changes_live.py checks the same with
    real concurrent transactions."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company_b = cls.env["res.company"].create({"name": "Sync Company B"})
        cls.integration = new_test_user(
            cls.env, login="crm_sync", name="Warehouse Sync",
            groups="crm_extended.group_crm_extended_integration",
            company_id=cls.company.id, company_ids=[cls.company.id],
        )
        cls.Log = cls.env["crm.change.log"]

    def _xid(self):
        return int(self.env.execute_query(SQL("SELECT pg_current_xact_id()::text"))[0][0])

    def _logged(self, kind=None):
        """(kind, res_id, company_id, deleted) logged by this transaction."""
        return self.env.execute_query(SQL(
            """SELECT kind, res_id, company_id, deleted FROM crm_change_log
                WHERE xid = pg_current_xact_id() AND (%s IS NULL OR kind = %s) ORDER BY id""",
            kind, kind))

    def _changes(self, log=None, kinds=("customers", "complaints", "contracts"), limit=1000,
                 companies=None, running=False, cursor=("0", 0)):
        """What a call would answer once this transaction is committed (or
        while it still runs, with ``running``)."""
        xid = self._xid()
        until = f"{xid}:{xid + 1}:{xid}" if running else f"{xid + 1}:{xid + 1}:"
        log = log or self.Log
        scope = companies or log.env.company
        return log._crm_changes(list(kinds), limit, scope, "1:1:", until, cursor)

    # ------------------------------------------------------------------
    # What the triggers record
    # ------------------------------------------------------------------

    def test_classification_fast_path_is_logged_per_company(self):
        """crm_recompute_classification writes grades and stages with one SQL
        UPDATE of jsonb values: the trigger logs each customer once, for the
        company whose values changed, and nothing when a rerun changes
        nothing."""
        big = self._crm_customer("Big Buyer")
        small = self._crm_customer("Small Buyer")
        self._crm_orders(big, [(20, 9000.0), (50, 8000.0)])
        self._crm_order(small, 100.0, days_ago=30)
        self._crm_recompute()
        logged = self._logged("customers")
        for partner in (big, small):
            self.assertIn(("customers", partner.id, self.company.id, False), logged)
            self.assertNotIn(("customers", partner.id, self.company_b.id, False), logged)
        self.env.execute_query(SQL("DELETE FROM crm_change_log WHERE xid = pg_current_xact_id()"))
        self._crm_recompute()
        self.assertFalse(self._logged("customers"), "a rerun changing nothing logs nothing")
        # A plain column (the blacklist) is every company's change.
        big.with_user(self.manager).write({"crm_commercial_blacklist": True,
                                           "crm_blacklist_reason": "Unpaid"})
        self.env.flush_all()
        self.assertEqual(self._logged("customers"), [("customers", big.id, None, False)])

    def test_other_partner_writes_are_not_logged(self):
        partner = self._crm_customer("Quiet Customer")
        self.env.flush_all()
        self.env.execute_query(SQL("DELETE FROM crm_change_log WHERE xid = pg_current_xact_id()"))
        partner.write({"phone": "+1 555 0100", "comment": "<p>Called</p>"})
        self.env.flush_all()
        self.assertFalse(self._logged("customers"))

    def test_complaint_and_contract_create_write_delete(self):
        complaint = self.env["crm.complaint"].create({"name": "Broken lid",
                                                      "partner_id": self._crm_customer("C1").id})
        contract = self.env["crm.service.contract"].create({
            "name": "Care plan", "partner_id": complaint.partner_id.id})
        self.env.flush_all()
        complaint.priority = "2"
        self.env.flush_all()
        contract.unlink()
        logged = self._logged()
        self.assertIn(("complaints", complaint.id, self.company.id, False), logged)
        self.assertIn(("contracts", contract.id, self.company.id, True), logged)
        answer = self._changes()
        self.assertEqual([c["id"] for c in answer["changes"]["complaints"]], [complaint.id])
        self.assertEqual(answer["changes"]["complaints"][0]["priority"], "2")
        self.assertEqual(answer["changes"]["contracts"], [])
        self.assertEqual(answer["deleted"]["contracts"], [contract.id])

    # ------------------------------------------------------------------
    # The watermark
    # ------------------------------------------------------------------

    def test_running_transaction_comes_later_exactly_once(self):
        """A change of a transaction running at the time of a call is not in
        its answer; the next call (from the first one's watermark) has it; a
        third has nothing."""
        complaint = self.env["crm.complaint"].create({"name": "Late commit"})
        self.env.flush_all()
        xid = self._xid()
        running = f"{xid}:{xid + 1}:{xid}"
        committed = f"{xid + 1}:{xid + 1}:"
        first = self.Log._crm_changes(["complaints"], 1000, self.company, "1:1:", running)
        self.assertEqual(first["changes"]["complaints"], [])
        self.assertEqual(first["watermark"], running)
        second = self.Log._crm_changes(["complaints"], 1000, self.company, running, committed)
        self.assertEqual([c["id"] for c in second["changes"]["complaints"]], [complaint.id])
        third = self.Log._crm_changes(["complaints"], 1000, self.company, committed, committed)
        self.assertEqual(third["changes"]["complaints"], [])

    def test_pages_return_each_change_once(self):
        complaints = self.env["crm.complaint"].create([{"name": f"Page {n}"} for n in range(5)])
        self.env.flush_all()
        xid = self._xid()
        seen, ids = "1:1:", []
        answer = {"more": True, "watermark": ""}
        cursor, until = ("0", 0), f"{xid + 1}:{xid + 1}:"
        while answer["more"]:
            answer = self.Log._crm_changes(["complaints"], 2, self.company, seen, until, cursor)
            ids += [c["id"] for c in answer["changes"]["complaints"]]
            if answer["more"]:
                seen_, until_, cursor_xid, cursor_id = answer["watermark"].split("/")
                self.assertEqual((seen_, until_), (seen, until))
                cursor = (cursor_xid, int(cursor_id))
        self.assertEqual(sorted(ids), complaints.ids)
        self.assertEqual(answer["watermark"], until)

    def test_first_call_gives_a_watermark_of_now(self):
        answer = self.Log.crm_api_changes()
        current = self.env.execute_query(SQL("SELECT pg_current_snapshot()::text"))[0][0]
        self.assertEqual(answer["watermark"], current)
        self.assertEqual(set(answer["changes"]), {"customers", "complaints", "contracts"}
                         | ({"scores"} if "crm.customer.score" in self.env else set()))
        again = self.Log.crm_api_changes(since=answer["watermark"])
        self.assertFalse(any(again["changes"].values()))

    # ------------------------------------------------------------------
    # Access and companies
    # ------------------------------------------------------------------

    def test_rules_and_companies(self):
        """The integration user sees the complaints of its company only; a
        user of neither group may not call; a company not the caller's is
        refused."""
        mine = self.env["crm.complaint"].create({"name": "Mine"})
        theirs = self.env["crm.complaint"].with_company(self.company_b).create(
            {"name": "Theirs", "company_id": self.company_b.id, "team_id": False})
        self.env.flush_all()
        log = self.Log.with_user(self.integration)
        answer = self._changes(log=log, kinds=["complaints"])
        self.assertEqual([c["id"] for c in answer["changes"]["complaints"]], [mine.id])
        self.assertNotIn(theirs.id, answer["deleted"]["complaints"])
        with self.assertRaises(ValidationError):
            log.crm_api_changes(companies=[self.company_b.id])
        with self.assertRaises(AccessError):
            self.Log.with_user(self.salesman).crm_api_changes()

    def test_manager_reads_customer_classification(self):
        customer = self._crm_customer("Graded")
        customer.with_user(self.manager).write({"crm_value_grade": "a"})
        self.env.flush_all()
        answer = self._changes(log=self.Log.with_user(self.manager), kinds=["customers"])
        self.assertEqual(answer["changes"]["customers"], [dict(
            answer["changes"]["customers"][0], id=customer.id, value_grade="a",
            company_id=self.company.id)])

    @users("crm_sync")
    def test_bad_arguments_are_refused(self):
        Log = self.env["crm.change.log"]
        current = self.env.execute_query(SQL("SELECT pg_current_snapshot()::text"))[0][0]
        xmax = int(current.split(":")[1])
        for since in (
            "nonsense", "1:2:3", "5:3:", "1:10:4,3", "1:10:12", f"1:{xmax + 100}:",
            "1:1:/1:1:/x/1", "1:1:\x00", "9" * 30 + ":1:", 12, 1.5, float("nan"), ["1:1:"],
            "a" * 70000, "1:1:/1:1:/1", f"1:1:/1:1:/{2**64}/1",
        ):
            with self.subTest(since=since), self.assertRaises(ValidationError):
                Log.crm_api_changes(since=since)
        for kwargs in (
            {"models": ["orders"]}, {"models": "customers"}, {"models": []},
            {"models": ["customers\x00"]}, {"limit": 0}, {"limit": -1}, {"limit": 10001},
            {"limit": float("inf")}, {"limit": True}, {"limit": "10"},
            {"companies": [2**40]}, {"companies": "x"}, {"companies": [float("nan")]},
        ):
            with self.subTest(**kwargs), self.assertRaises(ValidationError):
                Log.crm_api_changes(**kwargs)

    def test_nothing_written_by_a_call(self):
        self.env["crm.complaint"].create({"name": "Read only"})
        self.env.flush_all()
        before = self.env.execute_query(SQL("SELECT count(*) FROM crm_change_log"))[0][0]
        self.Log.with_user(self.integration).crm_api_changes(limit=5)
        after = self.env.execute_query(SQL("SELECT count(*) FROM crm_change_log"))[0][0]
        self.assertEqual(before, after)

    def test_deleted_customer(self):
        customer = self._crm_customer("Gone", crm_key_account="potential")
        self.env.flush_all()
        customer.unlink()
        self.assertEqual(self._logged("customers")[-1], ("customers", customer.id, None, True))
        answer = self._changes(kinds=["customers"])
        self.assertEqual(answer["deleted"]["customers"], [customer.id])
        self.assertEqual(answer["changes"]["customers"], [])

    def test_reinstalling_triggers_logs_nothing(self):
        """An upgrade re-creates the triggers; only new ones log the current
        records (once, at install)."""
        before = self.env.execute_query(SQL("SELECT count(*) FROM crm_change_log"))[0][0]
        self.Log._crm_change_install_triggers()
        after = self.env.execute_query(SQL("SELECT count(*) FROM crm_change_log"))[0][0]
        self.assertEqual(before, after)

    def test_compaction_keeps_every_record_and_refuses_lost_deletions(self):
        """Pruning keeps the latest row of each record (an empty watermark
        still gives everything) and drops old deletions; a watermark that had
        not seen a dropped deletion is refused, a later one is not."""
        kept, gone = self.env["crm.complaint"].create([{"name": "Kept"}, {"name": "Gone"}])
        self.env.flush_all()
        kept.priority = "1"
        self.env.flush_all()
        gone.unlink()
        self.env.execute_query(SQL(
            "UPDATE crm_change_log SET logged_at = logged_at - interval '200 days' "
            "WHERE xid = pg_current_xact_id()"))
        self.assertGreater(self.Log._cron_crm_prune_change_log(), 0)
        self.assertEqual(self._logged("complaints"), [("complaints", kept.id, self.company.id,
                                                        False)])
        xid = self._xid()
        committed = f"{xid + 1}:{xid + 1}:"
        answer = self.Log._crm_changes(["complaints"], 1000, self.company, "1:1:", committed)
        self.assertEqual([c["id"] for c in answer["changes"]["complaints"]], [kept.id])
        with self.assertRaises(ValidationError):
            self.Log._crm_changes(["complaints"], 1000, self.company, f"{xid}:{xid + 1}:{xid}",
                                  committed)
        self.Log._crm_changes(["complaints"], 1000, self.company, committed, committed)
