# Part of order_status_notify. See LICENSE file for full copyright and licensing details.


def post_init_hook(env):
    """Give every existing SMS provider a delivery report token of its own."""
    env['order.notify.provider'].search([])._sms_ensure_report_token()
