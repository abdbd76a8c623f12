import { registry } from "@web/core/registry";

// Started on the Maintenance Overview by the test (admin): open the overdue contracts.
registry.category("web_tour.tours").add("fusion_repairs_maintenance_overview", {
    steps: () => [
        {
            content: "The overview shows its headline figures",
            trigger: ".o_fc_overview .o_fc_overview_card_units_under_contract .o_fc_overview_value",
        },
        {
            content: "Open the overdue contracts from their card",
            trigger: ".o_fc_overview .o_fc_overview_card_overdue button.o_fc_overview_main",
            run: "click",
        },
        {
            content: "The overdue contracts are listed, the test's client among them",
            trigger: ".o_list_view .o_data_row:contains(H3 Overview Tour Client)",
        },
        {
            content: "The breadcrumb names the figure",
            trigger: ".o_breadcrumb:contains(Overdue Contracts)",
        },
    ],
});
