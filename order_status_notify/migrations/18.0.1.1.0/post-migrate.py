# Part of order_status_notify. See LICENSE file for full copyright and licensing details.
"""Before 18.0.1.1.0 the carrier webhook secret was a column default, evaluated once when the
column was added: every company of the database got the same one, so a carrier of one company
could mark another company's parcels delivered. Give each company its own."""

from odoo import SUPERUSER_ID, api


def migrate(cr, version):
    env = api.Environment(cr, SUPERUSER_ID, {})
    env['res.company'].search([])._order_notify_ensure_webhook_secret()
