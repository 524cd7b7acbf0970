"""Writing output files atomically: a file appears whole or not at all."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from pathlib import Path

import pandas as pd

from .errors import SimkitInputError

__all__ = ["atomic_write", "atomic_write_table", "json_text", "TABLE_FORMATS"]

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
