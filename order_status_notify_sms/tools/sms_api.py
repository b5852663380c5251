# Part of order_status_notify. See LICENSE file for full copyright and licensing details.
"""What the per-vendor glue of the SMS gateways shares, in the spirit of Odoo's ``sms.api.SmsApi``.

A vendor class (``esms_api``, ``speedsms_api``, ``vietguys_api``) wraps one provider record: it
builds the vendor's requests, sends them through the core HTTP client
(``order.notify.provider._order_notify_request``) and reads the answers. The provider model keeps
what the shop configures and what the dispatcher calls (brandname, segments, balance, reports);
it never speaks a vendor's dialect itself.
"""

from odoo import _
from odoo.tools.translate import LazyTranslate

from odoo.addons.order_status_notify import const as core_const
from odoo.addons.order_status_notify.utils import OrderNotifyError

_lt = LazyTranslate(__name__)


class SmsApi:
    """One SMS gateway account, seen through one ``order.notify.provider`` record.

    ``env`` is the provider's: ``_()`` in these classes translates into its language.
    """

    #: whether the gateway tells the account's balance (``fetch_balance``)
    supports_balance = False

    def __init__(self, provider):
        provider.ensure_one()
        self.provider = provider
        self.env = provider.env

    # === REQUESTS === #

    def _url(self, path):
        """The URL of ``path`` under the provider's API root (Settings-admin field, read in sudo)."""
        provider = self.provider
        return (provider.sudo().api_base_url or provider._order_notify_get_default_api_base_url() or '').rstrip('/') \
            + path

    def _request(self, method, path, **kwargs):
        """Call the gateway through the core HTTP client. Reasons name the provider as the shop
        named it, and the host only: some gateways take their keys in the query string."""
        return self.provider._order_notify_request(method, self._url(path), vendor=self.provider.name, **kwargs)

    def _error(self, table, code, vendor_text=None, **kwargs):
        """The ``OrderNotifyError`` of the vendor's result ``code`` (``OrderNotifyError.from_table``).

        The table's reasons stay lazy: the message stores them untranslated and each reader sees
        them in their language. A code the table does not know is ``invalid``: the gateway
        refused the message.
        """
        kwargs.setdefault('default_message', _lt("%(provider)s refused the message.", provider=self.provider.name))
        return OrderNotifyError.from_table(code, table, vendor_text=vendor_text or None, **kwargs)

    # === PHONES === #

    def _national_phone(self, phone):
        """``0912345678`` for ``+84912345678``; Vietnamese gateways send to Vietnamese numbers only."""
        if not phone or not phone.startswith('+84'):
            raise OrderNotifyError(core_const.ERROR_INVALID, _(
                "%(provider)s sends to Vietnamese mobile numbers only, not to %(phone)s.",
                provider=self.provider.name, phone=phone or '-',
            ), code='phone')
        return '0' + phone[3:]

    def _international_phone(self, phone):
        """``84912345678`` (E.164 without ``+``), the form SpeedSMS and VietGuys document."""
        return '84' + self._national_phone(phone)[1:]

    # === INTERFACE === #

    def send(self, message, sms):
        """Send ``sms`` (a ``tools.SmsText``) for ``message``.

        :return: values to write on the message (``provider_message_ref``, the price if told)
        :raise OrderNotifyError: with the class the dispatcher acts upon
        """
        raise NotImplementedError()

    def fetch_balance(self):
        """The account's balance, in the provider's currency (only if ``supports_balance``).

        :raise OrderNotifyError: when the gateway cannot tell it
        """
        raise NotImplementedError()

    def fetch_status(self, messages):
        """Poll the delivery state of ``messages`` (sent, no report yet); by default the
        gateway's delivery reports are the only source."""
        return None

    def process_report(self, data):
        """Apply a delivery report the gateway sent to this provider's report URL.

        :param dict data: the query parameters or the JSON body of the call
        :return: ``(http_status, text)`` to answer; repeats change nothing
        """
        raise NotImplementedError()
