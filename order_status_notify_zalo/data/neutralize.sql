-- Zalo refresh tokens are single use: a copy that renewed one would cut production off. The
-- copy forgets every Zalo credential (reconnect the OA there if it must send).
UPDATE order_notify_provider
   SET zalo_access_token = NULL,
       zalo_refresh_token = NULL,
       zalo_app_secret = NULL,
       zalo_oa_secret_key = NULL;
