# Part of order_status_notify. See LICENSE file for full copyright and licensing details.
"""Databases of their own for the tests that run real ``odoo-bin`` processes and commit (the
reliability suite, the uninstall test): they never leave committed rows in pytest-odoo's test
database, which a kept ``OSN_TEST_DB`` would carry into the next run's figures."""
import contextlib
import pathlib
import subprocess
import sys
import uuid

ADDONS = 'order_status_notify_zalo,order_status_notify_sms'


def odoo_command():
    """The ``odoo-bin`` command line of the running pytest-odoo session (same Odoo, addons path
    and database server)."""
    import odoo  # noqa: PLC0415 - loaded by pytest-odoo
    from odoo.tools import config  # noqa: PLC0415

    source = pathlib.Path(odoo.__file__).resolve().parent.parent
    command = [sys.executable, str(source / 'odoo-bin')] if (source / 'odoo-bin').exists() else [sys.executable, '-m', 'odoo']
    command.append(f"--addons-path={config['addons_path']}")
    for key in ('db_host', 'db_port', 'db_user', 'db_password'):
        if config.get(key):
            command.append(f'--{key}={config[key]}')
    return command


@contextlib.contextmanager
def fresh_database(prefix, addons=ADDONS):
    """A new database with ``addons`` installed (no demo data), dropped afterwards."""
    command = odoo_command()
    db = f"{prefix}_{uuid.uuid4().hex[:8]}"
    try:
        install = subprocess.run(
            [*command, '-d', db, '-i', addons, '--without-demo=all', '--stop-after-init', '--no-http',
             '--log-level=warn'],
            capture_output=True, text=True, timeout=900, check=False,
        )
        assert install.returncode == 0, install.stderr[-3000:]
        yield command, db
    finally:
        subprocess.run(['dropdb', '--if-exists', db], check=False, capture_output=True)
