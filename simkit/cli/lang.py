"""The language of the ``simkit`` command's human-readable output.

``simkit --lang zh|en`` chooses it; without the option it is ``SIMKIT_LANG``
when that is ``zh`` or ``en``, else the system locale (the first of
``LC_ALL``, ``LC_MESSAGES``, ``LANG`` that is set: ``zh_*`` means Chinese),
else English. Every text comes from the one catalogue,
:data:`simkit.course.i18n.LABELS` (keys ``cli.*``); ``--json`` output and
error bodies naming a field are not translated.
"""

from __future__ import annotations

import os
import unicodedata

import click

from simkit.course.i18n import LANG_ENV, LANGUAGES, t

__all__ = ["LANG_META", "LOCALE_VARS", "cli_language", "default_language", "msg", "pad",
           "set_cli_language", "text_both", "width"]

#: Locale variables in the order POSIX gives them precedence.
LOCALE_VARS = ("LC_ALL", "LC_MESSAGES", "LANG")
#: Where the language is kept on the click context (its ``meta`` is shared by subcommands).
LANG_META = "simkit.lang"


def default_language(environ=None) -> str:
    """``SIMKIT_LANG`` if it names a language, else the locale's (``zh_*``: zh), else en."""
    env = os.environ if environ is None else environ
    chosen = env.get(LANG_ENV, "").strip().lower()
    if chosen in LANGUAGES:
        return chosen
    for var in LOCALE_VARS:
        value = env.get(var, "").strip()
        if value:
            return "zh" if value.lower().startswith("zh") else "en"
    return "en"


def set_cli_language(ctx: click.Context, lang: str | None) -> str:
    """Record the command's language on the click context (shared by its subcommands)."""
    lang = lang or default_language()
    ctx.meta[LANG_META] = lang
    return lang


def cli_language() -> str:
    """The language of the running command (the default rule outside a command)."""
    ctx = click.get_current_context(silent=True)
    if ctx is not None and LANG_META in ctx.meta:
        return ctx.meta[LANG_META]
    return default_language()


def msg(key: str, lang: str | None = None, /, **values) -> str:
    """The catalogue's text for ``key`` in the command's language."""
    return t(key, lang or cli_language(), **values)


def text_both(key: str, lang: str, /, **values) -> str:
    """Like :func:`msg`, but ``lang`` may also be ``both`` (English, then Chinese)."""
    if lang == "both":
        en, zh = t(key, "en", **values), t(key, "zh", **values)
        return en if en == zh else f"{en} {zh}"
    return t(key, lang, **values)


def width(text: str) -> int:
    """Columns a terminal gives ``text``: CJK characters take two."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def pad(text: str, columns: int) -> str:
    """``text`` followed by spaces up to ``columns`` terminal columns (at least one space)."""
    return text + " " * max(1, columns - width(text))
