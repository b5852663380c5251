# Part of order_status_notify. See LICENSE file for full copyright and licensing details.

from odoo import Command
from odoo.exceptions import AccessError
from odoo.tests import new_test_user, tagged

from odoo.addons.order_status_notify.tests.common import OrderNotifyCommon


@tagged('post_install', '-at_install')
class TestOrderNotifySecurity(OrderNotifyCommon):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._create_provider('sandbox', 'sms')
        cls.salesman = new_test_user(cls.env, 'notify_salesman', groups='sales_team.group_sale_salesman')
        cls.other_salesman = new_test_user(cls.env, 'notify_other', groups='sales_team.group_sale_salesman')
        cls.sales_manager = new_test_user(cls.env, 'notify_manager', groups='sales_team.group_sale_manager')
        cls.company_b = cls.env['res.company'].create({'name': 'Shop B', 'country_id': cls.vn.id})

    def test_salesperson_sees_messages_of_own_orders_only(self):
        own = self._create_order(user_id=self.salesman.id)
        other = self._create_order(user_id=self.other_salesman.id)
        (own | other).action_confirm()
        self._dispatch()
        Message = self.env['order.notify.message'].with_user(self.salesman)
        visible = Message.search([('order_id', 'in', (own | other).ids)])
        self.assertEqual(visible.order_id, own)
        self.assertEqual(own.with_user(self.salesman).order_notify_message_count, 1)
        # Salespeople cannot configure.
        with self.assertRaises(AccessError):
            self.env['order.notify.provider'].with_user(self.salesman).create({'name': 'x', 'channel': 'sms'})
        with self.assertRaises(AccessError):
            visible.with_user(self.salesman).write({'state': 'sent'})

    def test_manager_configures_but_never_reads_secrets(self):
        provider = self.env['order.notify.provider'].with_user(self.sales_manager).create({
            'name': 'Another sandbox', 'channel': 'zalo',
        })
        self.assertEqual(provider.company_id, self.company)
        with self.assertRaises(AccessError):
            self.company.with_user(self.sales_manager).read(['order_notify_webhook_secret'])

    def test_companies_are_isolated(self):
        order = self._create_order()
        order.action_confirm()
        self.env['order.notify.route']._order_notify_create_defaults(self.company_b)
        self.assertTrue(self.env['order.notify.route'].search([('company_id', '=', self.company_b.id)]))
        user_b = new_test_user(
            self.env, 'notify_user_b', groups='sales_team.group_sale_manager',
            company_id=self.company_b.id, company_ids=[self.company_b.id],
        )
        self.assertFalse(self.env['order.notify.message'].with_user(user_b).search([('order_id', '=', order.id)]))
        self.assertFalse(self.env['order.notify.provider'].with_user(user_b).search([('company_id', '=', self.company.id)]))
        self.assertTrue(self.env['order.notify.message'].with_user(self.sales_manager).search([('order_id', '=', order.id)]))


@tagged('post_install', '-at_install')
class TestOrderNotifySecurityRoles(OrderNotifyCommon):
    """Each role attacks what the role review found open (security issue): the test is written
    as that role, and checks that nothing happened, not only that an error was raised."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.provider = cls._create_provider('sandbox', 'sms')
        cls.sales_admin = new_test_user(cls.env, 'osn_sales_admin', groups='sales_team.group_sale_manager')
        cls.salesman = new_test_user(cls.env, 'osn_own_docs', groups='sales_team.group_sale_salesman')
        cls.accountant = new_test_user(cls.env, 'osn_accountant', groups='account.group_account_readonly')
        cls.company_b = cls.env['res.company'].create({'name': 'Shop B', 'country_id': cls.vn.id})
        cls.manager_b = new_test_user(
            cls.env, 'osn_manager_b', groups='sales_team.group_sale_manager',
            company_id=cls.company_b.id, company_ids=[cls.company_b.id],
        )
        cls.system_group = cls.env.ref('base.group_system')

    def _escalation(self, user):
        return "{{ object.env['res.users'].sudo().browse(%d).write({'groups_id': [(4, %d)]}) }}" % (
            user.id, self.system_group.id)

    def _template(self, **values):
        return self.env['order.notify.template'].create({
            'name': 'ZNS-like', 'event': 'placed', 'channel': 'zalo', 'provider_template_ref': '1', **values,
        })

    # --- 1. templates: no code for non-editors, whatever the path -------------------------------

    def test_sales_admin_cannot_escalate_through_a_parameter_expression(self):
        template = self._template().with_user(self.sales_admin)
        with self.assertRaises(AccessError):
            template.write({'param_ids': [Command.create({
                'name': 'customer_name', 'value_key': 'expression', 'expression': self._escalation(self.sales_admin),
            })]})
        with self.assertRaises(AccessError):
            self.env['order.notify.template.param'].with_user(self.sales_admin).create({
                'template_id': template.id, 'name': 'x', 'value_key': 'expression',
                'expression': "{{ object.env['ir.config_parameter'].sudo().get_param('database.secret') }}",
            })
        self.assertFalse(self.sales_admin.has_group('base.group_system'))
        self.assertFalse(template.sudo().param_ids)

    def test_sales_admin_cannot_escalate_through_the_text_or_its_preview(self):
        order = self._create_order()
        order.action_confirm()
        with self.assertRaises(AccessError):
            self.env['order.notify.template'].with_user(self.sales_admin).create({
                'name': 'evil', 'event': 'placed', 'channel': 'sms', 'body': self._escalation(self.sales_admin),
            })
        # Code written by an editor (here the superuser) is not run by the preview of a non-editor.
        template = self.env['order.notify.template'].create({
            'name': 'editor code', 'event': 'placed', 'channel': 'sms', 'body': self._escalation(self.sales_admin),
        })
        preview = template.with_user(self.sales_admin)
        preview.preview_order_id = order
        self.assertIn('Mail Template Editor', preview.preview_content)
        self.assertFalse(self.sales_admin.has_group('base.group_system'))
        with self.assertRaises(AccessError):
            template.with_user(self.sales_admin).write({'body': template.body + ' Cảm ơn!'})

    def test_order_values_remain_editable_and_rendered_without_code(self):
        order = self._create_order()
        order.action_confirm()
        template = self._template().with_user(self.sales_admin)
        template.write({
            'body': "{{ shop_name }}: {{ customer_name }}{{ ' qua ' + carrier if carrier else '' }} {{ object.name }}",
            'param_ids': [Command.create({
                'name': 'customer_name', 'value_key': 'expression', 'expression': "{{ customer_name }} ({{ order_ref }})",
            })],
        })
        rendered = template._order_notify_render(order, 'placed')
        self.assertEqual(rendered['content'], f"{self.company.name}: Nguyễn Văn An {order.name}")
        self.assertEqual(rendered['params'], {'customer_name': f"Nguyễn Văn An ({order.name})"})
        for code in ("{{ customer_name.upper() }}", "{{ object.partner_id.city }}", "{{ __import__('os') }}"):
            with self.subTest(code=code), self.assertRaises(AccessError):
                template.write({'body': code})

    def test_the_default_templates_are_editable_by_the_sales_admin(self):
        templates = self.env['order.notify.template'].search([('company_id', '=', False)])
        self.assertTrue(templates)
        for template in templates.with_user(self.sales_admin):
            template.write({'body': template.body})  # no code in what we ship

    # --- 2. base URLs: Settings admins only -------------------------------------------------------

    def test_base_url_is_settings_admin_only(self):
        provider = self.provider.with_user(self.sales_admin)
        with self.assertRaises(AccessError):
            provider.write({'api_base_url': 'https://attacker.example'})
        with self.assertRaises(AccessError):
            provider.read(['api_base_url'])
        self.assertFalse(self.provider.api_base_url)

    # --- 3. provider actions check rights before any side effect ----------------------------------

    def test_provider_actions_need_a_notification_admin_of_its_company(self):
        self.provider._order_notify_pause("out of credit")
        for user in (self.salesman, self.accountant, self.manager_b):
            provider = self.provider.with_user(user).with_context(allowed_company_ids=user.company_ids.ids)
            for action in ('action_test_connection', 'action_resume', 'action_send_test'):
                with self.subTest(user=user.login, action=action), self.assertRaises(AccessError):
                    getattr(provider, action)()
        self.assertTrue(self.provider.is_paused)
        # The notification admin of the company can.
        self.provider.with_user(self.sales_admin).action_resume()
        self.assertFalse(self.provider.is_paused)

    # --- 4. secrets: one per company, none in a column default ------------------------------------

    def test_each_company_has_its_own_webhook_secret(self):
        self.assertIsNone(self.env['res.company']._fields['order_notify_webhook_secret'].default)
        company_c = self.env['res.company'].create({'name': 'Shop C'})
        secrets = (self.company | self.company_b | company_c).mapped('order_notify_webhook_secret')
        self.assertEqual(len(set(secrets)), 3)
        self.assertTrue(all(secrets))
        # A database installed before secrets were per company: the migration rotates duplicates.
        (self.company_b | company_c).write({'order_notify_webhook_secret': self.company.order_notify_webhook_secret})
        self.env['res.company'].search([])._order_notify_ensure_webhook_secret()
        secrets = (self.company | self.company_b | company_c).mapped('order_notify_webhook_secret')
        self.assertEqual(len(set(secrets)), 3)
        # Admins rotate it; nobody else can.
        with self.assertRaises(AccessError):
            self.company.with_user(self.sales_admin).action_order_notify_rotate_webhook_secret()
        old = self.company.order_notify_webhook_secret
        self.company.with_user(self.env.ref('base.user_admin')).action_order_notify_rotate_webhook_secret()
        self.assertNotEqual(self.company.order_notify_webhook_secret, old)

    # --- 6. template parameters have a company ------------------------------------------------------

    def test_other_company_manager_cannot_touch_template_parameters(self):
        template = self._template(company_id=self.company.id, param_ids=[
            Command.create({'name': 'order_code', 'value_key': 'order_ref'}),
        ])
        param = template.param_ids
        self.assertEqual(param.company_id, self.company)
        Param = self.env['order.notify.template.param'].with_user(self.manager_b).with_context(
            allowed_company_ids=self.company_b.ids)
        self.assertFalse(Param.search([('id', '=', param.id)]))
        with self.assertRaises(AccessError):
            Param.browse(param.id).write({'value_key': 'customer_name'})
        self.assertEqual(param.value_key, 'order_ref')

    # --- 7. resend and cancel check rights inside the methods ---------------------------------------

    def test_read_only_roles_cannot_resend_or_cancel(self):
        order = self._create_order(user_id=self.salesman.id)
        order.action_confirm()
        message = self._messages(order, event='placed')
        message.write({'state': 'failed', 'reason_code': 'invalid', 'reason': 'x'})
        with self.assertRaises(AccessError):
            message.with_user(self.accountant).action_resend()
        self.assertEqual(message.state, 'failed')
        # The salesperson of the order sends it again, but cannot cancel nor force skipped ones.
        message.with_user(self.salesman).action_resend()
        self.assertEqual(message.state, 'queued')
        with self.assertRaises(AccessError):
            message.with_user(self.salesman).action_cancel()
        with self.assertRaises(AccessError):
            message.with_user(self.accountant).action_cancel()
        self.assertEqual(message.state, 'queued')
        message.write({'state': 'skipped'})
        with self.assertRaises(AccessError):
            message.with_user(self.salesman).action_resend()
        self.assertEqual(message.state, 'skipped')

    # --- low: the portal token in the content -------------------------------------------------------

    def test_content_is_for_the_people_who_open_the_order(self):
        order = self._create_order()
        order.action_confirm()
        self._dispatch()
        message = self._messages(order, event='placed')
        self.assertTrue(message.content)
        with self.assertRaises(AccessError):
            message.with_user(self.accountant).read(['content'])
        self.assertTrue(message.with_user(self.accountant).read(['cost', 'state']))
