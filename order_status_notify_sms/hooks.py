# Part of order_status_notify. See LICENSE file for full copyright and licensing details.

from odoo.addons.order_status_notify import reset_channel, setup_channel


def post_init_hook(env):
    """Give every company the SMS routes and every existing SMS provider a delivery report
    token of its own."""
    setup_channel(env, 'sms')
    env['order.notify.provider'].search([])._sms_ensure_report_token()


def uninstall_hook(env):
    """Disable the SMS providers before their code disappears (see ``reset_channel``)."""
    reset_channel(env, 'sms', codes=('esms', 'speedsms', 'vietguys'))
