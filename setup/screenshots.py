#!/usr/bin/env python3
# Part of order_status_notify. See LICENSE file for full copyright and licensing details.
"""Take the README's screenshots from a running demo (``./setup/run.sh``) in headless Chromium.

    OSN_HTTP_PORT=8169 ./setup/run.sh &        # the demo, on a spare port (the sandbox on its 8079)
    .venv/bin/python setup/screenshots.py --url http://127.0.0.1:8169

Signs in as admin over JSON-RPC, starts Chromium with its DevTools port (the Chrome DevTools
Protocol, through ``websocket-client``, which the test setup installs), opens each screen,
waits for what it shows, and writes ``doc/<name>.png``. When no order message was sent yet,
it confirms the latest quotation of a buyer with a mobile, as the README suggests to try the demo;
the preview (dry run) it runs is a wizard record.
"""

import argparse
import base64
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request

import requests
import websocket

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    parser.add_argument('--url', default='http://127.0.0.1:8069', help="the demo's address")
    parser.add_argument('--db', default=os.environ.get('OSN_DB', 'order_status_notify_demo'))
    parser.add_argument('--login', default='admin')
    parser.add_argument('--password', default='admin')
    parser.add_argument('--out', default=os.path.join(REPO, 'doc'), help="folder of the PNG files")
    parser.add_argument('--size', default='1400,900', help="window size, width,height")
    return parser.parse_args()


class Odoo:
    """JSON-RPC to the demo, with the admin's session."""

    def __init__(self, url, db, login, password):
        self.url = url.rstrip('/')
        self.session = requests.Session()
        result = self._rpc('/web/session/authenticate', {'db': db, 'login': login, 'password': password})
        if not result or not result.get('uid'):
            sys.exit(f"Cannot sign in to {url} as {login}")
        self.session_id = self.session.cookies['session_id']

    def _rpc(self, path, params):
        response = self.session.post(f'{self.url}{path}', json={'jsonrpc': '2.0', 'method': 'call', 'params': params}, timeout=120)
        response.raise_for_status()
        data = response.json()
        if data.get('error'):
            sys.exit(f"{path}: {data['error'].get('data', {}).get('message') or data['error']}")
        return data['result']

    def call(self, model, method, *args, **kwargs):
        return self._rpc('/web/dataset/call_kw', {'model': model, 'method': method, 'args': list(args), 'kwargs': kwargs})


class Chromium:
    """A headless Chromium driven over the DevTools protocol: navigate, wait for a selector,
    run a bit of JavaScript, capture the page."""

    def __init__(self, size):
        binary = shutil.which('chromium') or shutil.which('chromium-browser') or shutil.which('google-chrome')
        if not binary:
            sys.exit("Chromium is not installed (apt-get install chromium)")
        with socket.socket() as sock:
            sock.bind(('127.0.0.1', 0))
            port = sock.getsockname()[1]
        self.profile = tempfile.mkdtemp(prefix='osn-shots-')
        self.process = subprocess.Popen([
            binary, '--headless=new', f'--remote-debugging-port={port}', f'--user-data-dir={self.profile}',
            f'--window-size={size}', '--hide-scrollbars', '--no-first-run', '--disable-gpu', '--no-sandbox',
            '--disable-dev-shm-usage', '--lang=vi-VN', 'about:blank',
        ], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 30
        while True:
            try:
                with urllib.request.urlopen(f'http://127.0.0.1:{port}/json/list', timeout=2) as response:
                    pages = [t for t in json.load(response) if t['type'] == 'page']
                if pages:
                    break
            except OSError:
                pass
            if time.monotonic() > deadline:
                self.close()
                sys.exit("Chromium did not open its DevTools port")
            time.sleep(0.2)
        self.ws = websocket.create_connection(pages[0]['webSocketDebuggerUrl'], timeout=60, suppress_origin=True)
        self.next_id = 0
        self.send('Page.enable')

    def send(self, method, **params):
        self.next_id += 1
        self.ws.send(json.dumps({'id': self.next_id, 'method': method, 'params': params}))
        while True:
            message = json.loads(self.ws.recv())
            if message.get('id') == self.next_id:
                if 'error' in message:
                    raise RuntimeError(f"{method}: {message['error']}")
                return message.get('result', {})

    def evaluate(self, expression):
        result = self.send('Runtime.evaluate', expression=expression, awaitPromise=True, returnByValue=True)
        if result.get('exceptionDetails'):
            raise RuntimeError(f"{expression}: {result['exceptionDetails']}")
        return result.get('result', {}).get('value')

    def goto(self, url):
        self.send('Page.navigate', url=url)

    def wait(self, selector, timeout=60):
        """Until ``selector`` matches a visible element and the web client has no RPC pending."""
        deadline = time.monotonic() + timeout
        check = (
            f"(() => {{ const el = document.querySelector({json.dumps(selector)});"
            " return Boolean(el && el.offsetParent !== null && !document.querySelector('.o_loading_indicator'))"
            " && document.readyState === 'complete'; })()"
        )
        while not self.evaluate(check):
            if time.monotonic() > deadline:
                raise TimeoutError(f"{selector} did not appear")
            time.sleep(0.25)
        time.sleep(1.0)  # let charts and fonts finish drawing (a picture, not a test)

    def click(self, selector):
        self.wait(selector)
        self.evaluate(f"document.querySelector({json.dumps(selector)}).click()")

    def screenshot(self, path):
        data = self.send('Page.captureScreenshot', format='png')['data']
        with open(path, 'wb') as file:
            file.write(base64.b64decode(data))
        print(f"  {os.path.relpath(path, REPO)}")

    def close(self):
        try:
            self.process.terminate()
            self.process.wait(10)
        finally:
            shutil.rmtree(self.profile, ignore_errors=True)


def main():
    args = parse_args()
    os.makedirs(args.out, exist_ok=True)
    odoo = Odoo(args.url, args.db, args.login, args.password)
    # A delivered message's order, the SMS template of "order placed" (its preview shows segments and cost).
    sent_domain = [('order_id', '!=', False), ('is_test', '=', False), ('state', 'in', ('sent', 'delivered'))]
    if not odoo.call('order.notify.message', 'search_count', sent_domain):
        # As the README says to try the demo: confirm a quotation of a buyer with a mobile.
        quotation = odoo.call('sale.order', 'search', [('state', 'in', ('draft', 'sent')), ('partner_id.mobile', '!=', False)],
                              order='id desc', limit=1)
        if quotation:
            odoo.call('sale.order', 'action_confirm', quotation)
    deadline = time.monotonic() + 180  # the dispatcher's cron sends it within seconds
    while True:
        message = odoo.call('order.notify.message', 'search_read', sent_domain, ['order_id'], order='id desc', limit=1)
        if message or time.monotonic() > deadline:
            break
        time.sleep(3)
    template = odoo.call('order.notify.template', 'search_read', [('event', '=', 'placed'), ('channel', '=', 'sms')],
                         ['id'], limit=1)
    if not message or not template:
        sys.exit("The demo has no delivered message or no SMS template yet: confirm an order first, or wait for the dispatcher.")
    browser = Chromium(args.size)
    try:
        browser.send('Network.enable')
        host = args.url.split('//', 1)[1].split('/', 1)[0].split(':')[0]
        browser.send('Network.setCookie', name='session_id', value=odoo.session_id, domain=host, path='/')
        base = odoo.url
        print("Screenshots:")

        browser.goto(f"{base}/odoo/action-order_status_notify.action_order_notify_dashboard")
        browser.wait('canvas.o_order_notify_chart')
        browser.screenshot(os.path.join(args.out, 'dashboard.png'))

        browser.goto(f"{base}/odoo/sales/{message[0]['order_id'][0]}")
        browser.click(".o_notebook a.nav-link[name='order_notify']")
        browser.wait(".o_field_widget[name='order_notify_message_ids'] .o_data_row")
        browser.screenshot(os.path.join(args.out, 'order-notifications.png'))

        browser.goto(f"{base}/odoo/action-order_status_notify.action_order_notify_template/{template[0]['id']}")
        browser.wait(".o_field_widget[name='body'] select.o_order_notify_insert_value")
        browser.screenshot(os.path.join(args.out, 'template-editor.png'))
        browser.click(".o_notebook a.nav-link[name='preview']")
        browser.wait(".o_field_widget[name='preview_order_id']")
        browser.screenshot(os.path.join(args.out, 'template-preview.png'))

        browser.goto(f"{base}/odoo/action-order_status_notify.action_order_notify_route")
        browser.wait(".o_list_view .o_data_row")
        browser.evaluate(
            "odoo.__WOWL_DEBUG__.root.env.services.action.doAction('order_status_notify.action_order_notify_dry_run')"
        )
        browser.click(".modal button[name='action_run']")
        browser.wait(".modal .o_field_widget[name='line_ids'] .o_data_row")
        browser.screenshot(os.path.join(args.out, 'dry-run.png'))
    finally:
        browser.close()


if __name__ == '__main__':
    main()
