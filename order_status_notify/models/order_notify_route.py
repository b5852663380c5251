# Part of order_status_notify. See LICENSE file for full copyright and licensing details.

from odoo import _, api, fields, models, tools

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
    event = fields.Selection(string="Event", selection=lambda self: self.env['order.notify.registry']._selection_events(), required=True)
    event_sequence = fields.Integer(compute='_compute_event_sequence', store=True)
    channel = fields.Selection(
        string="Channel", selection=lambda self: self.env['order.notify.registry']._selection_channels(),
        required=True,
    )
    sequence = fields.Integer(string="Sequence", default=10)
    active = fields.Boolean(string="Active", default=True)
    fallback_rank = fields.Char(
        string="Order", compute='_compute_fallback_rank',
        help="Which channel of the event tries first (1st), then when the buyer cannot be reached there (2nd…). "
             "Drag the lines to change it.",
    )

    _sql_constraints = [
        ('event_channel_uniq', 'unique(company_id, event, channel)',
         "A channel appears only once in the channels of an event."),
    ]

    @api.depends('event')
    def _compute_event_sequence(self):
        for route in self:
            route.event_sequence = self.env['order.notify.registry']._get_event(route.event)['sequence']

    @api.depends('sequence', 'active', 'event', 'company_id')
    def _compute_fallback_rank(self):
        ranks = [_("1st channel"), _("2nd channel"), _("3rd channel")]
        siblings = self.with_context(active_test=True).sudo().search([
            ('company_id', 'in', self.company_id.ids), ('event', 'in', self.mapped('event')),
        ])
        positions = {}
        for route in siblings:  # in _order: event, then fallback order
            group = positions.setdefault((route.company_id.id, route.event), [])
            group.append(route.id)
        for route in self:
            group = positions.get((route.company_id.id, route.event), [])
            if not route.active or route.id not in group:
                route.fallback_rank = _("Off")
                continue
            index = group.index(route.id)
            route.fallback_rank = ranks[index] if index < len(ranks) else _("%sth channel", index + 1)

    # === CRUD METHODS === #

    @api.model_create_multi
    def create(self, vals_list):
        routes = super().create(vals_list)
        self.env.registry.clear_cache()  # _order_notify_get_channels
        return routes

    def write(self, vals):
        res = super().write(vals)
        if {'sequence', 'active', 'event', 'company_id'} & set(vals):
            self.invalidate_model(['fallback_rank'])  # the rank of the other channels of the event moved too
        if {'sequence', 'active', 'event', 'company_id', 'channel'} & set(vals):
            self.env.registry.clear_cache()  # _order_notify_get_channels
        if {'active', 'event'} & set(vals) and not self.env.context.get('order_notify_applying_plan'):
            # An event switched on or off by hand: the company's plan is now its own.
            self.company_id.filtered(lambda c: c.order_notify_plan != 'custom').sudo().order_notify_plan = 'custom'
        return res

    def unlink(self):
        res = super().unlink()
        self.env.registry.clear_cache()
        return res

    # === BUSINESS METHODS === #

    @api.model
    def _order_notify_get_channels(self, event, company):
        """Return the channels of ``event`` for ``company``, in fallback order."""
        return list(self._order_notify_get_channels_cached(event, company.id))

    @api.model
    @tools.ormcache('event', 'company_id')
    def _order_notify_get_channels_cached(self, event, company_id):
        """Every business hook asks this (each order confirmed, each parcel validated): kept in the
        registry's cache, cleared when a route changes, so a hook reads no route."""
        routes = self.sudo().with_context(active_test=True).search([('company_id', '=', company_id), ('event', '=', event)])
        return tuple(routes.mapped('channel'))

    @api.model
    def _order_notify_create_defaults_all(self):
        """At install: every existing company gets the default events and channels."""
        return self._order_notify_create_defaults(self.env['res.company'].search([]))

    @api.model
    def _order_notify_create_defaults(self, companies, channels=None):
        """Give ``companies`` the routes of ``channels`` (default: every channel of the
        registry) for every event: a channel at its place in the fallback chain (its registry
        ``sequence``: Zalo, SMS, e-mail), active when the event is on by default and lists the
        channel. Routes that exist (even archived by an admin) are kept as they are."""
        Registry = self.env['order.notify.registry']
        registered = Registry._get_channels()
        channels = [c for c in (channels or registered) if c in registered]
        existing = {
            (route.company_id.id, route.event, route.channel)
            for route in self.with_context(active_test=False).search([('company_id', 'in', companies.ids)])
        }
        vals_list = []
        for event, spec in Registry._get_events().items():
            spec = Registry._get_event(event)
            for channel in channels:
                for company in companies:
                    if (company.id, event, channel) in existing:
                        continue
                    # A company on a plan gets a new event (an addon installed later) as its plan says.
                    on = spec['default_on'] if company.order_notify_plan not in const.PLANS \
                        else company.order_notify_plan in spec['plans']
                    vals_list.append({
                        'company_id': company.id, 'event': event, 'channel': channel,
                        'sequence': Registry._get_channel(channel)['sequence'],
                        'active': on and (spec['channels'] is None or channel in spec['channels']),
                    })
        return self.create(vals_list)
