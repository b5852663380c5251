"""Sandbox server: every fake provider in one process, and the phones' inbox.

Run::

    python tests/fake_providers/serve.py --host 127.0.0.1 --port 8079

or import :func:`build_sandbox` and ``.start()`` the server it returns. It binds to 127.0.0.1 or
localhost only, and logs one short line per request (secrets masked to their first 3 characters).

URL layout (base URLs to put in the Odoo providers):

=====================  ==========================================================
``/zalo``              ZNS API base (``/zalo/message/template``, ``/zalo/template/all``…)
``/zalo-oauth``        Zalo OAuth base (``/zalo-oauth/v4/oa/access_token``)
``/esms``              eSMS (``/esms/MainService.svc/json/SendMultipleMessage_V4_post_json/``)
``/speedsms``          SpeedSMS (``/speedsms/index.php/sms/send``)
``/vietguys``          VietGuys (``/vietguys/api/index.php``, ``/vietguys/token/v1/refresh``)
``/messenger``         Messenger Graph API (``/messenger/v25.0/<page id>/messages``), demo Page
``/iap-sms``           Odoo's own SMS service (IAP ``/api/sms/3/send``): the benchmarks' anchor
``/inbox``             what each phone received, newest first (``?phone=0901888484``), auto-refresh
``/inbox.json``        the same as JSON (``?phone=…&channel=zalo|sms|messenger``)
``/``                  this layout and the demo credentials
=====================  ==========================================================

Sandbox rules: any non-empty credentials and brandname are accepted; Zalo access tokens are
any non-empty string not expired here; the OAuth endpoint takes any non-empty ``app_id`` and
``secret_key``, the demo refresh token ``DEMO_REFRESH_TOKEN`` ("demo-zalo-refresh-token") every
time, and any other refresh token once (single use); ``mode: "development"`` reaches every
phone. The ZNS demo templates 100001–100005 (placed, paid, shipped, delivered, cancelled; and
100006, pending review) are registered. Messages are delivered after ``--deliver-after``
seconds: the status APIs say so, and delivery reports go to loopback URLs only (eSMS
``CallbackUrl``; ``--speedsms-report-url``, ``--vietguys-report-url``; the Zalo webhook
``--zalo-webhook-url``, signed with the demo app id and OA secret key).
"""
if __name__ == '__main__' and not __package__:  # run as a script: load it as part of the package
    import pathlib
    import sys
    sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent.parent))
    from fake_providers.serve import main
    sys.exit(main())

import argparse
import html
import time
from datetime import datetime

from .base import ICT, LOOPBACK_HOSTS, Fake, FakeServer, Inbox, Response, json_response, route, text_response
from .esms import FakeESMS
from .iap_sms import FakeIapSms
from .messenger import FakeMessenger
from .speedsms import FakeSpeedSMS
from .vietguys import FakeVietguys
from .zalo_zns import DEMO_APP_ID, DEMO_OA_ID, DEMO_OA_SECRET_KEY, DEMO_REFRESH_TOKEN, FakeZaloZNS

REFRESH_SECONDS = 3
MOUNTS = {
    '/zalo': 'ZNS API base URL',
    '/zalo-oauth': 'Zalo OAuth base URL',
    '/esms': 'eSMS base URL',
    '/speedsms': 'SpeedSMS base URL',
    '/messenger': 'Messenger (Graph API) base URL',
    '/vietguys': 'VietGuys base URL',
    '/iap-sms': "Odoo's own SMS service (IAP) endpoint, for the benchmarks' anchor",
}


class InboxApp(Fake):
    """The sandbox's own pages: the phones' inbox (HTML and JSON) and an index."""

    provider = 'inbox'
    LOGGED = False  # the inbox page polls itself every few seconds

    def _messages(self, request):
        return self.inbox.messages(phone=request.query.get('phone') or None,
                                   channel=request.query.get('channel') or None)

    @route('GET', r'/inbox\.json')
    def inbox_json(self, request):
        messages = self._messages(request)
        return json_response({'phones': self.inbox.phones(), 'messages': [m.to_dict() for m in messages]})

    @route('POST', r'/inbox/clear')
    def inbox_clear(self, request):
        self.inbox.clear()
        return Response(status=303, headers={'Location': '/inbox'}, content_type='text/plain; charset=utf-8')

    @route('GET', r'/inbox')
    def inbox_page(self, request):
        phone = request.query.get('phone', '')
        groups = {}
        for message in self._messages(request):
            groups.setdefault(message.phone, []).append(message)
        chips = ''.join(f'<a class="chip" href="/inbox?phone={p}">{_national(p)}</a>' for p in self.inbox.phones())
        sections = ''.join(self._phone_section(p, ms) for p, ms in groups.items()) \
            or '<p class="empty">No message yet.</p>'
        return _page('Sandbox phone inbox', f'''
<meta http-equiv="refresh" content="{REFRESH_SECONDS}">
<form class="bar" method="get" action="/inbox">
  <input name="phone" value="{html.escape(phone)}" placeholder="Phone, e.g. 0901888484">
  <button>Filter</button> <a href="/inbox">All phones</a> · <a href="/inbox.json">JSON</a>
</form>
<form class="bar" method="post" action="/inbox/clear"><button>Clear the inbox</button></form>
<p class="chips">{chips}</p>
{sections}''')

    @staticmethod
    def _phone_section(phone, messages):
        items = []
        for m in messages:
            stamp = datetime.fromtimestamp(m.time, ICT).strftime('%d/%m/%Y %H:%M:%S')
            meta = [m.provider, f'id {m.msg_id}']
            if m.template_id:
                meta.append(f'template {m.template_id}')
            if m.segments:
                meta.append(f'{m.segments} SMS')
            if m.price:
                meta.append(f'{m.price:,.0f} ₫'.replace(',', '.'))
            if m.note:
                meta.append(m.note)
            label = {'zalo': 'Zalo', 'messenger': 'Messenger'}.get(m.channel, 'SMS')
            items.append(
                f'<li><span class="badge {m.channel}">{label}</span>'
                f' <span class="status {m.status}">{m.status.replace("_", " ")}</span>'
                f' <span class="from">{"OA " if m.channel == "zalo" else ""}{html.escape(m.sender or "")}</span>'
                f' <time>{stamp}</time>'
                f'<div class="text">{html.escape(m.text)}</div>'
                f'<div class="meta">{html.escape(" · ".join(meta))}</div></li>')
        return f'<section><h2>{html.escape(_national(phone))}</h2><ul>{"".join(items)}</ul></section>'

    @route('GET', r'/')
    def index(self, request):
        base = f'http://{request.header("host", "127.0.0.1")}'
        rows = ''.join(f'<tr><td>{label}</td><td><code>{base}{prefix}</code></td></tr>'
                       for prefix, label in MOUNTS.items())
        return _page('Fake providers sandbox', f'''
<p><a href="/inbox">Phone inbox</a></p>
<table>{rows}</table>
<p>Any non-empty credentials and brandname are accepted. Zalo demo values: app id <code>{DEMO_APP_ID}</code>,
OA id <code>{DEMO_OA_ID}</code>, OA secret key (webhook signature) <code>{DEMO_OA_SECRET_KEY}</code>,
refresh token <code>{DEMO_REFRESH_TOKEN}</code>. ZNS templates 100001–100005: placed, paid, shipped,
delivered, cancelled.</p>''')


def _national(phone):
    """0901888484 for 84901888484: how buyers know their number."""
    return '0' + phone[2:] if phone.startswith('84') and len(phone) == 11 else phone


def _page(title, body):
    return text_response(f'''<!doctype html><html lang="vi"><head><meta charset="utf-8"><title>{title}</title>
<style>
body {{ font-family: system-ui, sans-serif; margin: 1.5rem; max-width: 60rem; color: #222; }}
.bar {{ display: inline-block; margin-right: 1rem; }} .chip {{ margin-right: .5rem; }}
section {{ border: 1px solid #ddd; border-radius: 8px; padding: .5rem 1rem; margin: 1rem 0; }}
ul {{ list-style: none; padding: 0; }} li {{ border-top: 1px solid #eee; padding: .5rem 0; }}
.badge {{ color: #fff; border-radius: 4px; padding: 0 .4rem; font-size: .8rem; }}
.badge.zalo {{ background: #0068ff; }} .badge.sms {{ background: #2e7d32; }} .badge.messenger {{ background: #a033ff; }}
.status {{ font-size: .8rem; color: #555; }} .status.failed, .status.not_delivered {{ color: #b00020; }}
.status.delivered {{ color: #2e7d32; }} time {{ color: #777; font-size: .8rem; }}
.text {{ white-space: pre-wrap; margin: .3rem 0; }} .meta {{ color: #777; font-size: .75rem; }}
</style></head><body><h1>{title}</h1>{body}</body></html>''', content_type='text/html; charset=utf-8')


def build_sandbox(host='127.0.0.1', port=8079, deliver_after=2.0, zalo_webhook_url=None,
                  speedsms_report_url=None, vietguys_report_url=None, log=None, inbox_file=None,
                  esms_balance=1_000_000):
    """``(server, fakes)``: a :class:`FakeServer` hosting every fake in sandbox mode, and the
    fakes by name ('zalo', 'esms', 'speedsms', 'vietguys', 'messenger'); a Messenger message is
    listed under the buyer's PSID. With ``inbox_file``, the phones'
    inbox is kept in that file across restarts."""
    fakes = {
        'zalo': FakeZaloZNS(sandbox=True, demo_templates=True, webhook_url=zalo_webhook_url,
                            deliver_after=deliver_after, daily_quota=20000),
        'esms': FakeESMS(sandbox=True, deliver_after=deliver_after, balance=esms_balance),
        'speedsms': FakeSpeedSMS(sandbox=True, deliver_after=deliver_after, report_url=speedsms_report_url),
        'vietguys': FakeVietguys(sandbox=True, deliver_after=deliver_after, report_url=vietguys_report_url),
        'messenger': FakeMessenger(deliver_after=deliver_after),
        'iap_sms': FakeIapSms(),
    }
    mounts = {'/zalo': fakes['zalo'], '/zalo-oauth': fakes['zalo'], '/esms': fakes['esms'],
              '/speedsms': fakes['speedsms'], '/vietguys': fakes['vietguys'], '/messenger': fakes['messenger'],
              '/iap-sms': fakes['iap_sms'], '': InboxApp()}
    return FakeServer(mounts=mounts, host=host, port=port, log=log, inbox=Inbox(inbox_file)), fakes


def main(argv=None):
    parser = argparse.ArgumentParser(description='Fake Zalo ZNS / SMS providers sandbox with a phone inbox.')
    parser.add_argument('--host', default='127.0.0.1', choices=LOOPBACK_HOSTS)
    parser.add_argument('--port', type=int, default=8079)
    parser.add_argument('--deliver-after', type=float, default=2.0,
                        help='seconds before a message counts as delivered (negative: never)')
    parser.add_argument('--zalo-webhook-url', help='where to POST signed user_received_message events')
    parser.add_argument('--speedsms-report-url', help='SpeedSMS delivery report webhook')
    parser.add_argument('--vietguys-report-url', help='VietGuys delivery report webhook')
    parser.add_argument('--quiet', action='store_true', help='no request log')
    parser.add_argument('--inbox-file', help='keep the phones\' inbox in this JSON file across restarts')
    parser.add_argument('--esms-balance', type=float, default=1_000_000, help="the eSMS account's balance (VND)")
    parser.add_argument('--latency', type=float, default=0.0,
                        help='seconds every request takes before it is answered (throughput benchmarks)')
    args = parser.parse_args(argv)
    server, _fakes = build_sandbox(
        host=args.host, port=args.port, deliver_after=None if args.deliver_after < 0 else args.deliver_after,
        zalo_webhook_url=args.zalo_webhook_url, speedsms_report_url=args.speedsms_report_url,
        vietguys_report_url=args.vietguys_report_url, log=None if args.quiet else _print,
        inbox_file=args.inbox_file, esms_balance=args.esms_balance)
    for fake in _fakes.values():
        fake.latency = args.latency
    server.start()
    print(f'Fake providers sandbox on {server.url} (inbox: {server.url}/inbox)', flush=True)
    for prefix, label in MOUNTS.items():
        print(f'  {label:22} {server.url}{prefix}', flush=True)
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        pass
    finally:
        server.stop()
    return 0


def _print(line):
    print(line, flush=True)
