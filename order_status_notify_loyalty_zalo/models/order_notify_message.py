# Part of order_status_notify. See LICENSE file for full copyright and licensing details.

import logging

from odoo import api, models

_logger = logging.getLogger(__name__)


class OrderNotifyMessage(models.Model):
    _inherit = 'order.notify.message'

    @api.model
    def _zalo_feedback_values(self, data):
        """``(msg_id, tracking_id, stars, comment)`` of a ``user_feedback`` event, or ``None``
        when it does not hold a rating. Zalo documents the event's name, not its body
        (UNCONFIRMED, shared/notes/zalo_zns.md §5.3): the message's ids are read as in
        ``user_received_message`` (``message.msg_id``, ``message.tracking_id``), the stars from
        ``rate`` (in ``message`` or at the top), the comment from ``note`` and the chosen
        ``feedbacks`` (a list of the template's answers), whichever are there."""
        event_message = data.get('message') if isinstance(data.get('message'), dict) else {}
        msg_id = event_message.get('msg_id')
        rate = event_message.get('rate', data.get('rate'))
        try:
            stars = int(rate)
        except (TypeError, ValueError):
            return None
        if not msg_id or not 1 <= stars <= 5:
            return None
        feedbacks = event_message.get('feedbacks', data.get('feedbacks')) or []
        if isinstance(feedbacks, str):
            feedbacks = [feedbacks]
        parts = [str(part).strip() for part in feedbacks if isinstance(part, (str, int)) and str(part).strip()]
        note = event_message.get('note', data.get('note'))
        if isinstance(note, str) and note.strip():
            parts.append(note.strip())
        return str(msg_id), str(event_message.get('tracking_id') or ''), stars, ". ".join(parts)[:2000]

    @api.model
    def _zalo_process_feedback_event(self, provider, data):
        """Webhook ``user_feedback`` signed by ``provider``: store the buyer's answer to the
        review request as the review page does (``sale.order._order_notify_apply_review``).
        Zalo delivers events at least once: the same answer again changes nothing.

        :return: ``(http_status, text)``
        """
        values = self._zalo_feedback_values(data)
        if not values:
            _logger.info("Zalo user_feedback event without a message id or a rating of 1 to 5 refused")
            return 400, "malformed"
        msg_id, tracking_id, stars, comment = values
        domain = [('provider_id', '=', provider.id), ('event', '=', 'review_request')]
        message = self.sudo().search(domain + [('provider_message_ref', '=', msg_id)], limit=1)
        if not message and tracking_id:
            message = self.sudo().search(domain + [('idempotency_key', '=', tracking_id)], limit=1)
        if not message or not message.order_id:
            return 200, "ignored"
        order = message.order_id
        rating = order._order_notify_ensure_rating()
        if rating.consumed and int(rating.rating) == stars and (rating.feedback or '') == comment:
            return 200, "duplicate"
        order._order_notify_apply_review(rating, stars, comment)
        return 200, "ok"
