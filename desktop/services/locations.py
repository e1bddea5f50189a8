"""Where workspaces live by default: the user's data directory (CARBONDESK_DATA_DIR overrides it)."""

from __future__ import annotations

import os
import re
from pathlib import Path

from platformdirs import user_data_dir


def data_dir() -> Path:
    override = os.environ.get("CARBONDESK_DATA_DIR")
    return Path(override) if override else Path(user_data_dir("CarbonDesk", appauthor=False))


def default_workspace() -> Path:
    return data_dir() / "workspaces" / "default.sqlite"


def demo_workspace(guideline_id: str | None = None) -> Path:
    """The demo workspace of a guideline (``demo.sqlite`` for the default one, ``demo-<id>.sqlite`` else)."""
    return data_dir() / "workspaces" / ("demo.sqlite" if guideline_id is None else f"demo-{guideline_id}.sqlite")


# ------------------------------------------------------------------------- risky places for a workspace

# Folders that sync clients own: a workspace there is copied while SQLite writes it (conflict copies,
# a torn database), and its lock means nothing to the other PC.  Matched on any folder of the path.
SYNC_FOLDERS = (
    ("OneDrive", re.compile(r"^OneDrive( - .+)?$", re.I)),
    ("WPS 云文档", re.compile(r"^(WPS ?云文档|WPS ?Cloud ?Files|WPSDrive)$", re.I)),
    ("坚果云", re.compile(r"^(我的坚果云|坚果云|Nutstore)$", re.I)),
    ("百度网盘", re.compile(r"^(百度网盘|BaiduNetdisk|BaiduSyncdisk|百度网盘同步空间)$", re.I)),
    ("Dropbox", re.compile(r"^Dropbox( \(.+\))?$", re.I)),
    ("iCloud", re.compile(r"^iCloud ?Drive$", re.I)),
    ("Google Drive", re.compile(r"^(Google Drive|My Drive|我的云端硬盘)$", re.I)),
    ("Synology Drive", re.compile(r"^SynologyDrive$", re.I)),
)
NETWORK_FS = {"nfs", "nfs4", "cifs", "smb3", "smbfs", "fuse.sshfs", "afpfs", "9p", "davfs", "fuse.rclone"}

WARNINGS = {
    "sync": (
        "工作区位于同步文件夹（{what}）中：{path}\n同步软件会在写入过程中复制数据库文件，可能产生冲突副本或损坏数据，"
        "两台电脑同时打开也互不知情。建议把工作区放在本机文件夹（如“文档”），用“备份”功能把副本存到同步文件夹。",
        "The workspace is in a sync folder ({what}): {path}\nSync software copies the database while it is being "
        "written, which can make conflict copies or corrupt it, and two PCs opening it do not see each other. Keep "
        "the workspace in a local folder (such as Documents) and put backups in the sync folder instead.",
    ),
    "network": (
        "工作区位于网络盘（{what}）上：{path}\n网络盘上的 SQLite 文件锁不可靠，断网或多人同时写入可能丢失数据。"
        "建议把工作区放在本机文件夹；多人共用请使用 PostgreSQL 工作区。",
        "The workspace is on a network drive ({what}): {path}\nSQLite's file locks are unreliable there; a dropped "
        "connection or two people writing can lose data. Keep the workspace in a local folder; for a shared "
        "workspace use PostgreSQL.",
    ),
}


def risky_location(path: Path) -> tuple[str, str] | None:
    """("sync", which) or ("network", which) when a workspace file at ``path`` is at risk, else None."""
    path = Path(path)
    for folder in (*path.parent.parts, *_sync_roots_containing(path)):
        for name, pattern in SYNC_FOLDERS:
            if pattern.match(folder):
                return "sync", name
    network = _network_location(path)
    return ("network", network) if network else None


def warning_text(risk: tuple[str, str], path: Path, lang: str) -> str:
    zh, en = WARNINGS[risk[0]]
    return (zh if lang == "zh" else en).format(what=risk[1], path=path)


def _sync_roots_containing(path: Path) -> list[str]:
    """OneDrive's own variables name its folder even when the user renamed it."""
    out = []
    for var in ("OneDrive", "OneDriveCommercial", "OneDriveConsumer"):
        root = os.environ.get(var)
        if root and _is_within(path, Path(root)):
            out.append("OneDrive")
    return out


def _is_within(path: Path, root: Path) -> bool:
    try:
        path.resolve().relative_to(root.resolve())
    except (ValueError, OSError):
        return False
    return True


def _network_location(path: Path) -> str:
    text = str(path)
    if text.startswith(("\\\\", "//")):  # \\server\share
        return "\\\\" + "\\".join(text.lstrip("\\/").replace("/", "\\").split("\\")[:2])
    if os.name == "nt":  # pragma: no cover - a mapped drive letter: ask Windows what kind of drive it is
        import ctypes  # noqa: PLC0415

        drive = os.path.splitdrive(os.path.abspath(text))[0]
        if drive and ctypes.windll.kernel32.GetDriveTypeW(drive + "\\") == 4:  # type: ignore[attr-defined]
            return drive  # DRIVE_REMOTE
        return ""
    fs, mount = mount_of(path)
    return f"{fs} {mount}" if fs in NETWORK_FS else ""


def mount_of(path: Path, mounts: str = "/proc/mounts") -> tuple[str, str]:
    """(file system type, mount point) of the deepest mount holding ``path`` (Linux), or ("", "")."""
    try:
        lines = Path(mounts).read_text(encoding="utf-8", errors="replace").splitlines()
    except OSError:
        return "", ""
    target = str(Path(path).resolve(strict=False))
    best = ("", "")
    for line in lines:
        fields = line.split()
        if len(fields) < 3:
            continue
        point = fields[1].replace("\\040", " ")
        if (target == point or target.startswith(point.rstrip("/") + "/")) and len(point) >= len(best[1]):
            best = (fields[2], point)
    return best
