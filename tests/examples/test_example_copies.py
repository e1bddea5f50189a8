"""The worked examples the tests use are copies of ../shared/examples; a revision there must be noticed.

On a user's clone (no ../shared beside it) the comparison is skipped and the copies are what the
tests use.  Beside ../shared, any file that differs, is missing here or is extra here fails.
"""

from __future__ import annotations

import pytest

from tests.helpers import EXAMPLES_DIR, SHARED_EXAMPLES_DIR


def _files(root):
    return {p.relative_to(root).as_posix(): p for p in root.rglob("*") if p.is_file()}


def test_copies_exist() -> None:
    copies = _files(EXAMPLES_DIR)
    assert any(name.startswith("power/") and name.endswith(".json") for name in copies)


@pytest.mark.skipif(not SHARED_EXAMPLES_DIR.is_dir(), reason="no ../shared/examples beside the repository")
def test_copies_equal_shared_examples() -> None:
    ours, theirs = _files(EXAMPLES_DIR), _files(SHARED_EXAMPLES_DIR)
    assert sorted(ours) == sorted(theirs), "copy the revised examples: cp -r ../shared/examples/* tests/examples/data/"
    differing = [name for name in ours if ours[name].read_bytes() != theirs[name].read_bytes()]
    assert not differing, f"tests/examples/data differs from ../shared/examples: {differing}"
