import { registry } from "@web/core/registry";

/**
 * A portal customer's day, in their own language (en_US or zh_CN): from /my,
 * send a complaint with a description and a photo, see the acknowledgement and
 * the photo in the conversation, add a close-up; once the team resolved it,
 * follow it from the list and rate the resolution with Odoo's rating page.
 */
const LABELS = {
    en: {
        card: "Complaints and Feedback",
        send: "Send Feedback",
        description: "Description",
        photos: "Photos or documents (optional)",
        messages: "Messages",
        resolved: "Resolved",
        resolution: "Our Resolution",
        question: "How satisfied are you with the resolution?",
        satisfied: "Satisfied",
        acknowledgement: "We registered it under the reference",
        resolvedMail: "If you are not satisfied, simply reply to this email",
    },
    zh: {
        card: "投诉与反馈",
        send: "提交反馈",
        description: "描述",
        photos: "照片或文件（可选）",
        messages: "消息",
        resolved: "已解决",
        resolution: "我们的处理结果",
        question: "您对处理结果满意吗？",
        satisfied: "满意",
        acknowledgement: "我们已登记，编号为",
        resolvedMail: "如果您不满意，请直接回复此邮件",
    },
};

// A 1x1 PNG: the "photo" of the broken lid.
const PHOTO_PNG =
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVQIW2P4v5ThPwAG7wKklwQ/bwAAAABJRU5ErkJggg==";

function assertNoPreviewBanner() {
    // Odoo's "preview of the customer portal / Back to edit mode" is for employees.
    if (document.querySelector(".o_portal_fullwidth_alert, a[href*='/odoo/action-']")) {
        throw new Error("A portal customer sees the employees' 'Back to edit mode' banner");
    }
}

function photoFile(name) {
    const bytes = Uint8Array.from(atob(PHOTO_PNG), (c) => c.charCodeAt(0));
    return new File([bytes], name, { type: "image/png" });
}

function setFiles(input, files) {
    const transfer = new DataTransfer();
    files.forEach((file) => transfer.items.add(file));
    input.files = transfer.files;
    input.dispatchEvent(new Event("change", { bubbles: true }));
}

function submitSteps(L) {
    return [
        {
            content: "The portal home offers the complaints, in the customer's language",
            trigger: `.o_portal_index_card a[href='/my/complaints']:contains('${L.card}')`,
            run: "click",
            expectUnloadPage: true,
        },
        {
            content: "Send a new complaint",
            trigger: `a.o_crm_complaint_new:contains('${L.send}')`,
            run: "click",
            expectUnloadPage: true,
        },
        {
            content: "The form has a Description box",
            trigger: `.o_crm_complaint_form label[for='description']:contains('${L.description}')`,
        },
        {
            content: "Subject",
            trigger: ".o_crm_complaint_form input[name='name']",
            run: "edit Tour: the lids of batch 42 do not close",
        },
        {
            content: "Description",
            trigger: ".o_crm_complaint_form textarea[name='description']",
            run: "edit Half of the 500 lids delivered on Monday do not close.",
        },
        {
            content: "A photo of the broken lid",
            trigger: `.o_crm_complaint_form label[for='attachments']:contains('${L.photos}')`,
            run() {
                setFiles(document.querySelector(".o_crm_complaint_form input[name='attachments']"),
                         [photoFile("broken_lid.png")]);
            },
        },
        {
            content: "Send",
            trigger: ".o_crm_complaint_form button[type='submit']",
            run: "click",
            expectUnloadPage: true,
        },
        {
            content: "The complaint page shows the subject, a reference and the description",
            trigger: ".o_crm_complaint_portal .card-header:contains('Tour: the lids of batch 42 do not close'):contains('CMP/')",
        },
        {
            trigger: ".o_crm_complaint_portal .card-body:contains('Half of the 500 lids delivered on Monday do not close.')",
            run: assertNoPreviewBanner,
        },
        {
            content: "The conversation",
            trigger: `#complaint_chat h3:contains('${L.messages}')`,
        },
        {
            content: "The acknowledgement is in the conversation",
            trigger: `#chatterRoot:shadow .o-mail-Message:contains('${L.acknowledgement}')`,
        },
        {
            content: "The photo sent with the form is in the conversation",
            // A file card shows its name; an image preview has it as title.
            trigger: "#chatterRoot:shadow .o-mail-Message:has([title='broken_lid.png'], img[alt='broken_lid.png']), #chatterRoot:shadow .o-mail-Message:contains('broken_lid.png')",
        },
        {
            content: "Add a close-up in the conversation",
            trigger: "#chatterRoot:shadow .o-mail-Composer-input",
            run() {
                const shadow = document.querySelector("#chatterRoot").shadowRoot;
                setFiles(shadow.querySelector(".o-mail-Composer input.o_input_file"),
                         [photoFile("lid_close_up.png")]);
            },
        },
        {
            content: "The photo is uploaded",
            trigger: "#chatterRoot:shadow .o-mail-Composer:contains('lid_close_up.png') .o-mail-Composer-send:enabled",
        },
        {
            trigger: "#chatterRoot:shadow .o-mail-Composer-input",
            run: "edit Here is a close-up of one of the lids.",
        },
        {
            content: "Send the message with the photo",
            trigger: "#chatterRoot:shadow .o-mail-Composer-send:enabled",
            run: "click",
        },
        {
            content: "The message and its photo are in the conversation",
            trigger: "#chatterRoot:shadow .o-mail-Message:contains('Here is a close-up of one of the lids.'):has([title='lid_close_up.png'], img[alt='lid_close_up.png'])",
        },
    ];
    }

    function rateSteps(L) {
    return [
        {
            content: "The list shows the complaint resolved",
            trigger: `tr:contains('Tour: the lids of batch 42 do not close') .badge:contains('${L.resolved}')`,
        },
        {
            content: "Open it",
            trigger: "tr:contains('Tour: the lids of batch 42 do not close') a[href^='/my/complaints/']",
            run: "click",
            expectUnloadPage: true,
        },
        {
            content: "The team's resolution",
            trigger: `.o_crm_complaint_portal h5:contains('${L.resolution}') + div:contains('New lids sent by express')`,
            run: assertNoPreviewBanner,
        },
        {
            content: "The resolution e-mail is in the conversation too",
            trigger: `#chatterRoot:shadow .o-mail-Message:contains('${L.resolvedMail}')`,
        },
        {
            content: "Odoo's rating question",
            trigger: `.o_crm_complaint_rating h5:contains('${L.question}')`,
        },
        {
            content: "Satisfied",
            trigger: `.o_crm_complaint_rating a[href$='/5']:contains('${L.satisfied}')`,
            run: "click",
            expectUnloadPage: true,
        },
        {
            content: "Odoo's rating page, the happy face chosen",
            trigger: ".o_rating_page_submit input#rate_5:checked",
        },
        {
            trigger: ".o_rating_page_submit textarea[name='feedback']",
            run: "edit Fast and friendly, thank you.",
        },
        {
            content: "Send the rating",
            trigger: ".o_rating_page_submit button[type='submit']",
            run: "click",
            expectUnloadPage: true,
        },
        {
            content: "Odoo thanks the customer for the rating",
            trigger: ".o_rating_page_thank_you h3",
        },
    ];
    }

    // One tour per language of the customer: the labels they must read.
    for (const [suffix, labels] of [["", LABELS.en], ["_zh_cn", LABELS.zh]]) {
        registry.category("web_tour.tours").add(`crm_extended_role_portal_submit_tour${suffix}`, {
            url: "/my",
            steps: () => submitSteps(labels),
        });
        registry.category("web_tour.tours").add(`crm_extended_role_portal_rate_tour${suffix}`, {
            url: "/my/complaints",
            steps: () => rateSteps(labels),
        });
    }
