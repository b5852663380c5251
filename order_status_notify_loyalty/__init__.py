# Part of order_status_notify. See LICENSE file for full copyright and licensing details.

from . import controllers
from . import models
from . import report
from .hooks import post_init_hook
