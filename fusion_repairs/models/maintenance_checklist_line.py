from odoo import api, fields, models

CHECK_RESULTS = [("pass", "Pass"), ("fail", "Fail"), ("na", "N/A")]


class FusionRepairMaintenanceChecklistLine(models.Model):
    """One check of one visit, copied from the category's checklist when the visit is booked."""

    _name = "fusion.repair.maintenance.checklist.line"
    _description = "Maintenance Checklist Line"
    _order = "visit_id, sequence, id"

    visit_id = fields.Many2one(
        "fusion.repair.maintenance.visit", string="Visit", required=True, index=True, ondelete="cascade"
    )
    sequence = fields.Integer(default=10)
    name = fields.Char(string="Check", required=True)
    required = fields.Boolean(readonly=True)
    safety_critical = fields.Boolean(readonly=True)
    reading_unit = fields.Char(readonly=True)
    result = fields.Selection(CHECK_RESULTS)
    reading = fields.Char()
    note = fields.Char()
    visit_state = fields.Selection(related="visit_id.state")

    @api.model
    def _prepare_from_item(self, item):
        return {
            "sequence": item.sequence,
            "name": item.name,
            "required": item.required,
            "safety_critical": item.safety_critical,
            "reading_unit": item.reading_unit,
        }

    def write(self, vals):
        done = self.filtered(lambda line: line.visit_id.state == "done")
        res = super().write(vals)
        # a correction after the visit (managers only: technicians cannot write a done visit)
        for line in done:
            values = {"result": dict(CHECK_RESULTS).get(line.result), "reading": line.reading, "note": line.note}
            changes = ", ".join(
                f"{line._fields[name].string}: {values[name] or ''}"
                for name in ("result", "reading", "note")
                if name in vals
            )
            if changes:
                line.visit_id.message_post(
                    body=self.env._(
                        "Checklist corrected after the visit: %(check)s (%(changes)s).",
                        check=line.name,
                        changes=changes,
                    ),
                    subtype_xmlid="mail.mt_note",
                )
        return res
