# Part of order_status_notify. See LICENSE file for full copyright and licensing details.

from odoo import api, models
from odoo.tools.translate import LazyGettext

from odoo.addons.order_status_notify import const


class OrderNotifyRegistry(models.AbstractModel):
    """The events and channels the engine knows, in one place that addons extend.

    An addon adds an event or a channel by inheriting this model and extending
    ``_get_events`` / ``_get_channels`` (``super()`` then add its key), the way payment addons
    extend ``payment.provider``; every selection, the identity of messages, the fallback chain
    and the routes a company gets are read from here. See README, "Writing a channel addon".
    """
    _name = 'order.notify.registry'
    _description = "Order Notification Events and Channels"

    # === BUSINESS METHODS: EVENTS === #

    def _label(self, code, spec):
        """The label of an event or channel in the user's language (labels are lazy)."""
        label = spec.get('label') or code
        return self.env._(label) if isinstance(label, LazyGettext) else label

    @api.model
    def _get_events(self):
        """Return ``{code: spec}`` of every event, in no particular order (``sequence`` orders them).

        A spec holds (missing keys take the defaults of ``const.EVENT_DEFAULTS``):

        - ``label`` (lazy translated) and ``sequence``: the event's name and place in the journey;
        - ``kind``: ``transactional`` (one per order state, never capped) or ``promotional``
          (counted in the daily cap, only in the sending hours);
        - ``scope``: what makes a message of the event unique for an order life: ``order``
          (once), ``parcel`` (once per delivery order), ``ref`` (once per reference given by the
          hook: a change counter, a return), ``bucket`` (once per ``bucket_hours`` window);
        - ``absorbed_by`` / ``hold_minutes``: events whose message makes this one redundant,
          and how long this one waits for them;
        - ``channels``: the channels of the event for a new company (``None``: every channel);
        - ``default_on``: whether a new company gets the event switched on.
        """
        return {code: dict(spec) for code, spec in const.EVENTS.items()}

    @api.model
    def _get_event(self, event):
        """The spec of ``event`` with every key present (see ``_get_events``)."""
        return {**const.EVENT_DEFAULTS, **self._get_events().get(event, {})}

    @api.model
    def _selection_events(self):
        events = sorted(self._get_events().items(), key=lambda item: item[1].get('sequence', 100))
        return [(code, self._label(code, spec)) for code, spec in events]

    @api.model
    def _events_of_kind(self, kind):
        return [code for code, spec in self._get_events().items() if spec.get('kind', 'transactional') == kind]

    # === BUSINESS METHODS: CHANNELS === #

    @api.model
    def _get_channels(self):
        """Return ``{code: spec}`` of every channel, extended by each channel addon.

        - ``label`` (lazy translated);
        - ``sequence``: the channel's place in the default fallback chain (cheapest first:
          Zalo 10, SMS 20, Messenger 25, e-mail 90);
        - ``recipient``: what the channel sends to: ``phone`` (E.164 mobiles), ``email``, or a
          code the channel resolves itself (``order.notify.provider._order_notify_get_recipients``).
        """
        return {code: dict(spec) for code, spec in const.CHANNELS.items()}

    @api.model
    def _selection_channels(self):
        channels = sorted(self._get_channels().items(), key=lambda item: item[1].get('sequence', 100))
        return [(code, self._label(code, spec)) for code, spec in channels]

    @api.model
    def _get_channel(self, channel):
        return {'sequence': 100, 'recipient': 'phone', **self._get_channels().get(channel, {})}
