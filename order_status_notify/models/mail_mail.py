# Part of order_status_notify. See LICENSE file for full copyright and licensing details.

from odoo import fields, models


class MailMail(models.Model):
    _inherit = 'mail.mail'

    order_notify_message_id = fields.Many2one(
        string="Order Notification", comodel_name='order.notify.message', index='btree_not_null', ondelete='set null',
    )

    def _postprocess_sent_message(self, success_pids, failure_reason=False, failure_type=None):
        """The e-mail channel's delivery report: the SMTP server took the e-mail (delivered, as
        far as Odoo can know) or refused it (failed, with its reason)."""
        for mail in self.filtered('order_notify_message_id'):
            message = mail.order_notify_message_id.sudo()
            if failure_type or mail.state == 'exception':
                message._order_notify_process_report('failed', reason=failure_reason or mail.failure_reason or False)
            else:
                message._order_notify_process_report('delivered')
        return super()._postprocess_sent_message(success_pids, failure_reason=failure_reason, failure_type=failure_type)
