"""Report data shared by the browser tests (tours, clickbot)."""


def create_report_customers(env, prefix, champion_from=False, salesman=None):
    """Two customers with a grade, a score, a lifecycle move and (for the
    sleeper) a complaint, so every analytics report has rows to show.

    :return: (champion, sleeper)"""
    company = env.ref("base.main_company")
    champion, sleeper = env["res.partner"].create([
        {"name": f"{prefix} Champion", "is_company": True,
         "user_id": salesman.id if salesman else False},
        {"name": f"{prefix} Sleeper", "is_company": True},
    ])
    champion.with_company(company).crm_value_grade = "a"
    sleeper.with_company(company).crm_value_grade = "c"
    env["crm.customer.score"].create([
        {"partner_id": champion.id, "company_id": company.id, "r_score": 5, "f_score": 5,
         "m_score": 5, "rfm_segment": "champions", "monetary": 9000.0, "margin": 900.0,
         "predicted_clv": 5000.0},
        {"partner_id": sleeper.id, "company_id": company.id, "r_score": 1, "f_score": 2,
         "m_score": 1, "rfm_segment": "hibernating", "monetary": 100.0, "margin": 10.0,
         "predicted_clv": 20.0},
    ])
    env["crm.classification.history"].create([
        {"partner_id": partner.id, "company_id": company.id,
         "classification": "lifecycle_stage", "old_value": old, "new_value": new}
        for partner, old, new in (
            (champion, champion_from, "loyal"), (sleeper, "regular", "at_risk"))
    ])
    env["crm.complaint"].create({
        "name": f"{prefix} complaint", "partner_id": sleeper.id, "channel": "phone",
        "compensation_cost": 50.0,
    })
    return champion, sleeper
