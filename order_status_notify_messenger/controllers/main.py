# Part of order_status_notify. See LICENSE file for full copyright and licensing details.

from odoo import http
from odoo.http import request

from odoo.addons.order_status_notify_messenger.models.order_notify_provider import WEBHOOK_PATH


class MessengerController(http.Controller):

    @http.route(WEBHOOK_PATH, type='http', auth='public', methods=['GET', 'POST'], csrf=False, save_session=False)
    def messenger_webhook(self, **params):
        """Meta's webhooks for every connected Page. GET: the subscription handshake (the
        challenge back when the verify token is ours). POST: events signed with the app secret
        (``X-Hub-Signature-256``, checked on the raw body by the model, which decides; this only
        passes the bytes on)."""
        Provider = request.env['order.notify.provider'].sudo()
        if request.httprequest.method == 'GET':
            status, text = Provider._messenger_verify_subscription(
                params.get('hub.mode'), params.get('hub.verify_token'), params.get('hub.challenge'),
            )
        else:
            status, text = Provider._messenger_process_webhook(
                request.httprequest.get_data(), request.httprequest.headers,
            )
        return request.make_response(text, headers=[('Content-Type', 'text/plain; charset=utf-8')], status=status)
