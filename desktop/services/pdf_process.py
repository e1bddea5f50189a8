"""The package's PDF report, rendered and signed in a second process while this one writes the workbook.

A package's two biggest files cost about the same (a 50-unit year: 0.33 s for the workbook, 0.32 s for the
PDF, plus 0.3 s to load reportlab, pyHanko and the CJK font), and both hold Python's interpreter lock the
whole time. On the two cores of an office PC they are written side by side in two processes: the build
takes about as long as the longer of the two, and the window (whose thread shares this process's lock with
the build) is held up less.

The third file, results.json, goes to whichever process is free first: when the helper has signed the PDF
before this process has written the workbook (a large group, whose workbook costs most), the helper encodes
the results too; otherwise this process does, after the workbook. The hand-over is decided once, under a
lock, so the file is made exactly once.

The helper is started ahead -- when the user asks for a package, or when the ``package`` command starts --
and loads its libraries while the year is read and checked. It takes one job and exits: its memory goes back
to the system, and nothing of one build lingers into the next.

Whatever goes wrong with the helper itself (it cannot be started, it dies, it is killed) its files are made
in this process instead; an error in the work (a PDF that cannot be written) is raised here as the same
exception. A cancelled or failed build terminates the helper.
"""

from __future__ import annotations

import contextlib
import logging
import os
import pickle
import queue
import subprocess
import sys
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from desktop.exports.document import ReportDocument

log = logging.getLogger(__name__)

# How often a waiting build looks at its cancel button (seconds).
POLL = 0.05
# A helper that has not answered a job in this long is taken to be stuck (an 800-unit year takes ~10 s).
PATIENCE = 600.0
ENV_OFF = "CARBONDESK_NO_HELPER"  # "1": every file in this process (a machine that forbids child processes)
GO_ON = b"R"  # sent to a helper that has signed the PDF: encode results.json too


@dataclass(frozen=True)
class PdfJob:
    """What the helper needs: the report, where to write, and the signer as bytes (a key object does not
    cross processes; the key travels over the pipe between this process and its own child, never to disk)."""

    doc: ReportDocument
    plain: Path
    signed: Path
    key_der: bytes
    certificate_der: bytes
    chain_der: tuple[bytes, ...]
    reason: str


class HelperLost(Exception):
    """The helper process could not be used (not started, died, stuck): the work is done here instead."""


def _sign_parts(signer: Any) -> tuple[bytes, bytes, tuple[bytes, ...]]:
    from cryptography.hazmat.primitives import serialization  # noqa: PLC0415

    key = signer.key.private_bytes(
        serialization.Encoding.DER, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    der = serialization.Encoding.DER
    return key, signer.certificate.public_bytes(der), tuple(c.public_bytes(der) for c in signer.chain)


def job_for(doc: Any, plain: Path, signed: Path, signer: Any, reason: str) -> PdfJob:
    key, certificate, chain = _sign_parts(signer)
    return PdfJob(doc, plain, signed, key, certificate, chain, reason)


def render_and_sign(job: PdfJob) -> Path:
    """The work itself, the same in the helper and (when there is none) in this process."""
    from cryptography import x509  # noqa: PLC0415
    from cryptography.hazmat.primitives import serialization  # noqa: PLC0415

    from desktop.exports.pdf_report import write_pdf  # noqa: PLC0415
    from desktop.signing.core import Signer  # noqa: PLC0415
    from desktop.signing.pades import sign_pdf  # noqa: PLC0415

    signer = Signer(
        serialization.load_der_private_key(job.key_der, None, unsafe_skip_rsa_key_validation=True),  # type: ignore[arg-type]
        x509.load_der_x509_certificate(job.certificate_der),
        tuple(x509.load_der_x509_certificate(c) for c in job.chain_der),
    )
    write_pdf(job.doc, job.plain)
    return sign_pdf(job.plain, job.signed, signer, reason=job.reason)


def encode_results(doc: ReportDocument) -> bytes:
    """results.json of the report (the figures with their provenance, the findings), in either process."""
    from desktop.interchange import result_json  # noqa: PLC0415

    return result_json.result_text(
        report=doc.report,
        result=doc.result,
        findings=doc.findings,
        messages=doc.messages,
        figures=doc.figures,
        form=doc.form,
    ).encode("utf-8")


def _warm() -> None:
    """The helper's libraries and the PDF font, loaded while the parent reads and checks the year."""
    from desktop.exports.pdf_report import register_font  # noqa: PLC0415
    from desktop.signing import pades  # noqa: PLC0415, F401

    register_font()


HELPER_FLAG = "--carbondesk-pdf-helper"  # the frozen app's programs run as the helper when given this first


def run_helper_if_asked() -> None:
    """First thing in the frozen app's entry points: the program started as the helper serves and exits
    (there, ``sys.executable`` is the program itself, not a Python that could be given ``-c``)."""
    if len(sys.argv) > 1 and sys.argv[1] == HELPER_FLAG:
        sys.exit(serve())


def _answer(out: Any, status: str, value: Any) -> None:
    try:
        data = pickle.dumps((status, value), protocol=pickle.HIGHEST_PROTOCOL)
    except Exception:  # an exception that does not pickle: its type and text instead
        data = pickle.dumps(("error", RuntimeError(f"{type(value).__name__}: {value}")))
    out.write(data)
    out.flush()


def serve() -> int:
    """The helper's life: load, take one job from stdin, answer ("pdf", path) or ("error", exception) on
    stdout; then, if told to go on, ("results", bytes); exit. Anything the libraries print goes to stderr,
    never into the answers."""
    import gc  # noqa: PLC0415

    # the pipes by their descriptors: a windowed program (the frozen window) has no sys.stdin or sys.stdout
    jobs, answers = os.fdopen(os.dup(0), "rb"), os.fdopen(os.dup(1), "wb")
    try:
        os.dup2(sys.stderr.fileno(), 1)  # what a library prints goes where its warnings go
    except (AttributeError, OSError, ValueError):
        os.dup2(os.open(os.devnull, os.O_WRONLY), 1)
    gc.disable()  # one short job over data without cycles: the collector would only scan it
    with contextlib.suppress(Exception):  # a failure here fails the job, with its reason sent back
        _warm()
    try:
        job = pickle.load(jobs)
    except (EOFError, OSError, pickle.UnpicklingError):
        return 0  # the parent went away, or cancelled before sending
    try:
        signed = render_and_sign(job)
    except Exception as exc:  # raised in the parent, as if the work had run there
        _answer(answers, "error", exc)
        return 0
    _answer(answers, "pdf", signed)
    try:
        go_on = jobs.read(1) == GO_ON  # the parent's word, as soon as it has the PDF; nothing: it has them
    except OSError:
        return 0
    if go_on:
        try:
            _answer(answers, "results", encode_results(job.doc))
        except Exception as exc:
            _answer(answers, "error", exc)
    return 0


def _command() -> list[str]:
    if getattr(sys, "frozen", False):
        return [sys.executable, HELPER_FLAG]
    # the folders this process imports from (a source checkout run from elsewhere, the tests' root)
    paths = [p for p in sys.path if p and Path(p).is_dir()]
    code = f"import sys; sys.path[:0] = {paths!r}; from desktop.services.pdf_process import serve; sys.exit(serve())"
    return [sys.executable, "-c", code]


class _Frames:
    """Where the job is pickled to, a frame (64 KiB) at a time. A method in Python on purpose: the pickler
    calls it between frames, and each call lets the interpreter hand over to the window's thread -- one
    pickling in C would hold it for the whole job (some 60 ms for a 50-unit year)."""

    def __init__(self) -> None:
        self._frames: list[bytes] = []

    def write(self, frame: bytes) -> None:
        self._frames.append(bytes(frame))

    def joined(self) -> bytes:
        data = b"".join(self._frames)
        self._frames = []
        return data


@dataclass(frozen=True)
class Made:
    """What the helper made: the signed PDF, and results.json when it was handed the results."""

    pdf: Path
    results: bytes | None


class PdfHelper:
    """One helper process, started ahead: ``send`` gives it the job, ``results_to_helper`` settles who
    encodes results.json, ``answer`` waits for what it made.

    A plain child process with the job and the answers pickled over its stdin and stdout: no re-import of
    the parent's main script (multiprocessing's spawn would run a script without a ``__main__`` guard
    again), and the frozen app starts itself with a flag."""

    def __init__(self) -> None:
        flags = getattr(subprocess, "CREATE_NO_WINDOW", 0)  # Windows: no console window flashes up
        self._process = subprocess.Popen(
            _command(), stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=None, creationflags=flags
        )
        self._answers: queue.Queue[tuple[str, Any]] = queue.Queue()
        self._results_owner: str | None = None  # "helper" or "here", settled once under the lock
        self._owner_lock = threading.Lock()
        self._job_sent = threading.Event()
        self._writer: threading.Thread | None = None
        self._reader = threading.Thread(target=self._read, name="pdf-helper-answer", daemon=True)
        self._reader.start()
        self._used = False

    def _read(self) -> None:
        """The helper's answers, as they come; the moment the PDF arrives, the helper is told whether to go
        on with the results (unless this process has already taken them)."""
        out = self._process.stdout
        try:
            status, value = pickle.load(out)  # type: ignore[arg-type]
            if status == "pdf":
                with self._owner_lock:
                    if self._results_owner is None:
                        self._results_owner = "helper"
                    to_helper = self._results_owner == "helper"
                self._answers.put((status, value))
                self._job_sent.wait(timeout=PATIENCE)
                if to_helper:
                    self._tell(GO_ON)
                self._close_stdin()
                if to_helper:
                    status, value = pickle.load(out)  # type: ignore[arg-type]
                    self._answers.put((status, value))
                    return
                return
            self._answers.put((status, value))
        except Exception as exc:  # died, killed, closed: no (further) answer
            self._answers.put(("lost", f"{type(exc).__name__}: {exc}"))

    def _tell(self, word: bytes) -> None:
        with contextlib.suppress(OSError, ValueError, AttributeError):
            self._process.stdin.write(word)  # type: ignore[union-attr]
            self._process.stdin.flush()  # type: ignore[union-attr]

    def _close_stdin(self) -> None:
        with contextlib.suppress(OSError, ValueError, AttributeError):
            self._process.stdin.close()  # type: ignore[union-attr]

    @property
    def alive(self) -> bool:
        return self._process.poll() is None

    def send(self, job: PdfJob) -> None:
        """Gives the job and returns: a thread writes it while the helper is still loading its libraries
        (a pipe holds 64 KiB; a job is some MB). Pickled here, before the work that follows: pickled by the
        thread, it would share the interpreter with that work and reach the helper later."""
        if self._used:
            raise HelperLost("used")
        self._used = True
        frames = _Frames()
        try:
            pickle.Pickler(frames, protocol=pickle.HIGHEST_PROTOCOL).dump(job)
        except (pickle.PicklingError, TypeError, AttributeError) as exc:
            self.close()
            raise HelperLost(f"send: {exc}") from exc
        data = frames.joined()
        self._writer = threading.Thread(target=self._write, args=(data,), name="pdf-helper-job", daemon=True)
        self._writer.start()

    def _write(self, data: bytes) -> None:
        """One write: the interpreter is let go for all of it (a write per frame would wait for the
        interpreter at every frame while this process writes the workbook, and the job arrive late)."""
        try:
            self._process.stdin.write(data)  # type: ignore[union-attr]
            self._process.stdin.flush()  # type: ignore[union-attr]
        except (OSError, ValueError):  # the helper died or was ended: its reader reports it as lost
            log.debug("the PDF helper's job was not delivered", exc_info=True)
        finally:
            self._job_sent.set()

    def results_to_helper(self) -> bool:
        """Called when this process is free for results.json: True when the helper has (or will have) it
        -- it signed the PDF first --, False when this process is to make it. Settled once."""
        with self._owner_lock:
            if self._results_owner is None:
                self._results_owner = "here"
            return self._results_owner == "helper"

    def answer(self, waiting: Callable[[], None] = lambda: None) -> Made:
        """What the helper made. ``waiting`` is called while the helper works (it raises to cancel, and the
        helper is then terminated). HelperLost when the helper failed before the PDF; results None when it
        failed after it (this process then encodes them); the work's own errors are raised as themselves."""
        pdf: Path | None = None
        try:
            while True:
                status, value = self._next(waiting)
                if status == "pdf":
                    pdf = Path(value)
                    with self._owner_lock:
                        owner = self._results_owner
                    if owner != "helper":
                        return Made(pdf, None)
                elif status == "results" and pdf is not None:
                    return Made(pdf, value)
                elif status == "error":
                    raise value
                elif pdf is not None:  # lost after the PDF: the results are made here
                    log.warning("the PDF helper was lost after the PDF (%s): the results are made here", value)
                    return Made(pdf, None)
                else:
                    raise HelperLost(f"{value} (exit {self._process.poll()})")
        finally:
            self.close()  # answered, cancelled or lost: the helper goes

    def _next(self, waiting: Callable[[], None]) -> tuple[str, Any]:
        waited = 0.0
        while True:
            try:
                return self._answers.get(timeout=POLL)
            except queue.Empty:
                waiting()
                waited += POLL
                if waited > PATIENCE:
                    raise HelperLost("no answer") from None

    def close(self) -> None:
        """Ends the helper, whatever it is doing. The process goes first: a job half written into a pipe
        nobody reads holds the pipe's lock, and closing the pipe would wait for it forever."""
        if self._process.poll() is None:
            self._process.terminate()
        try:
            self._process.wait(timeout=5)
        except subprocess.TimeoutExpired:  # pragma: no cover - terminate ignored
            self._process.kill()
            self._process.wait(timeout=5)
        self._job_sent.set()
        if self._writer is not None:
            self._writer.join(timeout=5)
        self._close_stdin()
        self._reader.join(timeout=5)
        if self._process.stdout is not None:
            self._process.stdout.close()


_spare: list[PdfHelper] = []
_spare_lock = threading.Lock()


def _cores() -> int:
    """The cores this process may run on (a container or a job object may allow fewer than the machine has)."""
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):  # Windows, macOS: the machine's
        return os.cpu_count() or 1


def _wanted() -> bool:
    """A second process only helps on a second core; on one it would only add the job's pickling."""
    return os.environ.get(ENV_OFF, "") not in ("1", "true", "yes") and _cores() > 1


def start_ahead() -> None:
    """Starts a helper for the next package (when asked for one, before the checks and the passphrase)."""
    if not _wanted():
        return
    with _spare_lock:
        if _spare and _spare[0].alive:
            return
        _spare.clear()
        try:
            _spare.append(PdfHelper())
        except Exception:  # no child processes here: the PDF is made in this process
            log.warning("the PDF helper process could not be started", exc_info=True)


def take() -> PdfHelper | None:
    """The helper started ahead, or a new one; None where there can be none."""
    with _spare_lock:
        spare = _spare.pop() if _spare else None
    if spare is not None and spare.alive:
        return spare
    if spare is not None:
        spare.close()
    if not _wanted():
        return None
    try:
        return PdfHelper()
    except Exception:
        log.warning("the PDF helper process could not be started", exc_info=True)
        return None


def discard() -> None:
    """Ends a helper started ahead that no build took (the user cancelled at the passphrase)."""
    with _spare_lock:
        spare = _spare.pop() if _spare else None
    if spare is not None:
        spare.close()
