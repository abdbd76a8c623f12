"""What the technician should know at the door (door or building code, pets, parking, where the
unit is, stairs): written by the client on the booking page or by the office, kept on the
contract for the next booking, copied to the booked visit's task. Never in an email, the .ics
or the calendar event: only the technician of the visit and the office read them."""

from odoo import fields, models

from .maintenance_contract import OFFICE_GROUPS

# a few lines are enough; a longer text is a forged or pasted form
HOME_NOTES_MAX_LENGTH = 1000
NOTES_TOO_LONG = "notes_too_long"


def clean_home_notes(text):
    """The notes as stored: unified line ends, no blank lines around, False when empty."""
    text = (text or "").replace("\r\n", "\n").replace("\r", "\n").strip()
    return text or False


class FusionRepairMaintenanceContract(models.Model):
    _inherit = "fusion.repair.maintenance.contract"

    home_notes = fields.Text(
        string="Notes for the Technician",
        copy=False,
        groups=OFFICE_GROUPS,  # technicians read them on their own visit's task
        help="What the technician should know at the door: door or building code, pets, parking, where "
        "the equipment is in the home, stairs. The client can write them on the booking page; they are "
        "copied to each booked visit and never emailed.",
    )

    def _get_home_notes_prompts(self):
        """What the client may tell us, as prompts under the notes box of the booking page."""
        return [
            self.env._("The door or building code, or who lets us in"),
            self.env._("Pets in the home"),
            self.env._("Where to park"),
            self.env._("Where the equipment is in your home, and any stairs to reach it"),
        ]

    def _get_booking_refusal_message(self, reason):
        if reason == NOTES_TOO_LONG:
            return self.env._(
                "Your notes for the technician are too long (at most %s characters), so nothing has been "
                "changed. Please shorten them and try again.",
                HOME_NOTES_MAX_LENGTH,
            )
        return super()._get_booking_refusal_message(reason)

    def _check_home_notes(self, text):
        """The cleaned notes, or a ``BookingError`` (reason ``notes_too_long``)."""
        self.ensure_one()
        notes = clean_home_notes(text)
        if notes and len(notes) > HOME_NOTES_MAX_LENGTH:
            raise self._booking_refusal(NOTES_TOO_LONG)
        return notes

    def _set_home_notes(self, text):
        """Save the client's notes on the contract and its booked visit (private: the website
        calls it on the contract of a checked token, the office wizard after booking)."""
        self.ensure_one()
        notes = self._check_home_notes(text)
        if (self.home_notes or False) != notes:
            self.write({"home_notes": notes})
        return notes

    def write(self, vals):
        res = super().write(vals)
        if "home_notes" in vals and not self.env.context.get("fusion_home_notes_sync"):
            for contract in self:
                task = contract._get_current_booking_task()
                if task and (task.home_notes or False) != (contract.home_notes or False):
                    task.with_context(fusion_home_notes_sync=True).write({"home_notes": contract.home_notes})
        return res
