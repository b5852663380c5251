# Part of order_status_notify. See LICENSE file for full copyright and licensing details.
"""Carrier webhooks: one adapter per carrier turns a status call into a ``CarrierStatus``.

``stock.picking._order_notify_process_carrier_call`` authenticates the call with the adapter,
finds the parcel and applies the normalized status (``_order_notify_apply_carrier_status``);
the controllers only hand over the request. A new carrier is a module here with an adapter
class decorated by ``register``, its secret field in ``const.CARRIER_SECRET_FIELDS`` and a route
in ``controllers/main.py``.
"""

from . import generic, ghn, ghtk
from .base import CarrierAdapter, CarrierApiError, CarrierStatus, CarrierWebhookError, get_adapter, register

__all__ = [
    'CarrierAdapter', 'CarrierApiError', 'CarrierStatus', 'CarrierWebhookError', 'generic', 'get_adapter', 'ghn', 'ghtk', 'register',
]
