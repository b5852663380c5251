# Part of order_status_notify. See LICENSE file for full copyright and licensing details.

from odoo.addons.order_status_notify import reset_channel, setup_channel


def post_init_hook(env):
    """Give every company the Zalo routes, first in the fallback chain."""
    setup_channel(env, 'zalo')


def uninstall_hook(env):
    """Disable the Zalo providers before their code disappears (see ``reset_channel``)."""
    reset_channel(env, 'zalo', codes=('zalo_zns',))
