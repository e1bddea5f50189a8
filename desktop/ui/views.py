"""Widgets of the main window: the entry grid, the chart, the provenance panel."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

from PySide6.QtCore import QEvent, QObject, QPointF, QRectF, Qt, Signal
from PySide6.QtGui import QColor, QGuiApplication, QKeyEvent, QKeySequence, QPainter, QPainterPath, QPen
from PySide6.QtWidgets import (
    QAbstractItemDelegate,
    QAbstractItemView,
    QFrame,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QStyledItemDelegate,
    QTableView,
    QToolButton,
    QTreeView,
    QWidget,
)

from desktop.domain.numbers import format_decimal, round_reported
from desktop.ui import i18n
from desktop.ui.models import CellEdit, MonthGridModel


class ReminderBar(QFrame):
    """Deadlines in a bar above the views: seen at once, never taking the keyboard, closed with its ×."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("reminderBar")
        self.setStyleSheet("#reminderBar { background: #fff4d6; border-bottom: 1px solid #e0c36a; }")
        self.label = QLabel()
        self.label.setWordWrap(True)
        self.label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.more_button = QToolButton()
        self.more_button.setAutoRaise(True)
        self.more_button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.more_button.clicked.connect(self.toggle)
        self.more_button.hide()
        self.summary = ""
        self.details = ""
        self.close_button = QToolButton()
        self.close_button.setText("×")
        self.close_button.setAutoRaise(True)
        self.close_button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.close_button.clicked.connect(self.hide)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(8, 4, 4, 4)
        layout.addWidget(self.label, 1)
        layout.addWidget(self.more_button, 0, Qt.AlignmentFlag.AlignTop)
        layout.addWidget(self.close_button, 0, Qt.AlignmentFlag.AlignTop)
        self.hide()

    def show_text(self, text: str, details: str = "") -> None:
        """One line (``text``); the whole list (``details``) one click away, so the views keep their height."""
        self.summary, self.details = text, details
        self.label.setText(text)
        self.label.setToolTip(details)
        self.more_button.setVisible(bool(details))
        self.more_button.setText(i18n.pick("详情", "Details"))
        self.show()

    def toggle(self) -> None:
        expanded = self.label.text() == self.details
        self.label.setText(self.summary if expanded else self.details)
        self.more_button.setText(i18n.pick("详情", "Details") if expanded else i18n.pick("收起", "Less"))

    def text(self) -> str:
        return self.label.text()


def fit_to_screen(widget: QWidget) -> None:
    """Bring a dialog inside the screen it opens on: one sized for a big monitor must not hide its
    buttons below a 1366×768 laptop's edge, or at 150 % scaling."""
    screen = widget.screen() or QGuiApplication.primaryScreen()
    if screen is None:
        return
    avail = screen.availableGeometry()
    width = min(widget.width(), avail.width() - 20)
    height = min(widget.height(), avail.height() - 50)  # the title bar, outside our geometry
    if (width, height) != (widget.width(), widget.height()):
        widget.resize(width, height)
    frame = widget.frameGeometry()
    x = min(max(frame.left(), avail.left()), avail.right() - frame.width() + 1)
    y = min(max(frame.top(), avail.top()), avail.bottom() - frame.height() + 1)
    if (x, y) != (frame.left(), frame.top()):
        widget.move(max(x, avail.left()), max(y, avail.top()))


class OneHoldPaint:
    """A view whose model is Python code, painted in one hold of the interpreter lock.

    Painted from the event loop, Qt calls the model's ``data`` (and ``flags``) several times per visible
    cell, and each call takes Python's interpreter lock anew. While a worker thread computes (a year, a
    package), every one of those calls waits for the worker to let go of it, which it does only after the
    switch interval: a page of the grid took 50-80 ms to repaint instead of 10. Overridden in Python, the
    paint runs inside this call, which holds the lock, and the worker gets it only between the model's
    calls once it has asked for it -- the page repaints in 10-20 ms. Mixed in before the Qt class."""

    def paintEvent(self, event: Any) -> None:
        super().paintEvent(event)  # type: ignore[misc]


class OneHoldHeaderView(OneHoldPaint, QHeaderView):
    pass


def _hold_headers(view: QTableView) -> None:
    """The table's headers replaced by ones that paint in one hold, set up as QTableView sets up its own."""
    for orientation, install in (
        (Qt.Orientation.Horizontal, view.setHorizontalHeader),
        (Qt.Orientation.Vertical, view.setVerticalHeader),
    ):
        header = OneHoldHeaderView(orientation, view)
        header.setSectionsClickable(True)
        header.setHighlightSections(True)
        install(header)


class OneHoldTableView(OneHoldPaint, QTableView):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        _hold_headers(self)


class OneHoldTreeView(OneHoldPaint, QTreeView):
    pass


class FrozenColumns(QObject):
    """The first ``count`` columns (the labels) stay in place while the table scrolls right, as Excel's
    freeze panes: a second view of the same model and selection laid over the table's left edge."""

    def __init__(self, view: QTableView, count: int) -> None:
        super().__init__(view)
        self.view, self.count = view, count
        frozen = OneHoldTableView(view)
        self.frozen = frozen
        frozen.setObjectName("frozenColumns")
        frozen.setModel(view.model())
        frozen.setSelectionModel(view.selectionModel())
        frozen.setItemDelegate(QStyledItemDelegate(frozen))  # its own: it never edits, and never hears the
        # table's editor commit (a shared delegate reports its commits to both views)
        frozen.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        frozen.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        frozen.verticalHeader().hide()
        frozen.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        frozen.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        frozen.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        frozen.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        frozen.setWordWrap(False)
        frozen.setStyleSheet("QTableView#frozenColumns { border: none; border-right: 1px solid palette(mid); }")
        view.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        view.setHorizontalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        view.viewport().stackUnder(frozen)
        frozen.verticalHeader().setDefaultSectionSize(view.verticalHeader().defaultSectionSize())
        view.horizontalHeader().sectionResized.connect(self._column_resized)
        view.verticalHeader().sectionResized.connect(lambda row, _old, size: frozen.setRowHeight(row, size))
        view.verticalScrollBar().valueChanged.connect(frozen.verticalScrollBar().setValue)
        frozen.verticalScrollBar().valueChanged.connect(view.verticalScrollBar().setValue)
        frozen.clicked.connect(view.setCurrentIndex)
        model = view.model()
        for signal in (model.modelReset, model.layoutChanged, model.columnsInserted, model.columnsRemoved):
            signal.connect(self.refresh)
        view.installEventFilter(self)
        self.refresh()
        frozen.show()

    def refresh(self, *_args: Any) -> None:
        for column in range(self.view.model().columnCount()):
            self.frozen.setColumnHidden(column, column >= self.count)
            if column < self.count:
                self.frozen.setColumnWidth(column, self.view.columnWidth(column))
        for row in range(self.view.model().rowCount()):
            if self.view.rowHeight(row) != self.frozen.rowHeight(row):
                self.frozen.setRowHeight(row, self.view.rowHeight(row))
        self.update_geometry()

    def _column_resized(self, column: int, _old: int, size: int) -> None:
        if column < self.count:
            self.frozen.setColumnWidth(column, size)
            self.update_geometry()

    def width(self) -> int:
        return sum(self.view.columnWidth(c) for c in range(min(self.count, self.view.model().columnCount())))

    def update_geometry(self) -> None:
        view = self.view
        self.frozen.setGeometry(
            view.verticalHeader().width() + view.frameWidth(),
            view.frameWidth(),
            self.width(),
            view.viewport().height() + view.horizontalHeader().height(),
        )

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.view and event.type() in (QEvent.Type.Resize, QEvent.Type.Show, QEvent.Type.LayoutRequest):
            self.update_geometry()
        return False

    def reveal(self, index: Any) -> None:
        """After the table scrolled a cell into view: if it hides under the frozen labels, scroll on."""
        if not index.isValid() or index.column() < self.count:
            return
        left = self.view.visualRect(index).left()
        if left < self.width():
            bar = self.view.horizontalScrollBar()
            bar.setValue(bar.value() + left - self.width())


class StableEditorDelegate(QStyledItemDelegate):
    """An open editor is the user's: it is filled once, when it opens, and never again.

    Qt refills every open editor inside a ``dataChanged`` range; a refresh after a save (or the pending
    value of the cell just committed) would otherwise overwrite what is being typed.
    """

    def setEditorData(self, editor: QWidget, index: Any) -> None:
        if editor.property("carbondesk_filled"):
            return
        super().setEditorData(editor, index)
        editor.setProperty("carbondesk_filled", True)


class FrozenTableView(OneHoldPaint, QTableView):
    """A table whose label columns stay put (``freeze``); a cell scrolled to never hides under them."""

    frozen_columns: FrozenColumns | None = None

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        _hold_headers(self)

    def freeze(self, count: int) -> None:
        self.frozen_columns = FrozenColumns(self, count)

    def scrollTo(self, index: Any, hint: Any = QAbstractItemView.ScrollHint.EnsureVisible) -> None:
        super().scrollTo(index, hint)
        if self.frozen_columns is not None:
            self.frozen_columns.reveal(index)

    def updateGeometries(self) -> None:
        super().updateGeometries()
        if self.frozen_columns is not None:
            self.frozen_columns.update_geometry()


class GridView(FrozenTableView):
    """Excel habits: typing replaces, Enter moves down, Tab right, Ctrl+C/Ctrl+V of ranges, Delete clears."""

    editsRequested = Signal(object)  # list[CellEdit]
    fileDropped = Signal(object, object)  # QModelIndex, Path
    editorClosed = Signal()  # the window applies a snapshot it held back while the editor was open

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setEditTriggers(
            QAbstractItemView.EditTrigger.AnyKeyPressed
            | QAbstractItemView.EditTrigger.DoubleClicked
            | QAbstractItemView.EditTrigger.EditKeyPressed
        )
        self.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.setAlternatingRowColors(False)
        self.setAcceptDrops(True)
        self.setDragDropMode(QAbstractItemView.DragDropMode.DropOnly)
        self.setDropIndicatorShown(True)
        self.verticalHeader().setDefaultSectionSize(24)
        self.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        self.setWordWrap(False)
        self.setItemDelegate(StableEditorDelegate(self))

    def editing(self) -> bool:
        return self.state() == QAbstractItemView.State.EditingState

    def commit_open_editor(self) -> None:
        """Commit what is typed in an open editor (closing the window, switching month, opening a dialog)."""
        if not self.editing():
            return
        editor = self.indexWidget(self.currentIndex())
        if editor is None:
            return
        self.commitData(editor)
        super().closeEditor(editor, QAbstractItemDelegate.EndEditHint.NoHint)
        self.editorClosed.emit()

    def grid(self) -> MonthGridModel:
        return self.model()  # type: ignore[return-value]

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.matches(QKeySequence.StandardKey.Copy):
            self.copy_selection()
            return
        if event.matches(QKeySequence.StandardKey.Paste):
            self.paste()
            return
        if event.key() in (Qt.Key.Key_Delete, Qt.Key.Key_Backspace) and self.state() != self.State.EditingState:
            self.clear_selection()
            return
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and self.state() != self.State.EditingState:
            self.move_to(1, 0)
            return
        super().keyPressEvent(event)

    def closeEditor(self, editor: QWidget, hint: Any) -> None:
        # Enter in an editor commits and goes down (Excel), not stays put.
        if hint == QAbstractItemDelegate.EndEditHint.SubmitModelCache:
            super().closeEditor(editor, QAbstractItemDelegate.EndEditHint.NoHint)
            self.move_to(1, 0)
        else:
            super().closeEditor(editor, hint)
        self.editorClosed.emit()

    def move_to(self, rows: int, cols: int) -> None:
        current = self.currentIndex()
        if not current.isValid():
            return
        model = self.model()
        row = current.row() + rows
        while 0 <= row < model.rowCount() and not (
            model.flags(model.index(row, current.column())) & Qt.ItemFlag.ItemIsEditable
        ):
            row += 1 if rows >= 0 else -1
        if 0 <= row < model.rowCount():
            self.setCurrentIndex(model.index(row, current.column() + cols))

    def selected_block(self) -> tuple[int, int, int, int] | None:
        indexes = self.selectedIndexes()
        if not indexes:
            return None
        rows = [i.row() for i in indexes]
        cols = [i.column() for i in indexes]
        return min(rows), min(cols), max(rows), max(cols)

    def copy_selection(self) -> None:
        block = self.selected_block()
        if block is None:
            return
        top, left, bottom, right = block
        model = self.model()
        lines = []
        for r in range(top, bottom + 1):
            cells = []
            for c in range(left, right + 1):
                index = model.index(r, c)
                value = model.data(index, Qt.ItemDataRole.EditRole)
                if value is None:
                    value = model.data(index, Qt.ItemDataRole.DisplayRole)
                cells.append("" if value is None else str(value).replace("\t", " ").replace("\n", " "))
            lines.append("\t".join(cells))
        QGuiApplication.clipboard().setText("\r\n".join(lines))

    def paste(self) -> None:
        """A rectangle from Excel, all or nothing: one bad cell and nothing is pasted (and it is named)."""
        text = QGuiApplication.clipboard().text()
        if not text or not self.currentIndex().isValid():
            return
        rows = [line.split("\t") for line in text.replace("\r\n", "\n").rstrip("\n").split("\n")]
        start = self.currentIndex()
        grid = self.grid()
        edits: list[CellEdit] = []
        refused: list[str] = []

        def collect(message: str) -> None:
            refused.append(message)

        grid.inputRefused.connect(collect)
        left_out = 0  # values with no cell to go to: beyond the last unit, the last input row, a locked month
        try:
            target_rows = self._editable_rows_from(start.row(), len(rows))
            for r_offset, values in enumerate(rows):
                if r_offset >= len(target_rows):
                    left_out += sum(1 for v in values if v.strip())
                    continue
                for c_offset, value in enumerate(values):
                    index = grid.index(target_rows[r_offset], start.column() + c_offset)
                    if not index.isValid() or not grid.is_input(index):
                        left_out += 1 if value.strip() else 0
                        continue
                    edit = grid.prepare_edit(index, value)
                    if edit is not None:
                        edits.append(edit)
        finally:
            grid.inputRefused.disconnect(collect)
        if refused:
            grid.inputRefused.emit("；".join(refused) if i18n.current() == "zh" else "; ".join(refused))
            self.editsRequested.emit([])  # take back what was shown
            return
        if edits:
            self.editsRequested.emit(merge_edits(edits))
        if left_out:  # never dropped silently (Excel would refuse a paste that does not fit)
            grid.inputRefused.emit(
                i18n.pick(
                    f"已粘贴 {len(edits)} 个值；另有 {left_out} 个值超出可填单元格（计算行、"
                    "已锁定的月份或表格之外），未粘贴",
                    f"Pasted {len(edits)} value(s); {left_out} more fell outside the input "
                    "cells (calculated rows, locked months or beyond the table) and were not pasted",
                )
            )

    def _editable_rows_from(self, start: int, count: int) -> list[int]:
        """Pasted rows land on input rows only (headers and calculated rows are skipped)."""
        grid = self.grid()
        out = []
        row = start
        while row < grid.rowCount() and len(out) < count:
            if grid.rows[row].kind == "input":
                out.append(row)
            row += 1
        return out

    def clear_selection(self) -> None:
        grid = self.grid()
        edits = [
            e
            for i in self.selectedIndexes()
            if grid.is_input(i)
            and grid.raw_value(grid.rows[i.row()], grid.unit_at(i.column())) is not None
            and (e := grid.prepare_edit(i, "")) is not None
        ]
        if edits:
            self.editsRequested.emit(merge_edits(edits))

    # -- drag a scan onto a cell ------------------------------------------------------------------

    def dragEnterEvent(self, event: Any) -> None:
        if event.mimeData().hasUrls():
            event.acceptProposedAction()
        else:
            super().dragEnterEvent(event)

    def dragMoveEvent(self, event: Any) -> None:
        if event.mimeData().hasUrls():
            index = self.indexAt(event.position().toPoint())
            if index.isValid() and self.grid().is_input(index):
                event.acceptProposedAction()
                return
            event.ignore()
            return
        super().dragMoveEvent(event)

    def dropEvent(self, event: Any) -> None:
        if not event.mimeData().hasUrls():
            super().dropEvent(event)
            return
        index = self.indexAt(event.position().toPoint())
        files = [Path(u.toLocalFile()) for u in event.mimeData().urls() if u.isLocalFile()]
        if index.isValid() and files:
            self.fileDropped.emit(index, files[0])
            event.acceptProposedAction()


def merge_edits(edits: list[CellEdit]) -> list[CellEdit]:
    """One save per unit-month, however many cells were pasted."""
    merged: dict[tuple[str, int], CellEdit] = {}
    for e in edits:
        key = (e.unit_id, e.month)
        if key not in merged:
            merged[key] = CellEdit(e.unit_id, e.month, dict(e.changes), dict(e.previous))
        else:
            merged[key].changes.update(e.changes)
            for k, v in e.previous.items():
                merged[key].previous.setdefault(k, v)
    return list(merged.values())


class ChartWidget(QWidget):
    """Monthly bars and a line against its reference (as the guideline declares); cumulative allowance balance."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.emissions: list[Decimal | None] = [None] * 12
        self.intensity: list[Decimal | None] = [None] * 12
        self.benchmark: Decimal | None = None
        self.balance: list[Decimal | None] = [None] * 12
        self.title = ""
        self.setMinimumHeight(110)

    def set_series(
        self, emissions: list, intensity: list, benchmark: Decimal | None, balance: list, title: str = ""
    ) -> None:
        self.emissions, self.intensity, self.benchmark, self.balance = emissions, intensity, benchmark, balance
        self.title = title  # what the bars and the line are, from the guideline's figures
        self.update()

    def paintEvent(self, event: Any) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.fillRect(self.rect(), QColor("#ffffff"))
        w, h = self.width(), self.height()
        top = QRectF(64, 26, w - 140, h * 0.55 - 50)
        bottom = QRectF(64, h * 0.55 + 30, w - 140, h * 0.45 - 52)
        self._bars_and_line(painter, top)
        self._balance(painter, bottom)
        painter.end()

    def _axis_labels(self, painter: QPainter, rect: QRectF) -> None:
        painter.setPen(QColor("#666666"))
        step = rect.width() / 12
        for m in range(12):
            label = f"{m + 1}月" if i18n.current() == "zh" else "JFMAMJJASOND"[m]
            painter.drawText(
                QRectF(rect.left() + m * step, rect.bottom() + 2, step, 16), int(Qt.AlignmentFlag.AlignHCenter), label
            )

    def _bars_and_line(self, painter: QPainter, rect: QRectF) -> None:
        painter.setPen(QColor("#333333"))
        painter.save()
        font = painter.font()
        room = self.width() - 8.0  # the title may use the whole width, over the axis labels
        while font.pointSizeF() > 7 and painter.fontMetrics().horizontalAdvance(self.title) > room:
            font.setPointSizeF(font.pointSizeF() - 0.5)  # the whole title, smaller, rather than cut off
            painter.setFont(font)
        painter.drawText(QRectF(4, 4, room, 18), int(Qt.AlignmentFlag.AlignLeft), self.title)
        painter.restore()
        values = [float(v) for v in self.emissions if v is not None]
        peak = max(values) if values else 1.0
        step = rect.width() / 12
        painter.setPen(QPen(QColor("#cccccc")))
        painter.drawLine(rect.bottomLeft(), rect.bottomRight())
        for m, v in enumerate(self.emissions):
            if v is None:
                continue
            bar_h = rect.height() * float(v) / peak if peak else 0
            painter.fillRect(
                QRectF(rect.left() + m * step + step * 0.15, rect.bottom() - bar_h, step * 0.7, bar_h),
                QColor("#7fa7d9"),
            )
        painter.setPen(QColor("#555555"))
        painter.drawText(
            QRectF(0, rect.top() - 2, 56, 14),
            int(Qt.AlignmentFlag.AlignRight),
            format_decimal(round_reported(Decimal(str(peak)), 0)),
        )
        points = [float(v) for v in self.intensity if v is not None]
        reference = float(self.benchmark) if self.benchmark is not None else None
        span = [*points, *([reference] if reference is not None else [])]
        if span:
            low, high = min(span) * 0.95, max(span) * 1.05
            high = high if high > low else low + 1

            def y(value: float) -> float:
                return rect.bottom() - (value - low) / (high - low) * rect.height()

            path = QPainterPath()
            started = False
            for m, v in enumerate(self.intensity):
                if v is None:
                    continue
                point = QPointF(rect.left() + (m + 0.5) * step, y(float(v)))
                if not started:
                    path.moveTo(point)
                    started = True
                else:
                    path.lineTo(point)
                painter.setBrush(QColor("#d35400"))
                painter.drawEllipse(point, 3, 3)
            painter.setBrush(Qt.BrushStyle.NoBrush)
            painter.setPen(QPen(QColor("#d35400"), 2))
            painter.drawPath(path)
            if reference is not None:
                painter.setPen(QPen(QColor("#27ae60"), 1.5, Qt.PenStyle.DashLine))
                painter.drawLine(QPointF(rect.left(), y(reference)), QPointF(rect.right(), y(reference)))
                painter.drawText(
                    QRectF(rect.left() + 4, y(reference) - 16, 220, 14),
                    int(Qt.AlignmentFlag.AlignLeft),
                    i18n.pick(f"基准值 {reference:.4f}", f"benchmark {reference:.4f}"),
                )
            painter.setPen(QColor("#d35400"))
            painter.drawText(
                QRectF(rect.right() + 4, rect.top() - 2, 60, 14), int(Qt.AlignmentFlag.AlignLeft), f"{high:.3f}"
            )
            painter.drawText(
                QRectF(rect.right() + 4, rect.bottom() - 12, 60, 14), int(Qt.AlignmentFlag.AlignLeft), f"{low:.3f}"
            )
        self._axis_labels(painter, rect)

    def _balance(self, painter: QPainter, rect: QRectF) -> None:
        painter.setPen(QColor("#333333"))
        painter.drawText(
            QRectF(rect.left(), rect.top() - 20, rect.width(), 18),
            int(Qt.AlignmentFlag.AlignLeft),
            i18n.pick("累计配额盈余（+）/缺口（−），tCO2", "Cumulative allowance surplus (+) / shortfall (−), tCO2"),
        )
        values = [float(v) for v in self.balance if v is not None]
        if not values:
            painter.setPen(QColor("#999999"))
            painter.drawText(
                rect,
                int(Qt.AlignmentFlag.AlignCenter),
                i18n.pick("配额无法计算（缺少基准值）", "allocation unknown (benchmark missing)"),
            )
            self._axis_labels(painter, rect)
            return
        low, high = min([*values, 0.0]), max([*values, 0.0])
        high = high if high > low else low + 1
        step = rect.width() / 12

        def y(value: float) -> float:
            return rect.bottom() - (value - low) / (high - low) * rect.height()

        painter.setPen(QPen(QColor("#999999"), 1))
        painter.drawLine(QPointF(rect.left(), y(0)), QPointF(rect.right(), y(0)))
        for m, v in enumerate(self.balance):
            if v is None:
                continue
            top_y, zero = y(float(v)), y(0)
            colour = QColor("#27ae60") if v >= 0 else QColor("#c0392b")
            painter.fillRect(
                QRectF(rect.left() + m * step + step * 0.2, min(top_y, zero), step * 0.6, abs(zero - top_y)), colour
            )
        painter.setPen(QColor("#555555"))
        painter.drawText(
            QRectF(0, rect.top() - 2, 56, 14),
            int(Qt.AlignmentFlag.AlignRight),
            format_decimal(round_reported(Decimal(str(high)), 0)),
        )
        painter.drawText(
            QRectF(0, rect.bottom() - 12, 56, 14),
            int(Qt.AlignmentFlag.AlignRight),
            format_decimal(round_reported(Decimal(str(low)), 0)),
        )
        self._axis_labels(painter, rect)
