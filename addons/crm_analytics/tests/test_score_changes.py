from odoo.tests import new_test_user, tagged
from odoo.tools import SQL

from odoo.addons.crm_extended.tests.common import CrmExtendedCase


@tagged("post_install", "-at_install")
class TestScoreChanges(CrmExtendedCase):
    """Scores in crm_api_changes: the scoring's bulk SQL write (COPY, UPDATE,
    INSERT, DELETE) is logged per customer; a rerun that changes no score
    logs nothing (the run time is no change)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Score = cls.env["crm.customer.score"]
        cls.integration = new_test_user(
            cls.env, login="crm_sync_scores", name="Scores Sync",
            groups="crm_extended.group_crm_extended_integration",
            company_id=cls.company.id, company_ids=[cls.company.id],
        )
        cls.loyal = cls._crm_customer("Score Sync Loyal", crm_external_ref="SYNC-1")
        cls.once = cls._crm_customer("Score Sync Once")
        cls._crm_orders(cls.loyal, [(300, 100.0), (200, 150.0), (30, 120.0)])
        cls._crm_orders(cls.once, [(90, 80.0)])

    def _logged(self):
        return self.env.execute_query(SQL(
            "SELECT res_id, company_id, deleted FROM crm_change_log "
            "WHERE xid = pg_current_xact_id() AND kind = 'scores' ORDER BY id"))

    def _forget(self):
        self.env.execute_query(SQL("DELETE FROM crm_change_log WHERE xid = pg_current_xact_id()"))

    def test_scoring_run_is_logged_once_per_customer(self):
        self.Score._crm_score_company(self.company)
        logged = self._logged()
        self.assertIn((self.loyal.id, self.company.id, False), logged)
        self.assertIn((self.once.id, self.company.id, False), logged)
        self._forget()
        self.Score._crm_score_company(self.company)
        self.assertEqual(self._logged(), [], "a rerun with the same scores logs nothing")
        self._forget()
        self.Score.search([("partner_id", "=", self.once.id)]).unlink()
        self.assertEqual(self._logged(), [(self.once.id, self.company.id, True)])

    def test_changes_carry_the_score_as_the_api_reads_it(self):
        self.Score._crm_score_company(self.company)
        xid = int(self.env.execute_query(SQL("SELECT pg_current_xact_id()::text"))[0][0])
        log = self.env["crm.change.log"].with_user(self.integration)
        answer = log._crm_changes(["scores"], 1000, self.company, "1:1:",
                                  f"{xid + 1}:{xid + 1}:")
        scores = {row["partner_id"]: row for row in answer["changes"]["scores"]}
        stored = self.Score.search([("partner_id", "=", self.loyal.id),
                                    ("company_id", "=", self.company.id)])
        self.assertEqual(scores[self.loyal.id]["external_ref"], "SYNC-1")
        self.assertEqual(scores[self.loyal.id]["company_id"], self.company.id)
        self.assertAlmostEqual(scores[self.loyal.id]["value_score"], stored.value_score)
        self.assertAlmostEqual(scores[self.loyal.id]["p_alive"], stored.p_alive, places=6)
