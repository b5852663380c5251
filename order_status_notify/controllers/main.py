# Part of order_status_notify. See LICENSE file for full copyright and licensing details.

import json
import logging

from odoo import fields, http
from odoo.http import request

_logger = logging.getLogger(__name__)


class OrderNotifyController(http.Controller):

    @http.route(
        '/order_status_notify/delivery_status', type='http', auth='public', methods=['POST'], csrf=False,
        save_session=False,
    )
    def order_notify_delivery_status(self):
        """Delivery status webhook for carriers and shipping integrations.

        ``POST`` a JSON body ``{"tracking_ref": "...", "status": "delivered", "date": "..."}``
        with the company's secret in ``Authorization: Bearer <secret>``. Only ``delivered``
        changes anything: it sends the buyer the thank-you message.
        """
        auth = request.httprequest.headers.get('Authorization', '')
        secret = auth[7:].strip() if auth.lower().startswith('bearer ') else ''
        try:
            data = json.loads(request.httprequest.get_data() or b'{}')
            if not isinstance(data, dict):
                raise ValueError("the body is not a JSON object")
            delivered_date = fields.Datetime.to_datetime(data['date']) if data.get('date') else None
        except (ValueError, TypeError) as error:
            _logger.info("Delivery status webhook: malformed call rejected (%s)", error)
            return self._order_notify_json(400, f"malformed body: {error}")
        status, message = request.env['stock.picking'].sudo()._order_notify_process_carrier_status(
            secret, str(data.get('tracking_ref') or ''), str(data.get('status') or '').lower(), delivered_date,
        )
        if status != 200:
            _logger.info("Delivery status webhook: rejected (%s %s)", status, message)
        return self._order_notify_json(status, message)

    def _order_notify_json(self, status, message):
        return request.make_json_response({'status': 'ok' if status == 200 else 'error', 'message': message}, status=status)
