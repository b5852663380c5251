# Part of order_status_notify. See LICENSE file for full copyright and licensing details.

from odoo.modules.module import get_module_path
from odoo.tests import TransactionCase, tagged
from odoo.tools import SQL, convert_file


@tagged('post_install', '-at_install')
class TestOrderNotifyLang(TransactionCase):

    def test_demo_loads_vietnamese_translations_of_installed_modules(self):
        """The demo data activates Vietnamese with Odoo's translations of the modules already
        installed (sale's menu), not just the language (which left the menus in English)."""
        menu = self.env.ref('sale.sale_menu_root')
        self.env['res.lang']._activate_lang('vi_VN')
        self.env.cr.execute(SQL("UPDATE ir_ui_menu SET name = name - 'vi_VN' WHERE id = %s", menu.id))
        menu.invalidate_recordset(['name'])
        self.assertEqual(menu.with_context(lang='vi_VN').name, 'Sales')
        self.assertTrue(get_module_path('order_status_notify'))
        convert_file(self.env, 'order_status_notify', 'demo/res_lang_demo.xml', {}, mode='init', kind='demo')
        menu.invalidate_recordset(['name'])
        self.assertTrue(self.env['res.lang']._lang_get('vi_VN').active)
        self.assertEqual(menu.with_context(lang='vi_VN').name, 'Bán hàng')
