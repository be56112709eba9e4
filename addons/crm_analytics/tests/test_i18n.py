from odoo.tests import TransactionCase, tagged

from odoo.addons.crm_extended.tests.i18n_check import assert_module_translated


@tagged("post_install", "-at_install")
class TestTranslations(TransactionCase):
    def test_zh_cn_covers_every_term(self):
        assert_module_translated(self, "crm_analytics")
