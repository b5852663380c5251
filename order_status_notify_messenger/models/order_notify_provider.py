# Part of order_status_notify. See LICENSE file for full copyright and licensing details.

import hashlib
import hmac
import json
import logging
import re
import secrets
from datetime import datetime, timedelta, timezone

from odoo import _, api, fields, models
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tools import consteq
from odoo.tools.translate import LazyTranslate

from odoo.addons.order_status_notify import const as core_const
from odoo.addons.order_status_notify.tools import notify_api
from odoo.addons.order_status_notify.utils import OrderNotifyError, is_transaction_error
from odoo.addons.order_status_notify_messenger import const

_logger = logging.getLogger(__name__)
_lt = LazyTranslate(__name__)

VENDOR = 'Messenger'
WEBHOOK_PATH = '/order_status_notify_messenger/webhook'


def _from_ms(value):
    """A naive UTC datetime from Meta's epoch milliseconds, or None."""
    try:
        return datetime.fromtimestamp(int(value) / 1000, tz=timezone.utc).replace(tzinfo=None, microsecond=0)
    except (TypeError, ValueError, OverflowError, OSError):
        return None


class OrderNotifyProvider(models.Model):
    """A Facebook Page sending order updates on Messenger (Graph API Send API).

    Messages go only to buyers linked to the Page (``order.notify.messenger.contact``), as
    standard messages (``messaging_type`` ``UPDATE``) within 24 hours of the buyer's last
    interaction with the Page; outside the window the message goes by the next channel (message
    tags for order updates are deprecated since 2026-04-27: none is ever sent).
    """
    _inherit = 'order.notify.provider'

    code = fields.Selection(selection_add=[('messenger', "Facebook Messenger")], ondelete={'messenger': 'set default'})
    messenger_page_id = fields.Char(
        string="Facebook Page ID", groups='base.group_system', copy=False,
        help="The numeric id of the Page (Page › About › Page transparency, or Meta Business Suite).",
    )
    messenger_page_username = fields.Char(
        string="Page Username", copy=False,
        help="The Page's @username, for the m.me links buyers open (m.me/<username>). Empty: the Page ID is used.",
    )
    messenger_page_name = fields.Char(string="Page Name", copy=False, readonly=True)
    messenger_page_token = fields.Char(
        string="Page Access Token", groups='base.group_system', copy=False,
        help="A long-lived Page access token with the pages_messaging permission.",
    )
    messenger_app_secret = fields.Char(
        string="App Secret", groups='base.group_system', copy=False,
        help="The secret of the Meta app subscribed to the Page: Meta signs its webhook events with it.",
    )
    messenger_verify_token = fields.Char(
        string="Webhook Verify Token", groups='base.group_system', copy=False, readonly=True,
        help="Type it in the Meta app's webhook settings with the callback URL: Meta sends it back when it checks "
             "the URL.",
    )
    messenger_webhook_url = fields.Char(
        string="Webhook Callback URL", compute='_compute_messenger_webhook_url',
        help="Set it as the callback URL of the Meta app's Messenger webhooks, with the fields messages, "
             "messaging_postbacks, messaging_referrals, message_deliveries, message_reads and message_echoes.",
    )
    messenger_contact_ids = fields.One2many(
        string="Messenger Contacts", comodel_name='order.notify.messenger.contact', inverse_name='provider_id',
    )
    messenger_contact_count = fields.Integer(string="Linked Buyers", compute='_compute_messenger_contact_count')

    # === COMPUTE METHODS === #

    def _compute_messenger_webhook_url(self):
        for provider in self:
            provider.messenger_webhook_url = f"{provider.get_base_url()}{WEBHOOK_PATH}"

    def _compute_messenger_contact_count(self):
        counts = dict(self.env['order.notify.messenger.contact']._read_group(
            [('provider_id', 'in', self.ids), ('partner_id', '!=', False)], ['provider_id'], ['__count'],
        ))
        for provider in self:
            provider.messenger_contact_count = counts.get(provider, 0)

    def _compute_feature_support_fields(self):
        """The Send API has no idempotency key: an ambiguous send is reconciled through the
        ``message_echoes`` webhook, which carries the message's key as ``metadata``."""
        super()._compute_feature_support_fields()
        for provider in self.filtered(lambda p: p.code == 'messenger'):
            provider.support_idempotency_key = False

    # === CONSTRAINT METHODS === #

    @api.constrains('code', 'channel')
    def _check_messenger_channel(self):
        for provider in self:
            if (provider.code == 'messenger') != (provider.channel == 'messenger') and provider.code != 'sandbox' \
                    and provider.code != 'none':
                raise ValidationError(_("Facebook Messenger providers send on the Messenger channel, and only they do."))

    @api.constrains('code', 'company_id', 'messenger_page_id')
    def _check_messenger_page_unique(self):
        for provider in self.sudo().filtered(lambda p: p.code == 'messenger' and p.messenger_page_id):
            if self.sudo().search_count([
                ('id', '!=', provider.id), ('code', '=', 'messenger'), ('company_id', '=', provider.company_id.id),
                ('messenger_page_id', '=', provider.messenger_page_id),
            ]):
                raise ValidationError(_("This Facebook Page is already connected in this company."))

    # === ONCHANGE METHODS === #

    @api.onchange('code')
    def _onchange_code_messenger_channel(self):
        if self.code == 'messenger':
            self.channel = 'messenger'

    # === CRUD METHODS === #

    @api.model_create_multi
    def create(self, vals_list):
        providers = super().create(vals_list)
        providers._messenger_ensure_verify_token()
        return providers

    def write(self, vals):
        res = super().write(vals)
        if vals.get('code') == 'messenger':
            self._messenger_ensure_verify_token()
        if {'messenger_page_token', 'api_base_url'} & set(vals):
            for provider in self:
                notify_api.drop_session((self.env.cr.dbname, provider.id))
        return res

    # === ACTION METHODS === #

    def action_messenger_new_verify_token(self):
        """A new webhook verify token (type it in the Meta app again)."""
        self.ensure_one()
        self._order_notify_check_action_rights()
        if not self.env.user.has_group('base.group_system'):
            raise AccessError(_("Only Settings administrators can change the webhook verify token."))
        self.sudo()._messenger_ensure_verify_token(rotate=True)
        return True

    def action_messenger_view_contacts(self):
        self.ensure_one()
        action = self.env['ir.actions.act_window']._for_xml_id(
            'order_status_notify_messenger.action_order_notify_messenger_contact'
        )
        action['domain'] = [('provider_id', '=', self.id)]
        action['context'] = {'create': False}
        return action

    # === BUSINESS METHODS: CORE HOOKS === #

    def _order_notify_get_default_rate_limit(self):
        if self.code == 'messenger':
            return const.SEND_RATE_LIMIT
        return super()._order_notify_get_default_rate_limit()

    def _order_notify_get_default_api_base_url(self):
        if self.code == 'messenger':
            return const.DEFAULT_API_BASE_URL
        return super()._order_notify_get_default_api_base_url()

    def _order_notify_test_connection(self):
        """Read the Page with its access token: a read-only call that proves the token and the
        Page ID belong together."""
        if self.code != 'messenger':
            return super()._order_notify_test_connection()
        self.ensure_one()
        provider = self.sudo()
        if not provider.messenger_page_id or not provider.messenger_page_token:
            raise UserError(_("Fill in the Facebook Page ID and the Page access token first."))
        try:
            data = provider._messenger_call('GET', f'/{provider.messenger_page_id}', params={'fields': 'id,name'})
        except OrderNotifyError as error:
            raise UserError(error.message) from None
        if data.get('error'):
            raise UserError(str(provider._messenger_error(data)))
        if str(data.get('id')) != provider.messenger_page_id:
            raise UserError(_("The access token is not the one of Page %s.", provider.messenger_page_id))
        provider.messenger_page_name = data.get('name') or False
        return _("Connected to the Facebook Page %(name)s (%(id)s).", name=data.get('name') or '?', id=data.get('id'))

    @api.model
    def _order_notify_get_recipients(self, order, channel):
        """The buyer's PSIDs on the company's enabled Pages, the most recently active first
        (the one most likely inside its 24-hour window)."""
        if self.env['order.notify.registry']._get_channel(channel)['recipient'] != 'psid':
            return super()._order_notify_get_recipients(order, channel)
        partners = order.partner_id | order.partner_shipping_id
        if any(p.order_notify_opt_out or p.commercial_partner_id.order_notify_opt_out for p in partners):
            return [], core_const.REASON_OPTED_OUT
        pages = self._messenger_company_pages(order.company_id)
        contacts = self.env['order.notify.messenger.contact'].sudo().search([
            ('provider_id', 'in', pages.ids), ('partner_id', 'in', partners.ids),
        ])
        psids = list(dict.fromkeys(contacts.mapped('psid')))
        return (psids, False) if psids else ([], core_const.REASON_NO_RECIPIENT)

    @api.model
    def _order_notify_recipient_skip_reason(self, order, channel, reason_code):
        if channel == 'messenger' and reason_code == core_const.REASON_NO_RECIPIENT:
            return _lt("The customer has not linked Messenger to the shop's Page (never opened the order's m.me "
                       "link nor wrote the order number to the Page).")
        return super()._order_notify_recipient_skip_reason(order, channel, reason_code)

    def _order_notify_send(self, message):
        """POST /{page-id}/messages: the message's text to the buyer's PSID, as a standard
        message inside the 24-hour window, the message's idempotency key as ``metadata``.

        A PSID belongs to one Page: when the buyer is linked to another Page of the company than
        this provider's, that Page sends it (and the message is logged on it)."""
        if self.code != 'messenger':
            return super()._order_notify_send(message)
        self.ensure_one()
        contact = self.env['order.notify.messenger.contact'].sudo().search([
            ('provider_id', 'in', self._messenger_company_pages(message.company_id).ids),
            ('psid', '=', message.recipient),
        ], limit=1)
        if not contact:
            raise OrderNotifyError(core_const.ERROR_UNREACHABLE, _lt(
                "The buyer's Messenger link to the Page was removed."), code='no_contact')
        page = contact.provider_id
        if page == self:
            return self._messenger_send(message, contact)
        try:
            vals = page._messenger_send(message, contact)
        except OrderNotifyError as error:
            if error.error_class in (core_const.ERROR_CONFIG, core_const.ERROR_BALANCE):
                # That Page cannot send: it is paused, not this provider; the message goes on.
                page._order_notify_pause(error.message)
                raise OrderNotifyError(core_const.ERROR_UNREACHABLE, error.lazy_message, code=error.code) from None
            raise
        return {**vals, 'provider_id': page.id}

    def _order_notify_reports_delivery(self):
        if self.code == 'messenger':
            return True
        return super()._order_notify_reports_delivery()

    def _order_notify_estimate(self, content, params=None, template=None, partner=None, phone=None):
        if self.code != 'messenger':
            return super()._order_notify_estimate(content, params, template, partner, phone)
        estimate = super()._order_notify_estimate(content, params, template, partner, phone)
        if partner and not self.env['order.notify.messenger.contact'].sudo().search_count([
            ('provider_id', 'in', self._messenger_company_pages(self.company_id).ids),
            ('partner_id', 'in', (partner | partner.commercial_partner_id).ids),
        ]):
            estimate['unreachable'] = _("%s has not linked Messenger to the Page", partner.display_name)
        return estimate

    # === BUSINESS METHODS: SENDING === #

    @api.model
    def _messenger_company_pages(self, company):
        """The Messenger providers of ``company`` that may send."""
        return self.sudo().search([
            ('code', '=', 'messenger'), ('state', 'in', ('test', 'enabled')), ('company_id', '=', company.id),
        ])

    def _messenger_window_end(self, contact):
        if not contact.last_interaction_at:
            return None
        return contact.last_interaction_at + timedelta(hours=const.WINDOW_HOURS)

    def _messenger_send(self, message, contact):
        self.ensure_one()
        window_end = self._messenger_window_end(contact)
        if not window_end or fields.Datetime.now() > window_end - timedelta(minutes=const.WINDOW_MARGIN_MINUTES):
            raise OrderNotifyError(core_const.ERROR_UNREACHABLE, _lt(
                "Outside Messenger's 24-hour window: the buyer last wrote to the Page on %(date)s (UTC); Meta allows "
                "no order update after 24 hours.",
                date=fields.Datetime.to_string(contact.last_interaction_at) if contact.last_interaction_at else '-',
            ), code='outside_window')
        text = (message.content or '').strip()
        if not text:
            raise OrderNotifyError(core_const.ERROR_INVALID, _lt("The message has no text for Messenger."),
                                   code='no_text', fallback=True)
        if len(text) > const.MAX_TEXT_LENGTH:
            raise OrderNotifyError(core_const.ERROR_INVALID, _lt(
                "The text is %(length)s characters long; Messenger takes %(limit)s at most.",
                length=len(text), limit=const.MAX_TEXT_LENGTH,
            ), code='too_long', fallback=True)
        provider = self.sudo()
        payload = {
            'recipient': {'id': contact.psid},
            'messaging_type': 'UPDATE',
            'message': {'text': text, 'metadata': message.idempotency_key or ''},
        }
        data = provider._messenger_call('POST', f'/{provider.messenger_page_id}/messages', json=payload)
        if data.get('error'):
            raise provider._messenger_error(data, contact)
        message_id = data.get('message_id')
        if not message_id:
            raise OrderNotifyError(core_const.ERROR_TRANSIENT, _lt(
                "Messenger answered without a message id."), code='bad_answer', ambiguous=True)
        return {'provider_message_ref': str(message_id), 'currency_id': self.currency_id.id}

    def _messenger_call(self, method, path, **kwargs):
        """Call the Graph API with the Page access token (bearer) through the addons' HTTP
        client. Graph answers its errors with a 4xx status and ``{"error": {…}}``: returned as
        is, for the caller to map."""
        self.ensure_one()
        provider = self.sudo()
        url = (provider.api_base_url or const.DEFAULT_API_BASE_URL).rstrip('/') + path
        headers = {'Authorization': f'Bearer {provider.messenger_page_token or ""}'}
        response = self._order_notify_request(method, url, vendor=VENDOR, headers=headers, decode=False, **kwargs)
        return notify_api.decode_json(response, vendor=VENDOR)

    def _messenger_error(self, data, contact=None):
        """The ``OrderNotifyError`` of a Graph error answer (``const.ERRORS``). A PSID Messenger
        no longer knows archives the contact; a rate limit waits before the next try."""
        error = data.get('error') if isinstance(data.get('error'), dict) else {}
        code = str(error.get('code') or '')
        subcode = error.get('error_subcode')
        key = f'{code}/{subcode}' if subcode and f'{code}/{subcode}' in const.ERRORS else code
        kwargs = {}
        if key in const.RATE_LIMIT_CODES:
            kwargs['retry_at'] = fields.Datetime.now() + timedelta(seconds=const.RATE_LIMIT_RETRY_SECONDS)
        if contact and key in const.DEAD_PSID_CODES:
            contact.sudo().active = False
        default_class = core_const.ERROR_INVALID
        if key not in const.ERRORS:
            kwargs['fallback'] = True  # an error we do not know: the next channel still tells the buyer
        elif const.ERRORS[key][0] == core_const.ERROR_INVALID:
            kwargs['fallback'] = True
        return OrderNotifyError.from_table(
            key, const.ERRORS, _lt("Messenger refused the message (error %s).", key or '?'),
            vendor_text=error.get('message'), default_class=default_class, **kwargs,
        )

    # === BUSINESS METHODS: WEBHOOK === #

    def _messenger_ensure_verify_token(self, rotate=False):
        for provider in self.sudo().filtered(lambda p: p.code == 'messenger'):
            if rotate or not provider.messenger_verify_token:
                provider.messenger_verify_token = secrets.token_urlsafe(24)

    @api.model
    def _messenger_verify_subscription(self, mode, verify_token, challenge):
        """Meta's GET on the callback URL: ``(status, text)``, the challenge back only when the
        verify token is one of our Pages'."""
        if not challenge or len(challenge) > 200:
            return 400, 'missing challenge'
        if mode != 'subscribe' or not verify_token:
            return 403, 'forbidden'
        tokens = self.sudo().search([('code', '=', 'messenger')]).mapped('messenger_verify_token')
        if any(token and consteq(token, verify_token) for token in tokens):
            return 200, challenge
        return 403, 'forbidden'

    @api.model
    def _messenger_process_webhook(self, raw_body, headers):
        """A POST of Meta's webhooks: ``(status, text)``. The ``X-Hub-Signature-256`` HMAC of
        the raw body with the app secret of every Page of the batch authenticates it (403, nothing
        done, when missing or wrong); each event is then applied. Every event is idempotent (a
        repeat links, touches or marks nothing new), so Meta's redeliveries change nothing."""
        signature = (headers.get('X-Hub-Signature-256') or '').strip()
        if not signature.startswith('sha256=') or len(signature) != 71:
            return 403, 'missing signature'
        try:
            data = json.loads(raw_body or b'')
        except ValueError:
            return 400, 'malformed'
        if not isinstance(data, dict) or data.get('object') != 'page' or not isinstance(data.get('entry'), list):
            return 400, 'not a page event'
        entries = [entry for entry in data['entry'] if isinstance(entry, dict)]
        page_ids = {str(entry.get('id') or '') for entry in entries}
        candidates = self.sudo().search([('code', '=', 'messenger'), ('messenger_page_id', 'in', list(page_ids))])
        verified = {}
        for page_id in page_ids:
            pages = candidates.filtered(lambda p: p.messenger_page_id == page_id and p.messenger_app_secret and consteq(
                'sha256=' + hmac.new(p.messenger_app_secret.encode(), raw_body, hashlib.sha256).hexdigest(),
                signature,
            ))
            if not pages:
                _logger.info("Messenger webhook refused: bad signature or unknown Page %s", page_id)
                return 403, 'bad signature'
            verified[page_id] = pages
        try:
            with self.env.cr.savepoint():
                for entry in entries:
                    events = entry.get('messaging') if isinstance(entry.get('messaging'), list) else []
                    for page in verified[str(entry.get('id') or '')]:
                        for event in events:
                            if isinstance(event, dict):
                                page._messenger_process_event(event)
        except Exception as error:
            if is_transaction_error(error):
                raise  # Odoo retries the whole request
            _logger.exception("Messenger webhook: an event could not be processed")
            return 400, 'unprocessable'
        return 200, 'EVENT_RECEIVED'

    def _messenger_process_event(self, event):
        """One ``messaging`` event of this Page."""
        self.ensure_one()
        sender = str((event.get('sender') or {}).get('id') or '')
        when = _from_ms(event.get('timestamp')) or fields.Datetime.now()
        message = event.get('message') if isinstance(event.get('message'), dict) else None
        if message and message.get('is_echo'):
            return self._messenger_apply_echo(message)
        if not sender:
            return False
        if event.get('delivery') or event.get('read'):
            receipt = event.get('delivery') or event.get('read')
            return self._messenger_apply_receipt(sender, receipt if isinstance(receipt, dict) else {})
        referral = event.get('referral')
        postback = event.get('postback') if isinstance(event.get('postback'), dict) else None
        if postback and isinstance(postback.get('referral'), dict):
            referral = postback['referral']
        if not (message or postback or referral):
            return False  # opt-ins, reactions, policy notices: not an interaction we track
        contact = self.env['order.notify.messenger.contact']._messenger_touch(self, sender, when)
        if isinstance(referral, dict) and referral.get('ref'):
            order = self._messenger_order_from_ref(str(referral['ref']))
            if order:
                contact._messenger_link(order, 'referral')
        elif message and isinstance(message.get('text'), str):
            order = self._messenger_order_from_text(message['text'])
            if order:
                contact._messenger_link(order, 'order_number')
        return True

    def _messenger_order_from_ref(self, ref):
        """The order of an m.me ``ref`` (``sale.order._messenger_ref``), in this Page's company."""
        match = re.fullmatch(r'o(\d{1,12})x([0-9a-f]{24})', ref or '')
        if not match:
            return self.env['sale.order']
        order = self.env['sale.order'].sudo().browse(int(match.group(1))).exists()
        if not order or order.company_id != self.company_id or not consteq(order._messenger_ref(), ref):
            return self.env['sale.order']
        return order

    def _messenger_order_from_text(self, text):
        """The order a buyer names in a message to the Page: its number (``S00042``) and the last
        4 digits of the buyer's phone, so that nobody subscribes to another buyer's updates with
        an order number alone."""
        words = {word.upper() for word in re.findall(r'[A-Za-z0-9/_-]{3,}', text or '')}
        if not words:
            return self.env['sale.order']
        orders = self.env['sale.order'].sudo().search([
            ('name', 'in', list(words)), ('company_id', '=', self.company_id.id), ('state', '!=', 'draft'),
        ], limit=5)
        for order in orders:
            rest = re.sub(re.escape(order.name), ' ', text, flags=re.I)
            typed = {group[-4:] for group in re.findall(r'\d{4,}', re.sub(r'[\s.]', '', rest))}
            phones = {
                re.sub(r'\D', '', number)[-4:]
                for partner in order.partner_id | order.partner_shipping_id
                for number in (partner.mobile, partner.phone) if number and len(re.sub(r'\D', '', number)) >= 4
            }
            if typed & phones:
                return order
            _logger.info("Messenger: %s named without the phone's last digits: not linked", order.name)
        return self.env['sale.order']

    def _messenger_apply_receipt(self, psid, receipt):
        """``message_deliveries`` / ``message_reads``: the messages named in ``mids``, and every
        message of this Page to ``psid`` sent before the ``watermark``, were delivered."""
        Message = self.env['order.notify.message'].sudo()
        watermark = _from_ms(receipt.get('watermark'))
        mids = [str(mid) for mid in receipt.get('mids') or [] if mid]
        messages = Message.browse()
        if mids:
            messages |= Message.search([('channel', '=', 'messenger'), ('provider_message_ref', 'in', mids)])
        if watermark:
            messages |= Message.search([
                ('channel', '=', 'messenger'), ('provider_id', '=', self.id), ('recipient', '=', psid),
                ('state', '=', 'sent'), ('sent_date', '<=', watermark),
            ])
        messages.filtered(lambda m: m.state != 'delivered')._order_notify_process_report(
            'delivered', delivered_date=watermark or fields.Datetime.now(),
        )
        return True

    def _messenger_apply_echo(self, echo):
        """``message_echoes``: the Page sent a message. Ours carry their idempotency key as
        ``metadata``: a message whose send got no answer (timeout, cut connection) is thereby
        proven accepted, with its message id."""
        key, mid = echo.get('metadata'), echo.get('mid')
        if not key or not mid:
            return False
        message = self.env['order.notify.message'].sudo().search([
            ('idempotency_key', '=', str(key)), ('channel', '=', 'messenger'),
            ('state', 'in', ('reconciling', 'unknown', 'sending')), ('provider_message_ref', '=', False),
        ], limit=1)
        if message:
            message._order_notify_mark_reconciled({'provider_message_ref': str(mid)})
        return bool(message)
