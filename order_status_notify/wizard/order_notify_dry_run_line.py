# Part of order_status_notify. See LICENSE file for full copyright and licensing details.

from odoo import fields, models


class OrderNotifyDryRunLine(models.TransientModel):
    """One figure of a preview: the messages of an event on a channel, or the buyers skipped
    for one reason."""
    _name = 'order.notify.dry.run.line'
    _description = "Order Notifications Preview Line"
    _order = 'kind, id'

    dry_run_id = fields.Many2one(comodel_name='order.notify.dry.run', required=True, ondelete='cascade')
    currency_id = fields.Many2one(related='dry_run_id.currency_id')
    kind = fields.Selection(
        string="Kind", selection=[('message', "Messages"), ('skipped', "Skipped")], required=True,
    )
    event = fields.Selection(string="Event", selection=lambda self: self.env['order.notify.registry']._selection_events())
    channel = fields.Selection(
        string="Channel", selection=lambda self: self.env['order.notify.registry']._selection_channels(),
    )
    reason = fields.Char(string="Reason")
    count = fields.Integer(string="Count")
    segment_count = fields.Integer(string="SMS Segments")
    cost = fields.Monetary(string="Estimated Cost", currency_field='currency_id')
