from odoo.tests import TransactionCase, tagged

from .complaint_common import CrmComplaintCase
from .i18n_check import assert_module_translated


@tagged("post_install", "-at_install")
class TestTranslations(TransactionCase):
    def test_zh_cn_covers_every_term(self):
        assert_module_translated(self, "crm_extended")


@tagged("post_install", "-at_install")
class TestTranslatedRecordsAndMessages(CrmComplaintCase):
    """zh_CN users read the shipped records and the messages made in code in
    their own language (issue 16)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env["res.lang"]._activate_lang("zh_CN")
        cls.env["ir.module.module"]._load_module_terms(["crm_extended"], ["zh_CN"], overwrite=True)

    def test_complaint_stage_new_is_not_new_customer(self):
        zh = self.env(context=dict(self.env.context, lang="zh_CN"))
        self.assertEqual(zh.ref("crm_extended.crm_complaint_stage_new").name, "新建")
        stages = dict(zh["res.partner"]._fields["crm_lifecycle_stage"]._description_selection(zh))
        self.assertEqual(stages["new"], "新客户")
        self.assertEqual(
            zh.ref("crm_extended.crm_complaint_team_customer_service").name, "客户服务")

    def test_escalation_in_the_language_of_its_reader(self):
        self.leader.lang = "zh_CN"
        complaint = self._complaint()
        complaint.with_context(crm_complaint_sla_system=True).write(
            {"first_response_deadline": "2020-01-01 10:00:00",
             "resolution_deadline": "2020-01-02 10:00:00"})
        self.env["crm.complaint"]._cron_escalate()
        activity = complaint.activity_ids.filtered(lambda a: a.user_id == self.leader)
        self.assertEqual(activity.summary, "服务级别超时：已升级至团队负责人")

    def test_classification_rules_in_the_reader_language(self):
        """The recompute runs in English (a scheduled job); a zh_CN user reads
        the rules of the history in Chinese, an English one in English."""
        customer = self._crm_customer("Lang Buyer")
        self._crm_order(customer, 500.0, days_ago=3)
        stage = customer.crm_classification_history_ids.filtered(
            lambda h: h.classification == "lifecycle_stage")
        self.assertIn("New: first order", stage.with_context(lang="en_US").rule)
        in_chinese = stage.with_context(lang="zh_CN").rule
        self.assertTrue(in_chinese)
        self.assertNotIn("first order", in_chinese)
        self.assertEqual(stage.with_context(lang="zh_CN").new_label, "新客户")
