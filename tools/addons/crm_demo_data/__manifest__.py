{
    "name": "CRM Demo Data (development only)",
    "summary": "The demo and benchmark data generator of tools/dev.py: never shipped, "
    "never installed on a production database",
    "version": "19.0.1.0.0",
    "category": "Hidden",
    "license": "LGPL-3",
    "author": "CRM Extended contributors",
    "website": "https://example.invalid/crm-extended",
    "depends": ["crm_extended", "crm_analytics"],
    "external_dependencies": {"python": ["numpy"]},
}
