# Part of order_status_notify. See LICENSE file for full copyright and licensing details.
"""Until 18.0.1.2.0 this addon switched Odoo's own delivery SMS (stock_sms) off while the
"shipped" event was on. That moved to the auto-install bridge ``order_status_notify_stock_sms``,
which covers every channel. Updating an addon does not install a new auto-install module: mark it
here (it is installed in the same run), so that the buyers of an updated shop never get two texts."""

from odoo import SUPERUSER_ID, api


def migrate(cr, version):
    env = api.Environment(cr, SUPERUSER_ID, {})
    env['ir.module.module'].search([
        ('name', '=', 'order_status_notify_stock_sms'), ('state', '=', 'uninstalled'),
    ]).button_install()
