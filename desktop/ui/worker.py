"""Work off the GUI thread.

``SerialWorker``: every database operation runs, one after the other, on one background thread (as
Anki's CollectionOp): the GUI never waits on SQLite, and writes never race each other.  Results come
back to the GUI thread through a signal.

``run_task``: long work (a group's year, imports, exports, backups) on the thread pool with a progress
dialog and a cancel button; the work function receives ``progress(done, total)``, which raises
``Cancelled`` once the user cancels.
"""

from __future__ import annotations

import itertools
import queue
import threading
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QObject, QRunnable, Qt, QThreadPool, Signal
from PySide6.QtWidgets import QProgressDialog, QWidget


class Cancelled(Exception):
    """The user cancelled a long task."""


@dataclass
class _Job:
    id: int
    fn: Callable[[], Any]
    on_done: Callable[[Any], None] | None
    on_error: Callable[[BaseException], None] | None


class SerialWorker(QObject):
    """One background thread, one queue: database work in the order it was asked for."""

    finished = Signal(int, object)  # job id, result
    failed = Signal(int, object)  # job id, exception
    idle = Signal()

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._queue: queue.Queue[_Job | None] = queue.Queue()
        self._ids = itertools.count(1)
        self._callbacks: dict[int, _Job] = {}
        self._pending = 0
        self._lock = threading.Lock()
        self.finished.connect(self._deliver, Qt.ConnectionType.QueuedConnection)
        self.failed.connect(self._deliver_error, Qt.ConnectionType.QueuedConnection)
        self._thread = threading.Thread(target=self._loop, name="carbondesk-db", daemon=True)
        self._thread.start()

    def submit(
        self,
        fn: Callable[[], Any],
        on_done: Callable[[Any], None] | None = None,
        on_error: Callable[[BaseException], None] | None = None,
    ) -> int:
        job = _Job(next(self._ids), fn, on_done, on_error)
        with self._lock:
            self._callbacks[job.id] = job
            self._pending += 1
        self._queue.put(job)
        return job.id

    @property
    def busy(self) -> bool:
        with self._lock:
            return self._pending > 0

    def stop(self, timeout: float = 10.0) -> None:
        """Finish the queued work, then end the thread (on close: nothing committed is lost)."""
        self._queue.put(None)
        self._thread.join(timeout)

    def _loop(self) -> None:
        while True:
            job = self._queue.get()
            if job is None:
                return
            try:
                result = job.fn()
            except BaseException as exc:
                exc.__traceback_text__ = traceback.format_exc()  # type: ignore[attr-defined]
                self.failed.emit(job.id, exc)
            else:
                self.finished.emit(job.id, result)

    def _pop(self, job_id: int) -> _Job | None:
        with self._lock:
            job = self._callbacks.pop(job_id, None)
            self._pending -= 1
            empty = self._pending == 0
        if empty:
            self.idle.emit()
        return job

    def _deliver(self, job_id: int, result: Any) -> None:
        job = self._pop(job_id)
        if job is not None and job.on_done is not None:
            job.on_done(result)

    def _deliver_error(self, job_id: int, exc: BaseException) -> None:
        job = self._pop(job_id)
        if job is not None and job.on_error is not None:
            job.on_error(exc)
        elif job is not None:
            raise exc  # reaches the global error hook


class _TaskSignals(QObject):
    progress = Signal(int, int)
    done = Signal(object)
    failed = Signal(object)


class _Task(QRunnable):
    def __init__(self, fn: Callable[[Callable[[int, int], None]], Any]) -> None:
        super().__init__()
        self.fn = fn
        self.signals = _TaskSignals()
        self.cancelled = threading.Event()
        self.setAutoDelete(False)

    def report(self, done: int, total: int) -> None:
        if self.cancelled.is_set():
            raise Cancelled
        self.signals.progress.emit(done, total)

    def run(self) -> None:
        try:
            result = self.fn(self.report)
        except BaseException as exc:
            exc.__traceback_text__ = traceback.format_exc()  # type: ignore[attr-defined]
            self.signals.failed.emit(exc)
        else:
            self.signals.done.emit(result)


class TaskHandle(QObject):
    """A running long task; keeps the runnable and its dialog alive until it ends."""

    ended = Signal()

    def __init__(self, task: _Task, dialog: QProgressDialog | None) -> None:
        super().__init__()
        self.task = task
        self.dialog = dialog

    def cancel(self) -> None:
        self.task.cancelled.set()


_RUNNING: set[TaskHandle] = set()


def run_task(
    fn: Callable[[Callable[[int, int], None]], Any],
    *,
    label: str,
    parent: QWidget | None,
    on_done: Callable[[Any], None],
    on_error: Callable[[BaseException], None],
    on_cancel: Callable[[], None] | None = None,
    show_dialog: bool = True,
    cancel_text: str = "",
) -> TaskHandle:
    task = _Task(fn)
    dialog = None
    if show_dialog:
        dialog = QProgressDialog(label, cancel_text or None, 0, 0, parent)
        dialog.setWindowModality(Qt.WindowModality.WindowModal)
        dialog.setMinimumDuration(300)  # quick work shows no dialog at all
        dialog.setAutoClose(False)
        dialog.setAutoReset(False)
    handle = TaskHandle(task, dialog)
    _RUNNING.add(handle)

    def progress(done: int, total: int) -> None:
        if dialog is not None:
            dialog.setMaximum(total)
            dialog.setValue(done)

    def finish() -> None:
        if dialog is not None:
            dialog.close()
            dialog.deleteLater()
        _RUNNING.discard(handle)
        handle.ended.emit()

    def done(result: Any) -> None:
        finish()
        on_done(result)

    def failed(exc: BaseException) -> None:
        finish()
        if isinstance(exc, Cancelled):
            if on_cancel is not None:
                on_cancel()
        else:
            on_error(exc)

    task.signals.progress.connect(progress, Qt.ConnectionType.QueuedConnection)
    task.signals.done.connect(done, Qt.ConnectionType.QueuedConnection)
    task.signals.failed.connect(failed, Qt.ConnectionType.QueuedConnection)
    if dialog is not None:
        dialog.canceled.connect(handle.cancel)
    QThreadPool.globalInstance().start(task)
    return handle
