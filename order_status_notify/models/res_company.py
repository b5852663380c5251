# Part of order_status_notify. See LICENSE file for full copyright and licensing details.

import secrets
from datetime import datetime, time, timedelta

import pytz

from odoo import _, api, fields, models, tools
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tools import format_datetime

from odoo.addons.base.models.res_partner import _tz_get
from odoo.addons.order_status_notify import const


def _float_to_time(value):
    hours = int(value)
    minutes = round((value - hours) * 60)
    if minutes == 60:
        hours, minutes = hours + 1, 0
    return time(min(hours, 23), minutes) if hours < 24 else time(23, 59, 59)


class ResCompany(models.Model):
    _inherit = 'res.company'

    order_notify_tz = fields.Selection(
        string="Notification Time Zone", selection=_tz_get, default=const.DEFAULT_TZ,
        help="Sending hours are read in this time zone.",
    )
    order_notify_window_start = fields.Float(string="Send From", default=const.DEFAULT_WINDOW_START)
    order_notify_window_end = fields.Float(string="Send Until", default=const.DEFAULT_WINDOW_END)
    order_notify_daily_cap = fields.Integer(
        string="Daily Cap per Customer", default=const.DEFAULT_DAILY_CAP,
        help="How many promotional messages (review requests, cart reminders) one customer may "
             "receive per day. Order status messages are never capped: there is one per state.",
    )
    # No column default: Odoo evaluates a default once when it adds the column (every existing
    # company would share it) and logs it. Each company gets its own in create() and the hooks.
    order_notify_webhook_secret = fields.Char(
        string="Carrier Webhook Secret", groups='base.group_system', copy=False,
        help="Carriers send it in the Authorization header (Bearer) of delivery status calls.",
    )
    # GHN and GHTK sign nothing: the secret is part of the webhook URL the shop registers with them.
    order_notify_ghn_webhook_token = fields.Char(
        string="GHN Webhook Token", groups='base.group_system', copy=False,
        help="Part of the webhook URL registered with GHN (?token=…): only GHN may know it.",
    )
    order_notify_ghtk_webhook_token = fields.Char(
        string="GHTK Webhook Hash", groups='base.group_system', copy=False,
        help="Part of the webhook URL registered with GHTK (?hash=…): only GHTK may know it.",
    )
    # The carriers' API tokens: only to read a parcel's expected delivery date, which their
    # webhooks do not carry.
    order_notify_ghn_api_token = fields.Char(
        string="GHN API Token", groups='base.group_system', copy=False,
        help="The Token of your GHN account (khachhang.ghn.vn): Odoo reads the expected delivery date of a "
             "parcel from GHN when GHN reports it picked up, out for delivery or not delivered.",
    )
    order_notify_ghtk_api_token = fields.Char(
        string="GHTK API Token", groups='base.group_system', copy=False,
        help="The API Token of your GHTK account: Odoo reads the expected delivery date of a parcel from GHTK "
             "when GHTK reports it picked up, out for delivery or not delivered.",
    )
    order_notify_plan = fields.Selection(
        string="Message Plan",
        selection=[
            ('full', "Full journey"),
            ('essential', "Essential"),
            ('custom', "Custom"),
        ],
        default='custom', required=True,
        help="Full journey: a message at every step (cart reminder, placed, paid, changed, shipped, out for "
             "delivery, delivered, returns and refunds). Essential: one message when the parcel leaves (expected "
             "date, amount to collect), then the thank-you. Choosing a plan switches the events on or off; "
             "changing an event afterwards makes the plan Custom.",
    )
    order_notify_cart_delay_hours = fields.Float(
        string="Remind Carts After", default=const.DEFAULT_CART_DELAY_HOURS,
        help="Hours a cart or a sent quotation waits unpaid before its buyer gets one reminder (when the cart "
             "reminder event is on).",
    )
    order_notify_route_ids = fields.One2many(
        string="Notification Routes", comodel_name='order.notify.route', inverse_name='company_id',
    )

    # === CONSTRAINT METHODS === #

    @api.constrains('order_notify_window_start', 'order_notify_window_end')
    def _check_order_notify_window(self):
        for company in self:
            start, end = company.order_notify_window_start, company.order_notify_window_end
            if not (0 <= start < end <= 24):
                raise ValidationError(_("Sending hours must be within the day and start before they end."))

    # === CRUD METHODS === #

    @api.model_create_multi
    def create(self, vals_list):
        companies = super().create(vals_list)
        companies.sudo()._order_notify_ensure_webhook_secret()
        self.env['order.notify.route'].sudo()._order_notify_create_defaults(companies)
        return companies

    def write(self, vals):
        res = super().write(vals)
        if 'order_notify_tz' in vals:
            self.env.registry.clear_cache()  # _order_notify_get_tz_name
        if {'order_notify_window_start', 'order_notify_window_end', 'order_notify_tz'} & set(vals):
            self._order_notify_replan_quiet_hours()
        if vals.get('order_notify_plan') in const.PLANS:
            self._order_notify_apply_plan()
        return res

    # === ACTION METHODS === #

    def action_order_notify_rotate_webhook_secret(self, carrier='generic'):
        """Give the company a new webhook secret for ``carrier`` (``generic``, ``ghn``,
        ``ghtk``): the old one stops working at once."""
        if not self.env.user.has_group('base.group_system'):
            raise AccessError(_("Only Settings administrators can change the carrier webhook secret."))
        if carrier not in const.CARRIER_SECRET_FIELDS:
            raise UserError(_("Unknown carrier webhook: %s", carrier))
        self.check_access('write')
        self.sudo()._order_notify_ensure_webhook_secret(rotate=const.CARRIER_SECRET_FIELDS[carrier])
        return True

    # === BUSINESS METHODS === #

    def _order_notify_ensure_webhook_secret(self, rotate=False):
        """Give every company of ``self`` carrier webhook secrets of its own (one per carrier
        adapter, ``tools/carriers``): a missing one, one shared with another company (installed
        before secrets were per company) or, with ``rotate`` (a field name, or True for all),
        the one rotated. Called at install, at each update (a new carrier's secret), by the
        migration and by the admins' *New Secret* buttons."""
        for field_name in sorted(set(const.CARRIER_SECRET_FIELDS.values())):
            shared = {
                secret for secret, count in self.sudo()._read_group(
                    [(field_name, '!=', False)], [field_name], ['__count'],
                ) if count > 1
            }
            for company in self.sudo():
                if rotate in (True, field_name) or not company[field_name] or company[field_name] in shared:
                    company[field_name] = secrets.token_urlsafe(24)

    @api.model
    def _order_notify_ensure_webhook_secrets_all(self):
        """At install and update: a new carrier's secret for every company (see above)."""
        self.search([])._order_notify_ensure_webhook_secret()

    def _order_notify_plan_events(self):
        """The events the company's plan switches on, or None for a custom plan."""
        self.ensure_one()
        if self.order_notify_plan not in const.PLANS:
            return None
        Registry = self.env['order.notify.registry']
        return {
            event for event in Registry._get_events()
            if self.order_notify_plan in Registry._get_event(event)['plans']
        }

    def _order_notify_apply_plan(self):
        """Switch the routes of each company of ``self`` on or off as its plan says: the events
        of the plan on every channel they allow, the other events off. The channels' order is
        kept; the admin may still fine-tune events afterwards (the plan then reads Custom)."""
        Registry = self.env['order.notify.registry']
        Route = self.env['order.notify.route'].sudo().with_context(active_test=False, order_notify_applying_plan=True)
        for company in self:
            events = company._order_notify_plan_events()
            if events is None:
                continue
            for route in Route.search([('company_id', '=', company.id)]):
                channels = Registry._get_event(route.event)['channels']
                active = route.event in events and (channels is None or route.channel in channels)
                if route.active != active:
                    route.active = active

    def _order_notify_local_tz(self):
        self.ensure_one()
        return pytz.timezone(self._order_notify_get_tz_name(self.id))

    @api.model
    @tools.ormcache('company_id')
    def _order_notify_get_tz_name(self, company_id):
        """The shop's time zone, asked for every message the dispatcher records (its sent day):
        kept in the registry's cache, so recording reads no company."""
        return self.sudo().browse(company_id).order_notify_tz or const.DEFAULT_TZ

    def _order_notify_next_opening(self, utc_now, next_day=False, promotional=False):
        """Return when a message due at ``utc_now`` (naive UTC) may leave, as naive UTC, or
        ``None`` when it may leave now. With ``next_day``, the opening of the next day. With
        ``promotional``, the sending hours are narrowed to the legal hours of advertising
        messages (``const.PROMOTIONAL_WINDOW_*``)."""
        self.ensure_one()
        tz = self._order_notify_local_tz()
        local_now = pytz.utc.localize(utc_now).astimezone(tz)
        start_hour, end_hour = self.order_notify_window_start, self.order_notify_window_end
        if promotional:
            start_hour = max(start_hour, const.PROMOTIONAL_WINDOW_START)
            end_hour = min(end_hour, const.PROMOTIONAL_WINDOW_END)
            if start_hour >= end_hour:  # the shop's hours are outside the legal ones: the law's hours
                start_hour, end_hour = const.PROMOTIONAL_WINDOW_START, const.PROMOTIONAL_WINDOW_END
        start = _float_to_time(start_hour)
        end = _float_to_time(end_hour)
        day = local_now.date()
        if next_day:
            opening_day = day + timedelta(days=1)
        elif local_now.time() < start:
            opening_day = day
        elif local_now.time() >= end:
            opening_day = day + timedelta(days=1)
        else:
            return None
        opening = tz.localize(datetime.combine(opening_day, start))
        return opening.astimezone(pytz.utc).replace(tzinfo=None)

    def _order_notify_replan_quiet_hours(self):
        """New sending hours apply to the messages already waiting for the old ones: each leaves
        at the next opening of the new hours, or now when they are open."""
        Message = self.env['order.notify.message'].sudo()
        waiting = Message.search([
            ('company_id', 'in', self.ids), ('state', '=', 'queued'), ('reason_code', '=', const.REASON_QUIET_HOURS),
        ])
        now = fields.Datetime.now()
        for message in waiting:
            message.next_attempt_at = message.company_id._order_notify_next_opening(now) or now
        if waiting:
            Message._order_notify_trigger_dispatch(min(waiting.mapped('next_attempt_at')))

    def _order_notify_format_local(self, utc_datetime):
        """``utc_datetime`` (naive UTC) as the shop reads it, for stored reason texts: the web
        client shows Datetime fields in each user's time zone, but a text is written once."""
        self.ensure_one()
        tz = self._order_notify_local_tz()
        text = format_datetime(self.env, utc_datetime, tz=tz.zone, dt_format='HH:mm dd/MM/yyyy')
        return f"{text} ({tz.zone})"

    def _order_notify_day_start(self, utc_now):
        """Midnight of the company's current day, as naive UTC."""
        tz = self._order_notify_local_tz()
        local_now = pytz.utc.localize(utc_now).astimezone(tz)
        midnight = tz.localize(datetime.combine(local_now.date(), time.min))
        return midnight.astimezone(pytz.utc).replace(tzinfo=None)
