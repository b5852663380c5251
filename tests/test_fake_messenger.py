"""Plain pytest contract tests of the fake Graph API for Messenger (no Odoo): it answers as
``shared/notes/messenger.md`` says (see ``fake_providers/messenger.py``)."""
import hashlib
import hmac
import json

import requests

from fake_providers import (
    DEMO_APP_SECRET, DEMO_PAGE_ID, DEMO_PAGE_TOKEN, CallbackRecorder, FakeMessenger, sign_messenger_event,
)

T = 5
AUTH = {'Authorization': f'Bearer {DEMO_PAGE_TOKEN}'}




def _send(server, psid, text='Đơn S00042 đã được gửi đi.', messaging_type='UPDATE', headers=AUTH, node=DEMO_PAGE_ID,
          **extra):
    body = {'recipient': {'id': psid}, 'messaging_type': messaging_type, 'message': {'text': text}, **extra}
    return requests.post(f'{server.url}/v25.0/{node}/messages', json=body, headers=headers, timeout=T)


def _error(response):
    error = response.json()['error']
    return error['code'], error.get('error_subcode')


def test_send_inside_the_window_shape_and_inbox(serve):
    fb = FakeMessenger()
    server = serve(fb)
    user = fb.add_user('7001')
    response = _send(server, user.psid)
    assert response.status_code == 200
    data = response.json()
    assert data['recipient_id'] == '7001' and data['message_id'].startswith('m_')
    # The token also works as a query parameter, and /me is the token's Page.
    response = requests.post(f'{server.url}/v25.0/me/messages', params={'access_token': DEMO_PAGE_TOKEN}, timeout=T,
                             json={'recipient': {'id': '7001'}, 'messaging_type': 'RESPONSE',
                                   'message': {'text': 'hi', 'metadata': 'osn-key'}})
    assert response.status_code == 200
    (received, first) = fb.inbox.messages(phone='7001')
    assert received.channel == 'messenger' and received.text == 'hi' and received.sender == 'Shop Demo'
    assert fb.messages[response.json()['message_id']].metadata == 'osn-key'


def test_window_rule_and_recipient_errors(serve):
    fb = FakeMessenger()
    server = serve(fb)
    fb.add_user('7001')
    fb.add_user('7002', interacted=False)
    assert _error(_send(server, '7002')) == (10, 2018278)
    fb.advance_time(24 * 3600 + 1)
    assert _error(_send(server, '7001')) == (10, 2018278)
    fb.user_writes('7001', 'hello')  # writing again opens a new window
    assert _send(server, '7001').status_code == 200
    assert _error(_send(server, '9999')) == (100, 2018001)  # unknown to this Page
    fb.block('7001')
    response = _send(server, '7001')
    assert response.status_code == 400 and _error(response) == (551, 1545041)


def test_parameter_token_and_tag_errors(serve):
    fb = FakeMessenger()
    server = serve(fb)
    fb.add_user('7001')
    assert _error(_send(server, '7001', messaging_type=None)) == (100, None)
    assert _error(_send(server, '7001', text='x' * 2001)) == (100, None)
    for tag in ('POST_PURCHASE_UPDATE', 'ACCOUNT_UPDATE', 'CONFIRMED_EVENT_UPDATE'):
        assert _error(_send(server, '7001', messaging_type='MESSAGE_TAG', tag=tag)) == (100, None)
    assert _error(_send(server, '7001', headers={})) == (190, None)
    assert _error(_send(server, '7001', headers={'Authorization': 'Bearer nope'})) == (190, None)
    fb.expire_token()
    assert _error(_send(server, '7001')) == (190, 463)
    assert not fb.messages


def test_scripted_errors_rate_limits_and_page_lookup(serve):
    fb = FakeMessenger()
    server = serve(fb)
    fb.add_user('7001')
    fb.fail_next(613)
    fb.fail_next((10, 1893063))
    fb.fail_next(2)
    assert [_error(_send(server, '7001')) for _ in range(3)] == [(613, None), (10, 1893063), (2, None)]
    assert _send(server, '7001').status_code == 200
    page = requests.get(f'{server.url}/v25.0/{DEMO_PAGE_ID}', params={'fields': 'id,name'}, headers=AUTH, timeout=T)
    assert page.json() == {'id': DEMO_PAGE_ID, 'name': 'Shop Demo'}
    assert _error(requests.get(f'{server.url}/v25.0/{DEMO_PAGE_ID}', timeout=T)) == (190, None)


def test_signed_webhooks_handshake_and_receipts(serve):
    fb = FakeMessenger()
    recorder = CallbackRecorder()
    server, hook = serve(fb), serve(recorder)
    fb.add_user('7001')
    message_id = _send(server, '7001').json()['message_id']
    assert fb.user_opens_link('7001', 'R123', url=hook.url + '/hook') == 200
    assert fb.deliver(message_id, url=hook.url + '/hook') == 200
    assert fb.read(message_id, url=hook.url + '/hook') == 200
    referral, delivery, read = recorder.requests.all()
    for request in (referral, delivery, read):
        expected = 'sha256=' + hmac.new(DEMO_APP_SECRET.encode(), request.body, hashlib.sha256).hexdigest()
        assert request.header('x-hub-signature-256') == expected
        assert request.json['object'] == 'page' and request.json['entry'][0]['id'] == DEMO_PAGE_ID
    assert referral.json['entry'][0]['messaging'][0]['referral'] == {
        'ref': 'R123', 'source': 'SHORTLINK', 'type': 'OPEN_THREAD'}
    event = delivery.json['entry'][0]['messaging'][0]
    assert event['sender'] == {'id': '7001'} and event['delivery']['mids'] == [message_id]
    assert event['delivery']['watermark'] >= fb.messages[message_id].sent * 1000
    assert 'watermark' in read.json['entry'][0]['messaging'][0]['read']
    assert fb.inbox.messages(phone='7001')[0].status == 'delivered'
    # Handshake: Meta GETs the callback URL with the verify token and expects the challenge back.
    status, _body = fb.verify_webhook(hook.url + '/hook', 'tok', challenge='42')
    assert status == 200 and recorder.requests.last().query == {
        'hub.mode': 'subscribe', 'hub.verify_token': 'tok', 'hub.challenge': '42'}
    # Postback of a new thread carries the referral; echoes carry the send's metadata.
    start = fb.user_starts('7003', 'R9')
    assert start['entry'][0]['messaging'][0]['postback']['referral']['ref'] == 'R9'
    echo = fb.echo_event(message_id)['entry'][0]['messaging'][0]
    assert echo['message']['is_echo'] is True and echo['message']['mid'] == message_id


def test_sign_messenger_event_is_over_the_raw_bytes():
    raw, headers = sign_messenger_event({'object': 'page', 'entry': []}, 'secret')
    assert json.loads(raw) == {'object': 'page', 'entry': []}
    assert headers['X-Hub-Signature-256'] == 'sha256=' + hmac.new(b'secret', raw, hashlib.sha256).hexdigest()
