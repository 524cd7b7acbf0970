"""Writing output files atomically: a file appears whole or not at all."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from pathlib import Path

import pandas as pd

from simkit.model.errors import SimkitInputError

__all__ = ["atomic_write", "atomic_write_table", "TABLE_FORMATS"]

TABLE_FORMATS = {".csv": "CSV", ".parquet": "Parquet", ".xlsx": "Excel"}


def atomic_write(path: str | os.PathLike, write: Callable[[Path], None]) -> Path:
    """Call ``write(tmp_path)`` then move the finished file onto ``path``.

    The temporary file sits in the target folder so the final rename is atomic
    on the same file system; on any error it is removed and ``path`` is left
    as it was.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.close(fd)
    tmp_path = Path(tmp)
    try:
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
