"""The sandbox's phone inbox survives a restart when it is kept in a file (``serve.py
--inbox-file``, which ``setup/run.sh`` points at ``.run/sandbox-inbox.json``): the demo's phones
keep their messages. Real HTTP to the sandbox, as Odoo talks to it."""
import json
import time

import requests

from fake_providers.serve import build_sandbox

T = 5
PHONE = '0901888484'
ESMS_SEND = '/esms/MainService.svc/json/SendMultipleMessage_V4_post_json/'


def _inbox(server):
    return requests.get(f'{server.url}/inbox.json', params={'phone': PHONE}, timeout=T).json()['messages']


def test_inbox_kept_in_file_across_restarts(tmp_path):
    path = tmp_path / 'sandbox-inbox.json'
    server, _fakes = build_sandbox(port=0, deliver_after=0.05, inbox_file=str(path))
    server.start()
    try:
        sent = requests.post(server.url + ESMS_SEND, timeout=T, json={
            'ApiKey': 'k', 'SecretKey': 's', 'Phone': PHONE, 'Content': 'Đơn S00007 đã gửi',
            'Brandname': 'ANY', 'SmsType': '2', 'IsUnicode': '1'}).json()
        assert sent['CodeResult'] == '100'
        deadline = time.time() + 3
        while _inbox(server)[0]['status'] != 'delivered' and time.time() < deadline:
            time.sleep(0.02)
    finally:
        server.stop()
    saved = json.loads(path.read_text(encoding='utf-8'))
    assert [(m['channel'], m['text'], m['status']) for m in saved] == [('sms', 'Đơn S00007 đã gửi', 'delivered')]

    restarted, _fakes = build_sandbox(port=0, deliver_after=None, inbox_file=str(path))
    restarted.start()
    try:
        messages = _inbox(restarted)
        assert [(m['text'], m['status']) for m in messages] == [('Đơn S00007 đã gửi', 'delivered')]
        requests.post(f'{restarted.url}/inbox/clear', timeout=T, allow_redirects=False)
        assert _inbox(restarted) == []
    finally:
        restarted.stop()
    assert json.loads(path.read_text(encoding='utf-8')) == []


def test_inbox_without_file_starts_empty_each_time(tmp_path):
    server, _fakes = build_sandbox(port=0, deliver_after=None)
    server.start()
    try:
        requests.post(server.url + ESMS_SEND, timeout=T, json={
            'ApiKey': 'k', 'SecretKey': 's', 'Phone': PHONE, 'Content': 'Xin chào', 'Brandname': 'ANY',
            'SmsType': '2', 'IsUnicode': '1'})
        assert len(_inbox(server)) == 1
    finally:
        server.stop()
    assert list(tmp_path.iterdir()) == []
