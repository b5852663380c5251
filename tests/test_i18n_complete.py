"""The Vietnamese translation of every addon is complete and safe to load (plain pytest, no Odoo).

For each addon of the repository that ships an ``i18n/<addon>.pot`` (or any ``.pot``):

* ``i18n/vi.po`` exists, declares Vietnamese's plural forms and parses;
* every entry of the .pot is in vi.po, with a non-empty msgstr and without a fuzzy flag;
* vi.po holds no entry the .pot does not have (no stale or obsolete translation);
* msgid and msgstr carry the same placeholders: ``%s``, ``%(name)s``, ``%(n)d``…, ``{{ … }}``
  expressions and HTML/QWeb tags (a lost ``%(reason)s`` crashes the ``_()`` call at run time,
  a lost tag breaks the view).
"""
import collections
import re
from pathlib import Path

import polib
import pytest

REPO = Path(__file__).resolve().parent.parent

# printf-style conversions as Python's % operator reads them; "%%" is a literal percent sign.
PRINTF = re.compile(r'%(?:\((?P<name>[^)]*)\))?[#0 +-]*(?:\*|\d+)?(?:\.(?:\*|\d+))?[hlL]?(?P<conv>[diouxXeEfFgGcrsa%])')
JINJA = re.compile(r'\{\{(.*?)\}\}', re.S)
TAG = re.compile(r'<\s*(/?)\s*([A-Za-z][\w:.-]*)')


def _addons_with_pot():
    addons = []
    for manifest in sorted(REPO.glob('*/__manifest__.py')):
        addon = manifest.parent
        if list((addon / 'i18n').glob('*.pot')):
            addons.append(addon)
    return addons


ADDONS = _addons_with_pot()


def _pot_file(addon):
    named = addon / 'i18n' / f'{addon.name}.pot'
    return named if named.exists() else sorted((addon / 'i18n').glob('*.pot'))[0]


def _key(entry):
    return (entry.msgctxt, entry.msgid)


def printf_placeholders(text):
    """Positional conversions in order (their order matters), named ones as a multiset."""
    positional, named = [], collections.Counter()
    for match in PRINTF.finditer(text):
        if match['conv'] == '%':
            continue
        if match['name'] is not None:
            named[(match['name'], match['conv'])] += 1
        else:
            positional.append(match['conv'])
    return positional, named


def jinja_placeholders(text):
    return collections.Counter(' '.join(expr.split()) for expr in JINJA.findall(text))


def tags(text):
    return collections.Counter(f'{slash}{name.lower()}' for slash, name in TAG.findall(text))


def placeholder_problems(msgid, msgstr):
    problems = []
    if printf_placeholders(msgid) != printf_placeholders(msgstr):
        problems.append(f'printf placeholders differ: {printf_placeholders(msgid)} vs {printf_placeholders(msgstr)}')
    if jinja_placeholders(msgid) != jinja_placeholders(msgstr):
        problems.append(f'{{{{ }}}} placeholders differ: {dict(jinja_placeholders(msgid))} vs {dict(jinja_placeholders(msgstr))}')
    if tags(msgid) != tags(msgstr):
        problems.append(f'tags differ: {dict(tags(msgid))} vs {dict(tags(msgstr))}')
    return problems


def _fmt(entry, problem):
    return f'{problem}\n    msgid  {entry.msgid!r}\n    msgstr {entry.msgstr!r}'


def test_addons_found():
    """The core addon at least ships its .pot: the parametrized tests below are not empty."""
    assert (REPO / 'order_status_notify' / 'i18n' / 'order_status_notify.pot').exists()
    assert REPO / 'order_status_notify' in ADDONS


@pytest.mark.parametrize('addon', ADDONS, ids=[a.name for a in ADDONS])
def test_vi_po_complete(addon):
    vi_path = addon / 'i18n' / 'vi.po'
    assert vi_path.exists(), f'{addon.name}: i18n/vi.po is missing'
    pot = polib.pofile(str(_pot_file(addon)))
    vi = polib.pofile(str(vi_path))

    plural_forms = vi.metadata.get('Plural-Forms', '').replace(' ', '')
    assert plural_forms.startswith('nplurals=1;plural=0'), f'{addon.name}: vi.po Plural-Forms is {plural_forms!r}'

    pot_keys = {_key(e) for e in pot if not e.obsolete}
    assert pot_keys, f'{addon.name}: the .pot has no entry'
    translations = {_key(e): e for e in vi if not e.obsolete}

    errors = []
    for entry in pot:
        if entry.obsolete:
            continue
        translated = translations.get(_key(entry))
        if translated is None:
            errors.append(f'missing from vi.po: {entry.msgid!r}')
        elif translated.msgid_plural:
            if not all(translated.msgstr_plural.values()):
                errors.append(f'empty plural msgstr: {entry.msgid!r}')
        elif not translated.msgstr.strip():
            errors.append(f'empty msgstr: {entry.msgid!r}')
        elif 'fuzzy' in translated.flags:
            errors.append(f'fuzzy: {entry.msgid!r}')
    stale = sorted(repr(k[1]) for k in translations if k not in pot_keys)
    errors += [f'in vi.po but not in the .pot (stale): {msgid}' for msgid in stale]
    obsolete = [e for e in vi if e.obsolete]
    if obsolete:
        errors.append(f'{len(obsolete)} obsolete (#~) entries left in vi.po')
    assert not errors, f'{addon.name}: {len(errors)} problem(s)\n' + '\n'.join(errors)


@pytest.mark.parametrize('addon', ADDONS, ids=[a.name for a in ADDONS])
def test_vi_po_placeholders(addon):
    vi_path = addon / 'i18n' / 'vi.po'
    assert vi_path.exists(), f'{addon.name}: i18n/vi.po is missing'
    vi = polib.pofile(str(vi_path))
    errors = []
    for entry in vi:
        if entry.obsolete or not entry.msgstr:
            continue
        errors += [_fmt(entry, problem) for problem in placeholder_problems(entry.msgid, entry.msgstr)]
    assert not errors, f'{addon.name}: {len(errors)} problem(s)\n' + '\n'.join(errors)


@pytest.mark.parametrize('msgid, msgstr, ok', [
    ('Sent to %s.', 'Đã gửi đến %s.', True),
    ('Sent to %s.', 'Đã gửi.', False),
    ('%(phone)s: %(reason)s', '%(reason)s — %(phone)s', True),
    ('%(phone)s: %(reason)s', '%(phone)s: %(reson)s', False),
    ('Rate (%)', 'Tỷ lệ (%)', True),
    ('%s of %d', '%d trên %s', False),
    ('{{ order_ref }}', '{{order_ref}}', True),
    ('{{ order_ref }}', '{{ order_reff }}', False),
    ('<strong>Paused</strong> since', '<strong>Tạm ngừng</strong> từ', True),
    ('<strong>Paused</strong> since', 'Tạm ngừng từ', False),
])
def test_placeholder_check_itself(msgid, msgstr, ok):
    """The checker above catches what it must (and nothing else)."""
    assert (not placeholder_problems(msgid, msgstr)) is ok
