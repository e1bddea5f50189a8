"""reportlab measures every character of a wrapped Chinese cell; its C accelerator (the ``rl_accel``
package, a dependency) must be the one in use, or a group's report takes several times longer."""

from __future__ import annotations


def test_reportlab_measures_text_in_c() -> None:
    from reportlab.lib import rl_accel

    assert "instanceStringWidthTTF" in rl_accel._c_funcs, "pip install rl_accel (see pyproject.toml)"
