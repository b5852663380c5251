# Part of order_status_notify. See LICENSE file for full copyright and licensing details.

from odoo import fields, models
from odoo.tools.translate import LazyTranslate

from odoo.addons.order_status_notify import const

_lt = LazyTranslate(__name__)


class OrderNotifyMessage(models.Model):
    """What the buyer's journey adds to the dispatcher's decision, before it: the legal hours of
    advertising messages, and the re-check of a cart reminder when it leaves."""
    _inherit = 'order.notify.message'

    # === BUSINESS METHODS: DISPATCH === #

    def _order_notify_decide(self, prefetched=None, told=None):
        """A cart reminder whose buyer ordered since, or refused advertising, is dropped; a
        promotional message outside 07:00-22:00 (Decree 91/2020, in the shop's time zone) waits
        for the window, even when the shop's own sending hours are wider and even on *Send
        Now*. Everything else is the dispatcher's (``super``)."""
        if not self.is_test and self.event == 'cart_abandoned' and self.order_id:
            obsolete = self.order_id._order_notify_cart_obsolete_reason()
            if obsolete:
                code, reason = obsolete
                self._order_notify_set_state('skipped' if code == const.REASON_PROMO_OPTED_OUT else 'cancelled', code, reason)
                return False
        if not self.is_test and self.env['order.notify.registry']._get_event(self.event)['kind'] == 'promotional':
            company = self.company_id
            opening = company._order_notify_next_opening(fields.Datetime.now(), promotional=True)
            if opening:
                self._order_notify_defer(opening, const.REASON_PROMOTIONAL_HOURS, _lt(
                    "Advertising messages may only leave between 07:00 and 22:00 (Decree 91/2020) and within the "
                    "shop's sending hours; leaves at %s.", company._order_notify_format_local(opening),
                ))
                return False
        return super()._order_notify_decide(prefetched=prefetched, told=told)

    def _order_notify_prepare_content(self):
        """Render with the message's reference in the context: the order values then describe this
        message's change or credit note (``sale.order._order_notify_get_journey_values``)."""
        return super(OrderNotifyMessage, self.with_context(order_notify_ref=self.ref or ''))._order_notify_prepare_content()
