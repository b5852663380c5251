# Part of order_status_notify. See LICENSE file for full copyright and licensing details.

from odoo import models

from odoo.addons.order_status_notify import const


class OrderNotifyMessage(models.Model):
    """Parcels paid on delivery: a buyer who cannot be told that the parcel is coming may not
    be there with the cash, and the carrier sends it back. When the message of such a parcel
    reaches the buyer on no channel, the salesperson is asked to call."""
    _inherit = 'order.notify.message'

    # === BUSINESS METHODS === #

    def _order_notify_decide(self, prefetched=None, told=None):
        provider = super()._order_notify_decide(prefetched=prefetched, told=told)
        if not provider:  # settled before any send: skipped (no address, no provider…) or failed
            self._order_notify_check_cod_unreachable()
        return provider

    def _order_notify_record_outcome(self, provider, vals, error):
        res = super()._order_notify_record_outcome(provider, vals, error)
        self._order_notify_check_cod_unreachable()
        return res

    def _order_notify_check_cod_unreachable(self):
        """Ask for a call (``stock.picking._order_notify_schedule_call_buyer``) when this message
        of a parcel with an amount to collect (``const.PARCEL_COD_EVENTS``) ended failed or
        skipped and no other channel has it on its way or delivered: the chain is over."""
        for message in self:
            picking = message.picking_id
            if message.is_test or message.state not in ('failed', 'skipped') or not picking \
                    or message.event not in const.PARCEL_COD_EVENTS \
                    or message.reason_code in (const.REASON_MERGED, const.REASON_ALREADY_THANKED) \
                    or picking.order_notify_cod_amount <= 0 or picking.order_notify_delivered_date:
                continue
            chain = message | message._order_notify_get_siblings()
            if chain.filtered(lambda m: m.state in const.PENDING_STATES + const.SUCCESS_STATES):
                continue
            picking._order_notify_schedule_call_buyer('unreachable', message=message)
