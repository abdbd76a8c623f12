import { registry } from "@web/core/registry";
import { WarningDialog } from "@web/core/errors/error_dialogs";

// "<technician> already has a task at that time" is a validation message, not a crash.
registry
    .category("error_dialogs")
    .add("odoo.addons.fusion_tasks.exceptions.TaskOverlapError", WarningDialog);
