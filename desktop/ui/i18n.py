"""Language: Chinese first, English second; switchable while the app runs.

UI strings are written in English in the code (``self.tr``) and translated through Qt Linguist files
(``resources/translations/carbondesk_zh_CN.ts``, compiled to ``.qm`` by the set-up).  The words of the
domain -- data items, findings, figures -- come in both languages from forms/ and the catalogues.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QCoreApplication, QLibraryInfo, QLocale, QTranslator

from desktop import paths

LANGUAGES = ("zh", "en")
_installed: list[QTranslator] = []
_state = {"lang": "zh"}


def translations_dir() -> Path:
    return paths.resources_dir() / "translations"


def current() -> str:
    return _state["lang"]


def set_language(lang: str) -> bool:
    """Install the translators for ``lang``; returns False if the compiled catalogue is missing."""
    app = QCoreApplication.instance()
    for translator in _installed:
        app.removeTranslator(translator)
    _installed.clear()
    _state["lang"] = lang if lang in LANGUAGES else "zh"
    if _state["lang"] == "en":
        QLocale.setDefault(QLocale(QLocale.Language.English, QLocale.Country.UnitedStates))
        return True
    QLocale.setDefault(QLocale(QLocale.Language.Chinese, QLocale.Country.China))
    ok = True
    ours = QTranslator()
    if ours.load(str(translations_dir() / "carbondesk_zh_CN.qm")):
        app.installTranslator(ours)
        _installed.append(ours)
    else:
        ok = False
    qt = QTranslator()  # Qt's own dialogs (OK, Cancel, file dialogs)
    if qt.load("qtbase_zh_CN", QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)):
        app.installTranslator(qt)
        _installed.append(qt)
    return ok


def pick(zh: str, en: str) -> str:
    return zh if _state["lang"] == "zh" else en
