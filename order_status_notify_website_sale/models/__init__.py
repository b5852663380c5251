# Part of order_status_notify. See LICENSE file for full copyright and licensing details.

from . import sale_order
