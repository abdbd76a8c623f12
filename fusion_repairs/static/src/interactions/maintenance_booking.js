import { Interaction } from "@web/public/interaction";
import { registry } from "@web/core/registry";
import { _t } from "@web/core/l10n/translation";

/**
 * Booking page: say which time is picked, and send a booking only once (a double click or
 * a second tap on a slow phone must not post twice).
 */
export class MaintenanceBooking extends Interaction {
    static selector = ".o_fc_booking_form, .o_fc_cancel_form";
    dynamicContent = {
        _root: { "t-on-submit": this.onSubmit },
        "input[name='slot_start']": { "t-on-change": this.onSlotChange },
        ".o_fc_selected_slot": { "t-out": () => this.selectedLabel },
    };

    setup() {
        this.selectedLabel = "";
        this.submitted = false;
    }

    onSlotChange(ev) {
        const label = ev.currentTarget.dataset.slotLabel;
        // one full stop, even after "a.m." / "p.m."
        const sentence = label && !label.endsWith(".") ? `${label}.` : label;
        this.selectedLabel = label ? _t("You picked: %(slot)s", { slot: sentence }) : "";
    }

    onSubmit(ev) {
        if (this.submitted) {
            ev.preventDefault();
            return;
        }
        this.submitted = true;
        for (const button of this.el.querySelectorAll("button[type='submit']")) {
            button.setAttribute("aria-disabled", "true");
            button.classList.add("disabled");
        }
    }
}

registry.category("public.interactions").add("fusion_repairs.maintenance_booking", MaintenanceBooking);
