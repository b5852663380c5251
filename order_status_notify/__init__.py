# Part of order_status_notify. See LICENSE file for full copyright and licensing details.

from . import controllers
from . import models
from . import report
from . import wizard
from .hooks import post_init_hook, reset_channel, setup_channel
