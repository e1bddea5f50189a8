"""Walk every widget a user can see and collect its texts, to check one language at a time (issue 9)."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator

from PySide6.QtCore import QModelIndex, Qt
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QComboBox,
    QDockWidget,
    QGroupBox,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMainWindow,
    QMenu,
    QPlainTextEdit,
    QTabWidget,
    QTextBrowser,
    QWidget,
)

CJK = re.compile(r"[\u3400-\u9fff\uff08\uff09\u3001-\u3011]")
SNAKE_ID = re.compile(r"\b[a-z][a-z0-9]*(?:_[a-z0-9]+)+\b")
DOTTED_KEY = re.compile(r"\b[a-z][a-z_]*\.[a-z_][a-z_.]*\b")
ENGLISH_WORD = re.compile(r"\b[A-Za-z]{4,}\b")
LONG_DECIMAL = re.compile(r"\d\.\d{9,}")
TAG = re.compile(r"<[^>]+>")

# Words a Chinese screen may show: units, standard abbreviations and names of things.
ZH_ALLOWED_WORDS = {
    "CarbonDesk",
    "CCER",
    "CNAS",
    "CMA",
    "NCV",
    "tCO2",
    "tCO2e",
    "kgce",
    "MWh",
    "kWh",
    "Excel",
    "JSON",
    "PDF",
    "ZIP",
    "SHA",
    "Noto",
    "Sans",
    "Linux",
    "Windows",
    "Qt",
    "PySide",
    "USCC",
    "JPEG",
    "PNG",
    "English",  # the language's own name in the language chooser
    "ICAP",
    "MEE",
    "GB",  # names of bodies and standards cited as published
    "IPCC",
    "CEMS",  # continuous emission monitoring system, as Chinese plants call it
    "CWPB",  # centre-worked prebake cells (IPCC's term)
}


def _columns(model, parent: QModelIndex) -> int:
    try:
        return model.columnCount(parent)
    except TypeError:  # a list model keeps columnCount private: one column
        return 1


def _rows(model, parent: QModelIndex, limit: int) -> Iterator[QModelIndex]:
    for row in range(min(model.rowCount(parent), limit)):
        for column in range(_columns(model, parent)):
            index = model.index(row, column, parent)
            yield index
        first = model.index(row, 0, parent)
        try:
            deeper = model.rowCount(first) > 0
        except TypeError:
            deeper = False
        if deeper:
            yield from _rows(model, first, limit)


def texts_of(top: QWidget, limit: int = 120) -> Iterator[tuple[str, str]]:
    """(where, text) for every text on ``top`` a user can see (visible widgets, items, headers, menus)."""
    yield "title", top.windowTitle()
    widgets = [top, *top.findChildren(QWidget)]
    for w in widgets:
        if w is not top and not w.isVisibleTo(top):
            continue
        name = f"{type(w).__name__}#{w.objectName()}"
        if isinstance(w, QLabel):
            yield name, TAG.sub("", w.text())
        elif isinstance(w, QAbstractButton):
            yield name, w.text()
        elif isinstance(w, QGroupBox):
            yield name, w.title()
        elif isinstance(w, QLineEdit):
            yield name, w.placeholderText()
        elif isinstance(w, QComboBox):
            for i in range(w.count()):
                yield name, w.itemText(i)
        elif isinstance(w, QTabWidget):
            for i in range(w.count()):
                yield name, w.tabText(i)
        elif isinstance(w, QDockWidget):
            yield name, w.windowTitle()
        elif isinstance(w, QTextBrowser | QPlainTextEdit):
            yield name, w.toPlainText()
        if (
            isinstance(w, QAbstractItemView)
            and not isinstance(w, QHeaderView)  # the headers are read from the model
            and w.objectName() != "frozenColumns"  # the same cells as the table under it
            and w.model() is not None
        ):
            model = w.model()
            for section in range(_columns(model, QModelIndex())):
                yield f"{name} header", str(model.headerData(section, Qt.Orientation.Horizontal) or "")
            for index in _rows(model, QModelIndex(), limit):
                for role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
                    value = model.data(index, role)
                    if isinstance(value, str):
                        yield f"{name} r{index.row()}c{index.column()}", value
    if isinstance(top, QMainWindow):
        for menu in top.menuBar().findChildren(QMenu):
            yield "menu", menu.title()
            for action in menu.actions():
                yield "menu item", action.text()


def offences(texts: Iterable[tuple[str, str]], lang: str, user_words: Iterable[str]) -> list[str]:
    """Texts in the other language, raw ids, long decimals; what the user typed (``user_words``) excepted."""
    words = sorted({w for w in user_words if w}, key=len, reverse=True)
    out: list[str] = []
    for where, text in texts:
        if not text:
            continue
        clean = text
        for w in words:
            clean = clean.replace(w, " ")
        problems = []
        if LONG_DECIMAL.search(clean):
            problems.append("long decimal")
        if lang == "en" and CJK.search(clean.replace("中文", "")):  # the language's own name in the chooser
            problems.append("Chinese")
        if lang == "zh":
            if SNAKE_ID.search(clean) or DOTTED_KEY.search(clean):
                problems.append("raw id")
            english = [w for w in ENGLISH_WORD.findall(clean) if w not in ZH_ALLOWED_WORDS]
            if english:
                problems.append(f"English {english[:3]}")
        if problems:
            out.append(f"{where}: {', '.join(problems)}: {text[:120]!r}")
    return out
