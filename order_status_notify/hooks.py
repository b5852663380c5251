# Part of order_status_notify. See LICENSE file for full copyright and licensing details.


def post_init_hook(env):
    """Give every existing company a carrier webhook secret of its own (see ``res.company``)
    and the routes of the core's channels."""
    env['res.company'].search([])._order_notify_ensure_webhook_secret()
    setup_channel(env, 'email')


def setup_channel(env, channel):
    """Install hook of a channel addon (as ``payment.setup_provider``): every company gets the
    routes of ``channel`` for every event, at the channel's place in the fallback chain
    (``order.notify.registry._get_channels``), switched on as each event says. Routes an admin
    already has are left as they are. Messages queued before the channel existed and never
    tried move to it when it comes first in their chain and already has a provider (the demo's
    orders, confirmed while only the core was installed)."""
    companies = env['res.company'].search([])
    env['order.notify.route'].sudo()._order_notify_create_defaults(companies, channels=[channel])
    env['order.notify.message'].sudo()._order_notify_reroute_waiting(channel)


def reset_channel(env, channel, codes=()):
    """Uninstall hook of a channel addon (as ``payment.reset_payment_provider``): its providers,
    and any provider of its channel, are disabled before Odoo drops their code (which would
    otherwise turn an enabled Zalo account into an enabled provider of the default code), its
    routes go, and its waiting messages are cancelled: nothing is sent on a channel that is no
    longer installed."""
    Provider = env['order.notify.provider'].sudo().with_context(active_test=False)
    providers = Provider.search(['|', ('channel', '=', channel), ('code', 'in', list(codes))])
    providers.write({'state': 'disabled'})
    env['order.notify.route'].sudo().with_context(active_test=False).search([('channel', '=', channel)]).unlink()
    waiting = env['order.notify.message'].sudo().search([('channel', '=', channel), ('state', '=', 'queued')])
    waiting.write({'state': 'cancelled', 'reason_code': 'channel_uninstalled', 'reason': "The channel was uninstalled."})
