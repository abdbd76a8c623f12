import { registry } from "@web/core/registry";

// Started on a contract form by the test (admin): book the visit from the office wizard.
registry.category("web_tour.tours").add("fusion_repairs_office_booking", {
    steps: () => [
        {
            content: "Open the office booking wizard",
            trigger: ".o_form_view button[name='action_open_booking_wizard']:contains(Book Maintenance)",
            run: "click",
        },
        {
            content: "The free times of the proposed day are listed, one per window",
            trigger: ".modal div[name='slot_line_id'] .o_radio_item:nth-child(2) input",
        },
        {
            content: "Pick the second time of the day",
            trigger: ".modal div[name='slot_line_id'] .o_radio_item:nth-child(2) input",
            run: "click",
        },
        {
            content: "Book it with the footer button",
            trigger: ".modal-footer button[name='action_book']",
            run: "click",
        },
        {
            content: "The contract is booked: it now offers to reschedule",
            trigger: ".o_form_view:not(:has(.modal)) button[name='action_open_booking_wizard']:contains(Reschedule)",
        },
    ],
});
