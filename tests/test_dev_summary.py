"""The test command's closing line counts each test once, from the runners'
own reports (tools/dev.py, whose commands are tools/cli.py)."""

from tools import cli as dev

ODOO_LOG = """\
2026-12-07 02:57:21,369 19072 INFO db odoo.service.server: 7 post-tests in 126.12s, 19838 queries
2026-12-07 02:57:21,369 19072 INFO db odoo.tests.stats: crm_extended: 9 tests 126.11s 19838 queries
2026-12-07 02:57:21,369 19072 INFO db odoo.tests.stats: crm_analytics: 4 tests 1.11s 838 queries
2026-12-07 02:57:21,369 19072 ERROR db odoo.tests.result: 3 failed, 2 error(s) of 291 tests \
when loading database 'db'
"""


def test_odoo_counts_come_from_the_runner_report_not_the_statistics():
    run, failed, skipped, errors = dev.odoo_test_summary(ODOO_LOG)
    # The statistics (9 + 4) also count setUpClass: only the report counts tests.
    assert (run, failed, skipped) == (291, 5, [])
    assert len(errors) == 1


def test_failing_subtests_count_as_one_failed_test():
    log = "".join(
        f"2026-12-07 04:16:13,507 3838 ERROR db odoo.addons.crm_analytics.tests.test_access_matrix: "
        f"FAIL: Subtest TestAccessMatrix.test_record_scopes (model='crm.complaint', role='{role}')\n"
        for role in ("sales_own", "sales_all", "crm_user", "analytics")
    ) + ("2026-12-07 04:16:14,000 3838 ERROR db odoo.tests.suite: ERROR: tearDownClass "
         "(odoo.addons.crm_extended.tests.test_ui_tour.TestCrmExtendedTours)\n"
         "2026-12-07 04:17:55,949 3838 ERROR db odoo.tests.result: 4 failed, 1 error(s) of 350 "
         "tests when loading database 'db'\n")
    run, failed, _skipped, _errors = dev.odoo_test_summary(log)
    assert (run, failed) == (350, 2)


def test_pytest_error_counts_once():
    # "errors" used to match both "error" and "errors": 373 errors counted twice.
    counts = dev.pytest_summary("E...\n=== 402 passed, 373 errors in 51.20s ===\n")
    assert (counts["passed"], counts["error"], counts["failed"]) == (402, 373, 0)
    counts = dev.pytest_summary("..F\n1 failed, 2 passed, 1 error, 3 skipped in 2.00s\n")
    assert (counts["passed"], counts["failed"], counts["error"], counts["skipped"]) == (2, 1, 1, 3)


def test_pytest_closing_line_is_the_last_summary():
    text = "tests/test_x.py::test_passed_in_name PASSED\n5 passed, 1 deselected in 0.50s\n"
    assert dev.pytest_summary(text)["passed"] == 5
    assert dev.pytest_summary("no tests ran in 0.01s\n")["passed"] == 0
