# Part of order_status_notify. See LICENSE file for full copyright and licensing details.
"""Before 18.0.1.1.0 the delivery report token was a column default, evaluated once when the
column was added: the providers existing then shared one token (and so one report URL). Give
each its own; the new URL must be set again at SpeedSMS and VietGuys (eSMS gets it per message)."""

from odoo import SUPERUSER_ID, api


def migrate(cr, version):
    env = api.Environment(cr, SUPERUSER_ID, {})
    env['order.notify.provider'].search([])._sms_ensure_report_token()
