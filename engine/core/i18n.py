"""The language of the words a person reads: GNU gettext catalogues through Python's gettext.

The catalogue is ``engine/core/locale/<lang>/LC_MESSAGES/messages.po`` (the source, with
``GLOSSARY.md`` beside it) compiled to ``messages.mo`` by ``make i18n`` (Babel, a dev tool); the
runtime reads the ``.mo`` with the standard library only.

The current language is a context variable, not a process global: many sessions share one
process, and each sets its own language at the top of its script run (pages/_common/language.py).
Code on a worker thread starts from a fresh context (English) unless it is run in a copy of the
submitter's context. Text built inside a cache shared by sessions must take the language as an
argument (:func:`language`), or be translated after the cache.

The engine marks its messages a person reads (a ``ValueError`` such as "Invalid beta: -2.0") with
:func:`_` as well: they are raised in the caller's context, so a page sees them in its language,
and a notebook or a test, which never sets a language, sees English.
"""

from __future__ import annotations

import contextvars
import gettext
from functools import cache
from pathlib import Path

LOCALE_DIR = Path(__file__).resolve().parent / "locale"
DOMAIN = "messages"
LANGUAGES = ("en", "zh")  # English is the source language: its catalogue is the code itself
DEFAULT = "en"

_current: contextvars.ContextVar[str] = contextvars.ContextVar("gradlab_language", default=DEFAULT)


@cache
def _translations(lang: str) -> gettext.NullTranslations:
    if lang == DEFAULT:
        return gettext.NullTranslations()
    return gettext.translation(DOMAIN, LOCALE_DIR, languages=[lang], fallback=True)


def set_language(lang: str) -> None:
    """Make ``lang`` (one of LANGUAGES) the language of this context; anything else is English."""
    _current.set(lang if lang in LANGUAGES else DEFAULT)


def language() -> str:
    """The language of this context ("en" or "zh")."""
    return _current.get()


def _(message: str) -> str:
    """``message`` in the current language (the message itself when it has no translation)."""
    return _translations(_current.get()).gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    """The singular or plural form for ``n``, in the current language."""
    return _translations(_current.get()).ngettext(singular, plural, n)


def in_language(lang: str, message: str) -> str:
    """``message`` in ``lang``, whatever this context's language."""
    return _translations(lang if lang in LANGUAGES else DEFAULT).gettext(message)


def N_(message: str) -> str:  # noqa: N802 - the gettext convention
    """Mark ``message`` for extraction without translating it now (tables built at import)."""
    return message


def reload() -> None:
    """Forget the loaded catalogues (after ``make i18n`` in a running process, and in tests)."""
    _translations.cache_clear()
