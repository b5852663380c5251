-- A copied database (staging, a developer's copy) never messages a buyer: every provider that
-- talks to a vendor is switched off; the sandbox, which sends nothing, stays as it is.
UPDATE order_notify_provider
   SET state = 'disabled'
 WHERE code != 'sandbox' AND state != 'disabled';
-- Carriers keep calling production: the copy accepts none of their calls.
UPDATE res_company
   SET order_notify_webhook_secret = NULL,
       order_notify_ghn_webhook_token = NULL,
       order_notify_ghtk_webhook_token = NULL,
       order_notify_ghn_api_token = NULL,
       order_notify_ghtk_api_token = NULL;
