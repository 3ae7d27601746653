"""Load a cached frame of the data execution agent into a pandas DataFrame.

A frame (format version 2, docs/frame-format.md) is stored column by column: a directory holds
``meta.json`` (columns, kinds, dtypes, stats, row count, each column's buffers and their sizes)
and one file ``<column index>.<buffer>`` per buffer: ``valid`` (a byte per row, 0 for NULL),
then ``values`` (little-endian int64, float64 or a byte; dates as days and timestamps as
microseconds since 1970, INT64_MAX/MIN for +/-infinity) or ``offsets`` + ``data`` (n+1 int64
offsets; every value followed by one 0x00), and for decimals also ``float``. The sandbox gets
the same buffers over its channel (docs/sandbox-protocol.md), read by ``frame_from_buffers``.
Only numpy, pandas and the standard library are needed (no pyarrow).

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
                 as pandas.read_sql gives; but
                 uint64 / UInt64 for the source types   NULL -> pd.NA; exact
                 bigint unsigned, bit(64), uint64)
    date        object                              datetime.date; NULL -> None
    timestamp   datetime64[ns]                      NULL -> NaT
    timestamptz datetime64[ns, UTC]                 NULL -> NaT
    time        object                              ISO-8601 str ("13:45:00", "13:45:00+02")
    json        object                              dict / list / str / int / float / bool
    bytes       object                              bytes
    array       object                              list (elements in their JSON encoding)
    ==========  ==================================  ==========================================

Lossy corners, all inherent to pandas or Python types:

* float64 cannot keep SQL NULL and NaN apart; both load as NaN (the ``valid`` buffer keeps
  them apart on disk, and the Java side and the exports keep them distinct).
* A JSON ``null`` inside a json column and SQL NULL both load as None.
* PostgreSQL's ``infinity``/``-infinity`` dates and timestamps, and dates outside
  datetime.date's years 1..9999, load as None (date) or NaT (timestamps); timestamps
  outside pandas' nanosecond range (years 1677..2262) load as NaT.
"""

from __future__ import annotations

import decimal
import gc
import json
import os

import numpy as np
import pandas as pd

from dea_texts import _CHUNK_ROWS, FrameFormatError, texts

__all__ = ["load_frame", "read_meta", "frame_from_buffers", "iter_columns", "column_values", "texts",
           "FrameFormatError", "FORMAT_VERSION"]

FORMAT = "dea-frame"
FORMAT_VERSION = 2
META_FILE = "meta.json"

# Bytes per row of the ``values`` buffer.
FIXED_WIDTH = {"int64": 8, "float64": 8, "bool": 1, "date": 8, "timestamp": 8, "timestamptz": 8}
VARIABLE_KINDS = frozenset(("string", "time", "decimal", "json", "array", "bytes"))
INT64_MIN, INT64_MAX = -(1 << 63), (1 << 63) - 1
# datetime.date's years 1..9999 as days since 1970-01-01.
_MIN_DAY, _MAX_DAY = -719162, 2932896
# Microseconds whose nanoseconds fit datetime64[ns] (INT64_MIN itself is NaT).
_MAX_NS_MICROS = INT64_MAX // 1000
_SKIP_STEP = 1 << 20


def read_meta(path) -> dict:
    """The parsed meta.json of the frame in directory ``path``."""
    with open(os.path.join(os.fspath(path), META_FILE), "rb") as f:
        meta = json.loads(f.read().decode("utf-8"))
    if meta.get("format") != FORMAT or meta.get("format_version") != FORMAT_VERSION:
        raise FrameFormatError(
            "unsupported frame format %r version %r (this loader reads %s version %d)"
            % (meta.get("format"), meta.get("format_version"), FORMAT, FORMAT_VERSION))
    return meta


def load_frame(path, exact_decimals: bool = True) -> pd.DataFrame:
    """Load the frame in directory ``path`` (meta.json and one ``<i>.<buffer>`` file per buffer).

    Raises FrameFormatError if a buffer file is missing or its size differs from meta.json,
    or the format version is not 2. ``exact_decimals=False`` loads decimals as float64.
    """
    meta = read_meta(path)
    base = os.fspath(path)

    def fetch(index, name, nbytes):
        file = os.path.join(base, "%d.%s" % (index, name))
        try:
            with open(file, "rb") as f:
                size = os.fstat(f.fileno()).st_size
                if size != nbytes:
                    raise FrameFormatError("%s has %d bytes, meta.json records %d" % (file, size, nbytes))
                buffer = np.empty(nbytes, np.uint8)
                if f.readinto(buffer) != nbytes:
                    raise FrameFormatError("%s changed while it was read" % file)
                return buffer
        except FileNotFoundError:
            raise FrameFormatError("%s is missing" % file) from None

    def arrays():
        n, columns = _check_meta(meta)
        for i, column in enumerate(columns):
            wanted = _wanted(column, exact_decimals)
            buffers = {b["name"]: fetch(i, b["name"], b["bytes"]) for b in column["buffers"] if b["name"] in wanted}
            yield column_values(column, n, buffers, exact_decimals)
            del buffers   # before the next column's files are read

    return _build(meta, arrays())


def frame_from_buffers(meta: dict, read_exact, exact_decimals: bool = False) -> pd.DataFrame:
    """Build the DataFrame for ``meta`` from its buffers as they follow it on the sandbox channel.

    ``read_exact(nbytes)`` returns the next ``nbytes`` bytes (writable, e.g. a numpy uint8 array
    or a bytearray, so numpy can use it in place); it is called for each column in order, for each
    of the column's ``buffers`` in order. Of ``meta`` only ``columns`` (name, kind, dtype,
    buffers) and ``row_count`` are used. ``exact_decimals=False`` (pd.read_sql's default) loads
    decimals as float64 from their ``float`` buffer and skips their text.
    """
    return _build(meta, iter_columns(meta, read_exact, lambda column, n, buffers: column_values(
        column, n, buffers, exact_decimals), lambda column: _wanted(column, exact_decimals)))


def iter_columns(meta: dict, read_exact, convert, wanted=None):
    """Yield ``convert(column, n, buffers)`` per column, reading each column's buffers from ``read_exact``.

    ``buffers`` maps a buffer name to its bytes (sizes checked); ``wanted(column)``, if given,
    names the buffers to keep (the others are read and dropped). sandbox_sql's DB-API cursor
    uses it directly: it needs the raw buffers rather than pandas dtypes.
    """
    n, columns = _check_meta(meta)
    for column in columns:
        keep = wanted(column) if wanted else None
        # Rebound before the next column is read: a column's raw buffers never outlive it.
        buffers = {}
        for spec in column["buffers"]:
            if keep is None or spec["name"] in keep:
                buffers[spec["name"]] = read_exact(spec["bytes"])
            else:
                nbytes = spec["bytes"]
                while nbytes:
                    step = min(nbytes, _SKIP_STEP)
                    read_exact(step)
                    nbytes -= step
        yield convert(column, n, buffers)


# Unsigned 64-bit integers stored as decimals (they exceed int64): as floats they would lose every
# value past 2**53 (ids, hashes), so they load as uint64 instead, exact, by default too.
UNSIGNED_64 = frozenset(("bigint unsigned", "bit(64)", "uint64", "UInt64"))


def _unsigned(column: dict) -> bool:
    return column["kind"] == "decimal" and column.get("source_type") in UNSIGNED_64


def _wanted(column: dict, exact_decimals: bool):
    names = [b["name"] for b in column["buffers"]]
    if column["kind"] == "decimal" and not exact_decimals and "float" in names and not _unsigned(column):
        return ("valid", "float")   # the text is not needed
    return names


def _build(meta, arrays) -> pd.DataFrame:
    """The DataFrame of the column arrays that ``arrays`` makes one after the other."""
    # Decoding allocates a million objects per text column; each container allocation counts
    # towards a collection that would walk them all again, and none of them form cycles.
    gc_was_enabled = gc.isenabled()
    gc.disable()
    try:
        # Keyed by position: SQL results may repeat a column name. copy=False keeps pandas from
        # consolidating same-dtype columns into new 2-D blocks (a second copy of the frame).
        frame = pd.DataFrame(dict(enumerate(arrays)), index=pd.RangeIndex(meta["row_count"]), copy=False)
        frame.columns = [c["name"] for c in meta["columns"]]
        return frame
    finally:
        if gc_was_enabled:
            gc.enable()


def _check_meta(meta: dict):
    """(row count, columns) after checking every column's buffer list against its kind."""
    try:
        n = meta["row_count"]
        columns = meta["columns"]
        if not isinstance(n, int) or isinstance(n, bool) or n < 0 or not isinstance(columns, list):
            raise FrameFormatError("row_count must be a non-negative integer and columns a list")
        for column in columns:
            kind = column["kind"]
            names = [b["name"] for b in column["buffers"]]
            sizes = [b["bytes"] for b in column["buffers"]]
            if not isinstance(column["name"], str):
                raise FrameFormatError("a column name must be a string")
            if kind in FIXED_WIDTH:
                expected = [("valid", n), ("values", FIXED_WIDTH[kind] * n)]
            elif kind == "decimal" and names == ["valid", "float"]:
                # Agent -> runner for a step that loads decimals as floats: the text it would drop is not sent.
                expected = [("valid", n), ("float", 8 * n)]
            elif kind in VARIABLE_KINDS:
                expected = [("valid", n), ("offsets", 8 * (n + 1)), ("data", sizes[2] if len(sizes) > 2 else -1)]
                # Frames on disk and agent -> runner carry the decimal's float; accepting its absence
                # costs one text parse.
                if kind == "decimal" and names[3:] == ["float"]:
                    expected.append(("float", 8 * n))
            else:
                raise FrameFormatError("unknown column kind %r" % kind)
            if list(zip(names, sizes)) != expected or not all(
                    isinstance(s, int) and not isinstance(s, bool) and s >= 0 for s in sizes):
                raise FrameFormatError("column %r (%s, %d rows) has buffers %s, expected %s"
                                       % (column["name"], kind, n, list(zip(names, sizes)),
                                          [name for name, _ in expected]))
        return n, columns
    except (KeyError, TypeError, IndexError) as e:
        raise FrameFormatError("malformed frame meta: %s: %s" % (type(e).__name__, e)) from None


def column_values(column: dict, n: int, buffers: dict, exact_decimals: bool = True):
    """The pandas-ready array of one column from its raw buffers (docs/frame-format.md for dtypes)."""
    kind = column["kind"]
    valid = np.frombuffer(buffers["valid"], np.uint8) != 0
    nulls = not valid.all()
    if kind in FIXED_WIDTH:
        raw = buffers["values"]
        if kind == "int64":
            values = np.frombuffer(raw, "<i8")
            if column.get("dtype") == "Int64" or nulls:
                values = _writable(values)
                values[~valid] = 0
                return pd.arrays.IntegerArray(values, ~valid)
            return values
        if kind == "float64":
            values = np.frombuffer(raw, "<f8")
            if nulls:
                values = _writable(values)
                values[~valid] = np.nan
            return values
        if kind == "bool":
            values = np.frombuffer(raw, np.uint8) != 0
            if column.get("dtype") == "boolean" or nulls:
                values[~valid] = False
                return pd.arrays.BooleanArray(values, ~valid)
            return values
        if kind == "date":
            return _dates(_writable(np.frombuffer(raw, "<i8")), valid)
        return _timestamps(_writable(np.frombuffer(raw, "<i8")), valid, kind == "timestamptz")
    if kind == "decimal" and "data" not in buffers and (exact_decimals or _unsigned(column)):
        raise FrameFormatError("column %r carries only its floats; exact values need its text" % column["name"])
    if kind == "decimal" and not exact_decimals and _unsigned(column):
        try:
            values = np.fromiter(map(int, _fill(texts(column, n, buffers), ~valid, "0")), np.uint64, n)
        except (ValueError, OverflowError):
            raise FrameFormatError("column %r holds a value that is not an unsigned 64-bit integer"
                                   % column["name"]) from None
        return pd.arrays.IntegerArray(values, ~valid) if nulls else values
    if kind == "decimal" and not exact_decimals:
        if "float" in buffers:
            values = _writable(np.frombuffer(buffers["float"], "<f8"))
        else:
            try:
                values = np.fromiter(map(float, _fill(texts(column, n, buffers), ~valid, "NaN")), np.float64, n)
            except ValueError:
                raise FrameFormatError("column %r holds a value that is not a decimal" % column["name"]) from None
        values[~valid] = np.nan
        return values
    out = texts(column, n, buffers)
    if kind == "decimal":
        try:
            out = np.fromiter(map(decimal.Decimal, _fill(out, ~valid, "0")), object, n)
        except decimal.InvalidOperation:
            raise FrameFormatError("column %r holds a value that is not a decimal" % column["name"]) from None
    elif kind in ("json", "array"):
        out = _json_values(out, valid, column)
    if nulls:
        out[~valid] = None
    return out


def _writable(values: np.ndarray) -> np.ndarray:
    # Buffers from read_exact/load_frame are writable arrays; a bytes buffer is copied once.
    return values if values.flags.writeable else values.copy()


def _fill(values: np.ndarray, where: np.ndarray, filler) -> np.ndarray:
    if where.any():
        values = values.copy()
        values[where] = filler
    return values


def _dates(days: np.ndarray, valid: np.ndarray) -> np.ndarray:
    ok = valid & (days >= _MIN_DAY) & (days <= _MAX_DAY)
    days[~ok] = 0
    first, last = (int(days[ok].min()), int(days[ok].max())) if ok.any() else (0, 0)
    # A column holds far fewer distinct dates than rows: convert each day once and share the
    # objects (a million datetime.date objects would be 40 MB, shared ones 8 MB of pointers).
    if last - first <= max(len(days), 4096):
        # A span no longer than the column: one object per day of it, looked up by position.
        np.subtract(days, first, out=days)
        days[~ok] = 0
        out = np.arange(first, last + 1, dtype=np.int64).view("datetime64[D]").astype(object).take(days)
    else:
        codes, distinct = pd.factorize(days)
        out = np.asarray(distinct).view("datetime64[D]").astype(object).take(codes)
    out[~ok] = None
    return out


def _timestamps(micros: np.ndarray, valid: np.ndarray, utc: bool):
    # Infinities (INT64_MAX/MIN) and instants beyond datetime64[ns]'s range become NaT.
    ok = valid & (micros >= -_MAX_NS_MICROS) & (micros <= _MAX_NS_MICROS)
    np.multiply(micros, 1000, out=micros)
    micros[~ok] = np.iinfo(np.int64).min
    values = micros.view("datetime64[ns]")
    return pd.array(values).tz_localize("UTC") if utc else values


def _json_values(values: np.ndarray, valid: np.ndarray, column) -> np.ndarray:
    out = np.empty(len(values), dtype=object)
    loads = json.loads
    try:
        for start in range(0, len(values), _CHUNK_ROWS):
            chunk = _fill(values[start:start + _CHUNK_ROWS], ~valid[start:start + _CHUNK_ROWS], "null")
            # One parse per chunk: every value is a single JSON value, so the array has one element each.
            parsed = loads("[" + ",".join(chunk.tolist()) + "]")
            if len(parsed) != len(chunk):
                raise FrameFormatError("column %r: a value is not exactly one JSON value" % column["name"])
            # fromiter, not np.array: equal-length lists would become a 2-D array.
            out[start:start + len(chunk)] = np.fromiter(parsed, object, len(parsed))
    except ValueError as e:
        if isinstance(e, FrameFormatError):
            raise
        raise FrameFormatError("column %r holds invalid JSON: %s" % (column["name"], e)) from None
    return out
