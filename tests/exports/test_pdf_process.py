"""The package's PDF made in a second process (desktop.services.pdf_process): the same signed report as one
made here; the work's own errors raised here; a helper that is lost replaced by the work done here; a
cancelled build ends the helper and leaves nothing behind."""

from __future__ import annotations

import io
import os
import pickle
import subprocess
import sys
import threading
import time
import zipfile
from datetime import date
from pathlib import Path

import pytest

from desktop.services import outputs, package, pdf_process, store
from desktop.services.demo import create_demo_workspace
from desktop.signing.core import create_self_signed
from desktop.signing.pades import validate_pdf
from tests.exports.test_pdf import POPPLER, need_poppler

TODAY = date(2026, 11, 23)


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory):
    ws = create_demo_workspace(tmp_path_factory.mktemp("demo") / "demo.sqlite", today=TODAY)
    entity_id = store.list_entities(ws=ws)[0].id
    doc, _ = outputs.report_document(ws=ws, entity_id=entity_id, year=2025, today=TODAY)
    yield ws, entity_id, doc, create_self_signed(name="王碳", uscc="91110000101623741K")
    ws.close()


def _signed_by(path: Path, signer) -> None:
    check = validate_pdf(path, (signer.certificate,))
    assert check.intact and check.valid and check.trusted and check.covers_whole_file
    assert check.signer_fingerprint == signer.fingerprint


def _text(path: Path) -> str:
    return subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout


def test_the_helper_makes_the_same_signed_report_as_this_process(demo, tmp_path: Path) -> None:
    _, _, doc, signer = demo
    helper = pdf_process.PdfHelper()
    assert helper.alive and helper._process.pid != os.getpid()
    there = pdf_process.job_for(doc, tmp_path / "a.pdf", tmp_path / "a-signed.pdf", signer, "年度报告 / report")
    helper.send(there)
    made = helper.answer()  # nobody here took the results: the helper, done with the PDF, went on to them
    assert made.pdf == tmp_path / "a-signed.pdf"
    assert made.results == pdf_process.encode_results(doc)  # the same bytes as this process makes
    assert not helper.alive  # one job, then it is gone
    _signed_by(tmp_path / "a-signed.pdf", signer)
    here = pdf_process.job_for(doc, tmp_path / "b.pdf", tmp_path / "b-signed.pdf", signer, "年度报告 / report")
    pdf_process.render_and_sign(here)
    if POPPLER or os.environ.get("CI") == "true":
        need_poppler()
        assert _text(tmp_path / "a-signed.pdf") == _text(tmp_path / "b-signed.pdf")
        assert doc.data_sha256 in _text(tmp_path / "a-signed.pdf").replace("\n", "")


def test_results_taken_here_first_are_not_made_twice(demo, tmp_path: Path) -> None:
    _, _, doc, signer = demo
    helper = pdf_process.PdfHelper()
    helper.send(pdf_process.job_for(doc, tmp_path / "a.pdf", tmp_path / "b.pdf", signer, "r"))
    assert helper.results_to_helper() is False  # asked before the PDF is signed: this process makes them
    assert helper.results_to_helper() is False  # settled once
    made = helper.answer()
    assert made.pdf == tmp_path / "b.pdf" and made.results is None
    _signed_by(made.pdf, signer)


def test_an_error_in_the_work_is_raised_here_as_itself(demo, tmp_path: Path) -> None:
    _, _, doc, signer = demo
    helper = pdf_process.PdfHelper()
    nowhere = tmp_path / "no such folder"
    helper.send(pdf_process.job_for(doc, nowhere / "a.pdf", nowhere / "b.pdf", signer, "r"))
    with pytest.raises(FileNotFoundError):
        helper.answer()
    assert not helper.alive


def test_a_helper_that_dies_is_reported_lost(demo, tmp_path: Path) -> None:
    _, _, doc, signer = demo
    helper = pdf_process.PdfHelper()
    helper._process.kill()
    helper._process.wait()
    with pytest.raises(pdf_process.HelperLost):
        helper.send(pdf_process.job_for(doc, tmp_path / "a.pdf", tmp_path / "b.pdf", signer, "r"))
        helper.answer()
    assert not (tmp_path / "b.pdf").exists()


def _build(ws, entity_id, signer, target: Path, progress=None) -> Path:
    return package.build_package(
        ws=ws,
        entity_id=entity_id,
        year=2025,
        target=target,
        signer=signer,
        today=TODAY,
        allow_errors=True,
        progress=progress,
    )


def _helpers_of_builds(monkeypatch: pytest.MonkeyPatch) -> list[pdf_process.PdfHelper | None]:
    taken: list[pdf_process.PdfHelper | None] = []
    take = pdf_process.take

    def recorded() -> pdf_process.PdfHelper | None:
        taken.append(take())
        return taken[-1]

    monkeypatch.setattr(pdf_process, "take", recorded)
    return taken


def test_a_package_whose_helper_is_killed_mid_build_is_still_whole(
    demo, tmp_path: Path, monkeypatch, caplog: pytest.LogCaptureFixture
) -> None:
    """The helper killed during the build (before its job reaches it): the PDF is made here, and the package
    verifies."""
    ws, entity_id, _, signer = demo
    taken = _helpers_of_builds(monkeypatch)
    killed: list[int] = []

    def progress(done: int, total: int) -> None:
        helper = taken[-1]
        if done == 1 and helper is not None and not killed:  # the year is checked; the job is about to go
            helper._process.kill()
            helper._process.wait()
            killed.append(done)

    with caplog.at_level("WARNING", logger=pdf_process.__name__.replace("pdf_process", "package")):
        path = _build(ws, entity_id, signer, tmp_path / "p.zip", progress)
    assert killed and taken[-1] is not None and not taken[-1].alive
    assert any("the PDF is made here" in r.getMessage() for r in caplog.records)
    verdict = package.verify_package(path, trusted=(signer.certificate,))
    assert verdict.ok, [c for c in verdict.checks if c.passed is False]
    _signed_from_package(path, tmp_path, signer)


def _signed_from_package(path: Path, tmp_path: Path, signer) -> None:
    pdf = tmp_path / "from-package.pdf"
    pdf.write_bytes(zipfile.ZipFile(path).read("report.pdf"))
    _signed_by(pdf, signer)


def test_a_cancelled_build_ends_its_helper_and_leaves_nothing(demo, tmp_path: Path, monkeypatch) -> None:
    ws, entity_id, _, signer = demo
    taken = _helpers_of_builds(monkeypatch)

    class Cancelled(Exception):
        pass

    def progress(done: int, total: int) -> None:
        if done == 2:  # while the helper makes the PDF
            raise Cancelled

    out = tmp_path / "out"
    with pytest.raises(Cancelled):
        _build(ws, entity_id, signer, out / "p.zip", progress)
    assert taken and taken[-1] is not None and not taken[-1].alive
    assert list(out.iterdir()) == []  # neither the package nor its working folder


def test_without_a_helper_the_package_is_made_here(demo, tmp_path: Path, monkeypatch) -> None:
    ws, entity_id, _, signer = demo
    monkeypatch.setenv(pdf_process.ENV_OFF, "1")
    taken = _helpers_of_builds(monkeypatch)
    path = _build(ws, entity_id, signer, tmp_path / "p.zip")
    assert taken == [None]
    assert package.verify_package(path, trusted=(signer.certificate,)).ok


def test_a_helper_started_ahead_is_the_one_the_build_takes(demo, tmp_path: Path) -> None:
    pdf_process.start_ahead()
    spare = pdf_process._spare[0]
    assert pdf_process.take() is spare
    spare.close()
    pdf_process.start_ahead()
    assert pdf_process._spare and pdf_process._spare[0].alive
    pdf_process.discard()  # the user stopped at the passphrase
    assert not pdf_process._spare


def test_the_frozen_programs_serve_as_the_helper_when_asked(demo, tmp_path: Path) -> None:
    """The frozen app starts itself with the flag (its sys.executable cannot take -c): the entry points call
    run_helper_if_asked first. Here a Python stands in for the frozen program; the answer comes on stdout
    however much a library prints."""
    _, _, doc, signer = demo
    job = pdf_process.job_for(doc, tmp_path / "a.pdf", tmp_path / "b.pdf", signer, "r")
    root = str(Path(__file__).resolve().parents[2])
    code = (
        f"import sys; sys.path.insert(0, {root!r}); sys.argv[1:] = [{pdf_process.HELPER_FLAG!r}]\n"
        "print('before the helper starts', flush=True)\n"
        "import desktop.services.pdf_process as p\n"
        "warm = p._warm\n"
        "p._warm = lambda: (print('a library talking on stdout', flush=True), warm())\n"
        "p.run_helper_if_asked()\n"
        "raise SystemExit('not reached: the helper exits')\n"
    )
    for go_on in (b"", pdf_process.GO_ON):  # the parent made the results itself / handed them over
        done = subprocess.run(
            [sys.executable, "-c", code], input=pickle.dumps(job) + go_on, capture_output=True, check=False, timeout=120
        )
        assert done.returncode == 0, done.stderr.decode(errors="replace")[-2000:]
        before = b"before the helper starts\n"
        assert done.stdout.startswith(before) and b"a library talking on stdout" in done.stderr
        answers = io.BytesIO(done.stdout[len(before) :])
        assert pickle.load(answers) == ("pdf", tmp_path / "b.pdf")
        if go_on:
            assert pickle.load(answers) == ("results", pdf_process.encode_results(doc))
        assert answers.read() == b""
        _signed_by(tmp_path / "b.pdf", signer)


def test_a_helper_that_never_reads_its_job_is_ended_at_once(demo, tmp_path: Path, monkeypatch) -> None:
    """Cancelled while the job is still being written into a pipe the helper does not read: ending it must
    not wait on that write."""
    _, _, doc, signer = demo
    monkeypatch.setattr(pdf_process, "_command", lambda: [sys.executable, "-c", "import time; time.sleep(120)"])
    helper = pdf_process.PdfHelper()
    helper.send(pdf_process.job_for(doc, tmp_path / "a.pdf", tmp_path / "b.pdf", signer, "r"))
    time.sleep(0.5)
    assert helper._writer is not None and helper._writer.is_alive()  # stuck: the job is bigger than the pipe
    closing = threading.Thread(target=helper.close, daemon=True)  # a hang here fails the test, not the run
    closing.start()
    closing.join(timeout=15)
    assert not closing.is_alive(), "ending the helper waited on the job's write"
    assert not helper.alive and not helper._writer.is_alive()


def test_one_core_makes_everything_in_one_process(monkeypatch) -> None:
    monkeypatch.setattr(pdf_process, "_cores", lambda: 1)
    assert pdf_process.take() is None
    pdf_process.start_ahead()
    assert not pdf_process._spare


def test_a_workbook_that_fails_ends_the_helper_and_leaves_nothing(demo, tmp_path: Path, monkeypatch) -> None:
    """The workbook fails while the helper writes the PDF into the same working folder: the helper is ended
    before the folder is removed, and the error is the workbook's."""
    ws, entity_id, _, signer = demo
    taken = _helpers_of_builds(monkeypatch)

    def full_disk(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(outputs, "write_workbook_of", full_disk)
    out = tmp_path / "out"
    folder_at_close: list[bool] = []
    close = pdf_process.PdfHelper.close

    def recorded_close(self) -> None:
        folder_at_close.append(any(out.iterdir()))  # the working folder still there when the helper ends
        close(self)

    monkeypatch.setattr(pdf_process.PdfHelper, "close", recorded_close)
    with pytest.raises(OSError, match="No space left"):
        _build(ws, entity_id, signer, out / "p.zip")
    assert taken and taken[-1] is not None and not taken[-1].alive
    assert folder_at_close and folder_at_close[0] is True
    assert list(out.iterdir()) == []
