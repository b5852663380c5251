# Part of order_status_notify. See LICENSE file for full copyright and licensing details.
"""Create the demo database as Odoo's database manager does for a shop in Vietnam: base with its
demo data, the company in Vietnam with the dong as its currency, Vietnam's time zone. Done before
any addon is installed, because Odoo refuses to change a company's currency once accounting
entries exist (the demo's). Usage: init_demo_db.py -d <db> [--db_host … odoo options]."""
import sys

import odoo
from odoo.service import db as db_service
from odoo.tools import config


def main(argv):
    config.parse_config(argv)
    name = config['db_name']
    if not name:
        sys.exit("init_demo_db.py: -d <database> is required")
    db_service._create_empty_database(name)
    db_service._initialize_db(None, name, True, 'en_US', 'admin', login='admin', country_code='VN')
    odoo.sql_db.close_all()


if __name__ == '__main__':
    main(sys.argv[1:])
