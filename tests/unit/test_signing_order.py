"""A CMS signature over a manifest made before the first PDF signature of a run must not break it.

asn1crypto builds its table of CMS attribute names once; ``signing_certificate_v2`` is only added to it
when ``asn1crypto.tsp`` is imported (pyHanko does so lazily).  Found by a test order in which a checkpoint
was signed before any PDF: the package then failed with "invalid literal for int(): signing_certificate_v2".
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

SCRIPT = """
import sys
from desktop.signing import core
from asn1crypto import cms
cms.CMSAttributeType("content_type")  # a manifest's CMS made first: the name table is built now
from desktop.signing import pades  # noqa: F401 - pyHanko arrives later in the run
cms.CMSAttributeType("signing_certificate_v2")
print("ok")
"""


def test_a_pdf_signature_after_a_cms_signature_in_the_same_run() -> None:
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT], cwd=ROOT, capture_output=True, text=True, timeout=120, check=False
    )
    assert done.returncode == 0 and done.stdout.strip() == "ok", done.stderr
