# Part of order_status_notify. See LICENSE file for full copyright and licensing details.

from odoo import api, fields, models

from odoo.addons.order_status_notify import const


class OrderNotifyRoute(models.Model):
    """Which channels carry an event for a company, in which order.

    The first channel with an active provider gets the message; when the buyer cannot be reached
    there (no Zalo account), the next one does. An event without an active route is off.
    """
    _name = 'order.notify.route'
    _description = "Order Notification Route"
    _order = 'company_id, event_sequence, sequence, id'

    company_id = fields.Many2one(
        string="Company", comodel_name='res.company', required=True, index=True,
        default=lambda self: self.env.company,
    )
    event = fields.Selection(string="Event", selection=const.EVENT_SELECTION, required=True)
    event_sequence = fields.Integer(compute='_compute_event_sequence', store=True)
    channel = fields.Selection(
        string="Channel", selection=lambda self: self.env['order.notify.provider']._fields['channel'].selection,
        required=True,
    )
    sequence = fields.Integer(string="Sequence", default=10)
    active = fields.Boolean(string="Active", default=True)

    _sql_constraints = [
        ('event_channel_uniq', 'unique(company_id, event, channel)',
         "A channel appears only once in the channels of an event."),
    ]

    @api.depends('event')
    def _compute_event_sequence(self):
        for route in self:
            route.event_sequence = const.EVENTS.get(route.event, {}).get('sequence', 100)

    @api.model
    def _order_notify_get_channels(self, event, company):
        """Return the channels of ``event`` for ``company``, in fallback order."""
        routes = self.sudo().search([('company_id', '=', company.id), ('event', '=', event)])
        return routes.mapped('channel')

    @api.model
    def _order_notify_create_defaults_all(self):
        """At install: every existing company gets the default events and channels."""
        return self._order_notify_create_defaults(self.env['res.company'].search([]))

    @api.model
    def _order_notify_create_defaults(self, companies):
        """Give ``companies`` every event on every channel in the default order (Zalo, then SMS)."""
        existing = {
            (route.company_id.id, route.event, route.channel)
            for route in self.with_context(active_test=False).search([('company_id', 'in', companies.ids)])
        }
        channels = [c for c, _label in self.env['order.notify.provider']._fields['channel'].selection]
        ordered = [c for c in const.DEFAULT_CHANNEL_ORDER if c in channels]
        ordered += [c for c in channels if c not in ordered]
        vals_list = [
            {'company_id': company.id, 'event': event, 'channel': channel, 'sequence': (index + 1) * 10}
            for company in companies
            for event in const.EVENTS
            for index, channel in enumerate(ordered)
            if (company.id, event, channel) not in existing
        ]
        return self.create(vals_list)
