-- The copy forgets the SMS gateways' keys and its delivery report URLs.
UPDATE order_notify_provider
   SET esms_api_key = NULL,
       esms_secret_key = NULL,
       speedsms_access_token = NULL,
       vietguys_password = NULL,
       sms_report_token = NULL;
