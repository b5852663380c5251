# Part of order_status_notify. See LICENSE file for full copyright and licensing details.
"""The small variant of the reliability suite (tests/reliability/run.py), run by ./setup/test.sh:
real ``odoo-bin --workers=2 --max-cron-threads=1`` on a database of its own (its runs commit)
against the fake providers. The full figures: ./setup/reliability.sh (README, "Reliability suite").

It also proves that Odoo runs with workers on the virtualenv the setup builds (issue 9, item
14): the gevent process answers on its port and never crashed (``DistributionNotFound``).
Collected only under pytest-odoo (see conftest.py), which gives the Odoo command line.
"""
from osn_databases import fresh_database
from reliability import run


def test_reliability_quick(tmp_path):
    with fresh_database('osn_reliability') as (command, db):
        assert run.main(['--db', db, '--size', 'quick', '--logfile', str(tmp_path / 'odoo.log'), '--', *command]) == 0
