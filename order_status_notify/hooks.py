# Part of order_status_notify. See LICENSE file for full copyright and licensing details.


def post_init_hook(env):
    """Give every existing company a carrier webhook secret of its own (see ``res.company``)."""
    env['res.company'].search([])._order_notify_ensure_webhook_secret()
