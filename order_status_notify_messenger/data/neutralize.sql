-- A copy never messages a buyer on Messenger: it forgets the Page access token, the app secret
-- (webhook signatures) and the verify token, and its Messenger providers are disabled.
UPDATE order_notify_provider
   SET state = 'disabled',
       messenger_page_token = NULL,
       messenger_app_secret = NULL,
       messenger_verify_token = NULL
 WHERE code = 'messenger';
