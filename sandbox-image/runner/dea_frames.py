"""Load a cached frame of the data execution agent into a pandas DataFrame.

A frame is a directory holding ``meta.json`` (columns, kinds, pandas dtypes, row
count, size) and ``rows.jsonl`` (one JSON array per line, one line per row); the
format is specified in docs/frame-format.md. This module needs only the standard
library, pandas and numpy (no pyarrow), so the sandbox image can import it as is.

Usage::

    from dea_frames import load_frame
    df = load_frame("/frames/0b7e2c1a-4f3d-4c2b-9a8e-1d2c3b4a5f60")

Each column gets the dtype recorded in meta.json, which is what ``pandas.read_sql``
gives for the same data:

    ==========  ==================================  ==========================================
    kind        dtype (no NULLs / with NULLs)       Python values
    ==========  ==================================  ==========================================
    int64       int64 / Int64                       NULL -> pd.NA
    float64     float64                             NULL and NaN both become NaN (see below)
    bool        bool / boolean                      NULL -> pd.NA
    string      object                              str; NULL -> None
    decimal     object                              decimal.Decimal, exact; NULL -> None
                (float64 with exact_decimals=False,     NULL -> NaN; the sandbox's default)
                 as pandas.read_sql gives)
    date        object                              datetime.date; NULL -> None
    timestamp   datetime64[ns]                      NULL -> NaT
    timestamptz datetime64[ns, UTC]                 NULL -> NaT
    time        object                              ISO-8601 str ("13:45:00", "13:45:00+02")
    json        object                              dict / list / str / int / float / bool
    bytes       object                              bytes
    array       object                              list (elements in their JSON encoding)
    ==========  ==================================  ==========================================

Lossy corners, all inherent to pandas or Python types:

* float64 cannot keep SQL NULL and NaN apart; both load as NaN (on disk they are
  ``null`` and ``"NaN"``; the Java side and the exports keep them distinct).
* A JSON ``null`` inside a json column and SQL NULL are both ``null`` on disk and load
  as None.
* PostgreSQL's ``infinity``/``-infinity`` dates and timestamps, and dates outside
  datetime.date's years 1..9999, load as None (date) or NaT (timestamps); timestamps
  outside pandas' nanosecond range (years 1677..2262) load as NaT.
"""

from __future__ import annotations

import base64
import datetime
import decimal
import gc
import json
import os

import numpy as np
import pandas as pd

__all__ = ["load_frame", "read_meta", "frame_from_lines", "FrameFormatError", "FORMAT_VERSION"]

FORMAT = "dea-frame"
FORMAT_VERSION = 1
META_FILE = "meta.json"
ROWS_FILE = "rows.jsonl"

_INFINITIES = ("infinity", "-infinity")
_PANDAS_MAJOR = int(pd.__version__.split(".")[0])


class FrameFormatError(ValueError):
    """The directory does not hold a complete frame of a supported format version."""


def load_frame(path) -> pd.DataFrame:
    """Load the frame in directory ``path`` (holding meta.json and rows.jsonl).

    Raises FrameFormatError if the files are incomplete (rows.jsonl shorter or longer
    than meta.json records) or of an unsupported format version.
    """
    meta = read_meta(path)
    # Parsing allocates millions of containers, each allocation counting towards a
    # garbage collection that would walk them all again; none of them form cycles.
    gc_was_enabled = gc.isenabled()
    gc.disable()
    try:
        return _build(meta, _read_rows(os.path.join(os.fspath(path), ROWS_FILE), meta))
    finally:
        if gc_was_enabled:
            gc.enable()


def frame_from_lines(meta: dict, lines, exact_decimals: bool = True) -> pd.DataFrame:
    """Build the DataFrame for ``meta`` (meta.json content) from its rows.jsonl lines.

    ``exact_decimals=False`` loads ``decimal`` columns as float64 (NULL -> NaN), as
    ``pandas.read_sql`` does by default; the sandbox does that unless a step asks otherwise.

    ``lines`` is an iterable of bytes, each one row's JSON array with or without its
    trailing ``\\n`` (the sandbox receives frames line by line over stdin, not as files).
    Only ``columns`` and ``row_count`` of ``meta`` are used; the number of lines must
    equal ``row_count``.
    """
    chunks = [line[:-1] if line.endswith(b"\n") else line for line in lines]
    if len(chunks) != meta["row_count"]:
        raise FrameFormatError("got %d rows, meta records %d" % (len(chunks), meta["row_count"]))
    gc_was_enabled = gc.isenabled()
    gc.disable()
    try:
        # Same single C-level parse as _read_rows: one JSON array of all rows.
        rows = json.loads(b"[" + b",".join(chunks) + b"]") if chunks else []
        if len(rows) != len(chunks):
            raise FrameFormatError("a row line does not hold exactly one JSON array")
        return _build(meta, rows, exact_decimals)
    finally:
        if gc_was_enabled:
            gc.enable()


def _build(meta: dict, rows: list, exact_decimals: bool = True) -> pd.DataFrame:
    columns = meta["columns"]
    width = len(columns)
    if any(len(row) != width for row in rows):
        raise FrameFormatError("a row does not have %d values" % width)
    # zip(*rows) transposes in C; an empty frame still needs one (empty) tuple per column.
    values_by_column = list(zip(*rows)) if rows else [()] * width
    data = {}
    for i, (column, values) in enumerate(zip(columns, values_by_column)):
        data[i] = _convert(column, list(values), exact_decimals)
    # Keyed by position: SQL results may repeat a column name, a dict of names could not.
    frame = pd.DataFrame(data, index=pd.RangeIndex(len(rows)))
    frame.columns = [c["name"] for c in columns]
    return frame


def read_meta(path) -> dict:
    """The parsed meta.json of the frame in directory ``path``."""
    with open(os.path.join(os.fspath(path), META_FILE), "rb") as f:
        meta = json.loads(f.read().decode("utf-8"))
    if meta.get("format") != FORMAT or meta.get("format_version") != FORMAT_VERSION:
        raise FrameFormatError(
            "unsupported frame format %r version %r (this loader reads %s version %d)"
            % (meta.get("format"), meta.get("format_version"), FORMAT, FORMAT_VERSION))
    return meta


def _read_rows(rows_path: str, meta: dict) -> list:
    with open(rows_path, "rb") as f:
        data = f.read()
    if len(data) != meta["data_bytes"]:
        raise FrameFormatError("rows.jsonl has %d bytes, meta.json records %d"
                               % (len(data), meta["data_bytes"]))
    if not data:
        rows = []
    else:
        # Only a row ends with a raw "\n" (JSON escapes line breaks in strings), so the
        # file becomes one JSON array of rows and a single C-level json.loads parses it.
        # Splitting on bytes, not with str.splitlines(), which would also split at
        # U+2028 and friends that may occur inside values.
        body = data[:-1] if data.endswith(b"\n") else data
        rows = json.loads(b"[" + body.replace(b"\n", b",") + b"]")
    if len(rows) != meta["row_count"]:
        raise FrameFormatError("rows.jsonl has %d rows, meta.json records %d" % (len(rows), meta["row_count"]))
    return rows


def _convert(column: dict, values: list, exact_decimals: bool = True):
    kind = column["kind"]
    dtype = column["dtype"]
    if kind == "decimal" and not exact_decimals:
        # float("NaN") / float("Infinity") read PostgreSQL's special values; None becomes NaN.
        return np.array([np.nan if v is None else float(v) for v in values], dtype=np.float64)
    converter = _CONVERTERS.get(kind)
    if converter is None:
        raise FrameFormatError("unknown column kind %r" % kind)
    return converter(values, dtype)


def _int64(values, dtype):
    if dtype == "Int64":
        return pd.array(values, dtype="Int64")
    return np.array(values, dtype=np.int64)


def _float64(values, dtype):
    # numpy converts None to NaN and float("NaN") / float("Infinity") parse the strings.
    return np.array(values, dtype=np.float64)


def _bool(values, dtype):
    if dtype == "boolean":
        return pd.array(values, dtype="boolean")
    return np.array(values, dtype=bool)


def _objects(values, dtype=None):
    """An object array of scalars (str, Decimal, date, bytes, None)."""
    out = np.empty(len(values), dtype=object)
    out[:] = values
    return out


def _boxed(values, dtype=None):
    """An object array that may hold lists and dicts."""
    # Slice assignment (or np.array(values, dtype=object)) would turn equal-length lists into a 2-D array.
    out = np.empty(len(values), dtype=object)
    for i, v in enumerate(values):
        out[i] = v
    return out


def _decimal(values, dtype):
    D = decimal.Decimal
    return _objects([None if v is None else D(v) for v in values])


def _date(values, dtype):
    parse = datetime.date.fromisoformat
    out = []
    for v in values:
        if v is None or v in _INFINITIES:
            out.append(None)
            continue
        try:
            out.append(parse(v))
        except ValueError:
            # Years beyond 1..9999 ("+10000-01-01", BC dates) have no datetime.date.
            out.append(None)
    return _objects(out)


def _timestamp(values, dtype):
    return _datetimes(values, utc=False)


def _timestamptz(values, dtype):
    return _datetimes(values, utc=True)


def _datetimes(values, utc):
    s = pd.Series(values, dtype=object)
    s = s.where(~s.isin(_INFINITIES), None)
    kwargs = {"utc": utc, "errors": "coerce"}
    if _PANDAS_MAJOR >= 2:
        # pandas 2 infers one format from the first value; ISO8601 accepts every fraction length.
        kwargs["format"] = "ISO8601"
    # errors="coerce": values outside datetime64[ns]'s range become NaT instead of failing the load.
    parsed = pd.to_datetime(s, **kwargs)
    target = "datetime64[ns, UTC]" if utc else "datetime64[ns]"
    if str(parsed.dtype) != target:
        parsed = parsed.astype(target)
    return parsed.array


def _bytes(values, dtype):
    decode = base64.b64decode
    return _objects([None if v is None else decode(v) for v in values])


_CONVERTERS = {
    "int64": _int64,
    "float64": _float64,
    "bool": _bool,
    "string": _objects,
    "decimal": _decimal,
    "date": _date,
    "timestamp": _timestamp,
    "timestamptz": _timestamptz,
    "time": _objects,
    "json": _boxed,
    "bytes": _bytes,
    "array": _boxed,
}
