"""Reliability suite: real ``odoo-bin`` processes with workers against the fake providers.

Starts Odoo with ``--workers=2 --max-cron-threads=1`` (as in production: HTTP workers, one cron
worker running the dispatcher, the gevent process) on a database where the addons are installed,
and the fake Zalo ZNS and eSMS servers of ``tests/fake_providers`` in this process, then plays
three scenarios and prints what it measured:

1. **faults**: orders confirmed while the fakes inject HTTP 5xx, 429, connections cut after the
   message was accepted, answers later than the client's read timeout, and expired Zalo access
   tokens. Half of the buyers have no Zalo (their message falls back to SMS). Measured:
   duplicates per idempotency key on the fakes' side, messages left ``unknown``.
2. **kill**: the fakes answer slowly; the cron worker is killed (``kill -9``) mid-batch.
   Measured: messages in flight at the kill, ``unknown`` rows, messages sent twice or never.
3. **race**: deliveries validated over JSON-RPC (``button_validate``) while the dispatcher sends
   the same orders' messages. Measured: validations committed, RPC errors.
4. **shards**: two dispatcher jobs and a second ``odoo-bin`` on the same database. Measured:
   both jobs ran, duplicates, orders not told exactly once.

Run through ``setup/reliability.sh`` (full figures) or ``tests/test_reliability.py`` (the small
variant that ``setup/test.sh`` runs). Exits non-zero when a figure breaks its promise.
"""
import argparse
import json
import os
import pathlib
import random
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta, timezone

import requests

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent.parent))
from fake_providers import DEMO_APP_SECRET_KEY, DEMO_OA_ID, DEMO_OA_SECRET_KEY  # noqa: E402
from fake_providers.serve import build_sandbox  # noqa: E402

ZALO_READ_TIMEOUT = 20  # order_status_notify_zalo.const.TIMEOUT[1]
SETTLED = ('sent', 'delivered', 'failed', 'skipped', 'cancelled', 'unknown')
SIZES = {
    'full': {'faults': 300, 'kill': 80, 'race': 40, 'shards': 120, 'hangs': 2},
    'quick': {'faults': 40, 'kill': 30, 'race': 12, 'shards': 30, 'hangs': 1},
}


def free_port():
    with socket.socket() as sock:
        sock.bind(('127.0.0.1', 0))
        return sock.getsockname()[1]


def log(text):
    print(f"[reliability {datetime.now().strftime('%H:%M:%S')}] {text}", flush=True)


class Odoo:
    """One ``odoo-bin`` with workers, in its own process group, and a JSON-RPC client."""

    def __init__(self, command, db, logfile, login='admin', password='admin'):
        self.base_command = command
        self.http_port, self.gevent_port = free_port(), free_port()
        self.url = f'http://127.0.0.1:{self.http_port}'
        self.db, self.login, self.password = db, login, password
        self.logfile = logfile
        self.command = command + [
            '-d', db, '--workers=2', '--max-cron-threads=1', '--http-interface=127.0.0.1',
            f'--http-port={self.http_port}', f'--gevent-port={self.gevent_port}', f'--logfile={logfile}',
            '--log-level=info', '--db-filter=^%s$' % db,
        ]
        self.process = None
        self.uid = None

    def start(self, timeout=120):
        self.process = subprocess.Popen(self.command, start_new_session=True,
                                        stdout=subprocess.DEVNULL, stderr=open(self.logfile + '.stderr', 'w'))
        deadline = time.time() + timeout
        while time.time() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"odoo-bin exited with {self.process.returncode}, see {self.logfile}")
            try:
                if requests.get(self.url + '/web/health', timeout=2).status_code == 200:
                    break
            except requests.RequestException:
                pass
            time.sleep(0.5)
        else:
            raise RuntimeError(f"odoo-bin did not answer within {timeout} s, see {self.logfile}")
        self.uid = self.rpc('common', 'login', self.db, self.login, self.password)
        if not self.uid:
            raise RuntimeError(f"cannot log in as {self.login} on {self.db}")

    def stop(self):
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()

    def rpc(self, service, method, *args, timeout=300):
        answer = requests.post(self.url + '/jsonrpc', timeout=timeout, json={
            'jsonrpc': '2.0', 'method': 'call', 'id': 1,
            'params': {'service': service, 'method': method, 'args': list(args)},
        }).json()
        if 'error' in answer:
            data = answer['error'].get('data') or {}
            raise RuntimeError(f"{service}.{method}: {data.get('name')}: {data.get('message')}")
        return answer['result']

    def call(self, model, method, *args, **kwargs):
        return self.rpc('object', 'execute_kw', self.db, self.uid, self.password, model, method, list(args), kwargs)

    def children(self):
        """``{pid: kind}`` of the server's live worker processes ('WorkerHTTP', 'WorkerCron', or
        'other' for the gevent process), from the "Worker … alive" lines of the log."""
        kinds = {}
        for line in pathlib.Path(self.logfile).read_text(errors='replace').splitlines():
            if 'odoo.service.server: Worker ' in line and ' alive' in line:
                kind, pid = line.split('Worker ')[-1].split(' alive')[0].split()
                kinds[int(pid.strip('()'))] = kind
        found = {}
        for entry in pathlib.Path('/proc').iterdir():
            if not entry.name.isdigit():
                continue
            try:
                fields = (entry / 'stat').read_text().rsplit(')', 1)[1].split()
            except (OSError, IndexError):
                continue
            if int(fields[1]) == self.process.pid and fields[0] != 'Z':
                found[int(entry.name)] = kinds.get(int(entry.name), 'other')
        return found

    def log_count(self, text):
        count = 0
        for path in (self.logfile, self.logfile + '.stderr'):
            try:
                count += pathlib.Path(path).read_text(errors='replace').count(text)
            except OSError:
                pass
        return count


class Chaos:
    """Injects faults into a fake's sends: each send gets one with probability ``rate``."""

    def __init__(self, fake, rate, kinds, seed, max_hangs=0):
        self.fake, self.rate, self.kinds = fake, rate, kinds
        self.random = random.Random(seed)
        self.max_hangs = max_hangs
        self.injected = Counter()
        self.enabled = True
        self._take = fake.take_forced
        fake.take_forced = self.take_forced

    def take_forced(self):
        with self.fake.lock:
            pending = bool(self.fake._forced)
        if self.enabled and not pending and self.random.random() < self.rate:
            kind = self.random.choice(self.kinds)
            if kind == 'hang' and self.injected['hang'] >= self.max_hangs:
                kind = 'reset'
            self.injected[kind] += 1
            if kind == 'reset':
                self.fake.reset_after_accept()
            elif kind == 'hang':
                self.fake.hang_after_accept(ZALO_READ_TIMEOUT + 2)
            elif kind == '429':
                self.fake.fail_next(http_status=429, headers={'Retry-After': '2'})
            else:
                self.fake.fail_next(http_status=int(kind))
        return self._take()


class Suite:

    def __init__(self, odoo, fakes, sizes):
        self.odoo, self.fakes, self.sizes = odoo, fakes, sizes
        self.zns, self.esms = fakes['zalo'], fakes['esms']
        self.figures = {}
        self.failures = []
        self.phone_seq = random.Random(1).randrange(100000, 800000)
        self.stamp = datetime.now().strftime('%H%M%S')

    # -- setup
    def setup(self, fake_url):
        odoo = self.odoo
        # Delivery reports (eSMS CallbackUrl) come back to this server.
        odoo.call('ir.config_parameter', 'set_param', 'web.base.url', odoo.url)
        odoo.call('ir.config_parameter', 'set_param', 'web.base.url.freeze', 'True')
        self.company = odoo.call('res.users', 'read', [odoo.uid], ['company_id'])[0]['company_id'][0]
        odoo.call('res.company', 'write', [self.company], {'order_notify_window_start': 0.0, 'order_notify_window_end': 24.0})
        others = odoo.call('order.notify.provider', 'search', [('state', '!=', 'disabled')])
        odoo.call('order.notify.provider', 'write', others, {'state': 'disabled'})
        vnd = odoo.call('res.currency', 'search', [('name', '=', 'VND')], context={'active_test': False})
        odoo.call('res.currency', 'write', vnd, {'active': True})
        # An app id of this run: the webhook's signature then names this run's provider, not one
        # left by an earlier run on the same database.
        self.zns.app_id = self.app_id = f'{int(time.time() * 1000)}'
        tokens = self.zns.issue_tokens()
        expiry = (datetime.now(timezone.utc) + timedelta(hours=25)).strftime('%Y-%m-%d %H:%M:%S')
        self.zalo_provider = odoo.call('order.notify.provider', 'create', {
            'name': f'Reliability ZNS {self.stamp}', 'code': 'zalo_zns', 'channel': 'zalo', 'state': 'enabled',
            'api_base_url': fake_url + '/zalo', 'zalo_oauth_base_url': fake_url + '/zalo-oauth',
            'zalo_app_id': self.app_id, 'zalo_app_secret': DEMO_APP_SECRET_KEY, 'zalo_oa_secret_key': DEMO_OA_SECRET_KEY,
            'zalo_oa_id': DEMO_OA_ID, 'zalo_access_token': tokens['access_token'],
            'zalo_refresh_token': tokens['refresh_token'], 'zalo_access_token_expiry': expiry,
            'reconcile_window_minutes': 10, 'currency_id': vnd[0],
        })
        odoo.call('order.notify.provider', 'action_zalo_sync_templates', [self.zalo_provider])
        for event, ref in (('placed', '100001'), ('shipped', '100003')):
            zns_template = odoo.call('zalo.zns.template', 'search', [
                ('provider_id', '=', self.zalo_provider), ('template_ref', '=', ref)])
            template = odoo.call('order.notify.template', 'create', {
                'name': f'ZNS {event} {self.stamp}', 'event': event, 'channel': 'zalo', 'company_id': self.company,
                'provider_id': self.zalo_provider, 'zalo_template_id': zns_template[0],
            })
            odoo.call('order.notify.template', 'action_zalo_suggest_params', [template])
        self.esms_provider = odoo.call('order.notify.provider', 'create', {
            'name': f'Reliability eSMS {self.stamp}', 'code': 'esms', 'channel': 'sms', 'state': 'enabled',
            'api_base_url': fake_url + '/esms/MainService.svc/json', 'esms_api_key': 'reliability-key',
            'esms_secret_key': 'reliability-secret', 'sms_brandname': 'SHOPDEMO', 'unit_cost': 800,
            'currency_id': vnd[0],
        })
        self.product = odoo.call('product.product', 'create', {
            'name': 'Áo thun', 'type': 'consu', 'list_price': 250000.0, 'invoice_policy': 'order',
        })
        self.vn = odoo.call('res.country', 'search', [('code', '=', 'VN')])[0]
        self.carrier = odoo.call('delivery.carrier', 'create', {
            'name': 'Giao Hàng Nhanh', 'delivery_type': 'fixed', 'fixed_price': 0.0,
            'product_id': odoo.call('product.product', 'create', {'name': 'Phí giao hàng', 'type': 'service'}),
        })

    def make_orders(self, count, no_zalo_share=0.0):
        """``count`` draft orders of buyers with their own mobile; a share has no Zalo."""
        partners = []
        for index in range(count):
            self.phone_seq += 1
            phone = f'0912{self.phone_seq:06d}'
            if index < count * no_zalo_share:
                self.zns.mark_no_zalo(phone)
            partners.append({'name': f'Khách {self.stamp}-{self.phone_seq}', 'mobile': phone,
                             'country_id': self.vn, 'lang': 'en_US'})
        partner_ids = self.odoo.call('res.partner', 'create', partners)
        return self.odoo.call('sale.order', 'create', [{
            'partner_id': partner_id,
            'order_line': [(0, 0, {'product_id': self.product, 'product_uom_qty': 1})],
        } for partner_id in partner_ids])

    def messages(self, order_ids):
        return self.odoo.call('order.notify.message', 'search_read', [('order_id', 'in', order_ids)],
                              ['order_id', 'event', 'channel', 'state', 'reason_code', 'idempotency_key'])

    def wait_settled(self, order_ids, timeout, expected_per_order=1):
        """Wait until every message of the orders is settled and each order got its messages."""
        deadline = time.time() + timeout
        while True:
            messages = self.messages(order_ids)
            pending = [m for m in messages if m['state'] not in SETTLED]
            if not pending and len({m['order_id'][0] for m in messages}) >= len(order_ids):
                return messages
            if time.time() > deadline:
                log(f"timeout: {len(pending)} messages still pending: {Counter(m['state'] for m in pending)}")
                return messages
            time.sleep(3)

    def sent_on_fakes(self, keys):
        """How many times each idempotency key was accepted by the fakes (ZNS tracking_id,
        eSMS RequestId)."""
        accepted = Counter()
        for message in list(self.zns.messages.values()):
            if message.tracking_id in keys:
                accepted[message.tracking_id] += 1
        for record in list(self.esms.records.values()):
            if record.request_id in keys:
                accepted[record.request_id] += 1
        return accepted

    def per_order_accepted(self, messages, accepted):
        by_order = Counter()
        for message in messages:
            if message['event'] == 'placed':
                by_order[message['order_id'][0]] += accepted.get(message['idempotency_key'], 0)
        return by_order

    def check(self, condition, text):
        if not condition:
            self.failures.append(text)
            log(f"FAILED: {text}")

    # -- scenarios
    def scenario_faults(self):
        count = self.sizes['faults']
        log(f"faults: {count} orders, faults injected in ~20% of the sends")
        chaos = [
            Chaos(self.zns, 0.2, ['500', '502', '429', 'reset', 'reset', 'hang'], seed=7, max_hangs=self.sizes['hangs']),
            Chaos(self.esms, 0.2, ['500', '503', '429', 'reset'], seed=8),
        ]
        stop = threading.Event()

        def expire_tokens():  # the Zalo access token expires every 15 s: -124, renewal, retry
            while not stop.wait(15):
                self.zns.expire_access_tokens()
                chaos[0].injected['token_expiry'] += 1
        expirer = threading.Thread(target=expire_tokens, daemon=True)
        expirer.start()
        started = time.time()
        order_ids = self.make_orders(count, no_zalo_share=0.5)
        self.odoo.call('sale.order', 'action_confirm', order_ids)
        messages = self.wait_settled(order_ids, timeout=900)
        stop.set()
        for item in chaos:
            item.enabled = False
        keys = {m['idempotency_key'] for m in messages}
        accepted = self.sent_on_fakes(keys)
        per_order = self.per_order_accepted(messages, accepted)
        states = Counter(m['state'] for m in messages)
        figures = {
            'orders': count, 'messages': len(messages), 'states': dict(states),
            'faults_injected': {'zalo': dict(chaos[0].injected), 'esms': dict(chaos[1].injected)},
            'duplicates_per_key': sum(n - 1 for n in accepted.values() if n > 1),
            'orders_told_twice': sum(1 for n in per_order.values() if n > 1),
            'orders_never_told': sum(1 for order_id in order_ids if not per_order.get(order_id)),
            'unknown': states.get('unknown', 0), 'seconds': round(time.time() - started),
        }
        self.figures['faults'] = figures
        log(f"faults: {json.dumps(figures, ensure_ascii=False)}")
        self.check(figures['duplicates_per_key'] == 0, "faults: a message was accepted twice for one key")
        self.check(figures['orders_told_twice'] == 0, "faults: a buyer got the placed message twice")
        self.check(figures['unknown'] == 0, "faults: messages left unknown")
        self.check(figures['orders_never_told'] == 0, "faults: buyers never told")

    def scenario_kill(self):
        count = self.sizes['kill']
        log(f"kill: {count} orders, slow providers, kill -9 of the cron worker mid-batch")
        self.zns.reset_scripts()
        self.esms.reset_scripts()
        self.zns.delay_next(0.25, times=10 * count)
        self.esms.delay_next(0.25, times=10 * count)
        order_ids = self.make_orders(count, no_zalo_share=0.5)
        before = len(self.zns.messages) + len(self.esms.records)
        self.odoo.call('sale.order', 'action_confirm', order_ids)
        deadline = time.time() + 120
        while len(self.zns.messages) + len(self.esms.records) - before < max(5, count // 5):
            if time.time() > deadline:
                break
            time.sleep(0.05)
        # A send was just recorded by a fake: its answer is on its way. The cron worker is now in the
        # middle of the next message's 0.25 s call: kill it there.
        time.sleep(0.12)
        crons = [pid for pid, kind in self.odoo.children().items() if kind == 'WorkerCron']
        for pid in crons:
            os.kill(pid, signal.SIGKILL)
        killed_at = time.time()
        # In flight: the rows whose provider call had started (a delivery report may settle
        # them a moment later: it is read at once).
        in_flight = sum(1 for m in self.messages(order_ids) if m['state'] == 'sending')
        log(f"kill: killed cron worker(s) {crons}; messages in flight: {in_flight}")
        self.zns.reset_scripts()
        self.esms.reset_scripts()
        messages = self.wait_settled(order_ids, timeout=600)
        # The reaper turns a 'sending' row into 'unknown' after 10 minutes: age the rows left
        # 'sending' by the killed worker rather than wait, then run the dispatcher once.
        stuck = [m['id'] for m in self.odoo.call('order.notify.message', 'search_read', [
            ('order_id', 'in', order_ids), ('state', '=', 'sending')], ['id'])]
        if stuck:
            old = (datetime.now(timezone.utc) - timedelta(minutes=30)).strftime('%Y-%m-%d %H:%M:%S')
            self.odoo.call('order.notify.message', 'write', stuck, {'send_started_at': old})
            cron = self.odoo.call('ir.model.data', 'check_object_reference', 'order_status_notify',
                                  'ir_cron_order_notify_dispatch')[1]
            self.odoo.call('ir.cron', 'method_direct_trigger', [cron])
            messages = self.messages(order_ids)
        keys = {m['idempotency_key'] for m in messages}
        accepted = self.sent_on_fakes(keys)
        per_order = self.per_order_accepted(messages, accepted)
        states = Counter(m['state'] for m in messages)
        unknown_ids = {m['order_id'][0] for m in messages if m['state'] == 'unknown'}
        figures = {
            'orders': count, 'in_flight_at_kill': in_flight, 'states': dict(states),
            'unknown': states.get('unknown', 0),
            'duplicates_per_key': sum(n - 1 for n in accepted.values() if n > 1),
            'orders_told_twice': sum(1 for n in per_order.values() if n > 1),
            'others_not_sent_once': sum(1 for order_id in order_ids
                                        if order_id not in unknown_ids and per_order.get(order_id) != 1),
            'cron_worker_respawned': 'WorkerCron' in self.odoo.children().values(),
            'seconds_after_kill': round(time.time() - killed_at),
        }
        self.figures['kill'] = figures
        log(f"kill: {json.dumps(figures)}")
        self.check(bool(crons), "kill: no cron worker found to kill")
        self.check(figures['unknown'] <= in_flight, "kill: more unknown messages than messages in flight")
        self.check(figures['duplicates_per_key'] == 0 and figures['orders_told_twice'] == 0, "kill: duplicates")
        self.check(figures['others_not_sent_once'] == 0, "kill: a message not in flight was not sent exactly once")

    def scenario_race(self):
        count = self.sizes['race']
        log(f"race: {count} orders confirmed, their deliveries validated over JSON-RPC while the dispatcher sends")
        self.zns.delay_next(0.05, times=20 * count)  # keep the dispatcher busy on these orders
        order_ids = self.make_orders(count)
        self.odoo.call('sale.order', 'action_confirm', order_ids)
        pickings = self.odoo.call('stock.picking', 'search', [('sale_id', 'in', order_ids)])
        errors = []
        results = Counter()

        def validate(picking_id):
            try:  # the warehouse fills the carrier and the tracking number, then validates
                self.odoo.call('stock.picking', 'write', [picking_id], {
                    'carrier_id': self.carrier, 'carrier_tracking_ref': f'GHN{picking_id}'})
                result = self.odoo.call('stock.picking', 'button_validate', [picking_id])
                results['true' if result is True else 'wizard'] += 1
            except Exception as error:  # noqa: BLE001
                errors.append(str(error))
        with ThreadPoolExecutor(max_workers=4) as pool:
            list(pool.map(validate, pickings))
        done = self.odoo.call('stock.picking', 'search_count', [('id', 'in', pickings), ('state', '=', 'done')])
        messages = self.wait_settled(order_ids, timeout=600, expected_per_order=2)
        self.zns.reset_scripts()
        keys = {m['idempotency_key'] for m in messages}
        accepted = self.sent_on_fakes(keys)
        states = Counter(m['state'] for m in messages)
        figures = {
            'deliveries': len(pickings), 'validations_committed': done, 'rpc_answers': dict(results),
            'rpc_errors': len(errors), 'messages': len(messages), 'states': dict(states),
            'duplicates_per_key': sum(n - 1 for n in accepted.values() if n > 1),
            'retried_serialization_failures': self.odoo.log_count('SerializationFailure'),
        }
        self.figures['race'] = figures
        log(f"race: {json.dumps(figures)}")
        for error in errors[:3]:
            log(f"race: RPC error: {error}")
        self.check(done == len(pickings) == count, "race: a validation was not committed")
        self.check(not errors, "race: validation RPC errors")
        self.check(figures['duplicates_per_key'] == 0, "race: duplicates")
        self.check(states.get('unknown', 0) == 0, "race: unknown messages")

    def scenario_shards(self):
        """Two dispatcher jobs (Settings › Dispatcher Jobs = 2) and a second Odoo server on the
        same database: the jobs run side by side, each claiming its own messages."""
        count = self.sizes['shards']
        log(f"shards: 2 dispatcher jobs, a second odoo-bin on the same database, {count} orders")
        odoo = self.odoo
        settings = odoo.call('res.config.settings', 'create', {'order_notify_dispatch_shards': 2})
        odoo.call('res.config.settings', 'execute', [settings])
        crons = [odoo.call('ir.model.data', 'check_object_reference', 'order_status_notify', xmlid)[1]
                 for xmlid in ('ir_cron_order_notify_dispatch', 'ir_cron_order_notify_dispatch_1')]
        second = Odoo(odoo.base_command, odoo.db, odoo.logfile + '.second')
        self.zns.reset_scripts()
        self.esms.reset_scripts()
        try:
            second.start()
            started = datetime.now(timezone.utc).replace(tzinfo=None).strftime('%Y-%m-%d %H:%M:%S')
            self.zns.delay_next(0.1, times=10 * count)
            self.esms.delay_next(0.1, times=10 * count)
            order_ids = self.make_orders(count, no_zalo_share=0.5)
            odoo.call('sale.order', 'action_confirm', order_ids)
            messages = self.wait_settled(order_ids, timeout=300)
            ran = odoo.call('ir.cron', 'search_count', [('id', 'in', crons), ('lastcall', '>=', started)])
            on_second = len(re.findall(r"Job 'Order Notifications: send queued messages[^']*' \(\d+\) starting",
                                       pathlib.Path(second.logfile).read_text(errors='replace')))
        finally:
            second.stop()
            settings = odoo.call('res.config.settings', 'create', {'order_notify_dispatch_shards': 1})
            odoo.call('res.config.settings', 'execute', [settings])
            self.zns.reset_scripts()
            self.esms.reset_scripts()
        keys = {m['idempotency_key'] for m in messages}
        accepted = self.sent_on_fakes(keys)
        per_order = self.per_order_accepted(messages, accepted)
        states = Counter(m['state'] for m in messages)
        figures = {
            'orders': count, 'states': dict(states), 'jobs_that_ran': ran, 'job_runs_on_second_server': on_second,
            'duplicates_per_key': sum(n - 1 for n in accepted.values() if n > 1),
            'orders_told_twice': sum(1 for n in per_order.values() if n > 1),
            'orders_not_told': sum(1 for order_id in order_ids if per_order.get(order_id) != 1),
        }
        self.figures['shards'] = figures
        log(f"shards: {json.dumps(figures)}")
        self.check(ran == 2, "shards: both dispatcher jobs did not run")
        self.check(figures['duplicates_per_key'] == 0 and figures['orders_told_twice'] == 0, "shards: duplicates")
        self.check(figures['orders_not_told'] == 0 and not states.get('unknown'), "shards: an order not told once")

    def check_workers(self):
        """Item 14: the gevent process answers and is not restarted in a loop."""
        gevent = None
        for _attempt in range(10):
            try:
                gevent = requests.get(f'http://127.0.0.1:{self.odoo.gevent_port}/web/health', timeout=10).status_code
                break
            except requests.RequestException:
                time.sleep(1)
        figures = {
            'gevent_port_health': gevent,
            'gevent_crashes': self.odoo.log_count('DistributionNotFound'),
            'processes': dict(Counter(self.odoo.children().values())),
        }
        self.figures['workers'] = figures
        log(f"workers: {json.dumps(figures)}")
        self.check(gevent == 200 and not figures['gevent_crashes'], "workers: the gevent process does not run")
        if self.failures:
            raise RuntimeError(f"Odoo does not run with workers on this virtualenv: {self.failures}")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    parser.add_argument('--db', required=True)
    parser.add_argument('--size', choices=sorted(SIZES), default='full')
    parser.add_argument('--scenarios', default='faults,kill,race,shards')
    parser.add_argument('--logfile', default=None)
    parser.add_argument('odoo_command', nargs=argparse.REMAINDER,
                        help='after --: how to run odoo-bin, with --addons-path and the database options')
    args = parser.parse_args(argv)
    command = [part for part in args.odoo_command if part != '--']
    logfile = args.logfile or f'/tmp/osn-reliability-{os.getpid()}.log'
    sizes = SIZES[args.size]
    fake_port = free_port()
    odoo = Odoo(command, args.db, logfile)
    server, fakes = build_sandbox(port=fake_port, deliver_after=0.5,
                                  zalo_webhook_url=f'{odoo.url}/order_status_notify_zalo/webhook')
    server.start()
    log(f"fakes on {server.url}; odoo-bin --workers=2 --max-cron-threads=1 on {odoo.url} (log: {logfile})")
    suite = Suite(odoo, fakes, sizes)
    try:
        odoo.start()
        time.sleep(3)
        suite.check_workers()
        suite.setup(server.url)
        for name in args.scenarios.split(','):
            getattr(suite, f'scenario_{name}')()
    finally:
        odoo.stop()
        server.stop()
    print(json.dumps(suite.figures, indent=2, ensure_ascii=False), flush=True)
    if suite.failures:
        log(f"{len(suite.failures)} promise(s) broken: {suite.failures}")
        return 1
    log("all promises held")
    return 0


if __name__ == '__main__':
    sys.exit(main())
