# Part of order_status_notify. See LICENSE file for full copyright and licensing details.

from odoo import fields, models

from odoo.addons.order_status_notify import const


class OrderNotifyMessage(models.Model):
    """The chain of a message: its siblings on other channels and numbers, the message that
    absorbs it, the daily cap, and the fallback to the buyer's next number or channel."""
    _inherit = 'order.notify.message'

    # === BUSINESS METHODS: CHAIN AND FALLBACK === #

    def _order_notify_get_siblings(self):
        """The other messages of the same order event (and parcel): the fallback chain."""
        self.ensure_one()
        return self.search([
            ('id', '!=', self.id), ('order_id', '=', self.order_id.id), ('event', '=', self.event),
            ('is_test', '=', False), ('revision', '=', self.revision), ('ref', '=', self.ref or False),
        ])

    def _order_notify_get_absorbing_message(self):
        """Return a message of this order that makes this one redundant (the event's ``absorbed_by``)."""
        absorbed_by = self.env['order.notify.registry']._get_event(self.event)['absorbed_by']
        if not absorbed_by:
            return self.browse()
        return self.search([
            ('order_id', '=', self.order_id.id), ('event', 'in', absorbed_by), ('is_test', '=', False),
            ('revision', '=', self.revision), ('state', 'in', const.PENDING_STATES + const.SUCCESS_STATES),
        ], limit=1)

    def _order_notify_daily_cap_reached(self):
        cap = self.company_id.order_notify_daily_cap
        if cap <= 0:
            return False
        promotional = self.env['order.notify.registry']._events_of_kind('promotional')
        since = self.company_id._order_notify_day_start(fields.Datetime.now())
        address = ('phone', '=', self.phone) if self.phone else ('recipient', '=', self.recipient)
        count = self.search_count([
            address, ('event', 'in', promotional), ('state', 'in', const.SUCCESS_STATES),
            ('sent_date', '>=', since),
        ])
        return count >= cap

    def _order_notify_fallback(self, other_phone=False, other_address=False):
        """Queue the event on the next channel of the company's order, unless the buyer already
        got it somewhere. With ``other_phone`` (this number cannot be reached on this channel),
        the buyer's next number is tried on the same channel first: a buyer who typed two
        numbers gets the cheaper channel on the second before the next channel on the first.
        With ``other_address`` (the buyer has no address of this channel's kind, e.g. no
        mobile), only channels sending to another kind of address are tried (e-mail).
        Returns the new message, if any."""
        self.ensure_one()
        if self.is_test or self._order_notify_get_siblings().filtered(lambda m: m.state in const.SUCCESS_STATES):
            return self.browse()
        phones = self._order_notify_get_chain_phones()
        if other_phone:
            tried = set((self._order_notify_get_siblings() | self).filtered(
                lambda m: m.channel == self.channel).mapped('phone'))
            untried = [phone for phone in phones if phone not in tried]
            if untried:
                phone = untried[0]
                return self._order_notify_create_fallback(self.channel, self.provider_id, phone, phones.index(phone))
        channels = self.env['order.notify.route']._order_notify_get_channels(self.event, self.company_id)
        if self.channel not in channels:
            return self.browse()
        tried = set(self._order_notify_get_siblings().mapped('channel')) | {self.channel}
        next_channels = [c for c in channels[channels.index(self.channel) + 1:] if c not in tried]
        if other_address:
            kind = self._order_notify_recipient_kind()
            next_channels = [c for c in next_channels if self._order_notify_recipient_kind(c) != kind]
        Provider = self.env['order.notify.provider']
        for channel in next_channels:
            provider = Provider._order_notify_get_available(channel, self.company_id)
            if not provider:
                continue
            return self._order_notify_create_fallback(channel, provider, phones[0] if phones else self.phone, 0)
        return self.browse()

    def _order_notify_create_fallback(self, channel, provider, phone, phone_index):
        """Queue this message again on ``channel`` for ``phone`` (the ``phone_index``-th
        number of the buyer), linked to this one."""
        self.ensure_one()
        is_phone = self._order_notify_recipient_kind(channel) == 'phone'
        fallback = self._order_notify_create_unique({
            'order_id': self.order_id.id,
            'order_name': self.order_name,
            'picking_id': self.picking_id.id,
            'partner_id': self.partner_id.id,
            'company_id': self.company_id.id,
            'user_id': self.user_id.id,
            'team_id': self.team_id.id,
            'event': self.event,
            'channel': channel,
            'provider_id': provider.id,
            'currency_id': provider.currency_id.id,
            'phone': phone if is_phone else False,
            'recipient': phone if is_phone else False,
            'alternative_phones': self.alternative_phones if is_phone else False,
            'revision': self.revision,
            'ref': self.ref,
            'fallback_from_id': self.id,
            'idempotency_key': self._order_notify_make_key(
                self.order_id, self.event, channel, revision=self.revision, attempt_phone=phone_index,
                ref=self.ref or False,
            ),
        })
        fallback._order_notify_trigger_dispatch()
        return fallback

    def _order_notify_get_chain_phones(self):
        """The buyer's numbers for this message's chain, the first one first: the phone of the
        chain's first message, then the alternatives it found."""
        self.ensure_one()
        first = self
        while first.fallback_from_id:
            first = first.fallback_from_id
        phones = [first.phone] if first.phone else []
        return phones + [phone for phone in (self.alternative_phones or '').split() if phone not in phones]
