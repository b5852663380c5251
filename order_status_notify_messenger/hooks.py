# Part of order_status_notify. See LICENSE file for full copyright and licensing details.

from odoo.addons.order_status_notify import reset_channel, setup_channel


def post_init_hook(env):
    """Give every company the Messenger routes (after SMS, before e-mail) and every existing
    Messenger provider a webhook verify token of its own."""
    setup_channel(env, 'messenger')
    env['order.notify.provider'].search([('code', '=', 'messenger')])._messenger_ensure_verify_token()


def uninstall_hook(env):
    """Disable the Messenger providers before their code disappears (see ``reset_channel``)."""
    reset_channel(env, 'messenger', codes=('messenger',))
