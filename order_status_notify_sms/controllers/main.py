# Part of order_status_notify. See LICENSE file for full copyright and licensing details.

import json
import logging

from odoo import http
from odoo.http import request

from odoo.addons.order_status_notify.tools import notify_api

_logger = logging.getLogger(__name__)


# The delivery report token authenticates the gateways' calls: it must not land in the access log
# (werkzeug logs each request line in full). It is masked as ``***``.
notify_api.mask_url_secret_in_access_log('order_status_notify_sms.report', r'(/order_status_notify_sms/(?:esms|speedsms|vietguys)/)[^/?\s"]+')


class OrderNotifySmsController(http.Controller):
    """Delivery reports of the SMS gateways. None of them signs its calls: the secret token in
    the URL (``order.notify.provider.sms_report_token``) is what authenticates them."""

    @http.route(
        '/order_status_notify_sms/esms/<string:token>', type='http', auth='public', methods=['GET', 'POST'],
        csrf=False, save_session=False,
    )
    def order_notify_esms_report(self, token, **params):
        """eSMS calls the message's CallbackUrl with an HTTP GET and query parameters
        (SMSID, SendStatus, SendSuccess, SendFailed, TotalPrice…), up to 5 times."""
        status, text = request.env['order.notify.provider'].sudo()._sms_process_report('esms', token, params)
        return self._order_notify_answer(status, text)

    @http.route(
        '/order_status_notify_sms/<any(speedsms, vietguys):code>/<string:token>', type='http', auth='public',
        methods=['POST'], csrf=False, save_session=False,
    )
    def order_notify_json_report(self, code, token):
        """SpeedSMS posts ``{"type": "report", "tranId", "phone", "status"}``, VietGuys
        ``{"data": {"message_id", "status"}}``, to the URL set in the account."""
        data = self._order_notify_json_body()
        if data is None:
            return self._order_notify_answer(400, "malformed")
        status, text = request.env['order.notify.provider'].sudo()._sms_process_report(code, token, data)
        return self._order_notify_answer(status, text)

    def _order_notify_json_body(self):
        try:
            return json.loads(request.httprequest.get_data() or b'{}')
        except ValueError:
            _logger.info("SMS delivery report with a body that is not JSON rejected")
            return None

    def _order_notify_answer(self, status, text):
        if status != 200:
            _logger.info("SMS delivery report rejected: %s %s", status, text)
        return request.make_response(text, headers=[('Content-Type', 'text/plain')], status=status)
