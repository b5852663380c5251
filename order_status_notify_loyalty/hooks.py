# Part of order_status_notify. See LICENSE file for full copyright and licensing details.

from odoo.addons.order_status_notify_loyalty import const


def post_init_hook(env):
    """Every company gets the review request's routes and, for each installed channel, its
    default template (``order.notify.route._order_notify_create_defaults`` does both, also for
    a channel installed later); the shipped thank-you texts get the voucher sentence."""
    env['order.notify.route'].sudo()._order_notify_create_defaults_all()
    env['order.notify.template'].sudo()._order_notify_add_voucher_line()


def uninstall_hook(env):
    """The thank-you texts lose the voucher sentence: its values leave with this addon, and a
    template naming an unknown value would no longer render."""
    templates = env['order.notify.template'].sudo().with_context(active_test=False).search([
        ('event', '=', 'delivered'), ('body', 'like', 'voucher_code'),
    ])
    for template in templates:
        template.body = template.body.replace(const.VOUCHER_LINE, '')
