# Part of order_status_notify. See LICENSE file for full copyright and licensing details.

from odoo.tests import Form, new_test_user, tagged

from odoo.addons.order_status_notify import const
from odoo.addons.order_status_notify.tests.common import OrderNotifyCommon


@tagged('post_install', '-at_install')
class TestOrderNotifyTemplateEditor(OrderNotifyCommon):
    """The value picker offers the order values only, and what it inserts is a value every
    template editor may save; one template per event and channel."""

    def test_picker_offers_order_values_that_any_editor_may_save(self):
        Template = self.env['order.notify.template']
        picker = Template._fields['insert_value_key'].selection
        # The core's values first; channel addons may add theirs (Messenger: its m.me link), all saveable.
        self.assertEqual(picker[:len(const.VALUE_KEYS)], const.VALUE_KEYS)
        self.assertTrue({key for key, _label in picker} <= Template._order_notify_value_names())
        manager = new_test_user(
            self.env, 'tpl_editor', groups='sales_team.group_sale_manager,order_status_notify.group_order_notify_manager',
        )
        self.assertFalse(manager.has_group('mail.group_mail_template_editor'))
        body = " ".join(f"{{{{ {key} }}}}" for key, _label in const.VALUE_KEYS)
        with Form(Template.with_user(manager)) as form:
            form.name = "All values"
            form.event = 'shipped'
            form.channel = 'sms'
            form.body = body
        template = form.record
        self.assertEqual(template.body, body)
        order = self._create_order()
        order.action_confirm()
        rendered = template._order_notify_render(order, 'shipped')['content']
        self.assertIn(order.name, rendered)
        self.assertIn('Nguyễn Văn An', rendered)
        self.assertNotIn('{{', rendered)

    def test_preview_as_on_the_phone(self):
        self._create_provider('sandbox', 'sms', unit_cost=850.0, currency_id=self.vnd.id)
        order = self._create_order()
        order.action_confirm()
        template = self.env.ref('order_status_notify_sms.template_sms_placed')
        template.preview_order_id = order
        self.assertEqual(template.preview_phone, template.preview_content)
        self.assertIn(order.name, template.preview_phone)
        self.assertEqual(template.preview_char_count, len(template.preview_content))
        self.assertEqual(template.preview_cost, 850.0)

    def test_one_template_per_event_and_channel(self):
        templates = self.env['order.notify.template'].search([])
        per_key = {}
        for template in templates:
            per_key.setdefault((template.event, template.channel, template.company_id.id), []).append(template.name)
        self.assertEqual({key: names for key, names in per_key.items() if len(names) > 1}, {})
