import { registry } from "@web/core/registry";
import { BadgeField, badgeField } from "@web/views/fields/badge/badge_field";

/**
 * The colours of the customer classification, said once for every view that
 * shows a value grade, a lifecycle stage or a tier as a badge (partner, order,
 * lead, the analytics reports): `widget="crm_grade_badge"`,
 * `widget="crm_stage_badge"` or `widget="crm_tier_badge"` instead of the same
 * decoration-* attributes on each field.
 */
export const CLASSIFICATION_PALETTES = {
    grade: { a: "success", b: "info", c: "muted" },
    stage: {
        potential: "muted",
        new: "info",
        regular: "info",
        old: "success",
        loyal: "success",
        at_risk: "warning",
        lost: "danger",
    },
};

export class CrmClassificationBadgeField extends BadgeField {
    static props = {
        ...BadgeField.props,
        palette: { type: String },
    };

    get badgeClass() {
        const value = this.props.record.data[this.props.name];
        // A tier is a record: every tier has the same colour.
        const color =
            this.props.palette === "tier"
                ? value && "primary"
                : CLASSIFICATION_PALETTES[this.props.palette][value];
        if (!color || color === "muted") {
            // Odoo's badge without a decoration (and its "muted").
            return "text-bg-300";
        }
        return `text-bg-${color}`;
    }
}

function classificationBadge(palette) {
    return {
        ...badgeField,
        component: CrmClassificationBadgeField,
        extractProps: (fieldInfo, dynamicInfo) => ({
            ...badgeField.extractProps(fieldInfo, dynamicInfo),
            palette,
        }),
    };
}

registry
    .category("fields")
    .add("crm_grade_badge", classificationBadge("grade"))
    .add("crm_stage_badge", classificationBadge("stage"))
    .add("crm_tier_badge", classificationBadge("tier"));
