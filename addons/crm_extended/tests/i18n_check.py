"""Translation coverage check shared by the modules of this project.

Many users run Odoo in Simplified Chinese: every term a module shows must be in its
``.pot`` and translated in its ``zh_CN.po``. The terms are read from the installed
module the way ``odoo i18n export`` reads them, so a new untranslated string fails.
"""

import polib

from odoo.tools.misc import file_path
from odoo.tools.translate import TranslationModuleReader


def module_terms(env, module):
    reader = TranslationModuleReader(env.cr, modules=[module])
    return {source for row_module, _type, _name, _res_id, source, _value, _comments in reader
            if row_module == module and source}


def module_references(env, module):
    """(term, reference) of the terms of views, fields and other records:
    Odoo applies such a translation only to the records its entry names."""
    reader = TranslationModuleReader(env.cr, modules=[module])
    return {(source, f"{kind}:{name}:{res_id}")
            for row_module, kind, name, res_id, source, _value, _comments in reader
            if row_module == module and source and kind != "code"}


def assert_module_translated(testcase, module, lang="zh_CN"):
    terms = module_terms(testcase.env, module)
    testcase.assertTrue(terms, f"{module} exports no translatable term at all")
    template = polib.pofile(file_path(f"{module}/i18n/{module}.pot"))
    template_ids = {entry.msgid for entry in template if not entry.obsolete}
    stale = sorted(terms - template_ids)
    testcase.assertFalse(
        stale,
        f"{module}/i18n/{module}.pot is out of date ({len(stale)} new terms, e.g. "
        f"{stale[:5]}): re-export it with `python3 -m odoo i18n export -c odoo.conf "
        f"-d <db> {module}`",
    )
    catalog = polib.pofile(file_path(f"{module}/i18n/{lang}.po"))
    translated = {entry.msgid for entry in catalog if entry.msgstr and not entry.obsolete}
    missing = sorted(terms - translated)
    testcase.assertFalse(
        missing,
        f"{module}/i18n/{lang}.po lacks {len(missing)} translations, e.g. {missing[:5]}",
    )
    # polib splits "path:line" occurrences; a record reference has no line.
    named = {entry.msgid: {f"{path}:{line}" if line else path for path, line in entry.occurrences}
             for entry in catalog if entry.msgstr and not entry.obsolete}
    unnamed = sorted(f"{term!r} ({reference})" for term, reference in
                     module_references(testcase.env, module) if reference not in named.get(term, ()))
    testcase.assertFalse(
        unnamed,
        f"{module}/i18n/{lang}.po has the terms but not for these records, which stay "
        f"untranslated ({len(unnamed)}, e.g. {unnamed[:3]}): add the references",
    )
