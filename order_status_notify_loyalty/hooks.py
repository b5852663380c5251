# Part of order_status_notify. See LICENSE file for full copyright and licensing details.


def post_init_hook(env):
    """Every company gets the review request's routes and, for each installed channel, its
    default template (``order.notify.route._order_notify_create_defaults`` does both, also for
    a channel installed later)."""
    env['order.notify.route'].sudo()._order_notify_create_defaults_all()
