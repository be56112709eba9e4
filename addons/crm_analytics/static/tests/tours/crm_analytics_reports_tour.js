import { registry } from "@web/core/registry";

/**
 * RFM matrix: a cell of the pivot opens the list of its customers only, and a
 * row of that list opens the customer.
 */
registry.category("web_tour.tours").add("crm_analytics_rfm_drilldown_tour", {
    steps: () => [
        {
            content: "The matrix shows the scored customers, not sample data",
            trigger: ".o_pivot:not(.o_view_sample_data) td.o_pivot_cell_value:not(.o_empty)",
        },
        {
            content: "Open the customers with R score 1",
            trigger: ".o_pivot tbody tr:has(th.o_pivot_header_cell_closed:contains('1')) td.o_pivot_cell_value:not(.o_empty)",
            run: "click",
        },
        {
            content: "Only the sleeping customer is listed",
            trigger: ".o_list_view:not(:has(.o_data_row:contains('Tour Champion'))) .o_data_row:contains('Tour Sleeper')",
        },
        {
            content: "Open the customer",
            trigger: ".o_list_view .o_data_row:contains('Tour Sleeper') button[name='action_open_customer']",
            run: "click",
        },
        {
            content: "The customer's form is open",
            trigger: ".o_form_view .o_breadcrumb:contains('Tour Sleeper')",
        },
    ],
});

/**
 * A report opens on its pivot with real data, then its graph and its list.
 */
registry.category("web_tour.tours").add("crm_analytics_report_views_tour", {
    steps: () => [
        {
            content: "The pivot shows data, not sample data",
            trigger: ".o_pivot:not(.o_view_sample_data) td.o_pivot_cell_value:not(.o_empty)",
        },
        {
            content: "Switch to the graph",
            trigger: ".o_switch_view.o_graph",
            run: "click",
        },
        {
            content: "The graph is drawn",
            trigger: ".o_graph_renderer canvas",
        },
        {
            content: "Switch to the list",
            trigger: ".o_switch_view.o_list",
            run: "click",
        },
        {
            content: "The list has rows",
            trigger: ".o_list_view .o_data_row",
        },
    ],
});
