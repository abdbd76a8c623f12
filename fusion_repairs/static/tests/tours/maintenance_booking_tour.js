import { registry } from "@web/core/registry";

// Opened on the link of the confirmation/reminder email by the test (no login).
registry.category("web_tour.tours").add("fusion_repairs_maintenance_booking", {
    steps: () => [
        {
            content: "The page shows the equipment to maintain",
            trigger: ".o_fc_booking_unit .o_fc_equipment",
        },
        {
            content: "Press Book before choosing a time",
            trigger: ".o_fc_booking_form button.o_fc_booking_submit_button",
            run: "click",
        },
        {
            content: "The page asks for a time first and puts the focus on the first one",
            trigger: ".o_fc_choose_first:contains(Please choose a time above first.)",
            run() {
                const first = document.querySelector(".o_fc_booking_form input[name='slot_start']");
                if (document.activeElement !== first) {
                    throw new Error("The first time should have the focus");
                }
            },
        },
        {
            content: "Pick the first free time",
            trigger: ".o_fc_booking_form label.o_fc_slot[data-slot-start]:first",
            run: "click",
        },
        {
            content: "The picked time is repeated before confirming",
            trigger: ".o_fc_selected_slot:contains(You picked)",
            run() {
                if (document.querySelector(".o_fc_choose_first").textContent.trim()) {
                    throw new Error("The request for a time should be gone");
                }
            },
        },
        {
            content: "Confirm the booking",
            trigger: ".o_fc_booking_form button.o_fc_booking_submit_button",
            run: "click",
            expectUnloadPage: true,
        },
        {
            content: "The confirmation is shown",
            trigger: ".o_fc_booking_confirmed:contains(Your visit is booked)",
        },
        {
            content: "With the arrival window and the technician",
            trigger: ".o_fc_booking_details .o_fc_visit_window:contains(arrives between)",
        },
    ],
});
