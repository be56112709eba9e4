import { registry } from "@web/core/registry";
import { formatFloat, formatPercentage } from "@web/views/fields/formatters";

/**
 * Odoo's graph view formats a measure with the formatter named by the field's
 * widget, without the field's digits: the "percentage" widget shows two
 * decimals in the tooltips and on the axis. The shares, rates and
 * probabilities of these reports have one decimal in their lists and pivots
 * (digits="[16, 1]"), so their graphs use these: 14.5%, not 14.55%; a value
 * score of 87.5, not 87.50.
 */
export function formatPercentageOneDecimal(value, options = {}) {
    return formatPercentage(value, { ...options, digits: [16, 1] });
}

registry.category("formatters").add("crm_percentage_1", formatPercentageOneDecimal);

export function formatFloatOneDecimal(value, options = {}) {
    return formatFloat(value, { ...options, digits: [16, 1] });
}

registry.category("formatters").add("crm_float_1", formatFloatOneDecimal);
