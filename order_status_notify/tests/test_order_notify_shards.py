# Part of order_status_notify. See LICENSE file for full copyright and licensing details.

from odoo import SUPERUSER_ID, api
from odoo.tests import TransactionCase, tagged


@tagged('post_install', '-at_install')
class TestOrderNotifyShards(TransactionCase):
    """Several dispatcher jobs on one queue, each on its own committed transaction as on separate
    Odoo servers: they never claim the same message, and together they claim every one."""

    def setUp(self):
        super().setUp()
        self.registry = self.env.registry
        self.ids = {'orders': [], 'messages': []}
        with self.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            params = env['ir.config_parameter']
            self.ids['shards'] = params.get_param('order_status_notify.dispatch_shards')
            provider = env['order.notify.provider'].create({
                'name': 'shards sandbox', 'code': 'sandbox', 'channel': 'sms', 'state': 'enabled',
            })
            partner = env['res.partner'].create({'name': 'Lê Văn Cường', 'mobile': '0912345679'})
            orders = env['sale.order'].create([{'partner_id': partner.id} for _i in range(12)])
            messages = env['order.notify.message'].create([{
                'order_id': order.id, 'order_name': order.name, 'company_id': env.company.id,
                'event': 'placed', 'channel': 'sms', 'provider_id': provider.id, 'phone': '+84912345679',
                'content': f'shard {order.name}', 'idempotency_key': f'shard-test-{order.id}',
            } for order in orders])
            self.ids.update(provider=provider.id, partner=partner.id, orders=orders.ids, messages=messages.ids)
        self.addCleanup(self._cleanup)

    def _cleanup(self):
        with self.registry.cursor() as cr:
            cr.execute("DELETE FROM order_notify_message WHERE id = ANY(%s)", [self.ids['messages']])
            cr.execute("DELETE FROM order_notify_provider WHERE id = %s", [self.ids['provider']])
            cr.execute("DELETE FROM sale_order WHERE id = ANY(%s)", [self.ids['orders']])
            env = api.Environment(cr, SUPERUSER_ID, {})
            env['res.config.settings'].create({'order_notify_dispatch_shards': int(self.ids['shards'] or 1)}).execute()

    def _set_shards(self, count):
        """As the admin does in Settings: the jobs beyond the first are switched on or off."""
        with self.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            env['res.config.settings'].create({'order_notify_dispatch_shards': count}).execute()
            jobs = [env['order.notify.message']._order_notify_get_dispatch_cron(shard) for shard in range(8)]
            self.assertEqual([job.active for job in jobs], [True] * count + [False] * (8 - count))

    def test_jobs_claim_disjoint_messages(self):
        self._set_shards(3)
        mine = set(self.ids['messages'])
        claimed = []
        cursors = [self.registry.cursor() for _shard in range(3)]
        try:
            # The three jobs claim at the same time, each holding its claim's row locks.
            for shard, cr in enumerate(cursors):
                env = api.Environment(cr, SUPERUSER_ID, {})
                claimed.append(set(env['order.notify.message']._order_notify_claim(100, shard=shard).ids) & mine)
        finally:
            for cr in cursors:
                cr.rollback()
                cr.close()
        for shard, ids in enumerate(claimed):
            self.assertTrue(ids, f"job {shard} claimed none of the messages")
            self.assertEqual({message_id % 3 for message_id in ids}, {shard})
        self.assertFalse(claimed[0] & claimed[1] or claimed[1] & claimed[2] or claimed[0] & claimed[2])
        self.assertEqual(claimed[0] | claimed[1] | claimed[2], mine)

    def test_jobs_send_each_message_once(self):
        self._set_shards(2)
        for shard in (1, 0):
            with self.registry.cursor() as cr:
                api.Environment(cr, SUPERUSER_ID, {})['order.notify.message']._cron_dispatch(shard=shard)
        with self.registry.cursor() as cr:
            cr.execute("SELECT state, count(*) FROM order_notify_message WHERE id = ANY(%s) GROUP BY state",
                       [self.ids['messages']])
            self.assertEqual(dict(cr.fetchall()), {'delivered': 12})

    def test_job_beyond_the_setting_does_nothing(self):
        self._set_shards(1)
        with self.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            env['order.notify.message']._cron_dispatch(shard=2)
            cr.execute("SELECT count(*) FROM order_notify_message WHERE id = ANY(%s) AND state = 'queued'",
                       [self.ids['messages']])
            self.assertEqual(cr.fetchone()[0], 12)

    def test_one_trigger_per_transaction_and_job(self):
        """Three messages queued in one transaction wake each job once, when it commits."""
        self._set_shards(2)
        with self.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            Message = env['order.notify.message']
            crons = Message._order_notify_get_dispatch_cron(0) | Message._order_notify_get_dispatch_cron(1)
            cr.execute("SELECT count(*) FROM ir_cron_trigger WHERE cron_id = ANY(%s)", [crons.ids])
            before = cr.fetchone()[0]
            messages = Message.browse(self.ids['messages'][:3])
            for message in messages:
                message._order_notify_trigger_dispatch()
            cr.execute("SELECT count(*) FROM ir_cron_trigger WHERE cron_id = ANY(%s)", [crons.ids])
            self.assertEqual(cr.fetchone()[0], before, "nothing before the commit")
            cr.commit()
            cr.execute("SELECT cron_id, count(*) FROM ir_cron_trigger WHERE cron_id = ANY(%s) GROUP BY cron_id",
                       [crons.ids])
            counts = dict(cr.fetchall())
        jobs = {message_id % 2 for message_id in self.ids['messages'][:3]}
        self.assertEqual(sum(counts.values()) - before, len(jobs))
