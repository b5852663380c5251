# Part of order_status_notify. See LICENSE file for full copyright and licensing details.

import pytz

from odoo import api, fields, models

from odoo.addons.order_status_notify_zalo import const, utils


class OrderNotifyMessage(models.Model):
    """What Zalo tells of a ZNS after it left: its delivery (webhook event or status poll) and
    what it costs, since Zalo bills a ZNS only once delivered in time."""
    _inherit = 'order.notify.message'

    zalo_development = fields.Boolean(
        string="Zalo Development Mode", readonly=True,
        help="Sent with mode \"development\" (provider in test mode): it reaches the OA's administrators only "
             "and is paid from the app's development wallet.",
    )

    # === BUSINESS METHODS === #

    def _zalo_find_zns_template(self, provider=None):
        """The synchronized ZNS template this message was (or will be) sent with: the one chosen
        on its template, else the one of ``provider`` (default: the message's) with the
        template's reference."""
        self.ensure_one()
        provider = provider or self.provider_id
        template = self.template_id
        if template.zalo_template_id or not template.provider_template_ref:
            return template.zalo_template_id
        return self.env['zalo.zns.template'].sudo().search([
            ('provider_id', '=', provider.id), ('template_ref', '=', template.provider_template_ref),
        ], limit=1)

    # === BUSINESS METHODS: DELIVERY === #

    @api.model
    def _zalo_process_delivery_event(self, provider, data):
        """Webhook ``user_received_message`` signed by ``provider``: the message reached the
        phone at ``delivery_time``. It is found by Zalo's message id, or by its ``tracking_id``
        when the send got no answer: the event is then the proof that Zalo accepted it.

        :return: ``(http_status, text)``
        """
        event_message = data.get('message')
        if not isinstance(event_message, dict) or not event_message.get('msg_id'):
            return 400, "malformed"
        message = self.sudo().search([
            ('provider_id', '=', provider.id), ('provider_message_ref', '=', str(event_message['msg_id'])),
        ], limit=1)
        if not message:
            message = self._zalo_find_unconfirmed(provider, event_message.get('tracking_id'))
            if not message:
                return 200, "ignored"
            # The send got no answer (timeout, cut connection): this event proves Zalo accepted it.
            message._order_notify_mark_reconciled({'provider_message_ref': str(event_message['msg_id'])})
        if not message._zalo_apply_delivery(event_message.get('delivery_time') or data.get('timestamp')):
            return 200, "duplicate"
        return 200, "ok"

    @api.model
    def _zalo_find_unconfirmed(self, provider, tracking_id):
        """The message of ``provider`` and ``tracking_id`` whose send got no answer: reconciling,
        unknown, or still sending (the event may come before the dispatcher recorded the timeout)."""
        if not tracking_id:
            return self.browse()
        Message = self.sudo()
        domain = [
            ('provider_id', '=', provider.id), ('state', 'in', ('reconciling', 'unknown', 'sending')),
            ('provider_message_ref', '=', False),
        ]
        # The tracking id is the idempotency key itself unless the key had to be shortened.
        message = Message.search(domain + [('idempotency_key', '=', tracking_id)], limit=1)
        if message or len(tracking_id) < const.TRACKING_ID_MAX_LENGTH:
            return message
        candidates = Message.search(domain + [('idempotency_key', '=like', tracking_id.replace('-', '_') + '%')])
        return candidates.filtered(lambda m: utils.tracking_id(m.idempotency_key) == tracking_id)[:1]

    def _zalo_apply_delivery(self, delivery_ms):
        """Mark this message delivered at Zalo's ``delivery_time`` with what Zalo bills for it.
        Zalo repeats its events (at least once): a repeat changes nothing.

        :return: whether the message changed
        """
        self.ensure_one()
        if self.state == 'delivered':
            return False
        delivered_date = utils.parse_ms(delivery_ms) or fields.Datetime.now()
        self._order_notify_process_report('delivered', delivered_date=delivered_date,
                                          cost=self._zalo_delivery_cost(delivery_ms))
        return True

    def _zalo_delivery_cost(self, delivery_ms):
        """The template's price when delivered within the template's timeout, nothing when later
        or in development mode; None (keep the estimate) when the template is unknown."""
        self.ensure_one()
        if self.zalo_development:
            return 0.0
        zns_template = self._zalo_find_zns_template()
        if not zns_template:
            return None
        try:
            delivered_ms = int(delivery_ms)
        except (TypeError, ValueError):
            delivered_ms = None
        if delivered_ms and self.sent_date:
            sent_ms = int(pytz.utc.localize(self.sent_date).timestamp() * 1000)
            if delivered_ms - sent_ms > (zns_template.timeout_ms or const.DEFAULT_TEMPLATE_TIMEOUT_MS):
                return 0.0
        return zns_template.price
