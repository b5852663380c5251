# Part of order_status_notify. See LICENSE file for full copyright and licensing details.
"""18.0.1.2.0, the open engine: reasons are stored untranslated (``reason_data``) beside the text
as written (``reason_text``, the former ``reason`` column), and the default SMS and Zalo texts
belong to their channel addons (the core no longer knows those channels)."""


def migrate(cr, version):
    cr.execute("""
        SELECT 1 FROM information_schema.columns
         WHERE table_name = 'order_notify_message' AND column_name = 'reason'
    """)
    if cr.fetchone():
        cr.execute("ALTER TABLE order_notify_message RENAME COLUMN reason TO reason_text")
    for channel in ('sms', 'zalo'):
        cr.execute("""
            UPDATE ir_model_data SET module = %s
             WHERE module = 'order_status_notify' AND model = 'order.notify.template'
               AND name IN %s
        """, (f'order_status_notify_{channel}', tuple(
            f'template_{channel}_{event}' for event in ('placed', 'paid', 'shipped', 'delivered', 'cancelled')
        )))
