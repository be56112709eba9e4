import { registry } from "@web/core/registry";

/**
 * A draft service contract creates its quotation; confirming the quotation
 * activates the contract, reached back through the order's smart button.
 */
registry.category("web_tour.tours").add("crm_extended_service_contract_tour", {
    steps: () => [
        {
            content: "The contract is a draft",
            trigger: ".o_form_view .o_statusbar_status button.o_arrow_button_current:contains('Draft')",
        },
        {
            content: "Create its quotation",
            trigger: ".o_form_view .o_statusbar_buttons button[name='action_create_quotation']",
            run: "click",
        },
        {
            content: "The quotation sells the contract product",
            trigger: ".o_form_view .o_field_one2many[name='order_line'] .o_data_row:contains('Tour Maintenance Plan')",
        },
        {
            content: "Confirm the quotation",
            trigger: ".o_form_view .o_statusbar_buttons button[name='action_confirm']",
            run: "click",
        },
        {
            content: "The order is confirmed",
            trigger: ".o_form_view .o_statusbar_status button.o_arrow_button_current:contains('Sales Order')",
        },
        {
            content: "Open the contract from the order",
            trigger: ".o_form_view button[name='action_crm_view_service_contracts']",
            run: "click",
        },
        {
            content: "The contract is active",
            trigger: ".o_form_view .o_statusbar_status button.o_arrow_button_current:contains('Active')",
        },
        {
            content: "With its planned maintenance visit",
            trigger: ".o_form_view button[name='action_view_visits'] .o_stat_value:contains('1')",
        },
    ],
});
