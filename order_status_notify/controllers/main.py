# Part of order_status_notify. See LICENSE file for full copyright and licensing details.

import logging

from odoo import http
from odoo.http import request

from odoo.addons.order_status_notify.tools import notify_api

_logger = logging.getLogger(__name__)


# GHN's token and GHTK's hash authenticate their calls from the webhook URL's query: they must not
# land in the access log (werkzeug logs each request line in full). Masked as ``***``.
notify_api.mask_url_secret_in_access_log(
    'order_status_notify.carrier', r'(/order_status_notify/carrier/(?:ghn|ghtk)\?(?:[^\s"]*&)?(?:token|hash)=)[^&\s"]+',
)


class OrderNotifyController(http.Controller):
    """Carrier status webhooks: one route per carrier, each read by its adapter
    (``tools/carriers``) and applied by ``stock.picking._order_notify_process_carrier_call``."""

    @http.route(
        '/order_status_notify/delivery_status', type='http', auth='public', methods=['POST'], csrf=False,
        save_session=False,
    )
    def order_notify_delivery_status(self):
        """Generic JSON webhook for carriers and shipping integrations without an adapter:
        ``{"tracking_ref", "status", "date", "reason", "expected_date"}`` with the company's
        secret in ``Authorization: Bearer <secret>`` (see ``tools/carriers/generic.py``)."""
        return self._order_notify_carrier_call('generic')

    @http.route(
        '/order_status_notify/carrier/<any(ghn, ghtk):carrier>', type='http', auth='public', methods=['POST'],
        csrf=False, save_session=False,
    )
    def order_notify_carrier_status(self, carrier, **_query):
        """GHN (JSON, ``?token=``) and GHTK (form or JSON, ``?hash=``) status webhooks."""
        return self._order_notify_carrier_call(carrier)

    def _order_notify_carrier_call(self, carrier):
        httprequest = request.httprequest
        # A form-encoded body (GHTK) was already read by the web server into ``form``.
        body = httprequest.form.to_dict() if httprequest.form else httprequest.get_data()
        status, message = request.env['stock.picking'].sudo()._order_notify_process_carrier_call(
            carrier, httprequest.headers, httprequest.args, body,
        )
        if status != 200:
            _logger.info("Carrier webhook (%s): rejected (%s %s)", carrier, status, message)
        return request.make_json_response(
            {'status': 'ok' if status == 200 else 'error', 'message': message}, status=status,
        )
