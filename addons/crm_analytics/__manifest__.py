{
    "name": "CRM Analytics: Customer Value Scoring, Segments and Reports",
    "summary": "Analytical CRM on top of CRM Extended: classification reports, "
    "value scoring, segments and dashboards",
    "version": "19.0.1.0.0",
    "category": "Sales/CRM",
    "license": "LGPL-3",
    "author": "CRM Extended contributors",
    "website": "https://example.invalid/crm-extended",
    "depends": ["crm_extended"],
    "data": [
        "security/crm_analytics_groups.xml",
        "security/ir.model.access.csv",
        "security/crm_analytics_security.xml",
        "data/ir_cron_data.xml",
        "report/crm_classification_report_views.xml",
        "report/crm_cohort_report_views.xml",
        "report/crm_contract_report_views.xml",
        "views/crm_cross_sell_rule_views.xml",
        "views/res_config_settings_views.xml",
        "wizard/crm_cross_sell_segment_views.xml",
        "views/crm_analytics_menus.xml",
    ],
    "assets": {
        "web.assets_tests": [
            "crm_analytics/static/tests/tours/**/*",
        ],
    },
    "installable": True,
    "application": False,
}
