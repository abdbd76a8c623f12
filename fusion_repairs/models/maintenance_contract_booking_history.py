"""The unit's past visits on its booking page: date, result, the technician's first name and the
certificate to download with the link's token. Only this contract's own visits."""

from odoo import models

from ..lib import booking_slots
from ..lib.booking_slots import BOOKING_ROUTE


class FusionRepairMaintenanceContract(models.Model):
    _inherit = "fusion.repair.maintenance.contract"

    def _get_booking_history_visits(self, up_to_task=None):
        """The done visits of this unit, newest first (sudo: the public page reads them).

        :param up_to_task: the visit an old link was for (its "visit done" page): only the
            visits until that one, never those of a later cycle (e.g. after a change of client)
        """
        self.ensure_one()
        domain = [("contract_id", "=", self.id), ("state", "=", "done")]
        if up_to_task:
            domain.append(("task_id.scheduled_start", "<=", up_to_task.scheduled_start))
        return self.env["fusion.repair.maintenance.visit"].sudo().search(domain, order="visit_date desc, id desc")

    def _get_visit_result_label(self, visit):
        """The result of ``visit`` in the client's words."""
        if visit.result == "failed" and visit.out_of_service:
            return self.env._("Did not pass: please do not use the equipment")
        return {
            "passed": self.env._("Passed"),
            "passed_remarks": self.env._("Passed, with the technician's remarks"),
            "failed": self.env._("Did not pass"),
            "not_done": self.env._("Not done"),
        }.get(visit.result, "")

    def _get_booking_history(self, token=None, up_to_task=None):
        """What the booking page lists of the unit's past visits: ``[{date_label, result,
        result_label, technician_first_name, certificate_number, certificate_url}]``.

        :param token: the link the page was opened with (default: this cycle's)
        :param up_to_task: see ``_get_booking_history_visits``
        """
        self.ensure_one()
        token = token or self.booking_token
        lang = self._get_client_lang()  # the page's language (its switch), else the client's
        history = []
        for visit in self._get_booking_history_visits(up_to_task):
            has_pdf = bool(visit.certificate_number and visit.certificate_attachment_id)
            history.append(
                {
                    "visit_id": visit.id,
                    "date_label": booking_slots.format_day_date(visit.visit_date, lang),
                    "result": visit.result or "",
                    "result_label": self._get_visit_result_label(visit),
                    "technician_first_name": booking_slots.first_name(visit.technician_id.name),
                    "certificate_number": visit.certificate_number or "",
                    "certificate_url": f"{BOOKING_ROUTE}/{token}/certificate/{visit.id}.pdf" if has_pdf else "",
                }
            )
        return history

    def _get_booking_history_certificate(self, visit_id, up_to_task=None):
        """The certificate PDF (``ir.attachment``, sudo) of visit ``visit_id`` if it is one of
        this unit's done visits (until ``up_to_task``), else an empty recordset."""
        self.ensure_one()
        visit = self._get_booking_history_visits(up_to_task).filtered(lambda v: v.id == visit_id)
        if not visit or not visit.certificate_number:
            return self.env["ir.attachment"].sudo()
        attachment = visit.certificate_attachment_id.sudo()
        if attachment.res_model != visit._name or attachment.res_id != visit.id:
            return self.env["ir.attachment"].sudo()
        return attachment
