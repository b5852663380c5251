# Part of order_status_notify. See LICENSE file for full copyright and licensing details.

from . import controllers
from . import models
from . import wizard


def _post_init_hook(env):
    """Give every existing company the default events and channels."""
    env['order.notify.route']._order_notify_create_defaults(env['res.company'].search([]))
