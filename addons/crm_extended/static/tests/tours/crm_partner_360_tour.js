import { registry } from "@web/core/registry";
import { stepUtils } from "@web_tour/tour_utils";

/**
 * CRM > Customers > Customers: find the classified customer created by the
 * test, check its badges and the Customer 360 page (open first), then open
 * its orders from the one orders smart button.
 */
registry.category("web_tour.tours").add("crm_extended_partner_360_tour", {
    url: "/odoo",
    steps: () => [
        stepUtils.showAppsMenuItem(),
        {
            content: "Open the CRM app",
            trigger: ".o_app[data-menu-xmlid='crm.crm_menu_root']",
            run: "click",
        },
        {
            content: "Open the Customers menu",
            trigger: ".o_main_navbar [data-menu-xmlid='crm_extended.crm_extended_customers_menu']",
            run: "click",
        },
        {
            content: "Open the customer list",
            trigger: "[data-menu-xmlid='crm_extended.crm_extended_customers_list_menu']",
            run: "click",
        },
        {
            content: "Search the customer",
            trigger: ".o_list_view .o_searchview_input",
            run: "edit Tour VIP Customer",
        },
        {
            trigger: ".o_searchview_input",
            run: "press Enter",
        },
        {
            content: "The list shows the grade badge",
            trigger: ".o_data_row:contains('Tour VIP Customer') [name='crm_value_grade'] .badge:contains('A - VIP')",
        },
        {
            content: "Open the customer",
            trigger: ".o_data_row:contains('Tour VIP Customer') td[name='complete_name']",
            run: "click",
        },
        {
            content: "Grade badge under the name",
            trigger: ".o_form_view div[name='crm_classification_badges'] [name='crm_value_grade'] .badge.text-bg-success:contains('A - VIP')",
        },
        {
            content: "Lifecycle stage badge",
            trigger: ".o_form_view div[name='crm_classification_badges'] [name='crm_lifecycle_stage'] .badge:contains('Loyal')",
        },
        {
            content: "Tier badge",
            trigger: ".o_form_view div[name='crm_classification_badges'] [name='crm_tier_id'] .badge:contains('Tour Gold')",
        },
        {
            content: "The Customer 360 page is the one open",
            trigger: ".o_notebook a.nav-link.active[name='crm_customer_360']",
        },
        {
            content: "Confirmed orders",
            trigger: ".o_notebook .tab-pane.active [name='crm_360_sale_order_count']:contains('2')",
        },
        {
            content: "Confirmed revenue",
            trigger: ".o_notebook .tab-pane.active [name='crm_360_sale_amount']:contains('1,500.00')",
        },
        {
            content: "Deliveries",
            trigger: ".o_notebook .tab-pane.active [name='crm_360_delivery_count']:contains('2')",
        },
        {
            content: "Open invoices",
            trigger: ".o_notebook .tab-pane.active [name='crm_360_open_invoice_count']:contains('1')",
        },
        {
            content: "Open amount",
            trigger: ".o_notebook .tab-pane.active [name='crm_360_open_invoice_amount']:contains('1,000.00')",
        },
        {
            content: "Tier",
            trigger: ".o_notebook .tab-pane.active .o_field_widget[name='crm_tier_id']:contains('Tour Gold')",
        },
        {
            content: "Credit rating",
            trigger: ".o_notebook .tab-pane.active [name='crm_credit_rating']:contains('AA')",
        },
        {
            content: "Account manager",
            trigger: ".o_notebook .tab-pane.active .o_field_widget[name='crm_account_manager_id'] input:value('Tour Account Manager')",
        },
        {
            content: "The classification history lists the manual changes",
            trigger: ".o_notebook .tab-pane.active [name='crm_classification_history_ids'] .o_data_row:contains('Value Grade')",
        },
        {
            content: "One orders button: ours, not also sale's",
            trigger: ".o_form_view .o-form-buttonbox:has(button[name='action_crm_360_view_orders']):not(:has([name='sale_order_count']))",
        },
        {
            content: "Open the orders from the smart button",
            trigger: "button[name='action_crm_360_view_orders']:contains('2 Orders')",
            run: "click",
        },
        {
            content: "The two confirmed orders are listed",
            trigger: ".o_list_view .o_breadcrumb:contains('Tour VIP Customer')",
        },
        {
            trigger: ".o_list_renderer tbody:has(tr.o_data_row:nth-child(2)):not(:has(tr.o_data_row:nth-child(3)))",
        },
        {
            trigger: ".o_list_renderer .o_data_row:contains('Tour VIP Customer')",
        },
    ],
});

/** The red banner on the order of a blacklisted customer. */
registry.category("web_tour.tours").add("crm_extended_blacklist_banner_tour", {
    steps: () => [
        {
            content: "The order form shows the blacklist banner with the reason",
            trigger: ".o_form_view .alert-danger[name='crm_blacklist_banner']:contains('Sold our samples on')",
        },
        {
            content: "The customer line says it is blacklisted",
            trigger: ".o_form_view .alert-danger[name='crm_blacklist_banner']:contains('commercial blacklist')",
        },
        {
            content: "No Confirm button on the blocked quotation",
            trigger: ".o_form_view .o_form_statusbar:has(button[name='action_quotation_send']):not(:has(button[name='action_confirm']))",
        },
    ],
});
