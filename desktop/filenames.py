"""File names that Windows accepts, and paths longer than Windows' 260 characters.

Every output (PDF, workbook, package, backup) goes through ``check_output_name`` before anything is
written: a name Windows reserves (CON, PRN, AUX, NUL, COM1-9, LPT1-9, with any extension) would write to
a device instead of a file, and a trailing dot or space is silently dropped by Windows, so the file
would not be where the user looks.  Both are refused on every system, because the files travel to
colleagues' Windows PCs.  ``long_path`` gives Windows the extended-length form of a long absolute path,
which works without the administrator's LongPathsEnabled setting.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

RESERVED = {"CON", "PRN", "AUX", "NUL", *(f"COM{i}" for i in "123456789¹²³"), *(f"LPT{i}" for i in "123456789¹²³")}
_WINDOWS_INVALID = re.compile(r'[<>:"|?*\x00-\x1f]')
WINDOWS_MAX_PATH = 259  # characters before the terminating NUL of MAX_PATH

MESSAGES = {
    "reserved": (
        "“{name}”是 Windows 保留的设备名，不能用作文件名（CON、PRN、AUX、NUL、COM1–9、LPT1–9，带任何扩展名）。请换一个名字。",
        '"{name}" is a device name Windows reserves and cannot be a file name (CON, PRN, AUX, NUL, COM1-9, '
        "LPT1-9, with any extension). Please choose another name.",
    ),
    "trailing": (
        "文件名“{name}”以点或空格结尾，Windows 会把它们去掉，文件就不在您找的地方。请去掉结尾的点或空格。",
        'The file name "{name}" ends with a dot or a space, which Windows drops: the file would not be where you '
        "look. Please remove it.",
    ),
    "invalid": (
        '文件名“{name}”含有 Windows 不允许的字符（< > : " | ? * 或控制字符）。',
        'The file name "{name}" holds characters Windows does not allow (< > : " | ? * or control characters).',
    ),
    "empty": ("没有给出文件名。", "No file name was given."),
}


class FileNameError(ValueError):
    """A file name that cannot be written as given; ``render`` says why in the user's language."""

    def __init__(self, kind: str, name: str) -> None:
        super().__init__(MESSAGES[kind][1].format(name=name))
        self.kind = kind
        self.name = name

    def render(self, lang: str) -> str:
        zh, en = MESSAGES[self.kind]
        return (zh if lang == "zh" else en).format(name=self.name)


def name_problem(name: str, *, windows: bool | None = None) -> str | None:
    """Why ``name`` (one path component) cannot be a file name, or None."""
    windows = os.name == "nt" if windows is None else windows
    if not name or name in (".", ".."):
        return "empty"
    if name.endswith((".", " ")):
        return "trailing"
    if name.split(".", 1)[0].strip().upper() in RESERVED:
        return "reserved"
    if windows and _WINDOWS_INVALID.search(name):
        return "invalid"
    return None


def check_output_name(target: Path, *, windows: bool | None = None) -> None:
    """Refuse, before anything is written, a target whose file name Windows would not keep as given."""
    problem = name_problem(Path(target).name, windows=windows)
    if problem is not None:
        raise FileNameError(problem, Path(target).name)


def long_path(path: Path, *, windows: bool | None = None) -> Path:
    """On Windows, a path too long for MAX_PATH in its extended-length form (``\\\\?\\C:\\...``)."""
    windows = os.name == "nt" if windows is None else windows
    text = str(path)
    if not windows or len(text) < WINDOWS_MAX_PATH - 40 or text.startswith("\\\\?\\"):
        return path  # 40: room for the temporary name written beside the target
    absolute = text if re.match(r"^[A-Za-z]:\\", text) or text.startswith("\\\\") else os.path.abspath(text)
    kind = type(path)  # PureWindowsPath in the tests on Linux
    if absolute.startswith("\\\\"):  # a network share: \\server\share\... -> \\?\UNC\server\share\...
        return kind("\\\\?\\UNC\\" + absolute[2:])
    return kind("\\\\?\\" + absolute)
