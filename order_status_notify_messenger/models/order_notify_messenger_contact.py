# Part of order_status_notify. See LICENSE file for full copyright and licensing details.

import logging

import psycopg2

from odoo import api, fields, models

_logger = logging.getLogger(__name__)


class OrderNotifyMessengerContact(models.Model):
    """A person who talks to one of the shop's Facebook Pages: their page-scoped id (PSID),
    when they last wrote (the 24-hour window), and the customer they were linked to, by the
    m.me link of an order or by writing an order number (with the phone's last digits) to the
    Page. PSIDs are page-scoped: one row per Page (provider) and person, so a company with
    several Pages, and several companies, never mix them."""
    _name = 'order.notify.messenger.contact'
    _description = "Messenger Contact of a Page"
    _order = 'last_interaction_at desc, id desc'
    _rec_name = 'psid'
    _check_company_auto = True

    provider_id = fields.Many2one(
        string="Page", comodel_name='order.notify.provider', required=True, index=True, ondelete='cascade',
        domain="[('code', '=', 'messenger')]", readonly=True,
    )
    company_id = fields.Many2one(related='provider_id.company_id', store=True, index=True)
    psid = fields.Char(
        string="Page-Scoped ID", required=True, readonly=True,
        help="The id Messenger gives this person for this Page only (PSID).",
    )
    partner_id = fields.Many2one(
        string="Customer", comodel_name='res.partner', index=True, ondelete='set null',
        help="The customer the messages of the orders go to. Empty: the person wrote to the Page but was not "
             "linked to a customer yet.",
    )
    order_id = fields.Many2one(
        string="Linked From Order", comodel_name='sale.order', ondelete='set null', readonly=True,
        help="The order whose m.me link the person opened, or whose number they wrote to the Page.",
    )
    link_source = fields.Selection(
        string="Linked By", readonly=True,
        selection=[('referral', "m.me link of an order"), ('order_number', "Order number written to the Page")],
    )
    linked_at = fields.Datetime(string="Linked On", readonly=True)
    last_interaction_at = fields.Datetime(
        string="Last Wrote", readonly=True,
        help="The last time the person wrote to the Page, opened its m.me link or tapped a button: messages "
             "may be sent on Messenger for 24 hours after it.",
    )
    active = fields.Boolean(
        default=True,
        help="Archived when Messenger says the person can no longer be reached on this Page (blocked it, or "
             "the account was deactivated); back when they write again.",
    )

    _sql_constraints = [
        ('provider_psid_uniq', 'unique(provider_id, psid)', "A person appears once per Page."),
    ]

    @api.model
    def _messenger_touch(self, provider, psid, when):
        """The contact of ``psid`` on ``provider``'s Page, created if new, with its last
        interaction moved to ``when`` (never back: webhooks may come out of order)."""
        Contact = self.sudo().with_context(active_test=False)
        contact = Contact.search([('provider_id', '=', provider.id), ('psid', '=', psid)], limit=1)
        if not contact:
            try:
                with self.env.cr.savepoint():
                    contact = Contact.create({'provider_id': provider.id, 'psid': psid, 'last_interaction_at': when})
            except psycopg2.IntegrityError:  # created meanwhile by a concurrent event of the same person
                contact = Contact.search([('provider_id', '=', provider.id), ('psid', '=', psid)], limit=1)
        vals = {}
        if when and (not contact.last_interaction_at or contact.last_interaction_at < when):
            vals['last_interaction_at'] = when
        if not contact.active:
            vals['active'] = True
        if vals:
            contact.write(vals)
        return contact

    def _messenger_link(self, order, source):
        """Link this person to ``order``'s customer: the order's messages (and the next
        orders') reach them on Messenger."""
        self.ensure_one()
        partner = order.partner_id
        if self.partner_id == partner and self.order_id == order:
            return False
        self.sudo().write({
            'partner_id': partner.id, 'order_id': order.id, 'link_source': source, 'linked_at': fields.Datetime.now(),
        })
        order.sudo()._message_log(body=self.env._(
            "The customer linked Messenger (Page %(page)s) to receive the order updates.",
            page=self.provider_id.name,
        ))
        _logger.info("Messenger contact %s linked to %s (%s)", self.id, order.name, source)
        return True
