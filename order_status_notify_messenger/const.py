# Part of order_status_notify. See LICENSE file for full copyright and licensing details.
"""Vendor constants of the Messenger channel (Meta's Graph API, Messenger Platform).

Source: ``shared/notes/messenger.md`` (researched mid-2026). What the note marks UNCONFIRMED is
marked here too.
"""

from odoo.tools.translate import LazyTranslate

from odoo.addons.order_status_notify import const as core_const

_lt = LazyTranslate(__name__)

# §1: current Meta samples show v25.0 (the changelog says v26.0 exists). Settings admins may
# change the whole base URL on the provider.
DEFAULT_API_BASE_URL = 'https://graph.facebook.com/v25.0'

# §2: the standard messaging window after the person's last interaction with the Page (a
# message, a postback, an m.me referral). A message that would leave this close to its end is
# not sent on Messenger (the clocks of Odoo and Meta differ, the queue may wait a little).
WINDOW_HOURS = 24
WINDOW_MARGIN_MINUTES = 5

# Send API limits. §1 / fake: the text of a message is at most 2000 characters.
MAX_TEXT_LENGTH = 2000
# §5: the m.me ``ref`` must stay short and URL-safe (250 characters per the plugin doc, < 150 per
# a community gist: UNCONFIRMED for m.me); ours is ~30 characters of [0-9a-z.].
REF_PREFIX = 'o'

# How long a rate-limited Page waits before its next try (Graph says nothing of the delay).
RATE_LIMIT_RETRY_SECONDS = 600

# §6: Graph ``error.code`` / ``error.code/error_subcode`` -> (error class, reason). A
# ``code/subcode`` key wins over the bare ``code``.
ERRORS = {
    '10/2018278': (core_const.ERROR_UNREACHABLE, _lt(
        "Outside Messenger's 24-hour window: the buyer has not written to the Page for more than a day.")),
    # Seen in open-source handlers, not in Meta's table (UNCONFIRMED).
    '10/2534022': (core_const.ERROR_UNREACHABLE, _lt(
        "Outside Messenger's 24-hour window: the buyer has not written to the Page for more than a day.")),
    '10/1893063': (core_const.ERROR_CONFIG, _lt(
        "Meta temporarily restricted this Page from sending messages.")),
    '10': (core_const.ERROR_CONFIG, _lt(
        "The app may not send messages for this Page (permission pages_messaging missing).")),
    '200': (core_const.ERROR_CONFIG, _lt(
        "The app may not send messages for this Page (permission missing).")),
    '100/2018001': (core_const.ERROR_UNREACHABLE, _lt(
        "Messenger does not know this buyer on this Page any more (no matching user).")),
    '100': (core_const.ERROR_INVALID, _lt("Messenger refused the message (invalid parameter).")),
    '551': (core_const.ERROR_UNREACHABLE, _lt(
        "The buyer is not available on Messenger (blocked the Page or deactivated the account).")),
    '551/1545041': (core_const.ERROR_UNREACHABLE, _lt(
        "The buyer is not available on Messenger (blocked the Page or deactivated the account).")),
    '190': (core_const.ERROR_CONFIG, _lt(
        "The Page access token is invalid or expired: paste a new one on the provider.")),
    '2': (core_const.ERROR_TRANSIENT, _lt("Messenger had a temporary error.")),
    '1200': (core_const.ERROR_TRANSIENT, _lt("Messenger had a temporary send failure.")),
    '4': (core_const.ERROR_TRANSIENT, _lt("The app reached Meta's request limit: retried later.")),
    '613': (core_const.ERROR_TRANSIENT, _lt("The Page reached Messenger's rate limit: retried later.")),
}
RATE_LIMIT_CODES = ('4', '613')
# Codes that say this PSID is of no use any more: the link is archived, the buyer re-links by
# opening the m.me link or writing to the Page again.
DEAD_PSID_CODES = ('100/2018001', '551', '551/1545041')

# Send API calls per second per Page for text messages (Meta's rate-limiting page, Mar 2026).
SEND_RATE_LIMIT = 300.0
