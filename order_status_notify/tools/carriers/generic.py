# Part of order_status_notify. See LICENSE file for full copyright and licensing details.
"""The generic JSON webhook, for carriers and shipping integrations without an adapter.

``POST {"tracking_ref": "...", "status": "delivered", "date": "...", "reason": "...",
"expected_date": "YYYY-MM-DD"}`` with the company's secret in ``Authorization: Bearer``.
``status`` is one of the normalized statuses (``picked``, ``out_for_delivery``,
``delivery_failed``, ``delivered``, ``returning``, ``returned``); any other is answered 200 and
ignored. Naive times are UTC.
"""

from odoo.addons.order_status_notify import const

from .base import CarrierAdapter, register


@register
class GenericAdapter(CarrierAdapter):
    code = 'generic'
    label = 'Webhook'
    secret_field = const.CARRIER_SECRET_FIELDS['generic']

    def get_secret(self, headers, query):
        auth = headers.get('Authorization') or ''
        return auth[7:].strip() if auth.lower().startswith('bearer ') else ''

    def parse(self, headers, query, body, now):
        data = self.read_json(body)
        tracking_ref = self.text(data.get('tracking_ref'), 'tracking_ref', required=True)
        carrier_status = self.text(data.get('status'), 'status', required=True).lower()
        status = carrier_status if carrier_status in const.CARRIER_STATUSES else None
        return self.make_status(
            tracking_ref, carrier_status, status, self.parse_time(data.get('date'), 'date', now), bool(data.get('date')),
            client_ref=self.text(data.get('client_ref'), 'client_ref'),
            reason=self.text(data.get('reason'), 'reason') if status == 'delivery_failed' else '',
            expected_date=self.parse_date(data.get('expected_date'), 'expected_date'),
        )
