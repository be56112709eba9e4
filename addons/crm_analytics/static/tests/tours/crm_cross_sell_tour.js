import { registry } from "@web/core/registry";

/**
 * A manager mines the cross-selling rules from the list, opens the customers
 * who bought the first product of a rule but not the second, and finds the
 * second product recommended on such a customer's form.
 */
registry.category("web_tour.tours").add("crm_analytics_cross_sell_tour", {
    steps: () => [
        {
            content: "Mine the rules",
            trigger: ".o_list_view .o_control_panel button[name='action_recompute']",
            run: "click",
        },
        {
            content: "The rule X -> Y appears",
            trigger: ".o_list_view .o_data_row:has(td[name='antecedent_id']:contains('Tour Product X')):has(td[name='consequent_id']:contains('Tour Product Y'))",
        },
        {
            content: "Open the customers who bought X but not Y",
            trigger: ".o_list_view .o_data_row:has(td[name='antecedent_id']:contains('Tour Product X')):has(td[name='consequent_id']:contains('Tour Product Y')) button[name='action_open_target_customers']",
            run: "click",
        },
        {
            content: "Only the customer without Y is listed",
            trigger: ".o_breadcrumb:contains('Bought Tour Product X but not Tour Product Y')",
        },
        {
            content: "Open that customer",
            trigger: ".o_list_view .o_data_row td[name='complete_name']:contains('Tour Target Customer')",
            run: "click",
        },
        {
            content: "Open the recommendations",
            trigger: ".o_form_view .o_notebook a[name='crm_xsell_recommendations']",
            run: "click",
        },
        {
            content: "Product Y is recommended because the customer bought X",
            trigger: ".o_form_view .o_field_widget[name='crm_xsell_rule_ids'] .o_data_row:contains('Tour Product Y'):contains('Tour Product X')",
        },
    ],
});
