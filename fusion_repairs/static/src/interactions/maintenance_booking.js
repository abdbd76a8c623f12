import { Interaction } from "@web/public/interaction";
import { registry } from "@web/core/registry";
import { _t } from "@web/core/l10n/translation";

/**
 * Booking page: say which time is picked, ask for one before booking, keep the focused time
 * clear of the sticky "Book this time" bar, and send a booking only once (a double click or
 * a second tap on a slow phone must not post twice).
 */
export class MaintenanceBooking extends Interaction {
    static selector = ".o_fc_booking_form, .o_fc_cancel_form";
    dynamicContent = {
        _root: { "t-on-submit": this.onSubmit },
        "input[name='slot_start']": {
            "t-on-change": this.onSlotChange,
            "t-on-invalid": this.onSlotMissing,
        },
        ".o_fc_selected_slot": { "t-out": () => this.selectedLabel },
        ".o_fc_choose_first": { "t-out": () => this.missingMessage },
    };

    setup() {
        this.selectedLabel = "";
        this.missingMessage = "";
        this.submitted = false;
    }

    start() {
        // the slots' scroll margin (scss) follows the height of the sticky bar
        this.bar = this.el.querySelector(".o_fc_booking_submit");
        if (this.bar && window.ResizeObserver) {
            const observer = new ResizeObserver(() => this.measureBar());
            observer.observe(this.bar);
            this.registerCleanup(() => observer.disconnect());
        }
    }

    measureBar() {
        if (this.bar) {
            this.el.style.setProperty("--o-fc-submit-height", `${this.bar.offsetHeight}px`);
        }
    }

    onSlotChange(ev) {
        const label = ev.currentTarget.dataset.slotLabel;
        // one full stop, even after "a.m." / "p.m."
        const sentence = label && !label.endsWith(".") ? `${label}.` : label;
        this.selectedLabel = label ? _t("You picked: %(slot)s", { slot: sentence }) : "";
        this.missingMessage = "";
    }

    /**
     * "Book" pressed without a time: a message in the page instead of the browser's bubble
     * (the radio buttons stay ``required`` for browsers without JavaScript), and the focus on
     * the first time. Fired once per radio button of the group: answer the first one only.
     */
    onSlotMissing(ev) {
        ev.preventDefault();
        const first = this.el.querySelector("input[name='slot_start']:not(:disabled)");
        if (ev.currentTarget !== first) {
            return;
        }
        this.missingMessage = _t("Please choose a time above first.");
        // the message makes the bar taller: measure it before the focus scrolls
        this.updateContent();
        this.measureBar();
        first.focus();
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
