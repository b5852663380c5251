# Part of order_status_notify. See LICENSE file for full copyright and licensing details.
"""GHN (Giao Hàng Nhanh) status webhook.

GHN posts JSON (``OrderCode``, ``ClientOrderCode``, ``Status``, ``Type``, ``Time`` in UTC,
``Description``, ``Reason``, ``ReasonCode``, ``CODAmount``…) to the URL the shop gave GHN,
expects HTTP 200 and retries 10 times otherwise. GHN signs nothing: the URL carries the shop's
secret token (``?token=…``), registered with GHN. See shared notes ``carriers_vn.md``.
"""

from odoo.addons.order_status_notify import const
from odoo.addons.order_status_notify.tools import notify_api

from .base import CarrierAdapter, CarrierApiError, api_json, register, to_vn_date

# GHN ``Status`` -> normalized status; the others (ready_to_pick, storing, sorting…) tell the
# buyer nothing. ``waiting_to_return`` and the return legs mean the parcel goes back to the shop.
STATUS_MAP = {
    'picked': 'picked',
    'delivering': 'out_for_delivery',
    'delivery_fail': 'delivery_failed',
    'delivered': 'delivered',
    'waiting_to_return': 'returning',
    'return': 'returning',
    'return_transporting': 'returning',
    'return_sorting': 'returning',
    'returning': 'returning',
    'returned': 'returned',
}
# Calls of these types change a weight, COD amount or fee, not where the parcel is.
IGNORED_TYPES = ('update_weight', 'update_cod', 'update_fee')


@register
class GhnAdapter(CarrierAdapter):
    code = 'ghn'
    label = 'GHN'
    secret_field = const.CARRIER_SECRET_FIELDS['ghn']

    def get_secret(self, headers, query):
        return (query.get('token') or '').strip()

    def parse(self, headers, query, body, now):
        data = self.read_json(body)
        tracking_ref = self.text(data.get('OrderCode'), 'OrderCode', required=True)
        carrier_status = self.text(data.get('Status'), 'Status', required=True).lower()
        call_type = self.text(data.get('Type'), 'Type').lower()
        status = None if call_type in IGNORED_TYPES else STATUS_MAP.get(carrier_status)
        event_time = self.parse_time(data.get('Time'), 'Time', now)
        reason = self.text(data.get('Reason'), 'Reason') or self.text(data.get('ReasonCode'), 'ReasonCode')
        return self.make_status(
            tracking_ref, carrier_status, status, event_time, bool(data.get('Time')),
            client_ref=self.text(data.get('ClientOrderCode'), 'ClientOrderCode'),
            reason=reason if status == 'delivery_failed' else '',
        )

    def fetch_expected_date(self, base_url, token, tracking_ref):
        """GHN's order detail (``POST /shiip/public-api/v2/shipping-order/detail``, header
        ``Token``): ``data.leadtime``, the end of the expected delivery day, in UTC."""
        response = notify_api.request(
            'POST', f"{base_url.rstrip('/')}/shiip/public-api/v2/shipping-order/detail", vendor='GHN',
            timeout=const.CARRIER_API_TIMEOUT, headers={'Token': token}, json={'order_code': tracking_ref},
        )
        data = api_json(response, 'GHN')
        if data.get('code') != 200 or not isinstance(data.get('data'), dict):
            raise CarrierApiError(f"GHN answered {data.get('code')}: {data.get('message')}")
        leadtime = data['data'].get('leadtime')
        return to_vn_date(leadtime) if leadtime else None
