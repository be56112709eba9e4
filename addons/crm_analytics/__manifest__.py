{
    "name": "CRM Analytics: Customer Value Scoring, Segments and Reports",
    "summary": "Analytical CRM on top of CRM Extended: classification reports, "
    "value scoring, segments and dashboards",
    "version": "19.0.1.0.0",
    "category": "Sales/CRM",
    "license": "LGPL-3",
    "author": "CRM Extended contributors",
    "website": "https://example.invalid/crm-extended",
    "depends": ["crm_extended", "sale_margin", "spreadsheet_dashboard"],
    "external_dependencies": {"python": ["numpy", "scipy"]},
    "data": [
        "security/crm_analytics_groups.xml",
        "security/ir.model.access.csv",
        "security/crm_analytics_security.xml",
        "security/crm_customer_score_security.xml",
        "data/ir_cron_data.xml",
        "views/crm_customer_score_views.xml",
        "views/crm_score_config_views.xml",
        "views/res_partner_views.xml",
        "report/crm_classification_report_views.xml",
        "report/crm_cohort_report_views.xml",
        "report/crm_contract_report_views.xml",
        "views/crm_cross_sell_rule_views.xml",
        "views/res_config_settings_views.xml",
        "wizard/crm_cross_sell_segment_views.xml",
        "views/crm_analytics_menus.xml",
        # After the menus: a click on a dashboard key figure opens one of them.
        "data/spreadsheet_dashboard_data.xml",
    ],
    "assets": {
        "web.assets_tests": [
            "crm_analytics/static/tests/tours/**/*",
        ],
    },
    "installable": True,
    "application": False,
}
