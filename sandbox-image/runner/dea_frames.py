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
# Rows decoded per step: keeps the transient text of a string column small.
_CHUNK_ROWS = 1 << 16
_SKIP_STEP = 1 << 20


class FrameFormatError(ValueError):
    """The frame (directory or buffers) is incomplete, inconsistent or of another format version."""


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


def _wanted(column: dict, exact_decimals: bool):
    names = [b["name"] for b in column["buffers"]]
    if column["kind"] == "decimal" and not exact_decimals and "float" in names:
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


def texts(column: dict, n: int, buffers: dict) -> np.ndarray:
    """The values of a variable-length column as an object array of str (bytes for ``bytes``).

    NULLs are still empty values here; callers put None where ``valid`` is 0. Repeated strings
    share one object while the column looks low-cardinality.
    """
    offsets = np.frombuffer(buffers["offsets"], "<i8")
    data = np.frombuffer(buffers["data"], np.uint8)
    if offsets[0] != 0 or offsets[n] != len(data):
        raise FrameFormatError("column %r: offsets must start at 0 and end at the data size %d"
                               % (column["name"], len(data)))
    binary = column["kind"] == "bytes"
    distinct = (column.get("stats") or {}).get("distinct_count")
    # Interning pays for columns that repeat values (categories, codes); for unique values it
    # would only cost time. Each chunk that finds most of its values new ends it.
    canon = {} if not binary and not (isinstance(distinct, int) and distinct * 2 > n) else None
    # Every 8 bytes of data as one unaligned little-endian word, for _interned().
    words = np.ndarray((len(data) - 7,), "<u8", data, strides=(1,)) if canon is not None and len(data) >= 8 else None
    out = np.empty(n, dtype=object)
    view = memoryview(data)
    try:
        for start in range(0, n, _CHUNK_ROWS):
            stop = min(start + _CHUNK_ROWS, n)
            bounds = offsets[start:stop + 1]
            # Every value ends with its own 0x00: offsets strictly increase, a 0x00 before each.
            # Checked a chunk at a time so the temporaries stay small (and their pages reused).
            if np.any(bounds[1:] <= bounds[:-1]) or np.any(data[bounds[1:] - 1] != 0):
                raise FrameFormatError("column %r: offsets do not point past one 0x00 per value" % column["name"])
            lo, hi = int(bounds[0]), int(bounds[-1])
            # No 0x00 inside the values (the chunk holds one per value): the fast paths apply.
            fast = np.count_nonzero(data[lo:hi] == 0) == stop - start
            if fast and canon is not None and words is not None and start == 0 and stop > _PROBE_ROWS:
                # A cheap look at the first rows spares a column of distinct values the full attempt.
                if _interned(words, view, bounds[:_PROBE_ROWS + 1], {}) is None:
                    canon = None
            if fast and canon is not None and words is not None:
                shared = _interned(words, view, bounds, canon)
                if shared is not None:
                    out[start:stop] = shared
                    continue
                canon = None
            if fast:
                # No 0x00 inside the values: two C-level calls decode the whole chunk.
                parts = (bytes(view[lo:hi]) if binary else str(view[lo:hi], "utf-8")).split(b"\0" if binary else "\0")
                parts.pop()
            else:
                bounds = offsets[start:stop + 1].tolist()
                parts = [bytes(view[a:b - 1]) if binary else str(view[a:b - 1], "utf-8")
                         for a, b in zip(bounds, bounds[1:])]
            if canon is not None:
                parts = list(map(canon.setdefault, parts, parts))
                if len(canon) * 2 > stop:
                    canon = None
            out[start:stop] = parts
    except UnicodeDecodeError as e:
        raise FrameFormatError("column %r holds invalid UTF-8: %s" % (column["name"], e)) from None
    return out


_KEY_WORDS = 4
_PROBE_ROWS = 1024
_MASKS = np.array([(1 << (8 * i)) - 1 for i in range(8)] + [(1 << 64) - 1], dtype=np.uint64)


def _interned(words: np.ndarray, view, bounds: np.ndarray, canon: dict):
    """The chunk's values as shared str objects, or None when they are long or mostly distinct.

    Values of at most 32 bytes without 0x00 are told apart by their (zero-padded) 8-byte words,
    so numpy factorizes the chunk and only one str per distinct value is decoded.
    """
    starts = bounds[:-1]
    lengths = np.diff(bounds)
    lengths -= 1
    longest = int(lengths.max(initial=0))
    if longest > 8 * _KEY_WORDS:
        return None
    rows, last = len(starts), len(words) - 1
    # Rows whose words all lie inside the data; the few after them (at its very end) are read
    # one by one. Temporaries are reused: every fresh page costs a fault.
    inside = int(np.searchsorted(starts, last - 8 * ((longest + 7) // 8 - 1), side="right"))
    position = starts.copy()
    word = np.empty(rows, np.uint64)
    codes = None
    for k in range(max(1, (longest + 7) // 8)):
        if k:
            position += 8
        # Fancy indexing reads the strided view in place (np.take would copy all of it first).
        word[:inside] = words[position[:inside]]
        for i in range(inside, rows):
            at = min(int(position[i]), last)
            word[i] = int(words[at]) >> 8 * (int(position[i]) - at) if int(position[i]) - at < 8 else 0
        if int(lengths.min(initial=8 * k + 8)) < 8 * k + 8:
            # Bytes past a value's end (its 0x00, the next values) must not count.
            keep = np.clip(lengths - 8 * k, 0, 8)
            word &= _MASKS[keep]
        part, distinct = pd.factorize(word)
        if codes is None:
            codes, count = part, len(distinct)
        else:
            codes, distinct = pd.factorize(codes * len(distinct) + part)
            count = len(distinct)
        if count * 2 > rows:
            return None
    # factorize numbers values in order of appearance: code j first appears where codes rise to j.
    rising = np.empty(len(codes), dtype=bool)
    rising[:1] = True
    np.greater(codes[1:], np.maximum.accumulate(codes)[:-1], out=rising[1:])
    first = np.flatnonzero(rising)
    shared = np.empty(count, dtype=object)
    shared[:] = [canon.setdefault(text, text) for text in
                 (str(view[a:a + n], "utf-8") for a, n in zip(starts[first].tolist(), lengths[first].tolist()))]
    return shared.take(codes)


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
