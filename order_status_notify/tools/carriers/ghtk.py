# Part of order_status_notify. See LICENSE file for full copyright and licensing details.
"""GHTK (Giao Hàng Tiết Kiệm) status webhook.

GHTK posts ``label_id``, ``partner_id``, ``status_id``, ``action_time`` (+07:00),
``reason_code``, ``reason``, ``weight``, ``fee``, ``pick_money``… form-encoded (its raw example)
or as JSON, to the URL the shop registered, whose ``hash`` query parameter is the only
authentication GHTK documents. It expects HTTP 200. See shared notes ``carriers_vn.md``.
"""

from urllib.parse import quote

from odoo.addons.order_status_notify import const
from odoo.addons.order_status_notify.tools import notify_api

from .base import VN_TZ, CarrierAdapter, CarrierApiError, CarrierWebhookError, api_json, register, to_vn_date

# GHTK ``status_id`` -> normalized status. 6 (reconciled) follows 5 (delivered): a missed 5 is
# still a delivery. The shipper's own reports (45, 49, 410…) wait for GHTK's confirmation
# (5, 9, 10); 10 (delivery delayed) is not a failed attempt.
STATUS_MAP = {
    3: 'picked',
    4: 'out_for_delivery',
    9: 'delivery_failed',
    5: 'delivered',
    6: 'delivered',
    20: 'returning',
    21: 'returned',
}


@register
class GhtkAdapter(CarrierAdapter):
    code = 'ghtk'
    label = 'GHTK'
    secret_field = const.CARRIER_SECRET_FIELDS['ghtk']
    naive_tz = VN_TZ

    def get_secret(self, headers, query):
        return (query.get('hash') or '').strip()

    def parse(self, headers, query, body, now):
        data = self.read_json_or_form(headers, body)
        tracking_ref = self.text(data.get('label_id'), 'label_id', required=True)
        raw_status = self.text(data.get('status_id'), 'status_id', required=True)
        try:
            status_id = int(raw_status)
        except ValueError:
            raise CarrierWebhookError(400, f"status_id is not a number: {raw_status!r}") from None
        status = STATUS_MAP.get(status_id)
        event_time = self.parse_time(data.get('action_time'), 'action_time', now)
        reason = self.text(data.get('reason'), 'reason') or self.text(data.get('reason_code'), 'reason_code')
        return self.make_status(
            tracking_ref, str(status_id), status, event_time, bool(data.get('action_time')),
            client_ref=self.text(data.get('partner_id'), 'partner_id'),
            reason=reason if status == 'delivery_failed' else '',
        )

    def fetch_expected_date(self, base_url, token, tracking_ref):
        """GHTK's order status (``GET /services/shipment/v2/{label}``, header ``Token``):
        ``order.deliver_date``."""
        response = notify_api.request(
            'GET', f"{base_url.rstrip('/')}/services/shipment/v2/{quote(tracking_ref, safe='')}", vendor='GHTK',
            timeout=const.CARRIER_API_TIMEOUT, headers={'Token': token},
        )
        data = api_json(response, 'GHTK')
        if not data.get('success') or not isinstance(data.get('order'), dict):
            raise CarrierApiError(f"GHTK answered HTTP {response.status_code}: {data.get('message')}")
        deliver_date = data['order'].get('deliver_date')
        return to_vn_date(deliver_date[:10] if isinstance(deliver_date, str) else deliver_date) if deliver_date else None
