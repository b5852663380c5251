# Part of order_status_notify. See LICENSE file for full copyright and licensing details.
"""The small variant of the reliability suite (tests/reliability/run.py), run by ./setup/test.sh:
real ``odoo-bin --workers=2 --max-cron-threads=1`` on the test database against the fake
providers. The full figures: ./setup/reliability.sh (README, "Reliability suite").

It also proves that Odoo runs with workers on the virtualenv the setup builds (issue 9, item
14): the gevent process answers on its port and never crashed (``DistributionNotFound``).
Collected only under pytest-odoo (see conftest.py): it needs the test database.
"""
import pathlib
import sys

from reliability import run


def _odoo_command():
    import odoo  # noqa: PLC0415 - loaded by pytest-odoo
    from odoo.tools import config  # noqa: PLC0415

    source = pathlib.Path(odoo.__file__).resolve().parent.parent
    command = [sys.executable, str(source / 'odoo-bin')] if (source / 'odoo-bin').exists() else [sys.executable, '-m', 'odoo']
    command.append(f"--addons-path={config['addons_path']}")
    for key in ('db_host', 'db_port', 'db_user', 'db_password'):
        if config.get(key):
            command.append(f'--{key}={config[key]}')
    return config['db_name'], command


def test_reliability_quick(tmp_path):
    db, command = _odoo_command()
    assert run.main(['--db', db, '--size', 'quick', '--logfile', str(tmp_path / 'odoo.log'), '--', *command]) == 0
