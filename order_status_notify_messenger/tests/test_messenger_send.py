# Part of order_status_notify. See LICENSE file for full copyright and licensing details.

from datetime import timedelta

from odoo import fields
from odoo.tests import tagged

from odoo.addons.order_status_notify_messenger.tests.common import BUYER_PSID, SEND_PATH, MessengerCommon


@tagged('post_install', '-at_install')
class TestMessengerSend(MessengerCommon):
    """Sends over real HTTP to the fake Graph API: the window rule, the recipient hook, the
    Graph errors mapped to the core's classes and the fallback along the routes."""

    def _messenger_first(self):
        """This shop tries Messenger first for the placed order (its routes, dragged)."""
        self.env['order.notify.route'].search([('event', '=', 'placed'), ('channel', '=', 'messenger')]).sequence = 1

    def _order_message(self, **values):
        order = self._confirmed_order(**values)
        message = self._messages(order, event='placed')
        self.assertEqual((message.channel, message.provider_id), ('messenger', self.provider))
        return order, message

    def test_registry_and_routes(self):
        channels = self.env['order.notify.registry']._get_channels()
        self.assertEqual(channels['messenger']['recipient'], 'psid')
        self.assertEqual(channels['messenger']['sequence'], 25)
        routes = self.env['order.notify.route'].with_context(active_test=False).search([
            ('company_id', '=', self.company.id), ('event', '=', 'shipped'),
        ])
        self.assertEqual(routes.sorted('sequence').mapped('channel'), ['zalo', 'sms', 'messenger', 'email'])
        self.assertTrue(self.provider.sudo().messenger_verify_token)
        self.assertFalse(self.provider.support_idempotency_key)

    def test_send_inside_the_window(self):
        contact = self._link(hours_ago=2)
        order, message = self._order_message()
        self._dispatch()
        self.assertRecordValues(message, [{'state': 'sent', 'recipient': BUYER_PSID, 'cost': 0.0}])
        (request,) = self._sends()
        self.assertEqual(request.path, SEND_PATH)
        self.assertEqual(request.header('authorization'), f'Bearer {self.provider.sudo().messenger_page_token}')
        self.assertEqual(request.json['recipient'], {'id': BUYER_PSID})
        self.assertEqual(request.json['messaging_type'], 'UPDATE')
        self.assertEqual(request.json['message']['metadata'], message.idempotency_key)
        self.assertIn(order.name, request.json['message']['text'])
        self.assertNotIn('tag', request.json)
        self.assertEqual(message.provider_message_ref, self.fb.messages and next(iter(self.fb.messages)))
        self.assertEqual(self.fb.inbox.messages(phone=BUYER_PSID)[0].text, message.content)
        self.assertTrue(contact.active)
        # Sending again sends nothing more.
        self._dispatch()
        self.assertEqual(len(self._sends()), 1)

    def test_outside_the_window_falls_back_with_the_reason(self):
        sms = self._create_provider('sandbox', 'sms')
        self._link(hours_ago=25)
        self._messenger_first()
        _order, message = self._order_message()
        self._dispatch()
        self.assertRecordValues(message, [{'state': 'skipped', 'reason_code': 'unreachable', 'error_code': 'outside_window'}])
        self.assertIn("24-hour window", message.with_context(lang='en_US').reason)
        self.assertIn("24 giờ", message.with_context(lang='vi_VN').reason)
        self.assertFalse(self._sends(), "nothing is sent outside the window, and no message tag is used")
        self.assertRecordValues(message.fallback_ids, [{'channel': 'sms', 'provider_id': sms.id}])
        self._dispatch()
        self.assertEqual(message.fallback_ids.state, 'delivered')

    def test_meta_says_outside_the_window(self):
        """Odoo's clock says inside, Meta's says outside (10/2018278): the next channel takes over."""
        self._create_provider('sandbox', 'sms')
        self._link(hours_ago=1)
        self.fb.page().users[BUYER_PSID].last_interaction = self.fb.now() - 25 * 3600
        self._messenger_first()
        _order, message = self._order_message()
        self._dispatch()
        self.assertRecordValues(message, [{'state': 'skipped', 'reason_code': 'unreachable', 'error_code': '10/2018278'}])
        self.assertEqual(message.fallback_ids.channel, 'sms')

    def test_graph_errors_map_to_the_core_classes(self):
        cases = [
            ((551, 1545041), 'skipped', 'unreachable', '551/1545041'),
            ((100, 2018001), 'skipped', 'unreachable', '100/2018001'),
            (613, 'queued', 'transient', '613'),
            (4, 'queued', 'transient', '4'),
            (2, 'queued', 'transient', '2'),
            (100, 'failed', 'invalid', '100'),
            (190, 'failed', 'config', '190'),
            ((10, 1893063), 'failed', 'config', '10/1893063'),
            (200, 'failed', 'config', '200'),
            (999, 'failed', 'invalid', '999'),
        ]
        contact = self._link()
        for code, state, reason_code, error_code in cases:
            with self.subTest(code=code):
                if self.provider.is_paused:
                    self.provider.action_resume()
                contact.active = True
                self.fb.fail_next(code)
                _order, message = self._order_message()
                self._dispatch()
                self.assertRecordValues(message, [{'state': state, 'reason_code': reason_code, 'error_code': error_code}])
                if reason_code == 'transient':
                    self.assertGreater(message.next_attempt_at, fields.Datetime.now() + timedelta(seconds=50))
                if code in (613, 4):
                    self.assertGreater(message.next_attempt_at, fields.Datetime.now() + timedelta(minutes=9))
                self.assertEqual(self.provider.is_paused, reason_code == 'config', code)
                if reason_code == 'unreachable':
                    self.assertFalse(contact.active, "a PSID Messenger no longer reaches is archived")
                # Out of the way of the next cases (a resumed provider sends its deferred messages at once).
                message.filtered(lambda m: m.state == 'queued').state = 'cancelled'

    def test_token_expired_pauses_and_alerts(self):
        self._link()
        self.fb.expire_token()
        _order, message = self._order_message()
        self._dispatch()
        self.assertRecordValues(message, [{'state': 'failed', 'reason_code': 'config', 'error_code': '190'}])
        self.assertTrue(self.provider.is_paused)
        self.assertIn('access token', self.provider.pause_reason)
        self.assertTrue(self.provider.activity_ids.filtered(lambda a: a.order_notify_alert_key == 'provider_paused'))

    def test_buyer_without_psid_goes_to_the_next_kind_of_address(self):
        """Routes Messenger → Zalo → SMS: a buyer who never linked Messenger is skipped
        (no_recipient) and the Zalo message follows; a buyer without Zalo then gets the SMS."""
        zalo = self._create_provider('sandbox', 'zalo', sandbox_simulated_error='unreachable',
                                     sandbox_simulated_error_count=0)
        sms = self._create_provider('sandbox', 'sms')
        routes = self.env['order.notify.route'].search([('event', '=', 'placed')])
        for sequence, channel in enumerate(['messenger', 'zalo', 'sms', 'email']):
            routes.filtered(lambda r: r.channel == channel).sequence = sequence
        _order, message = self._order_message()
        self._dispatch()
        self.assertRecordValues(message, [{'state': 'skipped', 'reason_code': 'no_recipient'}])
        self.assertIn("has not linked Messenger", message.with_context(lang='en_US').reason)
        self.assertRecordValues(message.fallback_ids, [{'channel': 'zalo', 'provider_id': zalo.id}])
        self._dispatch()
        zns = message.fallback_ids
        self.assertRecordValues(zns, [{'state': 'skipped', 'reason_code': 'unreachable'}])
        self.assertRecordValues(zns.fallback_ids, [{'channel': 'sms', 'provider_id': sms.id}])
        self._dispatch()
        self.assertEqual(zns.fallback_ids.state, 'delivered')
        self.assertFalse(self._sends())

    def test_opted_out_buyer_is_not_chased(self):
        self._link()
        self._create_provider('sandbox', 'sms')
        self._messenger_first()
        self.customer.order_notify_opt_out = True
        _order, message = self._order_message()
        self._dispatch()
        self.assertRecordValues(message, [{'state': 'skipped', 'reason_code': 'opted_out'}])
        self.assertFalse(message.fallback_ids)

    def test_buyer_linked_to_another_page_of_the_company(self):
        second = self._create_messenger(page_id='2000', token='token-2000', messenger_page_username='shop2',
                                        sequence=20)
        self.fb.add_page('2000', token='token-2000')
        self._link(provider=second)
        _order, message = self._order_message()
        self._dispatch()
        self.assertRecordValues(message, [{'state': 'sent', 'provider_id': second.id}])
        (request,) = self._sends()
        self.assertEqual(request.path, '/v25.0/2000/messages')

    def test_other_company_page_never_sends(self):
        other = self.env['res.company'].create({'name': 'Other shop'})
        page = self._create_messenger(page_id='3000', token='token-3000', company_id=other.id)
        self.fb.add_page('3000', token='token-3000')
        self._link(provider=page)
        self.assertEqual(
            self.env['order.notify.provider']._order_notify_get_recipients(self._create_order(), 'messenger'),
            ([], 'no_recipient'),
        )

    def test_messenger_link_value_and_ref(self):
        order = self._confirmed_order()
        values = order._order_notify_get_values('placed')
        ref = order._messenger_ref()
        self.assertEqual(values['messenger_link'], f'https://m.me/shopdemo?ref={ref}')
        self.assertRegex(ref, r'^o\d+x[0-9a-f]{24}$')
        self.assertNotIn(order.name, ref)
        self.assertEqual(self.provider._messenger_order_from_ref(ref), order)
        self.assertFalse(self.provider._messenger_order_from_ref(ref[:-1] + ('0' if ref[-1] != '0' else '1')))
        self.assertFalse(self.provider._messenger_order_from_ref(f'o{order.id}x' + '0' * 24))
        other = self.env['res.company'].create({'name': 'Other shop'})
        page = self._create_messenger(page_id='3000', token='token-3000', company_id=other.id)
        self.assertFalse(page._messenger_order_from_ref(ref), "an order is linked by its own company's Pages only")
        # Another channel's text may carry it.
        template = self.env['order.notify.template'].create({
            'name': 'SMS with link', 'event': 'placed', 'channel': 'sms',
            'body': 'Theo dõi đơn {{ order_ref }} trên Messenger: {{ messenger_link }}',
        })
        self.assertIn(values['messenger_link'], template._order_notify_render(order, 'placed')['content'])
        self.provider.state = 'disabled'
        self.assertEqual(order._order_notify_get_values('placed')['messenger_link'], '')

    def test_timeout_after_accept_is_proven_by_the_echo(self):
        """The Page accepted the message but the answer was lost: no resend (no idempotency key);
        the message_echoes webhook carries the message's key and proves it was sent."""
        self._link()
        self.fb.reset_after_accept()
        _order, message = self._order_message()
        self._dispatch()
        self.assertEqual(message.state, 'reconciling')
        (mid,) = self.fb.messages
        raw, headers = self.fb.signed(self.fb.echo_event(mid))
        self.assertEqual(self.provider._messenger_process_webhook(raw, headers), (200, 'EVENT_RECEIVED'))
        self.assertRecordValues(message, [{'state': 'sent', 'provider_message_ref': mid}])
        self.assertEqual(len(self._sends()), 1)

    def test_test_connection(self):
        result = self.provider.action_test_connection()
        self.assertEqual(result['params']['type'], 'success', result)
        self.assertEqual(self.provider.messenger_page_name, 'Shop Demo')
        self.fb.expire_token()
        result = self.provider.action_test_connection()
        self.assertEqual(result['params']['type'], 'danger')
        self.assertIn('190', result['params']['message'])
