# Part of order_status_notify. See LICENSE file for full copyright and licensing details.
"""18.0.1.2.0: a message's identity within its order event is its ``ref`` (the parcel for
*shipped*), and the e-mail channel gets its routes, last in every company's chain."""

from odoo import SUPERUSER_ID, api

from odoo.addons.order_status_notify.hooks import setup_channel


def migrate(cr, version):
    cr.execute("""
        UPDATE order_notify_message SET ref = 'p' || picking_id
         WHERE event = 'shipped' AND picking_id IS NOT NULL AND ref IS NULL
    """)
    setup_channel(api.Environment(cr, SUPERUSER_ID, {}), 'email')
