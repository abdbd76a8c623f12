from odoo import api, models
from odoo.http import request


class IrHttp(models.AbstractModel):
    """The scripts of the client's pages speak the page's language too."""

    _inherit = "ir.http"

    @classmethod
    def _get_translation_frontend_modules_name(cls):
        # the booking page's script says which time is picked ("Votre choix : ...")
        return [*super()._get_translation_frontend_modules_name(), "fusion_repairs"]

    @api.model
    def get_frontend_session_info(self):
        """The page's translations follow its ``?lang=`` switch or the client's language
        (``fusion_client_lang``, see ``controllers/maintenance_booking.py``), not the website's."""
        session_info = super().get_frontend_session_info()
        lang = request and request.env.context.get("fusion_client_lang")
        if lang and "bundle_params" in session_info:
            session_info["bundle_params"]["lang"] = lang
        return session_info
