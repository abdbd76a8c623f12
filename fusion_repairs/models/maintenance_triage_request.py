from markupsafe import Markup

from odoo import fields, models


class FusionRepairTriageRequest(models.Model):
    """One request a client made from the booking link ("Please call me instead", "My equipment
    is not working or feels unsafe"): what was asked, when, and what the office got for it (the
    activity, the draft repair order). The log the daily limit and the double-click check count
    on, whatever happens to the activity afterwards (done, deleted)."""

    _name = "fusion.repair.triage.request"
    _description = "Request From a Booking Link"
    _order = "requested_at desc, id desc"
    _check_company_auto = True

    contract_id = fields.Many2one(
        "fusion.repair.maintenance.contract",
        string="Contract",
        required=True,
        ondelete="cascade",
        index=True,
        readonly=True,
    )
    company_id = fields.Many2one(related="contract_id.company_id", store=True, index=True)
    partner_id = fields.Many2one(related="contract_id.partner_id", string="Client")
    kind = fields.Selection(
        [("callback", "Call Me Back"), ("unsafe", "Not Working or Unsafe")],
        required=True,
        readonly=True,
    )
    requested_at = fields.Datetime(required=True, readonly=True, default=fields.Datetime.now, index=True)
    time_of_day = fields.Selection(
        [("morning", "Morning"), ("afternoon", "Afternoon"), ("evening", "Evening")],
        string="Preferred Time",
        readonly=True,
    )
    message = fields.Text(string="Client's Words", readonly=True)
    activity_id = fields.Many2one("mail.activity", readonly=True, ondelete="set null")
    repair_id = fields.Many2one("repair.order", string="Repair Order", readonly=True, ondelete="set null")

    def _triage_add_client_words(self, text):
        """A second request of the same kind minutes later creates nothing, but what the client
        wrote in it (e.g. an empty report, then one with the description) reaches the office:
        added to the open activity and the draft repair order, once."""
        self.ensure_one()
        if not text:
            return
        activity, repair = self.activity_id, self.repair_id
        if activity and text not in str(activity.note or ""):
            activity.note = (activity.note or Markup()) + Markup("<p>%s</p>") % self.env._("The client added: %s", text)
        if repair and text not in str(repair.internal_notes or ""):
            repair.internal_notes = (repair.internal_notes or Markup()) + Markup("<p>%s</p>") % text
