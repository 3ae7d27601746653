"""Turn the user's result into a frame: column kinds and buffers (docs/frame-format.md, format 2).

Each column goes to the agent as raw buffers: ``valid`` (a byte per row, 0 for NULL), then
``values`` (int64, float64, one byte for bool, days for date, microseconds for timestamps) or
``offsets`` + ``data`` (the variable-length kinds, every value followed by one 0x00 byte).
Kinds come from the pandas dtype where it is decisive and, for object columns, from the
Python types of the non-null values; each column is converted with numpy as a whole, not
value by value, except where only Python knows the text (Decimal, json, time, str()).
"""

from __future__ import annotations

import datetime
import decimal
import itertools
import json
import math

import numpy as np
import pandas as pd
from pandas.api import types as pdt

_INT64_MIN, _INT64_MAX = -(1 << 63), (1 << 63) - 1
# ColumnKind.pandasDtype(hasNulls) on the Java side.
_DTYPES = {"int64": ("int64", "Int64"), "bool": ("bool", "boolean"), "float64": ("float64", "float64"),
           "timestamp": ("datetime64[ns]", "datetime64[ns]"),
           "timestamptz": ("datetime64[ns, UTC]", "datetime64[ns, UTC]")}
# What pd.isna() calls missing and the frame agrees is NULL (see _null_mask).
_NULL_TYPES = frozenset((type(None), float, np.float64, type(pd.NA), type(pd.NaT)))
# Microseconds per unit of a datetime64 column (pandas 2 also has s, ms and us columns).
_MICROS_PER = {"s": 1_000_000, "ms": 1000, "us": 1}
# Text rows joined and encoded at a time: bounds the transient copies of a large column.
_CHUNK_ROWS = 1 << 16
_EPOCH_ORDINAL = datetime.date(1970, 1, 1).toordinal()


class ResultError(Exception):
    """The result cannot become a frame; ``error_type`` is the protocol error type."""

    def __init__(self, error_type: str, message: str):
        super().__init__(message)
        self.error_type = error_type


def to_frame(value) -> pd.DataFrame:
    """The user's ``result_df`` as a DataFrame (rules in docs/sandbox-protocol.md)."""
    if value is None:
        raise ResultError("NO_RESULT", "result_df is None; assign the result DataFrame to result_df")
    if isinstance(value, pd.DataFrame):
        frame = value
    elif isinstance(value, pd.Series):
        frame = value.to_frame(name="value" if value.name is None else value.name)
    elif pdt.is_scalar(value):
        frame = pd.DataFrame({"value": [value]})
    else:
        raise ResultError("INVALID_RESULT", "result_df must be a DataFrame, a Series or a scalar, not %s"
                          % type(value).__name__)
    index = frame.index
    positional = isinstance(index, pd.RangeIndex) and index.start == 0 and index.step == 1
    # An unnamed integer index is what filtering or sorting leaves behind: row positions, not
    # data, so it is dropped. A named index (groupby keys, set_index) or one of other values
    # (value_counts) is data the user expects to see, so it becomes columns.
    leftover_positions = all(name is None for name in index.names) and pdt.is_integer_dtype(index.dtype)
    if positional or leftover_positions:
        return frame.reset_index(drop=True) if not positional else frame
    try:
        return frame.reset_index()
    except ValueError:
        return frame.reset_index(drop=True)   # index name collides with a column


def row_positions(value):
    """The input rows a filtered or reordered ``result_df`` holds, as int64, or None.

    An unnamed integer index (what :func:`to_frame` drops as leftover positions, or a RangeIndex) is,
    for a frame derived from an input, which input row each result row came from.
    It is only a hint: a column is named by these rows only after its values were compared with
    the input's (sandbox_unchanged).
    """
    if not isinstance(value, (pd.DataFrame, pd.Series)):
        return None
    index = value.index
    # A RangeIndex too: head() and tail() leave one, and 0..n-1 of a shorter frame is rows of the input.
    if not all(name is None for name in index.names) or not pdt.is_integer_dtype(index.dtype) or len(index) == 0:
        return None
    values = index.to_numpy()
    if values.min() < 0 or (values.dtype.kind == "u" and values.max() > np.iinfo(np.int64).max):
        return None
    return np.ascontiguousarray(values, dtype="<i8")


def _decimal(d: decimal.Decimal):
    if d.is_nan():
        return "NaN"
    if d.is_infinite():
        return "Infinity" if d > 0 else "-Infinity"
    return format(d, "f")


def _is_null(v) -> bool:
    if v is None or v is pd.NA or v is pd.NaT:
        return True
    return isinstance(v, float) and math.isnan(v)


def _json_safe(v):
    """A plain JSON value: NaN has no JSON spelling, numpy scalars and tuples need unboxing."""
    if v is None or isinstance(v, (str, bool)):
        return v
    if isinstance(v, dict):
        return {str(k): _json_safe(x) for k, x in v.items()}
    if isinstance(v, (list, tuple)):
        return [_json_safe(x) for x in v]
    if isinstance(v, (int, np.integer)):
        return int(v)
    if isinstance(v, (float, np.floating)):
        f = float(v)
        return None if math.isnan(f) or math.isinf(f) else f
    if isinstance(v, np.bool_):
        return bool(v)
    if isinstance(v, decimal.Decimal):
        return _decimal(v)
    if _is_null(v):
        return None
    return str(v)



class Column:
    """One encoded column: its kind, NULL mask, buffer sizes, and ``buffers()`` in wire order.

    The ``result`` line announces every buffer's size, but the bytes themselves are made only
    when ``buffers()`` is iterated, while the result is being sent, so a large frame is not held
    twice: fixed-width values are converted then, ASCII text is joined and encoded then, a chunk
    at a time. What is made late cannot fail; other text is encoded up front.
    """

    __slots__ = ("kind", "null", "specs", "_values")

    def __init__(self, kind: str, n: int, null, values, offsets=None, data_size=0):
        self.kind = kind
        self.null = null if null is not None and null.any() else None
        if offsets is None:
            self.specs = [("valid", n), ("values", (1 if kind == "bool" else 8) * n)]
            self._values = lambda: [values()]
        else:
            self.specs = [("valid", n), ("offsets", 8 * (n + 1)), ("data", data_size)]
            self._values = lambda: itertools.chain([offsets], values())

    def buffers(self):
        n = self.specs[0][1]
        yield np.ones(n, np.uint8) if self.null is None else np.logical_not(self.null).view(np.uint8)
        yield from self._values()


def _scatter(present, null, n: int, fill, dtype) -> np.ndarray:
    """The present values (an array or list) at their rows, ``fill`` in NULL slots, as a contiguous array."""
    if null is None or not null.any():
        return np.ascontiguousarray(present, dtype=dtype) if dtype != object else _objects(present)
    out = np.full(n, fill, dtype=dtype)
    out[~null] = present
    return out


def _objects(values) -> np.ndarray:
    return values if isinstance(values, np.ndarray) else np.fromiter(values, object, len(values))


def _chunks(strings: np.ndarray, null, n: int):
    """Lists of at most _CHUNK_ROWS values, "" in NULL rows, each ending with one more "" (a terminator)."""
    for start in range(0, n, _CHUNK_ROWS):
        chunk = strings[start:start + _CHUNK_ROWS]
        if null is not None and null[start:start + _CHUNK_ROWS].any():
            chunk = chunk.copy()
            chunk[null[start:start + _CHUNK_ROWS]] = ""
        chunk = chunk.tolist()
        chunk.append("")
        yield chunk


def _texts(kind: str, strings, null, n: int) -> Column:
    """A variable-length column of str values: ``strings`` holds n (anything in NULL rows)."""
    strings = _objects(strings)
    null = null if null is not None and null.any() else None
    present = strings[~null] if null is not None else strings
    lengths = np.zeros(n, np.int64)
    offsets = np.zeros(n + 1, "<i8")
    if all(map(str.isascii, present)):
        # A character is a byte: sizes come from len(), the bytes only while sending.
        lengths[~null if null is not None else slice(None)] = np.fromiter(map(len, present), np.int64, len(present))
        np.cumsum(lengths + 1, out=offsets[1:])
        return Column(kind, n, null, lambda: ("\0".join(chunk).encode("ascii") for chunk in _chunks(strings, null, n)),
                      offsets, int(offsets[-1]))
    pieces, base = [], 0
    for start, chunk in zip(range(0, n, _CHUNK_ROWS), _chunks(strings, null, n)):
        # One join and one encode per chunk instead of one per value.
        piece = "\0".join(chunk).encode("utf-8", errors="backslashreplace")
        rows = len(chunk) - 1
        if piece.count(b"\0") == rows:
            ends = np.flatnonzero(np.frombuffer(piece, np.uint8) == 0) + 1
        else:
            # A value holds U+0000 itself: lengths must come from each value.
            encoded = [text.encode("utf-8", errors="backslashreplace") for text in chunk]
            piece = b"\0".join(encoded)
            ends = np.cumsum(np.fromiter(map(len, encoded[:-1]), np.int64, rows) + 1)
        offsets[start + 1:start + 1 + rows] = ends + base
        base += len(piece)
        pieces.append(piece)
    return Column(kind, n, null, lambda: pieces, offsets, base)


def _binary(kind: str, values: list, null, n: int) -> Column:
    """A variable-length column from n bytes values (NULL rows already empty)."""
    lengths = np.fromiter(map(len, values), np.int64, n)
    offsets = np.zeros(n + 1, "<i8")
    np.cumsum(lengths + 1, out=offsets[1:])
    values.append(b"")
    data = b"\0".join(values)
    return Column(kind, n, null, lambda: [data], offsets, len(data))


def _null_mask(values: np.ndarray) -> np.ndarray:
    null = np.asarray(pd.isna(values), dtype=bool)
    if null.any() and not set(map(type, values[null])) <= _NULL_TYPES:
        # pandas also calls Decimal("NaN"), numpy's NaT and float32 NaN missing; they are values
        # here (Decimal NaN is the decimal "NaN"), so those rows are decided one by one.
        null[null] = [_is_null(v) for v in values[null]]
    return null


def _object_column(values: np.ndarray) -> Column:
    """The column of an object array, its kind by the types of its non-null values.

    The rules test each value's type; testing each distinct type once is the same test.
    """
    n = len(values)
    null = _null_mask(values)
    present = values[~null] if null.any() else values
    types = set(map(type, present))

    def only(*classes):
        return all(issubclass(t, classes) for t in types)

    no_bools = not any(issubclass(t, (bool, np.bool_)) for t in types)
    if not types or only(str):
        return _texts("string", values, null, n)
    if only(bool, np.bool_):
        return Column("bool", n, null,
                      lambda: _scatter(present.astype(np.bool_), null, n, False, np.bool_).view(np.uint8))
    if only(int, np.integer) and no_bools and _INT64_MIN <= min(present) and max(present) <= _INT64_MAX:
        return Column("int64", n, null, lambda: _scatter(present.astype(np.int64), null, n, 0, "<i8"))
    if only(int, float, np.integer, np.floating) and no_bools:
        # Python ints beyond int64 land here, as floats (float() of them as before).
        floats = present.astype(np.float64)
        return Column("float64", n, null, lambda: _scatter(floats, null, n, np.nan, "<f8"))
    if only(decimal.Decimal):
        return _texts("decimal", _scatter(list(map(_decimal, present)), null, n, "", object), null, n)
    if only(bytes, bytearray, memoryview):
        return _binary("bytes", _scatter(list(map(bytes, present)), null, n, b"", object).tolist(), null, n)
    if only(datetime.datetime):
        aware = [v.utcoffset() is not None for v in present]
        if all(aware):
            utc = datetime.timezone.utc
            naive = [v.astimezone(utc).replace(tzinfo=None) for v in present]
            micros = np.array(naive, dtype="datetime64[us]").view("<i8")
            return Column("timestamptz", n, null, lambda: _scatter(micros, null, n, 0, "<i8"))
        if not any(aware):
            micros = present.astype("datetime64[us]").view("<i8")
            return Column("timestamp", n, null, lambda: _scatter(micros, null, n, 0, "<i8"))
    elif only(datetime.date) and not any(issubclass(t, datetime.datetime) for t in types):
        # toordinal in a C-level map: numpy's own object -> datetime64 cast takes ~0.4 µs a value.
        days = np.fromiter(map(datetime.date.toordinal, present), np.int64, len(present)) - _EPOCH_ORDINAL
        return Column("date", n, null, lambda: _scatter(days, null, n, 0, "<i8"))
    elif only(datetime.time):
        return _texts("time", _scatter([v.isoformat() for v in present], null, n, "", object), null, n)
    elif any(issubclass(t, (dict, list, tuple)) for t in types) and \
            only(dict, list, tuple, str, int, float, np.generic):
        # A json column mixes containers with scalars ({"a": 1}, 3, "text").
        dumps = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), allow_nan=False).encode
        return _texts("json", _scatter([dumps(_json_safe(v)) for v in present], null, n, "", object), null, n)
    # Mixed types: the text pandas users see when printing.
    return _texts("string", _scatter(list(map(str, present)), null, n, "", object), null, n)


def _datetime_column(series: pd.Series) -> Column:
    utc = getattr(series.dtype, "tz", None) is not None
    # tz_convert(None): the UTC instants without a zone.
    values = (series.dt.tz_convert(None) if utc else series).to_numpy()
    unit = np.datetime_data(values.dtype)[0]
    null = np.isnat(values)

    def micros():
        ints = values.view("<i8")
        if unit == "ns":
            # Digits below the microsecond are cut toward the past, also before 1970.
            out = np.floor_divide(ints, 1000)
        else:
            scale = _MICROS_PER[unit]
            out = ints * scale
            if scale > 1:
                # Beyond int64 microseconds (years past 292,000): the nearest infinity.
                beyond = np.abs(ints) > _INT64_MAX // scale
                out[beyond] = np.where(ints[beyond] > 0, _INT64_MAX, _INT64_MIN)
        out[null] = 0
        return out
    return Column("timestamptz" if utc else "timestamp", len(values), null, micros)


def _numbers(series: pd.Series, plain: bool, dtype, na_value) -> np.ndarray:
    if plain:
        # A column of a frame built from a 2-D array is a strided view; the wire needs it contiguous.
        return np.ascontiguousarray(series.to_numpy(), dtype=dtype)
    return np.ascontiguousarray(series.to_numpy(dtype=dtype, na_value=na_value))


def encode_column(series: pd.Series):
    """(source_type, Column) of one result column."""
    dtype = series.dtype
    source_type = str(dtype)
    n = len(series)
    if isinstance(dtype, pd.CategoricalDtype):
        series = series.astype(object)
        dtype = series.dtype
    # numpy dtypes have no NULL (a float NaN is a value); masked ones (Int64, boolean, Float64) do.
    plain = isinstance(dtype, np.dtype)
    if pdt.is_bool_dtype(dtype) or pdt.is_integer_dtype(dtype) or pdt.is_float_dtype(dtype):
        null = None if plain else np.asarray(series.isna(), dtype=bool)
        if pdt.is_bool_dtype(dtype):
            return source_type, Column("bool", n, null, lambda: _numbers(series, plain, np.bool_, False).view(np.uint8))
        if pdt.is_float_dtype(dtype):
            return source_type, Column("float64", n, null, lambda: _numbers(series, plain, "<f8", np.nan))
        numpy_dtype = np.dtype(dtype if plain else getattr(dtype, "numpy_dtype", np.int64))
        if numpy_dtype.kind == "u" and numpy_dtype.itemsize == 8 and n and \
                (null is None or not null.all()) and int(series.max()) > _INT64_MAX:
            values = series.astype(object).to_numpy()
            present = values[~null] if null is not None else values
            return source_type, _texts("decimal", _scatter([str(int(v)) for v in present], null, n, "", object),
                                       null, n)
        return source_type, Column("int64", n, null, lambda: _numbers(series, plain, "<i8", 0))
    if pdt.is_datetime64_any_dtype(dtype):
        return source_type, _datetime_column(series)
    values = series.astype(object).to_numpy()
    if dtype == object or pdt.is_string_dtype(dtype):
        return source_type, _object_column(values)
    # timedelta, period, interval, sparse ...: their text, as pandas prints them.
    null = _null_mask(values)
    return source_type, _texts("string", _scatter(list(map(str, values[~null])), null, n, "", object), null, n)


def encode_frame(frame: pd.DataFrame, unchanged=None, positions=None):
    """(column metas for the result message, iterator of the buffers in wire order, rows).

    ``unchanged`` (sandbox_unchanged.UnchangedColumns) names the columns that are columns of an
    input or a sql() frame as they came: their meta says which (``input``: [input index, column
    index] or ``sql``: [sql id, column index]) and no buffers follow. With ``positions``
    (:func:`row_positions`), also those that are such a column's rows at these positions
    (``"rows": true``); then ``rows`` is ``{"bytes": 8 * len(frame)}`` and the positions, int64,
    are the first buffer. Otherwise ``rows`` is None.
    """
    metas, encoded, gathered = [], [], False
    for i in range(frame.shape[1]):
        series = frame.iloc[:, i]
        same = unchanged.match(frame.columns[i], series, positions) if unchanged is not None else None
        if same is not None:
            (source, index), column, kind, buffer, by_rows = same
            metas.append({"name": str(frame.columns[i]), "kind": kind, "source_type": str(series.dtype),
                          source: [index, column], "buffers": []})
            if buffer is not None:
                metas[-1]["buffer"] = buffer
            if by_rows:
                metas[-1]["rows"] = True
                gathered = True
            continue
        source_type, column = encode_column(series)
        no_nulls, with_nulls = _DTYPES.get(column.kind, ("object", "object"))
        metas.append({"name": str(frame.columns[i]), "kind": column.kind, "source_type": source_type,
                      "dtype": no_nulls if column.null is None else with_nulls,
                      "buffers": [{"name": name, "bytes": size} for name, size in column.specs]})
        encoded.append(column)
    if not gathered:
        return metas, _buffers(encoded), None
    return metas, itertools.chain((memoryview(positions).cast("B"),), _buffers(encoded)), {"bytes": positions.nbytes}


def _buffers(columns: list):
    for i in range(len(columns)):
        # Dropped once sent: a column's converted values live only while it is written.
        column, columns[i] = columns[i], None
        yield from column.buffers()
