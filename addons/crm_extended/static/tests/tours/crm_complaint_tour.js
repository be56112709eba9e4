import { registry } from "@web/core/registry";
import { stepUtils } from "@web_tour/tour_utils";

/**
 * CRM > Complaints: record a complaint from a phone call, work on it, resolve
 * it with a root cause and a compensation, record the follow-up visit (回访)
 * and close it.
 */
registry.category("web_tour.tours").add("crm_extended_complaint_tour", {
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
            content: "Open the complaints",
            trigger: "[data-menu-xmlid='crm_extended.crm_complaint_menu']",
            run: "click",
        },
        {
            content: "The complaints kanban is open",
            trigger: ".o_breadcrumb:contains('Complaints and Feedback')",
        },
        {
            content: "Create a complaint",
            trigger: ".o_kanban_view .o-kanban-button-new",
            run: "click",
        },
        {
            content: "Subject",
            trigger: ".o_form_view .o_field_widget[name='name'] input",
            run: "edit Tour: lids do not close",
        },
        {
            content: "Root cause category",
            trigger: ".o_field_widget[name='category_id'] input",
            run: "edit Core Service",
        },
        {
            trigger: ".o-autocomplete--dropdown-item:contains('Core Service Failure')",
            run: "click",
        },
        {
            content: "Customer contact",
            trigger: ".o_field_widget[name='partner_id'] input",
            run: "edit Tour Canning",
        },
        {
            trigger: ".o-autocomplete--dropdown-item:contains('Tour Canning Factory')",
            run: "click",
        },
        {
            content: "The customer company is shown",
            trigger: ".o_field_widget[name='commercial_partner_id']:contains('Tour Canning Factory')",
        },
        {
            content: "Save",
            trigger: ".o_form_button_save",
            run: "click",
        },
        {
            content: "A reference from the sequence",
            trigger: ".o_form_saved .o_field_widget[name='code']:contains('CMP/')",
        },
        {
            content: "Assigned by the team rule",
            trigger: ".o_statusbar_status button.o_arrow_button_current:contains('Assigned')",
        },
        {
            content: "Start working on it",
            trigger: ".o_statusbar_status button:contains('In Progress')",
            run: "click",
        },
        {
            trigger: ".o_statusbar_status button.o_arrow_button_current:contains('In Progress')",
        },
        {
            content: "Open the resolution page",
            trigger: ".o_notebook a.nav-link[name='resolution']",
            run: "click",
        },
        {
            content: "Confirm the root cause",
            trigger: ".o_field_widget[name='root_cause_id'] input",
            run: "edit Core Service",
        },
        {
            trigger: ".o-autocomplete--dropdown-item:contains('Core Service Failure')",
            run: "click",
        },
        {
            content: "Cost of the compensation",
            trigger: ".o_field_widget[name='compensation_cost'] input",
            run: "edit 120",
        },
        {
            content: "Resolve",
            trigger: ".o_statusbar_status button:contains('Resolved')",
            run: "click",
        },
        {
            content: "Resolved: the complaint can be reopened",
            trigger: ".o_form_view button[name='action_reopen']",
        },
        {
            content: "Open the follow-up visit page",
            trigger: ".o_notebook a.nav-link[name='followup']",
            run: "click",
        },
        {
            content: "Called the customer",
            trigger: ".o_field_widget[name='followup_method'] input",
            run: "click",
        },
        {
            trigger: ".o_select_menu_item:contains('Phone Call')",
            run: "click",
        },
        {
            content: "The customer is satisfied",
            trigger: ".o_field_widget[name='followup_satisfaction'] input",
            run: "click",
        },
        {
            trigger: ".o_select_menu_item:contains('Very Satisfied')",
            run: "click",
        },
        {
            content: "Move to the follow-up visit",
            trigger: ".o_statusbar_status button:contains('Follow-up Visit')",
            run: "click",
        },
        {
            trigger: ".o_statusbar_status button.o_arrow_button_current:contains('Follow-up Visit')",
        },
        {
            content: "Close",
            trigger: ".o_statusbar_status button:contains('Closed')",
            run: "click",
        },
        {
            content: "Closed",
            trigger: ".o_form_saved .o_statusbar_status button.o_arrow_button_current:contains('Closed')",
        },
    ],
});
