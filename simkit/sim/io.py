"""Writing output atomically: a file, or a whole folder of files, appears whole or not at all.

Files are written under a temporary name in the target's folder and renamed
into place; an output folder (:func:`atomic_folder`) is built as a hidden
sibling folder with a ``manifest.json`` and renamed onto the target, so a run
interrupted by Ctrl-C, SIGTERM or an error leaves the old folder (or none), never
new tables next to old ones. Files and folders get the user's usual
permissions (``0666`` / ``0777`` less the umask), not the ``0600`` of a
temporary file. :func:`check_output_file` and :func:`check_output_dir` refuse
an unwritable or blocked target before any work starts.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from pathlib import Path

import pandas as pd

from simkit.model.errors import SimkitInputError

__all__ = [
    "TABLE_FORMATS",
    "atomic_folder",
    "atomic_write",
    "atomic_write_table",
    "check_output_dir",
    "check_output_file",
    "json_text",
    "write_manifest",
]

MANIFEST = "manifest.json"


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def _usual_mode(directory: bool = False) -> int:
    return (0o777 if directory else 0o666) & ~_umask()

TABLE_FORMATS = {".csv": "CSV", ".parquet": "Parquet", ".xlsx": "Excel"}


def atomic_write(path: str | os.PathLike, write: Callable[[Path], None]) -> Path:
    """Call ``write(tmp_path)`` then move the finished file onto ``path``.

    The temporary file sits in the target folder so the final rename is atomic
    on the same file system; on any error it is removed and ``path`` is left
    as it was.
    """
    path = Path(path)
    check_output_file(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.close(fd)
    tmp_path = Path(tmp)
    try:
        os.chmod(tmp_path, _usual_mode())
        write(tmp_path)
        os.replace(tmp_path, path)
    except BaseException:
        tmp_path.unlink(missing_ok=True)
        raise
    return path


def atomic_write_table(df: pd.DataFrame, path: str | os.PathLike) -> Path:
    """Write a table as CSV, Parquet or Excel, chosen by the file's extension."""
    path = Path(path)
    ext = path.suffix.lower()
    if ext not in TABLE_FORMATS:
        raise SimkitInputError("output file", str(path),
                               "a name ending in " + ", ".join(TABLE_FORMATS))
    if ext == ".csv":
        return atomic_write(path, lambda p: df.to_csv(p, index=False))
    if ext == ".parquet":
        return atomic_write(path, lambda p: df.to_parquet(p, index=False))
    return atomic_write(path, lambda p: df.to_excel(p, index=False, engine="openpyxl"))


def _finite(obj):
    """``obj`` with every NaN / infinite float (numpy ones too) replaced by None."""
    import math

    import numpy as np

    if isinstance(obj, dict):
        return {k: _finite(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [_finite(v) for v in obj]
    if isinstance(obj, (float, np.floating)):
        return float(obj) if math.isfinite(obj) else None
    if isinstance(obj, np.integer):
        return int(obj)
    if isinstance(obj, np.bool_):
        return bool(obj)
    return obj


def json_text(obj, **kwargs) -> str:
    """Strict JSON (RFC 8259): a number that is NaN or infinite becomes ``null``, never the
    ``NaN`` / ``Infinity`` that Python's json module writes by default."""
    import json

    return json.dumps(_finite(obj), allow_nan=False, **kwargs)


def _nearest_existing(path: Path) -> Path:
    p = path.absolute()
    while not p.exists() and p != p.parent:
        p = p.parent
    return p


def _check_parent(path: Path, field: str) -> None:
    anc = _nearest_existing(path.parent)
    if not anc.is_dir():
        raise SimkitInputError(field, str(path),
                               f"a path whose folders can be created ({anc} is a file)")
    if not os.access(anc, os.W_OK | os.X_OK):
        raise SimkitInputError(field, str(path), f"a place you can write to ({anc} is not "
                               "writable)")


def check_output_file(path: str | os.PathLike, field: str = "--out") -> Path:
    """Refuse, before any work, an output file that could not be written: a folder in its
    place, a file where one of its folders should be, or a folder without write access."""
    path = Path(path)
    if path.is_dir():
        raise SimkitInputError(field, str(path), "a file name (this is a folder)")
    if path.exists() and not os.access(path.parent, os.W_OK):
        raise SimkitInputError(field, str(path), "a file in a folder you can write to")
    _check_parent(path, field)
    return path


def check_output_dir(path: str | os.PathLike, field: str = "--out") -> Path:
    """Refuse, before any work, an output folder that could not be written or replaced:
    a file in its place or on its way, no write access, or a folder with other files
    (only a new or empty folder, or one simkit wrote, with its manifest.json, is replaced)."""
    path = Path(path)
    if path.exists() and not path.is_dir():
        raise SimkitInputError(field, str(path), "a folder (this is a file)")
    _check_parent(path, field)
    if path.is_dir():
        try:
            entries = os.listdir(path)
        except OSError as exc:
            raise SimkitInputError(field, str(path), f"a readable folder ({exc.strerror})"
                                   ) from None
        if entries and MANIFEST not in entries:
            raise SimkitInputError(
                field, str(path),
                "a new or empty folder, or one simkit wrote before (with its manifest.json); "
                "this one holds other files, which replacing it would delete",
                hint="Choose another folder (请选择新的或空的输出文件夹).")
        if not os.access(path.parent if path.parent != Path("") else Path("."), os.W_OK):
            raise SimkitInputError(field, str(path), "a folder whose parent you can write to")
    return path


class atomic_folder:
    """``with atomic_folder(target) as tmp:`` write files into ``tmp``; on success it
    replaces ``target`` by renaming, on any error or interruption it is removed and
    ``target`` is left as it was.

    ``tmp`` is a hidden sibling of ``target`` (same file system, so the rename is
    atomic). An existing ``target`` is first renamed aside, then deleted once the new
    folder is in place: at no moment does the target hold a mix of old and new files.
    """

    def __init__(self, target: str | os.PathLike, field: str = "--out"):
        self.target = Path(target)
        self.field = field
        self.tmp: Path | None = None

    def __enter__(self) -> Path:
        check_output_dir(self.target, self.field)
        self.target.parent.mkdir(parents=True, exist_ok=True)
        self.tmp = Path(tempfile.mkdtemp(prefix=f".{self.target.name}.", suffix=".tmp",
                                         dir=self.target.parent))
        os.chmod(self.tmp, _usual_mode(directory=True))
        return self.tmp

    def __exit__(self, exc_type, exc, tb) -> bool:
        import shutil

        assert self.tmp is not None
        if exc_type is not None:
            shutil.rmtree(self.tmp, ignore_errors=True)
            return False
        old = None
        try:
            if self.target.exists():
                old = Path(tempfile.mkdtemp(prefix=f".{self.target.name}.", suffix=".old",
                                            dir=self.target.parent))
                os.replace(self.target, old / "x")
            os.replace(self.tmp, self.target)
        except BaseException:
            if old is not None and (old / "x").exists() and not self.target.exists():
                os.replace(old / "x", self.target)
            shutil.rmtree(self.tmp, ignore_errors=True)
            if old is not None:
                shutil.rmtree(old, ignore_errors=True)
            raise
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)
        return False


def write_manifest(folder: str | os.PathLike, **fields) -> Path:
    """``manifest.json`` in ``folder``: the given fields plus simkit's version, the UTC time
    and the files in the folder (name and size)."""
    import datetime

    from importlib.metadata import PackageNotFoundError, version

    try:
        __version__ = version("simkit")
    except PackageNotFoundError:  # running from a source tree that was never installed
        __version__ = "unknown"

    folder = Path(folder)
    files = sorted(p for p in folder.iterdir() if p.is_file() and p.name != MANIFEST)
    data = {**fields, "simkit_version": __version__,
            "created": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
            "files": {p.name: p.stat().st_size for p in files}}
    return atomic_write(folder / MANIFEST,
                        lambda p: p.write_text(json_text(data, indent=2) + "\n", "utf-8"))
