import { registry } from "@web/core/registry";

/**
 * A manager opens Dashboards, picks Customer Value, then Customer Service, and
 * finds in each a key figure computed from the database: the dashboard's value
 * must equal the same count read through the ORM, and no cell is in error. A
 * period without complaints then empties the open complaints figure.
 */

const DATA_COLUMN = 1; // column B of the Data sheet holds the raw values

function activeDashboard() {
    return odoo.__WOWL_DEBUG__.root.env.services.spreadsheet_dashboard_loader.getActiveDashboard();
}

async function evaluatedNumber(dashboardName, sheetId, row) {
    // The pivots load asynchronously: wait until the cell holds a number.
    for (let attempt = 0; attempt < 100; attempt++) {
        const dashboard = activeDashboard();
        if (dashboard?.data.name === dashboardName && dashboard.model) {
            const cell = dashboard.model.getters.getEvaluatedCell({
                sheetId,
                col: DATA_COLUMN,
                row,
            });
            if (typeof cell.value === "number") {
                return cell.value;
            }
        }
        await new Promise((resolve) => setTimeout(resolve, 100));
    }
    throw new Error(`${dashboardName}: ${sheetId} row ${row + 1} never shows a number`);
}

async function checkNoErrorCell(dashboardName) {
    // Once every data source has loaded, no cell of any sheet is an error.
    for (let attempt = 0; attempt < 100; attempt++) {
        const { model } = activeDashboard();
        const cells = model.getters
            .getSheetIds()
            .flatMap((sheetId) =>
                model.getters
                    .getEvaluatedCellsPositions(sheetId)
                    .map((position) => [position, model.getters.getEvaluatedCell(position)])
            );
        if (!cells.some(([, cell]) => cell.value === "Loading...")) {
            const errors = cells
                .filter(([, cell]) => cell.type === "error")
                .map(
                    ([{ sheetId, col, row }, cell]) =>
                        `${sheetId} col ${col} row ${row + 1}: ${cell.value} ${cell.message || ""}`
                );
            if (errors.length) {
                throw new Error(`${dashboardName}: cells in error: ${errors.join("; ")}`);
            }
            return;
        }
        await new Promise((resolve) => setTimeout(resolve, 100));
    }
    throw new Error(`${dashboardName}: some cells never finish loading`);
}

async function checkFigure(dashboardName, sheetId, row, model, domain) {
    const value = await evaluatedNumber(dashboardName, sheetId, row);
    await checkNoErrorCell(dashboardName);
    const { orm } = odoo.__WOWL_DEBUG__.root.env.services;
    const expected = await orm.searchCount(model, domain);
    if (!expected || value !== expected) {
        throw new Error(`${dashboardName}: figure is ${value}, the database says ${expected}`);
    }
}

async function checkPeriodFilter(sheetId, row) {
    // Complaints of the year 2000: none, so the figure empties.
    const { model } = activeDashboard();
    const result = model.dispatch("SET_GLOBAL_FILTER_VALUE", {
        id: "cs_filter_period",
        value: { type: "year", year: 2000 },
    });
    if (!result.isSuccessful) {
        throw new Error(`The Period filter was refused: ${result.reasons}`);
    }
    for (let attempt = 0; attempt < 100; attempt++) {
        const cell = model.getters.getEvaluatedCell({ sheetId, col: DATA_COLUMN, row });
        if (cell.value === "" || cell.value === 0 || cell.value === null) {
            return;
        }
        await new Promise((resolve) => setTimeout(resolve, 100));
    }
    throw new Error("The Period filter does not reach the open complaints figure");
}

registry.category("web_tour.tours").add("crm_analytics_dashboard_tour", {
    steps: () => [
        {
            content: "The Customer Relationship dashboards are listed",
            trigger: ".o_spreadsheet_dashboard_search_panel header:contains('Customer Relationship')",
        },
        {
            content: "Open Customer Value",
            trigger: ".o_search_panel_category_value[data-name='Customer Value']",
            run: "click",
        },
        {
            content: "Customer Value is shown",
            trigger: ".o_search_panel_category_value.active[data-name='Customer Value']",
        },
        {
            content: "The spreadsheet is rendered",
            trigger: ".o_spreadsheet_dashboard_action .o_renderer .o-spreadsheet",
        },
        {
            content: "Scored customers are counted from the database",
            trigger: ".o_spreadsheet_dashboard_action .o-figure",
            run: () =>
                checkFigure("Customer Value", "cv_data", 1, "crm.customer.score", [
                    ["partner_id.active", "=", true],
                ]),
        },
        {
            content: "Open Customer Service",
            trigger: ".o_search_panel_category_value[data-name='Customer Service']",
            run: "click",
        },
        {
            content: "Customer Service is shown",
            trigger: ".o_search_panel_category_value.active[data-name='Customer Service']",
        },
        {
            content: "Open complaints are counted from the database",
            trigger: ".o_spreadsheet_dashboard_action .o_renderer .o-figure",
            run: () =>
                checkFigure("Customer Service", "cs_data", 1, "crm.complaint", [
                    ["is_closed", "=", false],
                ]),
        },
        {
            content: "The Period filter narrows the complaint figures",
            trigger: ".o_spreadsheet_dashboard_action .o_renderer .o-figure",
            run: () => checkPeriodFilter("cs_data", 1),
        },
    ],
});
