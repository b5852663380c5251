# Part of order_status_notify. See LICENSE file for full copyright and licensing details.

import logging

from werkzeug.exceptions import Forbidden

from odoo import http
from odoo.http import request

from odoo.addons.order_status_notify_zalo import const

_logger = logging.getLogger(__name__)


class ZaloZnsController(http.Controller):
    _webhook_url = '/order_status_notify_zalo/webhook'
    _oauth_callback_url = '/order_status_notify_zalo/oauth/callback'

    @http.route(_webhook_url, type='http', auth='public', methods=['POST'], csrf=False, save_session=False)
    def zalo_webhook(self):
        """Zalo's events (delivery receipts, template status). The signature over the raw body
        authenticates them; the model decides, this only passes the bytes on."""
        raw_body = request.httprequest.get_data()
        status, text = request.env['order.notify.provider'].sudo()._zalo_process_webhook(
            raw_body, request.httprequest.headers,
        )
        return request.make_response(text, headers=[('Content-Type', 'text/plain')], status=status)

    @http.route(_oauth_callback_url, type='http', auth='user', methods=['GET'])
    def zalo_oauth_callback(self, **params):
        """Zalo sends the OA admin back here with ``code``, ``oa_id`` and our ``state``."""
        if not request.env.user.has_group('base.group_system'):
            raise Forbidden()
        pending = request.session.pop(const.OAUTH_SESSION_KEY, None)  # single use
        provider, error = request.env['order.notify.provider']._zalo_oauth_callback(params, pending)
        if error:
            _logger.info("Zalo OA connection failed: %s", error)
            if provider:
                provider.message_post(body=error)
        if not provider:
            return request.make_response(error, headers=[('Content-Type', 'text/plain; charset=utf-8')], status=400)
        return request.redirect(
            f'/odoo/action-order_status_notify.action_order_notify_provider/{provider.id}', local=True,
        )
