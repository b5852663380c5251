"""Plain pytest tests of the fake providers (no Odoo): each fake answers as its vendor's notes say.

Every server binds 127.0.0.1 on a free port and stops at the end of its test.
"""
import base64
import hashlib
import json
import threading
import time
from datetime import datetime, timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
import requests

from fake_providers import (
    DEMO_REFRESH_TOKEN, CallbackRecorder, FakeESMS, FakeServer, FakeSpeedSMS, FakeVietguys, FakeZaloZNS, ZnsParam,
    parse_vn_mobile, sms_segments,
)
from fake_providers.base import ICT, strip_diacritics
from fake_providers.serve import build_sandbox

T = 5  # seconds, every client call




# ============================================================================ shared helpers

def test_sms_segments_follow_vietnamese_brandname_billing():
    for length, expected in [(1, 1), (160, 1), (161, 2), (306, 2), (307, 3), (459, 3), (460, 4)]:
        assert sms_segments('a' * length, unicode=False) == expected, length
    for length, expected in [(70, 1), (71, 2), (134, 2), (135, 3), (201, 3)]:
        assert sms_segments('ă' * length, unicode=True) == expected, length
    assert sms_segments('{' * 80, unicode=False) == 1 and sms_segments('{' * 81, unicode=False) == 2  # 2 septets each


def test_phone_forms_and_diacritics():
    assert parse_vn_mobile('0901888484') == ('901888484', '0')
    assert parse_vn_mobile('84901888484') == ('901888484', '84')
    assert parse_vn_mobile('+84901888484') == ('901888484', '+84')
    assert parse_vn_mobile('840901888484') == ('901888484', '84')
    assert parse_vn_mobile('0843456789') == ('843456789', '0')
    for bad in ('01689123456', '0241234567', '123', '0901 888 484', '', None):
        assert parse_vn_mobile(bad) == (None, None), bad
    assert strip_diacritics('Đơn hàng đã được giao') == 'Don hang da duoc giao'


def test_server_mounts_share_one_inbox_and_refuse_other_hosts(serve):
    with pytest.raises(ValueError):
        FakeServer(FakeESMS(), host='0.0.0.0')
    esms, speed = FakeESMS(sandbox=True), FakeSpeedSMS(sandbox=True)
    server = serve(mounts={'/esms': esms, '/speedsms': speed})
    assert esms.inbox is speed.inbox is server.inbox
    assert requests.get(f'{server.url}/elsewhere', timeout=T).status_code == 404
    requests.post(f'{server.url}/esms/MainService.svc/json/GetBalance_json', json={'ApiKey': 'k', 'SecretKey': 's'},
                  timeout=T)
    assert esms.requests.last().path == '/MainService.svc/json/GetBalance_json'
    assert server.requests.last().full_path == '/esms/MainService.svc/json/GetBalance_json'
    assert not speed.requests.all()


# ============================================================================ Zalo ZNS

PHONE = '0901888484'


def _zns(**kwargs):
    zns = FakeZaloZNS(**kwargs)
    zns.add_template('248079', 'Xác nhận đơn hàng', params=[
        'customer_name', 'order_code', ZnsParam('amount', 'NUMBER', 20), ZnsParam('order_date', 'DATE', 20),
    ], body='Cảm ơn <customer_name>, đơn <order_code> (<amount> đ) ngày <order_date>.')
    return zns


def _data(**overrides):
    data = {'customer_name': 'Nguyễn Văn An', 'order_code': 'S00042', 'amount': '1280000', 'order_date': '21/11/2025'}
    data.update(overrides)
    return data


def _send_zns(server, zns, token=None, **overrides):
    body = {'phone': '84901888484', 'template_id': '248079', 'template_data': _data(), 'tracking_id': 'so42-placed'}
    body.update(overrides)
    headers = {'access_token': zns.access_token if token is None else token}
    return requests.post(f'{server.url}/message/template', json=body, headers=headers, timeout=T)


def test_zns_send_success_shape_quota_and_inbox(serve):
    zns = _zns()
    server = serve(zns)
    first, second = _send_zns(server, zns), _send_zns(server, zns, template_id=248079, phone='+84901888484')
    assert first.status_code == 200
    body = first.json()
    assert body['error'] == 0 and body['message'] == 'Success'
    data = body['data']
    assert isinstance(data['msg_id'], str) and len(data['msg_id']) == 20
    assert data['sent_time'].isdigit() and abs(int(data['sent_time']) - time.time() * 1000) < 60000
    assert data['quota'] == {'dailyQuota': '500', 'remainingQuota': '499'}
    assert second.json()['data']['quota']['remainingQuota'] == '498'
    request = zns.requests.last('/message/template')
    assert request.header('access_token') == zns.access_token and request.json['tracking_id'] == 'so42-placed'
    received = zns.inbox.messages(phone=PHONE)
    assert len(received) == 2 and received[0].channel == 'zalo' and received[0].template_id == '248079'
    assert received[0].text == 'Template 248079 (Xác nhận đơn hàng): Cảm ơn Nguyễn Văn An, đơn S00042 ' \
                               '(1.280.000 đ) ngày 21/11/2025.'


def test_zns_access_token_missing_unknown_or_expired_is_124_with_http_200(serve):
    zns = _zns()
    server = serve(zns)
    missing = requests.post(f'{server.url}/message/template', json={'phone': PHONE}, timeout=T)
    assert missing.status_code == 200 and missing.json() == {'error': -124, 'message': 'Access token invalid'}
    assert _send_zns(server, zns, token='not-a-token').json()['error'] == -124
    zns.advance_time(25 * 3600 + 1)
    assert _send_zns(server, zns).json()['error'] == -124
    assert requests.get(f'{server.url}/message/template', timeout=T).json()['error'] == -106


@pytest.mark.parametrize('overrides, code', [
    ({'phone': '01689123456'}, -108),
    ({'phone': 'abc'}, -108),
    ({'template_id': '999999'}, -109),
    ({'template_id': 'pending'}, -131),
    ({'template_id': 'disabled'}, -146),
    ({'template_id': 'foreign'}, -117),
    ({'template_data': {}}, -111),
    ({'template_data': 'text'}, -112),
    ({'template_data': _data(order_code='')}, -1122),
    ({'template_data': {k: v for k, v in _data().items() if k != 'customer_name'}}, -1122),
    ({'template_data': _data(customer_name='x' * 31)}, -1121),
    ({'template_data': _data(amount='1.280.000 ₫')}, -1124),
    ({'template_data': _data(order_date='hôm nay')}, -132),
    ({'sending_mode': 'x'}, -161),
    ({'sending_mode': '3'}, -162),
])
def test_zns_validation_codes(serve, overrides, code):
    zns = _zns()
    for template_id, values in [('pending', {'status': 'PENDING_REVIEW'}), ('disabled', {'status': 'DISABLE'}),
                                ('foreign', {'oa_id': 'another-oa'})]:
        zns.add_template(template_id, params=['customer_name'], **values)
    server = serve(zns)
    response = _send_zns(server, zns, **overrides)
    assert response.status_code == 200 and response.json()['error'] == code and 'data' not in response.json()
    assert zns.remaining_quota == 500 and not zns.inbox.messages()


def test_zns_nfd_text_counts_its_combining_marks(serve):
    import unicodedata
    zns = _zns()
    server = serve(zns)
    name = 'Nguyễn Thị Hường Nguyễn Thị Ư'  # 29 characters composed
    assert _send_zns(server, zns, template_data=_data(customer_name=name)).json()['error'] == 0
    nfd = unicodedata.normalize('NFD', name)
    assert _send_zns(server, zns, template_data=_data(customer_name=nfd)).json()['error'] == -1121


def test_zns_body_errors(serve):
    zns = _zns()
    server = serve(zns)
    headers = {'access_token': zns.access_token, 'Content-Type': 'application/json'}
    assert requests.post(f'{server.url}/message/template', data=b'', headers=headers, timeout=T).json()['error'] == -121
    assert requests.post(f'{server.url}/message/template', data=b'{oops', headers=headers,
                         timeout=T).json()['error'] == -122


def test_zns_recipient_scripts_and_forced_failures(serve):
    zns = _zns()
    server = serve(zns)
    zns.mark_no_zalo(PHONE)
    assert _send_zns(server, zns).json() == {'error': -118, 'message': 'Zalo account not existed'}
    zns.set_phone_error(PHONE, -141)
    assert _send_zns(server, zns).json()['error'] == -141
    zns.clear_phone_error(PHONE)
    zns.fail_next(-124)
    zns.fail_next(http_status=500)
    assert _send_zns(server, zns).json()['error'] == -124
    assert _send_zns(server, zns).status_code == 500
    assert _send_zns(server, zns).json()['error'] == 0
    assert len(zns.inbox.messages()) == 1


def test_zns_delay_times_out_the_client_but_the_message_still_goes(serve):
    zns = _zns()
    server = serve(zns)
    zns.delay_next(0.3)
    body = {'phone': PHONE, 'template_id': '248079', 'template_data': _data()}
    with pytest.raises(requests.Timeout):
        requests.post(f'{server.url}/message/template', json=body, headers={'access_token': zns.access_token},
                      timeout=0.1)
    deadline = time.time() + 2
    while not zns.messages and time.time() < deadline:
        time.sleep(0.02)
    assert len(zns.messages) == 1


def test_reset_and_hang_after_accept_lose_the_answer_of_an_accepted_send(serve):
    """Fault injection of the reliability suite: the send is processed, its answer is lost."""
    zns = _zns()
    server = serve(zns)
    body = {'phone': PHONE, 'template_id': '248079', 'template_data': _data(), 'tracking_id': 'k-1'}
    headers = {'access_token': zns.access_token}
    zns.reset_after_accept()
    with pytest.raises(requests.ConnectionError):
        requests.post(f'{server.url}/message/template', json=body, headers=headers, timeout=T)
    assert len(zns.messages) == 1 and list(zns.messages.values())[0].tracking_id == 'k-1'
    zns.hang_after_accept(0.5)
    with pytest.raises(requests.ReadTimeout):
        requests.post(f'{server.url}/message/template', json=body, headers=headers, timeout=(T, 0.2))
    assert len(zns.messages) == 2
    assert _send_zns(server, zns).json()['error'] == 0, "one send each"
    esms = FakeESMS(balance=10000)
    esms_server = serve(esms)
    esms.reset_after_accept()
    with pytest.raises(requests.ConnectionError):
        requests.post(esms_server.url + ESMS_SEND, json=_esms_body(esms, RequestId='r-1'), timeout=T)
    assert requests.post(esms_server.url + ESMS_SEND, json=_esms_body(esms, RequestId='r-1'),
                         timeout=T).json()['CodeResult'] == '124'
    assert len(esms.records) == 1


def test_zns_quotas_wallet_and_night_ban(serve):
    now = [datetime(2025, 11, 21, 23, 30, tzinfo=ICT).timestamp()]
    zns = _zns(daily_quota=1, clock=lambda: now[0])
    zns.add_template('night', params=['customer_name'], night_restricted=True)
    zns.add_template('capped', params=['customer_name'], daily_quota=0)
    zns.add_template('pricey', params=['customer_name'], price='900')
    zns.wallet_balance = 500
    server = serve(zns)
    night = {'template_id': 'night', 'template_data': {'customer_name': 'An'}}
    assert _send_zns(server, zns, **night).json()['error'] == -133
    assert _send_zns(server, zns, template_id='capped', template_data={'customer_name': 'An'}).json()['error'] == -147
    assert _send_zns(server, zns, template_id='pricey', template_data={'customer_name': 'An'}).json()['error'] == -115
    assert _send_zns(server, zns).json()['error'] == 0
    assert _send_zns(server, zns).json()['error'] == -144
    now[0] = datetime(2025, 11, 22, 6, 0, tzinfo=ICT).timestamp()  # a new day at 06:00 ICT
    assert _send_zns(server, zns, **night).json()['error'] == 0
    quota = requests.get(f'{server.url}/message/quota', headers={'access_token': zns.access_token}, timeout=T).json()
    assert quota['data'] == {'dailyQuota': 1, 'remainingQuota': 0}


def test_zns_development_mode_reaches_admins_only(serve):
    zns = _zns(admin_phones=['0912345678'], dev_quota=1)
    server = serve(zns)
    assert _send_zns(server, zns, mode='development').json()['error'] == -127
    assert _send_zns(server, zns, mode='development', phone='84912345678').json()['error'] == 0
    assert _send_zns(server, zns, mode='development', phone='84912345678').json()['error'] == -126
    assert zns.remaining_quota == 500


def test_zns_template_list_and_detail(serve):
    zns = _zns()
    zns.add_template('100777', 'Chờ duyệt', params=['customer_name'], status='PENDING_REVIEW')
    server = serve(zns)
    headers = {'access_token': zns.access_token}
    listed = requests.get(f'{server.url}/template/all', params={'offset': 0, 'limit': 500}, headers=headers,
                          timeout=T).json()
    assert listed['error'] == 0 and listed['metadata'] == {'total': 2}
    assert {t['templateId'] for t in listed['data']} == {248079, 100777}
    enabled = requests.get(f'{server.url}/template/all', params={'status': 1}, headers=headers, timeout=T).json()
    assert [t['status'] for t in enabled['data']] == ['ENABLE'] and enabled['metadata']['total'] == 1
    bad = requests.get(f'{server.url}/template/all', params={'status': 'ENABLE'}, headers=headers, timeout=T).json()
    assert bad['error'] == -132
    info = requests.get(f'{server.url}/template/info/v2', params={'template_id': '248079'}, headers=headers,
                        timeout=T).json()['data']
    assert info['templateId'] == 248079 and info['status'] == 'ENABLE' and info['price'] == '300'
    assert info['listParams'][2] == {'name': 'amount', 'require': True, 'type': 'NUMBER', 'maxLength': 20,
                                     'minLength': 0, 'acceptNull': False}
    assert info['timeout'] == 7200000 and info['templateTag'] == 'TRANSACTION'
    preview = requests.get(info['previewUrl'], timeout=T)
    assert preview.status_code == 200 and '&lt;customer_name&gt;' in preview.text
    assert requests.get(f'{server.url}/template/info/v2', params={'template_id': '1'}, headers=headers,
                        timeout=T).json()['error'] == -109


def test_zns_message_status_and_billing(serve):
    zns = _zns()
    server = serve(zns)
    headers = {'access_token': zns.access_token}
    on_time, late = (_send_zns(server, zns).json()['data']['msg_id'] for _ in range(2))

    def status(msg_id):
        return requests.get(f'{server.url}/message/status', params={'message_id': msg_id}, headers=headers,
                            timeout=T).json()['data']
    assert status('nope')['status'] == -1
    assert status(on_time)['status'] == 0
    zns.deliver(on_time)
    zns.deliver(late, delivery_time=zns.messages[late].sent_time + 7200001)
    assert status(on_time)['status'] == 1 and status(on_time)['delivery_time'].isdigit()
    assert zns.charges == [(on_time, 300.0)]
    assert zns.inbox.messages()[0].status == 'delivered'


def test_zns_signed_delivery_webhook(serve):
    recorder = CallbackRecorder()
    hook = serve(recorder)
    zns = _zns(webhook_url=f'{hook.url}/zalo/webhook')
    server = serve(zns)
    msg_id = _send_zns(server, zns).json()['data']['msg_id']
    assert zns.deliver(msg_id) == 200
    request = recorder.requests.last()
    assert request.path == '/zalo/webhook' and request.header('x-zevent-server') == 'ZNS'
    event = request.json
    assert event['event_name'] == 'user_received_message' and event['recipient']['id'] == '84901888484'
    assert event['message'] == {'delivery_time': str(zns.messages[msg_id].delivery_time), 'msg_id': msg_id,
                                'tracking_id': 'so42-placed'}
    assert event['app_id'] == zns.app_id and event['sender']['id'] == zns.oa_id
    expected = hashlib.sha256(zns.app_id.encode() + request.body + event['timestamp'].encode()
                              + zns.oa_secret_key.encode()).hexdigest()
    assert request.header('x-zevent-signature') == 'mac=' + expected
    raw, headers = zns.delivery_event(msg_id, mac_prefix=False, tracking_id='other')
    assert headers['X-ZEvent-Signature'] != 'mac=' + expected and len(headers['X-ZEvent-Signature']) == 64
    assert json.loads(raw)['message']['tracking_id'] == 'other'


def test_zalo_oauth_rotating_refresh_tokens(serve):
    zns = _zns()
    server = serve(zns)
    url = f'{server.url}/v4/oa/access_token'
    headers = {'secret_key': zns.app_secret_key}

    def refresh(token, **kwargs):
        form = {'app_id': zns.app_id, 'grant_type': 'refresh_token', 'refresh_token': token}
        return requests.post(url, data=form, headers=kwargs.get('headers', headers), timeout=T).json()
    old_access, old_refresh = zns.access_token, zns.refresh_token
    new = refresh(old_refresh)
    assert new['expires_in'] == '90000' and new['refresh_token'] != old_refresh and new['access_token'] != old_access
    reused = refresh(old_refresh)
    assert reused['error'] == -14014 and reused['error_name'] == 'Invalid refresh token'
    assert {'error_reason', 'ref_doc', 'error_description'} <= set(reused)
    assert refresh(new['refresh_token'], headers={'secret_key': 'wrong'})['error'] == -14002
    assert requests.post(url, json={'app_id': zns.app_id, 'grant_type': 'refresh_token',
                                    'refresh_token': new['refresh_token']}, headers=headers,
                         timeout=T).json()['error'] == -14001
    assert _send_zns(server, zns, token=new['access_token']).json()['error'] == 0
    assert _send_zns(server, zns, token=old_access).json()['error'] == 0  # valid until it expires
    zns.advance_time(91 * 24 * 3600)
    assert refresh(new['refresh_token'])['error'] == -14020


def test_zalo_oauth_concurrent_refreshes_one_wins(serve):
    zns = _zns(revoke_old_access_token=True)
    server = serve(zns)
    results = []

    def refresh():
        form = {'app_id': zns.app_id, 'grant_type': 'refresh_token', 'refresh_token': zns.refresh_token}
        results.append(requests.post(f'{server.url}/v4/oa/access_token', data=form,
                                     headers={'secret_key': zns.app_secret_key}, timeout=T).json())
    threads = [threading.Thread(target=refresh) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted('access_token' in r for r in results) == [False, False, False, True]
    assert _send_zns(server, zns).json()['error'] == -124  # revoked by the refresh


def test_zalo_oauth_consent_and_pkce_code_exchange(serve):
    zns = _zns()
    server = serve(zns)
    verifier = 'v' * 50
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b'=').decode()
    consent = requests.get(f'{server.url}/v4/oa/permission', params={
        'app_id': zns.app_id, 'redirect_uri': 'http://localhost:8069/zalo/callback', 'code_challenge': challenge,
        'state': 'abc'}, allow_redirects=False, timeout=T)
    assert consent.status_code == 302
    query = parse_qs(urlsplit(consent.headers['Location']).query)
    assert query['oa_id'] == [zns.oa_id] and query['state'] == ['abc']
    form = {'app_id': zns.app_id, 'grant_type': 'authorization_code', 'code': query['code'][0]}
    post = lambda **extra: requests.post(f'{server.url}/v4/oa/access_token', data={**form, **extra},  # noqa: E731
                                         headers={'secret_key': zns.app_secret_key}, timeout=T).json()
    assert post(code_verifier='wrong')['error'] == -14001  # and the code is used up
    consent = requests.get(consent.request.url, allow_redirects=False, timeout=T)
    form['code'] = parse_qs(urlsplit(consent.headers['Location']).query)['code'][0]
    tokens = post(code_verifier=verifier)
    assert tokens['expires_in'] == '90000'
    # The OA the token belongs to, read with the token (never trusted from the callback URL).
    info = requests.get(f'{server.url}/v2.0/oa/getoa', headers={'access_token': tokens['access_token']}, timeout=T)
    assert info.json()['data']['oa_id'] == zns.oa_id
    assert requests.get(f'{server.url}/v2.0/oa/getoa', headers={'access_token': 'nope'}, timeout=T).json()['error'] == -216


# ============================================================================ eSMS

ESMS_SEND = '/MainService.svc/json/SendMultipleMessage_V4_post_json/'


def _esms_body(esms, **overrides):
    body = {'ApiKey': esms.api_key, 'SecretKey': esms.secret_key, 'Phone': PHONE, 'Content': 'Don S00042 da giao',
            'Brandname': 'SHOPDEMO', 'SmsType': '2', 'IsUnicode': '0', 'Sandbox': '0'}
    body.update(overrides)
    return body


def _esms_send(server, esms, **overrides):
    return requests.post(server.url + ESMS_SEND, json=_esms_body(esms, **overrides), timeout=T)


def test_esms_send_success_and_price(serve):
    esms = FakeESMS(balance=10000)
    server = serve(esms)
    body = _esms_send(server, esms, SmsType=2, IsUnicode=0).json()
    assert body['CodeResult'] == '100' and body['CountRegenerate'] == 0 and body['SMSID']
    unicode = _esms_send(server, esms, Content='Đơn S00042 đã giao thành công. ' * 3, IsUnicode='1').json()
    assert unicode['CodeResult'] == '100'
    record = esms.record(unicode['SMSID'])
    assert record.unicode and record.segments == 2 and record.price == 1700
    assert esms.balance == 10000 - 850 - 1700
    stripped = _esms_send(server, esms, Content='Đơn đã giao').json()
    assert esms.record(stripped['SMSID']).text == 'Don da giao'
    assert [m.provider for m in esms.inbox.messages(phone='84901888484')] == ['esms'] * 3


@pytest.mark.parametrize('overrides, code', [
    ({'SecretKey': 'wrong'}, '101'),
    ({'Brandname': 'UNKNOWN'}, '104'),
    ({'Phone': '84901888484'}, '108'),
    ({'Phone': '01689123456'}, '108'),
    ({'SmsType': '1'}, '118'),
    ({'SmsType': ''}, '300'),
    ({'RequestId': 'x' * 51}, '159'),
])
def test_esms_result_codes(serve, overrides, code):
    esms = FakeESMS()
    server = serve(esms)
    body = _esms_send(server, esms, **overrides).json()
    assert body['CodeResult'] == code and 'SMSID' not in body and body['ErrorMessage']
    assert not esms.inbox.messages()


def test_esms_scripted_codes(serve):
    esms = FakeESMS(balance=1000)
    server = serve(esms)
    esms.block_phone(PHONE)
    assert _esms_send(server, esms).json()['CodeResult'] == '99'
    esms.clear_phone_error(PHONE)
    esms.unregistered_carriers.add('mobifone')
    assert _esms_send(server, esms).json()['CodeResult'] == '177'
    esms.unregistered_carriers.clear()
    esms.add_template('Don {P1,20} da giao')
    wrong = _esms_send(server, esms, Content='Khuyen mai lon').json()
    assert wrong['CodeResult'] == '146' and wrong['SMSID']  # as in the docs' sample
    esms.add_template('Mua ngay {P1,30}')
    esms.add_blocked_keyword('mua ngay')
    assert _esms_send(server, esms, Content='Mua ngay hom nay').json()['CodeResult'] == '201'
    assert _esms_send(server, esms).json()['CodeResult'] == '100'
    assert _esms_send(server, esms, Content='Don S2 da giao').json()['CodeResult'] == '103'  # 150 VND left
    esms.fail_next('101')
    assert _esms_send(server, esms).json()['ErrorMessage'] == 'Authorize Failed'
    bad = requests.post(server.url + ESMS_SEND, data=b'{not json', headers={'Content-Type': 'application/json'},
                        timeout=T)
    assert bad.status_code == 200 and bad.json() == {'error': 'Invalid request'}


def test_esms_duplicate_request_id_and_sandbox(serve):
    esms = FakeESMS()
    server = serve(esms)
    assert _esms_send(server, esms, RequestId='so42-shipped-1').json()['CodeResult'] == '100'
    balance = esms.balance
    duplicate = _esms_send(server, esms, RequestId='so42-shipped-1').json()
    assert duplicate == {'CodeResult': '124', 'CountRegenerate': 0, 'ErrorMessage': 'Request exist 1',
                         'SendStatus': '5'}
    assert esms.balance == balance and len(esms.inbox.messages()) == 1
    esms.advance_time(24 * 3600 + 1)
    assert _esms_send(server, esms, RequestId='so42-shipped-1').json()['CodeResult'] == '100'
    sandbox = _esms_send(server, esms, Sandbox=1, CallbackUrl='http://127.0.0.1:9/never').json()
    assert sandbox['CodeResult'] == '100' and esms.balance == balance - 850
    assert esms.inbox.messages()[0].status == 'not_delivered'
    status = requests.get(f'{server.url}/MainService.svc/json/GetSendStatus', timeout=T, params={
        'RefId': sandbox['SMSID'], 'ApiKey': esms.api_key, 'SecretKey': esms.secret_key}).json()
    assert status == {'CodeResponse': '105', 'SMSID': sandbox['SMSID']}


def test_esms_callback_get_and_status_polling(serve):
    recorder = CallbackRecorder()
    hook = serve(recorder)
    esms = FakeESMS()
    server = serve(esms)
    callback = f'{hook.url}/esms/dlr?token=t0k'
    sms_id = _esms_send(server, esms, RequestId='so42-paid', CallbackUrl=callback).json()['SMSID']
    credentials = {'ApiKey': esms.api_key, 'SecretKey': esms.secret_key}
    pending = requests.get(f'{server.url}/MainService.svc/json/GetSendStatus', params={'RefId': sms_id, **credentials},
                           timeout=T).json()
    assert pending['CodeResponse'] == '100' and pending['SendStatus'] == 7
    assert esms.send_report(sms_id, SendStatus=7) == 200
    assert esms.deliver(sms_id) == 200
    first, final = recorder.requests.all()
    assert first.method == 'GET' and first.query['SendStatus'] == '7'
    assert final.path == '/esms/dlr' and final.query == {
        'token': 't0k', 'SMSID': sms_id, 'SendFailed': '0', 'SendStatus': '5', 'SendSuccess': '1',
        'TotalPrice': '850.0000', 'TotalReceiver': '1', 'TotalSent': '1', 'RequestId': 'so42-paid', 'TypeId': '2',
        'telcoid': '2', 'phonenumber': PHONE, 'switchsmsid': ''}
    done = requests.get(f'{server.url}/MainService.svc/json/GetSendStatus', params={'RefId': sms_id, **credentials},
                        timeout=T).json()
    assert (done['SendStatus'], done['SendSuccess'], done['TotalPrice']) == (5, 1, 850.0)
    receivers = requests.get(f'{server.url}/MainService.svc/json/GetSmsReceiverStatus_get',
                             params={'RefId': sms_id, **credentials}, timeout=T).json()
    assert receivers['ReceiverList'][0]['SentResult'] is True and receivers['ReceiverList'][0]['Phone'] == PHONE


def test_esms_sent_data_by_time_range(serve):
    """GetSmsSentData_V2 (sms_providers.md §1.4): the way back to the SMSID and price of a send
    that eSMS later answers 124 for."""
    esms = FakeESMS()
    server = serve(esms)
    url = f'{server.url}/MainService.svc/json/GetSmsSentData_V2'
    first = _esms_send(server, esms, RequestId='so42-shipped-1').json()['SMSID']
    _esms_send(server, esms, Content='Đơn S00043 đã giao', IsUnicode='1', RequestId='so43-shipped-1')
    _esms_send(server, esms, Sandbox=1)  # sandbox messages are not stored
    assert _esms_send(server, esms, RequestId='so42-shipped-1').json()['CodeResult'] == '124'
    esms.deliver(first, report=False)
    now = datetime.now(ICT)
    body = {'ApiKey': esms.api_key, 'SecretKey': esms.secret_key, 'SmsType': '2', 'Page': 1, 'PageSize': 500,
            'From': (now - timedelta(hours=1)).strftime('%Y-%m-%d %H:%M:%S'),
            'To': (now + timedelta(hours=1)).strftime('%Y-%m-%d %H:%M:%S')}
    data = requests.post(url, json=body, timeout=T).json()
    assert data['CodeResult'] == '100' and data['CountTotal'] == 2
    sent, other = data['SentData']
    assert sent['ReferenceId'] == first and sent['Phone'] == PHONE and sent['Content'] == 'Don S00042 da giao'
    assert (sent['SellPrice'], sent['SendResult'], sent['SendStatus'], sent['SmsType']) == (850.0, 1, 5, 2)
    assert sent['SentTime'].startswith('/Date(') and sent['SentTime'].endswith('+0700)/')
    assert (other['Content'], other['SendResult'], other['SendStatus']) == ('Đơn S00043 đã giao', 2, 7)
    paged = requests.post(url, json={**body, 'Page': 2, 'PageSize': 1}, timeout=T).json()
    assert paged['CountTotal'] == 2 and [e['ReferenceId'] for e in paged['SentData']] == [other['ReferenceId']]
    earlier = requests.post(url, json={**body, 'To': body['From']}, timeout=T).json()
    assert earlier == {'CodeResult': '100', 'CountTotal': 0, 'SentData': []}
    assert requests.post(url, json={**body, 'SecretKey': 'wrong'}, timeout=T).json() == {
        'CodeResult': '101', 'ErrorMessage': 'Authorize Failed.'}
    assert requests.post(url, json={**body, 'From': 'yesterday'}, timeout=T).json() == {'error': 'Invalid request'}


def test_esms_callback_retried_five_times_on_timeout(serve):
    recorder = CallbackRecorder(delay=0.4)
    hook = serve(recorder)
    esms = FakeESMS()
    server = serve(esms)
    sms_id = _esms_send(server, esms, CallbackUrl=f'{hook.url}/dlr').json()['SMSID']
    with pytest.raises(OSError):
        esms.send_report(sms_id, timeout=0.08)
    assert len(recorder.requests) == 6


def test_esms_get_and_form_variants_and_balance(serve):
    esms = FakeESMS(balance=5000)
    server = serve(esms)
    base = f'{server.url}/MainService.svc/json'
    get = requests.get(f'{base}/SendMultipleMessage_V4_get', timeout=T, params={
        'Phone': PHONE, 'Content': 'Đơn đã giao', 'ApiKey': esms.api_key, 'SecretKey': esms.secret_key,
        'IsUnicode': '1', 'Brandname': 'SHOPDEMO', 'SmsType': '2', 'SandBox': '1'}).json()
    assert get['CodeResult'] == '100' and esms.record(get['SMSID']).sandbox
    form = requests.post(f'{base}/SendMultipleMessage_V4_post/', timeout=T, data={
        'Apikey': esms.api_key, 'SecretKey': esms.secret_key, 'Phone': PHONE, 'Content': 'Don da giao',
        'SmsType': '2', 'Brandname': 'SHOPDEMO'}).json()
    assert form['CodeResult'] == '100'
    balance = requests.post(f'{base}/GetBalance_json', json={'ApiKey': esms.api_key, 'SecretKey': esms.secret_key},
                            timeout=T).json()
    assert balance == {'Balance': 4150, 'CodeResponse': '100', 'UserID': 9999}
    assert requests.get(f'{base}/GetBalance/{esms.api_key}/wrong', timeout=T).json() == {
        'Balance': 0, 'CodeResponse': '101', 'ErrorMessage': 'Authorize Failed'}


# ============================================================================ SpeedSMS

def _speed_send(server, token, **overrides):
    body = {'to': ['84901888484'], 'content': 'Don S00042 da giao', 'sms_type': 3, 'sender': 'SHOPDEMO'}
    body.update(overrides)
    return requests.post(f'{server.url}/index.php/sms/send', json=body, auth=(token, 'x'), timeout=T)


def test_speedsms_send_partial_invalid_status_and_webhook(serve):
    recorder = CallbackRecorder()
    hook = serve(recorder)
    speed = FakeSpeedSMS(report_url=f'{hook.url}/speedsms', balance=1000)
    server = serve(speed)
    response = _speed_send(server, speed.token, to=['84901888484', '0912345678', '123'])
    assert response.json() == {'status': 'success', 'code': '00', 'data': {
        'tranId': response.json()['data']['tranId'], 'totalSMS': 2, 'totalPrice': 500, 'invalidPhone': ['123']}}
    assert response.headers['X-Rate-Limit-Limit'] == '60'
    tran_id = response.json()['data']['tranId']
    ids = speed.message_ids(tran_id)
    assert len(ids) == 2 and speed.balance == 500
    assert speed.deliver(ids[0]) == 200
    assert speed.deliver(ids[1], success=False, status=70) == 200
    reports = [r.json for r in recorder.requests]
    assert reports == [{'type': 'report', 'tranId': tran_id, 'phone': '84901888484', 'status': 0},
                       {'type': 'report', 'tranId': tran_id, 'phone': '84912345678', 'status': 70}]
    assert speed.balance == 750  # the failed one is refunded
    status = requests.get(f'{server.url}/index.php/sms/status/{tran_id}', auth=(speed.token, 'x'), timeout=T).json()
    assert [s['status'] for s in status['data']] == [0, 64]
    assert speed.send_incoming('84901888484', 'OK') == 200 and recorder.requests.last().json['type'] == 'incoming'
    info = requests.get(f'{server.url}/index.php/user/info', auth=(speed.token, 'x'), timeout=T).json()
    assert info['data']['balance'] == 750 and info['data']['currency'] == 'VND'


def test_speedsms_errors(serve):
    speed = FakeSpeedSMS(balance=300)
    server = serve(speed)
    assert _speed_send(server, 'wrong').status_code == 404
    assert _speed_send(server, speed.token, to='84901888484').json()['code'] == '101'
    assert _speed_send(server, speed.token, to=['84'] * 101).json()['code'] == '101'
    all_bad = _speed_send(server, speed.token, to=['123', '01689123456']).json()
    assert all_bad['status'] == 'error' and all_bad['code'] == '105'
    assert all_bad['invalidPhone'] == ['123', '01689123456']
    assert _speed_send(server, speed.token, content='ơ' * 202).json()['code'] == '113'
    assert _speed_send(server, speed.token, content='a' * 459).json()['code'] == '300'  # 3 × 250 > 300
    speed.fail_next('500')
    assert _speed_send(server, speed.token).json() == {'status': 'error', 'code': '500',
                                                       'message': 'Internal error, please retry'}
    unauthorized = FakeSpeedSMS(auth_failure_status=401)
    assert _speed_send(serve(unauthorized), 'wrong').status_code == 401


def test_speedsms_rate_limit_429_with_reset(serve):
    speed = FakeSpeedSMS(rate_limit=2)
    server = serve(speed)
    assert [_speed_send(server, speed.token).status_code for _ in range(2)] == [200, 200]
    limited = _speed_send(server, speed.token)
    assert limited.status_code == 429 and limited.json()['name'] == 'Too Many Requests'
    assert 0 < int(limited.headers['X-Rate-Limit-Reset']) <= 60
    speed.advance_time(61)
    assert _speed_send(server, speed.token).status_code == 200


# ============================================================================ VietGuys

def _vg_params(vg, **overrides):
    params = {'u': vg.credentials['u'], 'pwd': vg.credentials['pwd'], 'from': 'SHOPDEMO', 'phone': '84901888484',
              'sms': 'Don S00042 da giao', 'bid': 'so42-delivered', 'type': '0', 'json': '1'}
    params.update(overrides)
    return params


def test_vietguys_send_get_form_multipart_and_plain(serve):
    vg = FakeVietguys()
    server = serve(vg)
    url = f'{server.url}/api/index.php'
    got = requests.get(url, params=_vg_params(vg), timeout=T).json()
    assert got['error'] == 0 and got['error_code'] == 0 and got['carrier'] == 'mobifone' and len(got['msgid']) == 12
    form = requests.post(url, data=_vg_params(vg, phone='0912345678', sms='Don 2'), timeout=T).json()
    assert form['error'] == 0 and form['carrier'] == 'vinaphone'
    multipart = requests.post(url, files={k: (None, v) for k, v in _vg_params(vg, sms='Đơn 3', type='8').items()},
                              timeout=T).json()
    assert multipart['error'] == 0 and vg.record(multipart['msgid']).text == 'Đơn 3'
    plain = requests.get(url, params=_vg_params(vg, sms='Don 4', json=''), timeout=T)
    assert plain.text == vg.inbox.messages()[0].msg_id
    assert requests.get(url, params=_vg_params(vg, pwd='wrong', json=''), timeout=T).text == '-5'
    assert vg.record(got['msgid']).request_id == 'so42-delivered'


@pytest.mark.parametrize('overrides, code', [
    ({'sms': ''}, -1),
    ({'u': 'nobody'}, -3),
    ({'pwd': 'wrong'}, -5),
    ({'from': 'UNKNOWN'}, -8),
    ({'phone': '01689123456'}, -10),
    ({'sms': 'a' * 460}, -14),
    ({'sms': 'ư' * 202, 'type': '8'}, -14),
])
def test_vietguys_error_codes(serve, overrides, code):
    vg = FakeVietguys()
    server = serve(vg)
    body = requests.get(f'{server.url}/api/index.php', params=_vg_params(vg, **overrides), timeout=T).json()
    assert body['error'] == code and body['error_code'] == code and body['log']


def test_vietguys_duplicates_templates_keywords_balance(serve):
    vg = FakeVietguys(balance=1600)
    server = serve(vg)
    send = lambda **o: requests.get(f'{server.url}/api/index.php', params=_vg_params(vg, **o),  # noqa: E731
                                    timeout=T).json()['error']
    assert send() == 0
    assert send() == -16
    vg.advance_time(61)
    assert send() == 0
    assert send(sms='Don khac') == -9
    vg.balance = 10000
    vg.add_template('Don {P1,20} da giao')
    assert send(sms='Khuyen mai') == -20
    vg.add_template('{P1}')
    vg.add_blocked_keyword('khuyen mai')
    assert send(sms='Khuyen mai') == -18
    vg.set_phone_error('84901888484', -11)
    assert send(sms='Don S9 da giao') == -11


def test_vietguys_token_refresh_rotation_and_report(serve):
    recorder = CallbackRecorder()
    hook = serve(recorder)
    vg = FakeVietguys(report_url=f'{hook.url}/vg')
    server = serve(vg)

    def refresh(token):
        return requests.post(f'{server.url}/token/v1/refresh', headers={'Refresh-Token': token}, timeout=T,
                             json={'username': vg.credentials['u'], 'type': 'refresh_token'}).json()
    first = refresh(vg.refresh_token)
    assert first['error'] == 0 and first['data']['expired_at'] > time.time() * 1000
    assert refresh(vg.refresh_token)['error'] != 0
    second = refresh(first['data']['refresh_token'])
    send = requests.get(f'{server.url}/api/index.php', params=_vg_params(vg, pwd=second['data']['access_token']),
                        timeout=T).json()
    assert send['error'] == 0
    vg.expire_access_tokens()
    assert requests.get(f'{server.url}/api/index.php', params=_vg_params(vg, pwd=second['data']['access_token'],
                                                                         sms='x'), timeout=T).json()['error'] == -5
    assert vg.deliver(send['msgid'], success=False) == 200
    assert recorder.requests.last().json == {'data': {'message_id': send['msgid'], 'status': 'fail'}}


# ============================================================================ sandbox

def test_sandbox_layout_demo_token_templates_inbox_and_auto_delivery(serve):
    recorder = CallbackRecorder()
    hook = serve(recorder)
    server, fakes = build_sandbox(port=0, deliver_after=0.05, zalo_webhook_url=f'{hook.url}/zalo')
    server.start()
    try:
        for _ in range(2):  # the demo refresh token is not used up: a fresh demo database can connect again
            token = requests.post(f'{server.url}/zalo-oauth/v4/oa/access_token', headers={'secret_key': 'any'},
                                  data={'app_id': '1', 'grant_type': 'refresh_token',
                                        'refresh_token': DEMO_REFRESH_TOKEN}, timeout=T).json()
            assert token['expires_in'] == '90000'
        listed = requests.get(f'{server.url}/zalo/template/all', headers={'access_token': token['access_token']},
                              params={'status': 1}, timeout=T).json()
        assert [t['templateId'] for t in listed['data']] == [100001, 100002, 100003, 100004, 100005]
        shipped = requests.post(f'{server.url}/zalo/message/template', headers={'access_token': 'any'}, timeout=T,
                                json={'phone': PHONE, 'template_id': '100003', 'tracking_id': 'so7-shipped-1',
                                      'template_data': {'customer_name': 'Trần Thị Bình', 'order_code': 'S00007',
                                                        'carrier': 'GHN', 'tracking_code': 'GHN123',
                                                        'cod_amount': '250000'}}).json()
        assert shipped['error'] == 0
        sms = requests.post(f'{server.url}/esms{ESMS_SEND}', timeout=T, json={
            'ApiKey': 'k', 'SecretKey': 's', 'Phone': PHONE, 'Content': 'Đơn S00007 <b>đã gửi</b>',
            'Brandname': 'ANY', 'SmsType': '2', 'IsUnicode': '1', 'CallbackUrl': f'{hook.url}/esms'}).json()
        assert sms['CodeResult'] == '100'
        deadline = time.time() + 2
        while len(recorder.requests) < 2 and time.time() < deadline:
            time.sleep(0.02)
        assert sorted(r.path for r in recorder.requests) == ['/esms', '/zalo']
        inbox = requests.get(f'{server.url}/inbox.json', params={'phone': '84901888484'}, timeout=T).json()
        assert [m['channel'] for m in inbox['messages']] == ['sms', 'zalo']
        assert all(m['status'] == 'delivered' for m in inbox['messages'])
        assert 'GHN123' in inbox['messages'][1]['text'] and '250.000' in inbox['messages'][1]['text']
        page = requests.get(f'{server.url}/inbox', timeout=T).text
        assert 'http-equiv="refresh"' in page and '&lt;b&gt;đã gửi&lt;/b&gt;' in page and 'Zalo' in page
        assert '/zalo-oauth' in requests.get(server.url + '/', timeout=T).text
    finally:
        server.stop()


def test_sandbox_mounts_messenger_and_shows_its_messages_in_the_inbox():
    """The demo's sandbox plays the Graph API too: a message sent to a linked buyer appears in the
    phone inbox page under the buyer's PSID, labelled Messenger."""
    from fake_providers import DEMO_PAGE_ID, DEMO_PAGE_TOKEN  # noqa: PLC0415
    from fake_providers.serve import build_sandbox  # noqa: PLC0415

    server, fakes = build_sandbox(port=0, deliver_after=None)
    server.start()
    try:
        fakes['messenger'].add_user('psid-42')
        answer = requests.post(
            f'{server.url}/messenger/v25.0/{DEMO_PAGE_ID}/messages', timeout=T,
            headers={'Authorization': f'Bearer {DEMO_PAGE_TOKEN}'},
            json={'recipient': {'id': 'psid-42'}, 'messaging_type': 'UPDATE', 'message': {'text': 'Đơn S00042 đã gửi'}},
        )
        assert answer.status_code == 200, answer.text
        page = requests.get(f'{server.url}/inbox', timeout=T).text
        assert 'badge messenger' in page and 'Messenger' in page and 'Đơn S00042 đã gửi' in page
    finally:
        server.stop()


# ============================================================================ carriers (GHN, GHTK)

def test_ghn_order_detail_shape_token_and_unknown_order(serve):
    from fake_providers import DEFAULT_GHN_TOKEN, FakeGHN  # noqa: PLC0415
    ghn = FakeGHN()
    ghn.add_order('Z82BS', leadtime='2021-11-12T16:59:59Z')
    server = serve(ghn)
    url = f'{server.url}/shiip/public-api/v2/shipping-order/detail'
    ok = requests.post(url, json={'order_code': 'Z82BS'}, headers={'Token': DEFAULT_GHN_TOKEN}, timeout=T)
    assert ok.status_code == 200
    body = ok.json()
    assert body['code'] == 200 and body['message'] == 'Success'
    assert body['data']['order_code'] == 'Z82BS' and body['data']['leadtime'] == '2021-11-12T16:59:59Z'
    refused = requests.post(url, json={'order_code': 'Z82BS'}, headers={'Token': 'wrong'}, timeout=T)
    assert refused.status_code == 401 and refused.json()['code'] == 401
    unknown = requests.post(url, json={'order_code': 'NOPE'}, headers={'Token': DEFAULT_GHN_TOKEN}, timeout=T)
    assert unknown.status_code == 400 and unknown.json()['code'] == 400
    ghn.fail_next(http_status=500)
    assert requests.post(url, json={'order_code': 'Z82BS'}, headers={'Token': DEFAULT_GHN_TOKEN}, timeout=T).status_code == 500


def test_ghtk_order_status_shape_token_and_unknown_label(serve):
    from fake_providers import DEFAULT_GHTK_TOKEN, FakeGHTK  # noqa: PLC0415
    ghtk = FakeGHTK()
    ghtk.add_order('S1.A1.17373471', deliver_date='2016-11-03')
    server = serve(ghtk)
    ok = requests.get(f'{server.url}/services/shipment/v2/S1.A1.17373471', headers={'Token': DEFAULT_GHTK_TOKEN}, timeout=T)
    assert ok.status_code == 200
    body = ok.json()
    assert body['success'] is True and body['order']['label_id'] == 'S1.A1.17373471'
    assert body['order']['deliver_date'] == '2016-11-03'
    refused = requests.get(f'{server.url}/services/shipment/v2/S1.A1.17373471', headers={'Token': 'x'}, timeout=T)
    assert refused.status_code == 401 and refused.json()['success'] is False
    unknown = requests.get(f'{server.url}/services/shipment/v2/NOPE', headers={'Token': DEFAULT_GHTK_TOKEN}, timeout=T)
    assert unknown.status_code == 200 and unknown.json()['success'] is False
