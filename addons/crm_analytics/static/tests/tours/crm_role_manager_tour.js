import { registry } from "@web/core/registry";
import { stepUtils } from "@web_tour/tour_utils";

/**
 * A CRM manager's day: see which complaints were escalated to them (the
 * breached one shows its level), recompute the customer value scores from the
 * scores list, and renew an expiring contract with the wizard's defaults.
 */
registry.category("web_tour.tours").add("crm_analytics_role_manager_tour", {
    url: "/odoo",
    steps: () => [
        stepUtils.showAppsMenuItem(),
        {
            content: "Open the CRM app",
            trigger: ".o_app[data-menu-xmlid='crm.crm_menu_root']",
            run: "click",
        },
        {
            content: "Open the Complaints menu",
            trigger: ".o_main_navbar [data-menu-xmlid='crm_extended.crm_complaint_menu_root']",
            run: "click",
        },
        {
            trigger: "[data-menu-xmlid='crm_extended.crm_complaint_menu']",
            run: "click",
        },
        {
            trigger: ".o_kanban_view .o_kanban_record",
        },
        {
            content: "Filter the escalated complaints",
            trigger: ".o_searchview_dropdown_toggler",
            run: "click",
        },
        {
            trigger: ".o_filter_menu .o-dropdown-item:contains('Escalated')",
            run: "click",
        },
        {
            content: "Only the breached complaint is escalated",
            trigger: ".o_kanban_view:not(:has(.o_kanban_record:contains('Tour: question on time'))) .o_kanban_record:contains('Tour: late delivery of cans')",
            run: "click",
        },
        {
            content: "Its form says it is breached",
            trigger: ".o_form_view .ribbon:contains('Breached')",
        },
        {
            content: "The service level page",
            trigger: ".o_notebook a.nav-link[name='sla']",
            run: "click",
        },
        {
            content: "Escalated to the manager",
            trigger: ".o_field_widget[name='escalation_level']:contains('Manager')",
        },
        {
            trigger: ".o_field_widget[name='escalated_date']:contains('Nov 23')",
        },
        // Scores.
        {
            content: "CRM reporting",
            trigger: ".o_main_navbar [data-menu-xmlid='crm.crm_menu_report']",
            run: "click",
        },
        {
            trigger: "[data-menu-xmlid='crm_analytics.crm_customer_score_menu']",
            run: "click",
        },
        {
            content: "The scores list",
            trigger: ".o_list_view .o_data_row td[name='partner_id']",
        },
        {
            content: "Recompute the scores from the list",
            trigger: ".o_list_view .o_control_panel button[name='action_crm_recompute_scores_button'], .o_list_view button[name='action_crm_recompute_scores_button']",
            run: "click",
        },
        {
            content: "Odoo says how many customers were scored",
            trigger: ".o_notification:contains('customers scored.')",
        },
        // Contracts.
        {
            content: "The service menu",
            trigger: ".o_main_navbar [data-menu-xmlid='crm_extended.crm_service_menu']",
            run: "click",
        },
        {
            trigger: "[data-menu-xmlid='crm_extended.crm_service_contract_menu']",
            run: "click",
        },
        {
            content: "The contracts list",
            trigger: ".o_breadcrumb:contains('Service Contracts')",
        },
        {
            content: "Search the customer's contract",
            trigger: ".o_list_view .o_searchview_input",
            run: "edit Tour Contract Co",
        },
        {
            trigger: ".o_searchview_autocomplete .o-dropdown-item:contains('Customer')",
            run: "click",
        },
        {
            content: "Open the expiring contract",
            trigger: ".o_list_view .o_data_row:contains('Tour Contract Co') td[name='partner_id']",
            run: "click",
        },
        {
            content: "Renew it",
            trigger: ".o_form_statusbar button[name='action_open_renew_wizard'].btn-primary",
            run: "click",
        },
        {
            content: "The wizard renews this contract",
            trigger: ".modal .o_field_widget[name='contract_ids'] .o_tag:contains('SC/')",
        },
        {
            content: "... and says that, without a contract product, it renews without quotation",
            trigger: ".modal .o_crm_renew_missing_product:contains('no contract product')",
        },
        {
            trigger: ".modal .o_field_widget[name='create_quotation'] input:not(:checked)",
        },
        {
            content: "Renew with the defaults",
            trigger: ".modal .modal-footer button[name='action_renew']",
            run: "click",
        },
        {
            content: "The renewal opens, a draft for the following year",
            trigger: ".o_form_view:not(:has(.modal)) .o_statusbar_status button.o_arrow_button_current[data-value='draft']",
        },
        {
            trigger: ".o_form_view .o_field_widget[name='partner_id']:contains('Tour Contract Co'), .o_form_view .o_field_widget[name='partner_id'] input",
        },
    ],
});

/**
 * A salesperson who sees only their own documents opens one of their
 * customers: the Customer 360 page opens first, with the value score block.
 */
registry.category("web_tour.tours").add("crm_analytics_role_salesperson_tour", {
    url: "/odoo",
    steps: () => [
        stepUtils.showAppsMenuItem(),
        {
            content: "Open the CRM app",
            trigger: ".o_app[data-menu-xmlid='crm.crm_menu_root']",
            run: "click",
        },
        {
            trigger: ".o_main_navbar [data-menu-xmlid='crm_extended.crm_extended_customers_menu']",
            run: "click",
        },
        {
            trigger: "[data-menu-xmlid='crm_extended.crm_extended_customers_list_menu']",
            run: "click",
        },
        {
            content: "The customers list",
            trigger: ".o_breadcrumb:contains('Customers')",
        },
        {
            content: "Search their customer",
            trigger: ".o_list_view .o_searchview_input",
            run: "edit Tour Regular Buyer",
        },
        {
            trigger: ".o_searchview_input",
            run: "press Enter",
        },
        {
            content: "Their customer is in the list",
            trigger: ".o_list_view .o_data_row:contains('Tour Regular Buyer') td[name='complete_name']",
            run: "click",
        },
        {
            content: "Customer 360 is the page open",
            trigger: ".o_notebook a.nav-link.active[name='crm_customer_360']",
        },
        {
            content: "The value score block",
            trigger: ".o_notebook .tab-pane.active .o_inner_group:contains('Customer Value Score'), .o_notebook .tab-pane.active .o_horizontal_separator:contains('Customer Value Score')",
        },
        {
            content: "The value score",
            trigger: ".o_notebook .tab-pane.active .o_field_widget[name='crm_value_score']:contains('87.5')",
        },
        {
            content: "The RFM segment and code",
            trigger: ".o_notebook .tab-pane.active .o_field_widget[name='crm_rfm_segment']:contains('Champions')",
        },
        {
            trigger: ".o_notebook .tab-pane.active .o_field_widget[name='crm_rfm_code']:contains('555')",
        },
        {
            content: "The churn risk",
            trigger: ".o_notebook .tab-pane.active .o_field_widget[name='crm_churn_risk']:contains('Low')",
        },
    ],
});
