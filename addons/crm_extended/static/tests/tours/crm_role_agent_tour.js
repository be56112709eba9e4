import { registry } from "@web/core/registry";

/**
 * A service agent's day, in their own language (en_US or zh_CN): open the
 * new complaint, take it, answer the customer, return the goods, credit the
 * invoice (the dialog says which), quote a priced replacement, claim to the
 * supplier (choosing the supplier on the way: the product has none) and
 * resolve it.
 */
const LABELS = {
    en: {
        complaints: "Complaints and Feedback",
        inProgress: "In Progress",
        resolved: "Resolved",
        return: "Return",
        creditNote: "Credit Note",
        reverses: "This credit note reverses the invoice",
        replacement: "Replacement",
        supplierClaim: "Supplier Claim",
        noSupplier: "No supplier is known",
        returns: "Returns",
        creditNotes: "Credit Notes",
        replacements: "Replacements",
        reopen: "Reopen",
        returnLogged: "created from",
    },
    zh: {
        complaints: "投诉与反馈",
        inProgress: "进行中",
        resolved: "已解决",
        return: "退回",
        creditNote: "退款通知",
        reverses: "此贷项通知单冲销的发票：",
        replacement: "换货",
        supplierClaim: "供应商索赔",
        noSupplier: "没有已知的供应商",
        returns: "退货",
        creditNotes: "退款",
        replacements: "换货",
        reopen: "重新打开",
        returnLogged: "创建退货单",
    },
};

const COMPLAINT = "Tour: dented lids from order";
const FORM = ".o_form_view:has(.o_field_widget[name='name'] input)";

function backToComplaint() {
    return [
        {
            content: "Back to the complaint",
            trigger: `.o_breadcrumb .breadcrumb-item a:contains('${COMPLAINT}')`,
            run: "click",
        },
        {
            trigger: `${FORM} .o_field_widget[name='name'] input:value('${COMPLAINT}')`,
        },
    ];
}

function agentSteps(L) {
    return [
        {
            content: "The complaints kanban, in the agent's language",
            trigger: `.o_breadcrumb:contains('${L.complaints}')`,
        },
        {
            content: "Open the new complaint",
            trigger: `.o_kanban_record:contains('${COMPLAINT}')`,
            run: "click",
        },
        {
            content: "Nobody has it yet: take it",
            trigger: ".o_field_widget[name='user_id'] input",
            async run(helpers) {
                if (this.anchor.value) {
                    throw new Error(`Already assigned to ${this.anchor.value}`);
                }
                await helpers.edit("Agent Zhang");
            },
        },
        {
            trigger: ".o-autocomplete--dropdown-item:contains('Agent Zhang')",
            run: "click",
        },
        {
            content: "Start working on it",
            trigger: `.o_statusbar_status button:contains('${L.inProgress}')`,
            run: "click",
        },
        {
            trigger: `.o_form_saved .o_statusbar_status button.o_arrow_button_current:contains('${L.inProgress}')`,
        },
        {
            content: "Answer the customer",
            trigger: ".o-mail-Chatter-sendMessage",
            run: "click",
        },
        {
            trigger: ".o-mail-Chatter .o-mail-Composer-input",
            run: "edit We are sorry: we take the dented lids back and send new ones.",
        },
        {
            trigger: ".o-mail-Chatter .o-mail-Composer-send:enabled",
            run: "click",
        },
        {
            content: "The answer is in the conversation",
            trigger: ".o-mail-Chatter .o-mail-Message:contains('we take the dented lids back')",
        },
        // Return of the delivery.
        {
            content: "Return the goods",
            trigger: `.o_form_statusbar button[name='action_crm_return']:contains('${L.return}')`,
            run: "click",
        },
        {
            content: "Odoo's return of the delivery",
            trigger: ".modal .o_field_widget[name='product_return_moves'] .o_data_row td[name='quantity']",
            run: "click",
        },
        {
            trigger: ".modal .o_field_widget[name='product_return_moves'] .o_data_row td[name='quantity'] input",
            run: "edit 2",
        },
        {
            content: "Create the return",
            trigger: ".modal .modal-footer button[name='action_create_returns']",
            run: "click",
        },
        {
            content: "The return opens, linked to the complaint",
            trigger: `.o_form_view .o_field_widget[name='crm_complaint_id']:contains('${COMPLAINT}')`,
        },
        {
            content: "Two of the five lids come back",
            trigger: ".o_form_view .o_field_widget[name='move_ids'] .o_data_row:contains('Tour Tin Lid') td[name='product_uom_qty']:contains('2.00')",
        },
        ...backToComplaint(),
        {
            content: "The complaint counts the return",
            trigger: `button[name='action_crm_view_returns']:contains('${L.returns}'):contains('1')`,
        },
        {
            content: "... and logged it",
            trigger: `.o-mail-Chatter .o-mail-Message:contains('${L.returnLogged}'):contains('WH/OUT/')`,
        },
        // Credit note of the invoice.
        {
            content: "Credit the invoice",
            trigger: `.o_form_statusbar button[name='action_crm_credit_note']:contains('${L.creditNote}')`,
            run: "click",
        },
        {
            content: "The dialog says which invoice it reverses",
            trigger: `.modal .o_crm_complaint_reversed_invoice:contains('${L.reverses}') .o_field_widget[name='move_ids']:contains('INV/')`,
        },
        {
            trigger: ".modal .modal-title:contains('INV/')",
        },
        {
            content: "Reverse",
            trigger: ".modal .modal-footer button[name='refund_moves']",
            run: "click",
        },
        {
            content: "The draft credit note opens, reversing the invoice",
            trigger: ".o_breadcrumb .active:contains('INV/')",
        },
        ...backToComplaint(),
        {
            content: "The complaint counts the credit note",
            trigger: `button[name='action_crm_view_credit_notes']:contains('${L.creditNotes}'):contains('1')`,
        },
        // A priced replacement.
        {
            content: "Quote a replacement",
            trigger: `.o_form_statusbar button[name='action_crm_replacement']:contains('${L.replacement}')`,
            run: "click",
        },
        {
            content: "The quotation is for the customer",
            trigger: ".o_form_view .o_field_widget[name='partner_id'] input:value('Tour Canning Factory')",
        },
        {
            content: "The product at its price, not 0",
            trigger: ".o_field_widget[name='order_line'] .o_data_row:contains('Tour Tin Lid') td[name='price_unit']:contains('25.00')",
        },
        {
            trigger: ".o_field_widget[name='amount_untaxed']:contains('125.00'), .o_field_widget[name='tax_totals']:contains('125.00')",
        },
        {
            content: "Save the quotation",
            trigger: ".o_form_button_save",
            run: "click",
        },
        {
            trigger: ".o_form_saved",
        },
        ...backToComplaint(),
        {
            content: "The complaint counts the replacement",
            trigger: `button[name='action_crm_view_replacements']:contains('${L.replacements}'):contains('1')`,
        },
        // The supplier claim: the product has no vendor.
        {
            content: "Claim to the supplier",
            trigger: `.o_form_statusbar button[name='action_crm_supplier_claim']:contains('${L.supplierClaim}')`,
            run: "click",
        },
        {
            content: "Odoo says no supplier is known and where to choose it",
            trigger: `.modal:contains('${L.noSupplier}')`,
        },
        {
            trigger: ".modal .modal-footer .btn-primary",
            run: "click",
        },
        {
            content: "The Order and Product page",
            trigger: ".o_notebook a.nav-link[name='links']",
            run: "click",
        },
        {
            content: "Choose the supplier",
            trigger: ".o_field_widget[name='supplier_id'] input",
            run: "edit Tour Tin Supplier",
        },
        {
            trigger: ".o-autocomplete--dropdown-item:contains('Tour Tin Supplier')",
            run: "click",
        },
        {
            trigger: `.o_form_statusbar button[name='action_crm_supplier_claim']`,
            run: "click",
        },
        {
            content: "The supplier opens",
            trigger: ".o_form_view .o_field_widget[name='name'] input:value('Tour Tin Supplier')",
        },
        ...backToComplaint(),
        {
            content: "The claim is logged on the complaint",
            trigger: ".o-mail-Chatter .o-mail-Message:contains('Tour Tin Supplier')",
        },
        // Resolve.
        {
            content: "The resolution",
            trigger: ".o_notebook a.nav-link[name='resolution']",
            run: "click",
        },
        {
            trigger: ".o_field_widget[name='resolution'] .odoo-editor-editable",
            run: "editor Two dented lids returned, credited and replaced.",
        },
        {
            content: "Resolve",
            trigger: `.o_statusbar_status button:contains('${L.resolved}')`,
            run: "click",
        },
        {
            content: "Resolved: it can be reopened",
            trigger: `.o_form_saved .o_form_statusbar button[name='action_reopen']:contains('${L.reopen}')`,
        },
    ];
}

// One tour per language of the agent: the labels they must read.
for (const [suffix, labels] of [["", LABELS.en], ["_zh_cn", LABELS.zh]]) {
    registry.category("web_tour.tours").add(`crm_extended_role_agent_tour${suffix}`, {
        steps: () => agentSteps(labels),
    });
}
