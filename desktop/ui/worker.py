"""Work off the GUI thread.

``SerialWorker``: every database operation runs, one after the other, on one background thread (as
Anki's CollectionOp): the GUI never waits on SQLite, and writes never race each other.  Results come
back to the GUI thread through a signal.

``run_task``: long work (a group's year, imports, exports, backups) on its own thread with a progress
dialog and a cancel button; the work function receives ``progress(done, total)``, which raises
``Cancelled`` once the user cancels.
"""

from __future__ import annotations

import gc
import itertools
import queue
import threading
import time
import traceback
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QProgressBar, QProgressDialog, QPushButton, QWidget


class Cancelled(Exception):
    """The user cancelled a long task."""


_gc_lock = threading.Lock()
_gc_holds = [0]  # background jobs running; collection resumes when the last one ends


@contextmanager
def no_collection_pauses() -> Iterator[None]:
    """No cyclic garbage collection while background work allocates its many small objects.

    A full collection holds the interpreter lock for as long as it takes to scan every live object;
    with a group's year alive that is 200-400 ms, during which the GUI thread cannot run.  Our data
    have no reference cycles, so reference counting frees them; collection resumes afterwards.
    """
    with _gc_lock:
        _gc_holds[0] += 1
        gc.disable()
    try:
        yield
    finally:
        with _gc_lock:
            _gc_holds[0] -= 1
            if _gc_holds[0] == 0:
                # What the job allocated sits in the youngest generation (collection was off); the first
                # collection would scan all of it at once (~100 ms with a group's year). Freeze it instead.
                gc.freeze()
                gc.enable()


def settle_after_snapshot() -> None:
    """Keep what the window now shows out of future collections (called on the GUI thread; constant time)."""
    gc.freeze()


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
                with no_collection_pauses():
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


class _Task:
    """Long work on a plain Python thread.

    Not QThreadPool: measured with a 200-unit group, Python work in a QRunnable starved the GUI thread of
    the interpreter lock for 360-480 ms at a time; on a threading.Thread the worst pause was 60-75 ms.
    """

    def __init__(self, fn: Callable[[Callable[[int, int], None]], Any]) -> None:
        self.fn = fn
        self.signals = _TaskSignals()
        self.cancelled = threading.Event()
        self.last_report = 0.0
        self.thread = threading.Thread(target=self.run, name="carbondesk-task", daemon=True)

    def report(self, done: int, total: int) -> None:
        if self.cancelled.is_set():
            raise Cancelled
        # At most ten updates a second: 200 queued updates would be 200 repaints in one go on the GUI thread.
        now = time.monotonic()
        if done == total or now - self.last_report >= 0.1:
            self.last_report = now
            self.signals.progress.emit(done, total)

    def run(self) -> None:
        try:
            with no_collection_pauses():
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


class StatusProgress(QWidget):
    """Progress and a cancel button in the status bar: long work that need not stop the user."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.label = QLabel()
        self.bar = QProgressBar()
        self.bar.setMaximumWidth(180)
        self.cancel = QPushButton()
        layout.addWidget(self.label)
        layout.addWidget(self.bar)
        layout.addWidget(self.cancel)
        self.handle: TaskHandle | None = None
        self.cancel.clicked.connect(self._cancel)
        self.hide()

    def begin(self, label: str, cancel_text: str, handle: TaskHandle) -> None:
        if self.handle is not None:
            self.handle.cancel()  # a newer calculation replaces the running one
        self.handle = handle
        self.label.setText(label)
        self.cancel.setText(cancel_text)
        self.bar.setRange(0, 0)
        self.show()

    def update_progress(self, done: int, total: int) -> None:
        self.bar.setRange(0, total)
        self.bar.setValue(done)

    def end(self, handle: TaskHandle) -> None:
        if self.handle is handle:
            self.handle = None
            self.hide()

    def _cancel(self) -> None:
        if self.handle is not None:
            self.handle.cancel()


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
    status: StatusProgress | None = None,
) -> TaskHandle:
    """Run ``fn(progress)`` on a worker thread; progress in a dialog, or in the status bar if given."""
    task = _Task(fn)
    dialog = None
    if show_dialog and status is None:
        dialog = QProgressDialog(label, cancel_text or None, 0, 0, parent)
        dialog.setWindowModality(Qt.WindowModality.WindowModal)
        dialog.setMinimumDuration(300)  # quick work shows no dialog at all
        dialog.setAutoClose(False)
        dialog.setAutoReset(False)
    handle = TaskHandle(task, dialog)
    _RUNNING.add(handle)
    if status is not None:
        status.begin(label, cancel_text, handle)

    def progress(done: int, total: int) -> None:
        if dialog is not None:
            dialog.setMaximum(total)
            dialog.setValue(done)
        if status is not None and status.handle is handle:
            status.update_progress(done, total)

    def finish() -> None:
        if dialog is not None:
            dialog.close()
            dialog.deleteLater()
        if status is not None:
            status.end(handle)
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
    task.thread.start()
    return handle
