# Part of order_status_notify. See LICENSE file for full copyright and licensing details.

from odoo import fields, models


class MailActivity(models.Model):
    _inherit = 'mail.activity'

    # The summary of an alert is translated in the language of whoever raised it (a cron, an
    # admin clicking a button): the key says which problem the activity is about, in any language.
    order_notify_alert_key = fields.Char(string="Order Notification Alert Key", readonly=True, copy=False)
