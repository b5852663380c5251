# Part of order_status_notify. See LICENSE file for full copyright and licensing details.

from odoo import api, models


class ReportOrderNotifyCostSummary(models.AbstractModel):
    _name = 'report.order_status_notify.report_order_notify_cost_summary'
    _description = "Order Notifications Cost Summary Report"

    @api.model
    def _get_report_values(self, docids, data=None):
        summaries = self.env['order.notify.cost.summary'].browse(docids)
        return {
            'doc_ids': docids,
            'doc_model': 'order.notify.cost.summary',
            'docs': summaries,
            'totals': {summary.id: summary._get_lines() for summary in summaries},
        }
