# Part of order_status_notify. See LICENSE file for full copyright and licensing details.

from odoo import api, models


class ResLang(models.Model):
    _inherit = 'res.lang'

    # === BUSINESS METHODS === #

    @api.model
    def _order_notify_install_lang(self, code):
        """Activate the language ``code`` and load its translations of every installed module,
        as *Settings › Languages › Add* does. Activating the language alone (``active = True``)
        leaves the modules installed before it untranslated: the menus stay in English until
        someone updates the languages. Used by the demo data, which works in Vietnamese."""
        lang = self._activate_lang(code)
        modules = self.env['ir.module.module'].search([('state', 'in', ('installed', 'to install', 'to upgrade'))])
        modules._update_translations(code)
        return lang
