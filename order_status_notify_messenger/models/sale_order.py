# Part of order_status_notify. See LICENSE file for full copyright and licensing details.

from urllib.parse import quote

from odoo import models
from odoo.tools import hmac as odoo_hmac

from odoo.addons.order_status_notify_messenger import const


class SaleOrder(models.Model):
    _inherit = 'sale.order'

    def _order_notify_get_values(self, event, picking=None):
        values = super()._order_notify_get_values(event, picking=picking)
        values['messenger_link'] = self._messenger_link()
        return values

    def _messenger_ref(self):
        """The opaque ``ref`` of this order's m.me link: the order id and an HMAC of it with the
        database secret. Nothing is stored (the dispatcher never writes the order), it cannot be
        guessed from the order number, and it gives nothing but the right to get this order's
        updates on Messenger (never the portal access token, which would reach Meta)."""
        self.ensure_one()
        digest = odoo_hmac(self.env(su=True), 'order_status_notify_messenger.ref', self.id)[:24]
        return f'{const.REF_PREFIX}{self.id}x{digest}'

    def _messenger_link(self):
        """``https://m.me/<page>?ref=<ref>`` on the company's first enabled Page, or ''."""
        self.ensure_one()
        page = self.env['order.notify.provider']._messenger_company_pages(self.company_id)[:1]
        if not page:
            return ''
        name = page.messenger_page_username or page.messenger_page_id
        if not name:
            return ''
        return f'https://m.me/{quote(name.strip().lstrip("@"), safe="")}?ref={self._messenger_ref()}'
