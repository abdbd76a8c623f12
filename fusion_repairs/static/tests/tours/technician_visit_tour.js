import { registry } from "@web/core/registry";

// Started by the test on a 390 px phone, as the technician, on My Tasks: open the day's visit,
// answer its checklist with the large Pass buttons, give a reading, have the client sign, finish.
function answer(check, result, reading) {
    const steps = [
        {
            content: `Open the check "${check}"`,
            trigger: `div[name='visit_line_ids'] .o_kanban_record:contains(${check})`,
            run: "click",
        },
        {
            content: `Answer "${result}"`,
            trigger: `.modal .o_selection_badge:contains(${result})`,
            run: "click",
        },
    ];
    if (reading) {
        steps.push({
            content: "Type the reading",
            trigger: ".modal div[name='reading'] input",
            run: `edit ${reading}`,
        });
    }
    steps.push(
        {
            content: "Save the answer",
            trigger: ".modal .o_form_button_save",
            run: "click",
        },
        {
            content: "The card shows the answer",
            trigger: `div[name='visit_line_ids'] .o_kanban_record:contains(${check}):contains(${result})`,
        }
    );
    return steps;
}

registry.category("web_tour.tours").add("fusion_repairs_technician_visit", {
    steps: () => [
        {
            content: "The day's visit is on My Tasks",
            trigger: ".o_kanban_record:contains(H3 Margaret Wilson)",
            run: "click",
        },
        {
            content: "The visit opens on its checklist",
            trigger: ".o_form_view div[name='visit_checklist'] h3:contains(Checklist)",
        },
        {
            content: "Arrived: start the visit (the first button on a phone)",
            trigger: ".o_form_view .o_statusbar_buttons button[name='action_start']",
            run: "click",
        },
        {
            content: "Started: Finish Visit is now the first button",
            trigger: ".o_form_view .o_statusbar_buttons > button[name='action_finish_visit']",
        },
        ...answer("Safety edges stop travel", "Pass"),
        ...answer("Battery voltage", "Pass", "25.4"),
        {
            content: "Finish the visit (now the first button on a phone)",
            trigger: ".o_form_view .o_statusbar_buttons > button[name='action_finish_visit']",
            run: "click",
        },
        {
            content: "The client signs: adopt a signature from their name",
            trigger: ".modal div[name='signature'] .o_signature",
            run: "click",
        },
        {
            content: "Signature from the typed name",
            trigger: ".modal .o_web_sign_auto_button",
            run: "click",
        },
        {
            content: "Adopt and sign",
            trigger: ".modal .modal-footer button.btn-primary:contains(Adopt)",
            run: "click",
        },
        {
            content: "The signature is on the form",
            trigger: ".modal div[name='signature'] img.o_signature",
        },
        {
            content: "Finish",
            trigger: ".modal-footer button[name='action_confirm']",
            run: "click",
        },
        {
            content: "The visit is done",
            trigger: "body:not(:has(.modal)) .o_form_view div[name='visit_checklist'] span:contains(Passed)",
        },
    ],
});
