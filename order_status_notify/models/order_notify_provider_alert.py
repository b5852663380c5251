# Part of order_status_notify. See LICENSE file for full copyright and licensing details.

import logging

from odoo import _, fields, models

_logger = logging.getLogger(__name__)


class OrderNotifyProvider(models.Model):
    """What a provider tells the admins when it needs attention: a pause, an alert (an activity
    and a note, once per problem), and who receives them."""
    _inherit = 'order.notify.provider'

    # === BUSINESS METHODS: PAUSE AND ALERTS === #

    def _order_notify_pause(self, reason):
        """Stop sending through this provider until an admin resumes it; alert the admins once."""
        for provider in self.filtered(lambda p: not p.is_paused):
            provider.sudo().write({
                'is_paused': True, 'pause_reason': reason, 'paused_since': fields.Datetime.now(),
            })
            _logger.warning("Order notification provider %s (id %s) paused: %s", provider.name, provider.id, reason)
            provider._order_notify_alert(_("Provider paused"), reason, key='provider_paused')

    def _order_notify_alert(self, summary, note, key=None):
        """Tell the admins about a problem of this provider, once while it is not solved: an
        activity on the provider (kept until done) for the responsible user, and a note in its
        chatter addressed to them, which reaches them by e-mail (or in Odoo, as they chose).

        :param str key: what the problem is, in any language (e.g. ``template-12-shipped``);
            without it, the alert is known by its summary.
        """
        self.ensure_one()
        tagged_summary = f"[order_notify] {summary}"
        provider = self.sudo()
        if provider.activity_ids.filtered(
            lambda a: a.order_notify_alert_key == key if key else a.summary == tagged_summary
        ):
            return
        user = provider._order_notify_get_alert_user()
        # The note below is the e-mail: no second "activity assigned to you" e-mail.
        provider.with_context(mail_activity_quick_update=True).activity_schedule(
            'mail.mail_activity_data_todo', summary=tagged_summary, note=note, user_id=user.id,
            order_notify_alert_key=key or False,
        )
        # Queued for the mail cron: a slow mail server never holds up the dispatcher.
        provider.with_context(mail_notify_force_send=False).message_post(
            body=_("%(summary)s: %(note)s", summary=summary, note=note),
            partner_ids=user.partner_id.ids,
            subtype_xmlid='mail.mt_note',
        )

    def _order_notify_close_alerts(self, key, feedback):
        """Mark the alert ``key`` done: the problem it was about is solved."""
        self.sudo().activity_ids.filtered(lambda a: a.order_notify_alert_key == key).action_feedback(
            feedback=feedback,
        )

    def _order_notify_get_alert_user(self):
        """The active user who answers for this provider: the one chosen on it, else the default."""
        self.ensure_one()
        user = self.sudo().alert_user_id
        if user.active and not user.share:
            return user
        return self._order_notify_default_alert_user()

    def _order_notify_default_alert_user(self):
        """The first active notification administrator of the provider's company, else the
        administrator. Never the superuser: it is inactive and nobody reads its activities, and it
        is who creates the providers of the addon's data."""
        group = self.env.ref('order_status_notify.group_order_notify_manager', raise_if_not_found=False)
        company = self.company_id or self.env.company
        users = (group.sudo().users if group else self.env['res.users']).filtered(
            lambda u: u.active and not u.share and company in u.company_ids
        )
        if users:
            return users.sorted('id')[:1]
        admin = self.env.ref('base.user_admin', raise_if_not_found=False)
        return admin if admin and admin.active else self.env['res.users']
