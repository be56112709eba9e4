import { registry } from "@web/core/registry";

/**
 * A manager opens a saved segment, sees its live count, opens its customers,
 * comes back and schedules a call for each of them.
 */
registry.category("web_tour.tours").add("crm_analytics_customer_segment_tour", {
    steps: () => [
        {
            content: "Open the segment",
            trigger: ".o_list_view .o_data_row td[name='name']:contains('Tour Segment')",
            run: "click",
        },
        {
            content: "The live count shows its two customers",
            trigger: ".o_form_view button[name='action_open_customers'] .o_stat_value:contains('2')",
        },
        {
            content: "Open the customers",
            trigger: ".o_form_view button[name='action_open_customers']",
            run: "click",
        },
        {
            content: "Both customers are listed, not the third one",
            trigger: ".o_list_view:has(.o_data_row:contains('Tour Segment Customer 1')):has(.o_data_row:contains('Tour Segment Customer 2')):not(:has(.o_data_row:contains('Tour Segment Outsider')))",
        },
        {
            content: "Back to the segment",
            trigger: ".o_breadcrumb .breadcrumb-item a:contains('Tour Segment')",
            run: "click",
        },
        {
            content: "Schedule activities",
            trigger: ".o_form_view button[name='action_schedule_activities']",
            run: "click",
        },
        {
            content: "Write the summary",
            trigger: ".modal .o_field_widget[name='summary'] input",
            run: "edit Call about the renewal",
        },
        {
            content: "Schedule",
            trigger: ".modal footer button[name='action_schedule']",
            run: "click",
        },
        {
            content: "Two activities scheduled",
            trigger: ".o_notification:contains('2 activities scheduled, 0 customers skipped')",
        },
    ],
});
