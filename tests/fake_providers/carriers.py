"""Fake GHN and GHTK order APIs: what the carriers tell about a parcel, its expected delivery.

Follows ``shared/notes/carriers_vn.md`` §1-2. The webhooks carry no expected delivery date;
the carriers' order APIs do:

- GHN ``POST /shiip/public-api/v2/shipping-order/detail`` (https://api.ghn.vn/home/docs/detail?id=119),
  header ``Token``, JSON ``{"order_code"}`` → ``{"code": 200, "message": "Success", "data":
  {"order_code", "client_order_code", "status", "leadtime" (ISO 8601 UTC), "cod_amount",
  "is_cod_collected", "finish_date", "log": [...]}}``. A wrong token: HTTP 401
  ``{"code": 401, "message": "Token is not valid!"}``; an unknown order: HTTP 400
  ``{"code": 400, "message": "..."}`` (messages: fake's choice, UNCONFIRMED).
- GHTK ``GET /services/shipment/v2/{label}`` (https://api.ghtk.vn/en/docs/submit-order/tracking-status),
  header ``Token`` → ``{"success": true, "message": "", "order": {"label_id", "partner_id",
  "status", "status_text", "created", "modified", "pick_date", "deliver_date" (YYYY-MM-DD),
  "pick_money", "ship_money", ...}}``; an unknown label or a wrong token: ``{"success": false,
  "message": ...}`` (HTTP 200 for an unknown label, 401 for a wrong token: UNCONFIRMED).

Scripting: :meth:`FakeGHN.add_order` / :meth:`FakeGHTK.add_order`, :meth:`Fake.fail_next`
(``http_status=500``…).
"""
from .base import Fake, json_response, route

DEFAULT_GHN_TOKEN = 'fake-ghn-api-token'
DEFAULT_GHTK_TOKEN = 'fake-ghtk-api-token'


class FakeGHN(Fake):
    provider = 'ghn'
    channel = 'carrier'

    def __init__(self, token=DEFAULT_GHN_TOKEN, **kwargs):
        super().__init__(**kwargs)
        self.token = token
        self.orders = {}

    def add_order(self, order_code, leadtime, status='delivering', **values):
        """``leadtime``: ISO 8601 UTC, e.g. ``2026-03-11T16:59:59Z`` (end of the day in Vietnam)."""
        self.orders[order_code] = {
            'order_code': order_code, 'client_order_code': '', 'status': status, 'leadtime': leadtime,
            'cod_amount': 0, 'is_cod_collected': False, 'finish_date': None, 'log': [], **values,
        }

    @route('POST', r'/shiip/public-api/v2/shipping-order/detail')
    def detail(self, request):
        forced = self.take_forced()
        if forced is not None:
            return forced
        if request.header('token') != self.token:
            return json_response({'code': 401, 'message': 'Token is not valid!'}, status=401)
        order_code = (request.json or {}).get('order_code') if isinstance(request.json, dict) else None
        order = self.orders.get(order_code)
        if not order:
            return json_response({'code': 400, 'message': 'Đơn hàng không tồn tại', 'data': None}, status=400)
        return json_response({'code': 200, 'message': 'Success', 'data': order})


class FakeGHTK(Fake):
    provider = 'ghtk'
    channel = 'carrier'

    def __init__(self, token=DEFAULT_GHTK_TOKEN, **kwargs):
        super().__init__(**kwargs)
        self.token = token
        self.orders = {}

    def add_order(self, label_id, deliver_date, status='4', **values):
        """``deliver_date``: ``YYYY-MM-DD``."""
        self.orders[label_id] = {
            'label_id': label_id, 'partner_id': '', 'status': status, 'status_text': 'Đang giao hàng',
            'created': '2026-03-09 09:00:00', 'modified': '2026-03-10 08:00:00', 'pick_date': '2026-03-09',
            'deliver_date': deliver_date, 'pick_money': 0, 'ship_money': 16500, **values,
        }

    @route('GET', r'/services/shipment/v2/(?P<label>[^/]+)')
    def status(self, request, label):
        forced = self.take_forced()
        if forced is not None:
            return forced
        if request.header('token') != self.token:
            return json_response({'success': False, 'message': 'Token không hợp lệ'}, status=401)
        order = self.orders.get(label)
        if not order:
            return json_response({'success': False, 'message': 'Không tìm thấy đơn hàng'})
        return json_response({'success': True, 'message': '', 'order': order})
