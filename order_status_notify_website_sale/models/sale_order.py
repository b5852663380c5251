# Part of order_status_notify. See LICENSE file for full copyright and licensing details.

from odoo import api, models
from odoo.osv import expression


class SaleOrder(models.Model):
    _inherit = 'sale.order'

    # === BUSINESS METHODS: CART REMINDERS === #

    @api.model
    def _order_notify_cart_domain(self, company, until, since):
        """Also the eCommerce carts website_sale calls abandoned (``is_abandoned_cart``: a draft
        cart of a website with lines, whose buyer is not the website's public partner), left for
        the shop's reminder delay, and not already reminded by website_sale's recovery e-mail."""
        public_partners = self.env['website'].sudo().search([]).user_id.partner_id
        carts = [
            ('company_id', '=', company.id), ('order_notify_cart_reminded', '=', False),
            ('order_line', '!=', False), ('date_order', '<=', until), ('date_order', '>=', since),
            ('website_id', '!=', False), ('state', '=', 'draft'), ('partner_id', 'not in', public_partners.ids),
            ('cart_recovery_email_sent', '=', False),
        ]
        return expression.OR([super()._order_notify_cart_domain(company, until, since), carts])

    def _order_notify_filter_cart_reminders(self):
        """website_sale's own rules for a recovery, but the e-mail: no failed payment (the buyer
        tried and the shop should call instead), something that is not free."""
        carts = super()._order_notify_filter_cart_reminders()
        return carts.filtered(lambda cart: not cart.website_id or (
            not any(tx.state == 'error' for tx in cart.sudo().transaction_ids)
            and any(line.price_unit > 0 for line in cart.order_line)
        ))

    def _order_notify_mark_cart_reminded(self):
        """One reminder per cart: website_sale's recovery e-mail does not follow ours."""
        super()._order_notify_mark_cart_reminded()
        self.filtered('website_id').write({'cart_recovery_email_sent': True})

    def _order_notify_cart_url(self):
        """An eCommerce cart opens as the buyer's cart again (merged into the cart they may have
        started since), ready for checkout."""
        self.ensure_one()
        if not self.website_id or self.state != 'draft' or not self.access_token:
            return super()._order_notify_cart_url()
        return f"{self.get_base_url()}/shop/cart?access_token={self.access_token}&revive=merge"
