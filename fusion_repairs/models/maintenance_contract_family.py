from odoo import fields, models


class FusionRepairMaintenanceContract(models.Model):
    """Family and caregivers: other contacts kept informed about the unit's maintenance.

    They receive the same client emails as the client (due reminders, booking confirmed, moved
    and cancelled, out of service), so they hold the same booking link; the booking page names
    them (names and relationship only) so the client knows who else is told.
    """

    _inherit = "fusion.repair.maintenance.contract"

    informed_partner_ids = fields.Many2many(
        "res.partner",
        "fusion_repair_contract_informed_partner_rel",
        "contract_id",
        "partner_id",
        string="Also Keep Informed",
        check_company=True,
        help="Family members, caregivers or a care home who receive the same reminders and booking emails as"
        " the client, with the same booking link.",
    )

    def _get_client_email_partners(self):
        """The client and the informed contacts, those with an email address: a client without
        one is still reached through their family; with nobody to email, the client alone (the
        sender reports the missing address)."""
        partners = super()._get_client_email_partners()
        return (partners | self.informed_partner_ids).filtered("email") or partners

    def _get_informed_contact_labels(self):
        """What the booking page says about the informed contacts: "Jane Doe (daughter)", names
        and relationship only (never an email or phone number of someone else)."""
        self.ensure_one()
        labels = []
        for partner in self.sudo().informed_partner_ids - self.partner_id:
            relationship = (partner.x_fc_relationship or "").strip()
            labels.append(f"{partner.name} ({relationship})" if relationship else partner.name)
        return labels
