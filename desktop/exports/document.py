"""What a report's files show, already computed: the PDF renders it, the package's helper receives it.

Apart from the PDF's module so that a process that only builds the document (the package's, whose PDF is
made in a second process) does not load reportlab."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from desktop.domain.findings import Finding, Message
from desktop.domain.records import ReportInput
from desktop.domain.stored import EvidenceInfo
from desktop.engine.params import ParameterPack
from desktop.engine.results import FigureInfo, ReportResult
from desktop.formspec import FormSpec


@dataclass(frozen=True)
class ReportDocument:
    """Everything the PDF shows, already computed."""

    report: ReportInput
    result: ReportResult
    findings: tuple[Finding, ...]
    messages: Mapping[str, Message]
    figures: Mapping[str, FigureInfo]
    form: FormSpec
    pack: ParameterPack
    evidence: tuple[EvidenceInfo, ...]
    data_sha256: str
    generated_at: datetime
    app_version: str
    words: Any = None  # the guideline: parameter names, word values and units in words

    def parameter_label(self, key: str) -> str:
        return self.words.parameter_label(key, "zh") if self.words is not None else key
