import { registry } from "@web/core/registry";
import { WarningDialog } from "@web/core/errors/error_dialogs";

// A refused booking (a UserError with its reason) is a warning for staff, not a crash.
registry
    .category("error_dialogs")
    .add("odoo.addons.fusion_repairs.lib.booking_slots.BookingError", WarningDialog);
