"""Turn the user's result into a frame: column kinds and row lines (docs/frame-format.md).

The agent writes the rows into its cache as they come, so each value must already be in
the kind's JSON encoding. Kinds come from the pandas dtype where it is decisive and, for
object columns, from the Python types of the non-null values.
"""

from __future__ import annotations

import base64
import datetime
import decimal
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


def _fmt_ns_time(seconds_text: str, nanos: int) -> str:
    if not nanos:
        return seconds_text
    return seconds_text + "." + ("%09d" % nanos).rstrip("0")


def _fmt_timestamp(ts: pd.Timestamp, utc: bool):
    if ts is pd.NaT or ts is None:
        return None
    nanos = ts.microsecond * 1000 + ts.nanosecond
    text = _fmt_ns_time(ts.strftime("%Y-%m-%dT%H:%M:%S") if ts.year >= 1000 else
                        "%04d-%02d-%02dT%02d:%02d:%02d" % (ts.year, ts.month, ts.day, ts.hour, ts.minute, ts.second),
                        nanos)
    return text + "Z" if utc else text


def _fmt_datetime(d: datetime.datetime):
    text = "%04d-%02d-%02dT%02d:%02d:%02d" % (d.year, d.month, d.day, d.hour, d.minute, d.second)
    return _fmt_ns_time(text, d.microsecond * 1000)


def _float(v):
    if v is None:
        return None
    f = float(v)
    if math.isnan(f):
        return "NaN"
    if math.isinf(f):
        return "Infinity" if f > 0 else "-Infinity"
    return f


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


def _object_column(values: list):
    """(kind, encoded values) for an object column by the types of its non-null values."""
    present = [v for v in values if not _is_null(v)]
    enc = None
    kind = "string"
    if present:
        if all(isinstance(v, str) for v in present):
            kind, enc = "string", lambda v: v
        elif all(isinstance(v, bool) or isinstance(v, np.bool_) for v in present):
            kind, enc = "bool", bool
        elif all(isinstance(v, (int, np.integer)) and not isinstance(v, (bool, np.bool_)) for v in present) \
                and all(_INT64_MIN <= int(v) <= _INT64_MAX for v in present):
            kind, enc = "int64", int
        elif all(isinstance(v, (int, float, np.integer, np.floating)) and not isinstance(v, (bool, np.bool_))
                 for v in present):
            kind, enc = "float64", _float
        elif all(isinstance(v, decimal.Decimal) for v in present):
            kind, enc = "decimal", _decimal
        elif all(isinstance(v, (bytes, bytearray, memoryview)) for v in present):
            kind, enc = "bytes", lambda v: base64.b64encode(bytes(v)).decode("ascii")
        elif all(isinstance(v, datetime.datetime) for v in present):
            aware = [v.tzinfo is not None and v.utcoffset() is not None for v in present]
            if all(aware):
                kind = "timestamptz"
                enc = lambda v: _fmt_datetime(v.astimezone(datetime.timezone.utc)) + "Z"  # noqa: E731
            elif not any(aware):
                kind, enc = "timestamp", _fmt_datetime
        elif all(isinstance(v, datetime.date) and not isinstance(v, datetime.datetime) for v in present):
            kind, enc = "date", lambda v: v.isoformat()
        elif all(isinstance(v, datetime.time) for v in present):
            kind, enc = "time", lambda v: v.isoformat()
        elif any(isinstance(v, (dict, list, tuple)) for v in present) and all(
                isinstance(v, (dict, list, tuple, str, int, float, np.generic)) for v in present):
            # A json column mixes containers with scalars ({"a": 1}, 3, "text").
            kind, enc = "json", _json_safe
    if enc is None:
        kind, enc = "string", str   # mixed types: the text pandas users see when printing
    return kind, [None if _is_null(v) else enc(v) for v in values]


def encode_column(series: pd.Series):
    """(kind, source_type, encoded values) of one result column."""
    dtype = series.dtype
    source_type = str(dtype)
    if isinstance(dtype, pd.CategoricalDtype):
        series = series.astype(object)
        dtype = series.dtype
    if pdt.is_bool_dtype(dtype):
        if isinstance(dtype, np.dtype):
            return "bool", source_type, series.tolist()
        return "bool", source_type, [None if v is pd.NA else bool(v) for v in series.astype(object)]
    if pdt.is_integer_dtype(dtype):
        if isinstance(dtype, np.dtype):
            values = series.tolist()
        else:
            values = [None if v is pd.NA else int(v) for v in series.astype(object)]
        if all(v is None or _INT64_MIN <= v <= _INT64_MAX for v in values):
            return "int64", source_type, values
        return "decimal", source_type, [None if v is None else str(v) for v in values]
    if pdt.is_float_dtype(dtype):
        if isinstance(dtype, np.dtype):
            return "float64", source_type, [_float(v) for v in series.tolist()]
        return "float64", source_type, [None if v is pd.NA else _float(v) for v in series.astype(object)]
    if pdt.is_datetime64_any_dtype(dtype):
        utc = getattr(dtype, "tz", None) is not None
        values = series.dt.tz_convert("UTC") if utc else series
        return ("timestamptz" if utc else "timestamp"), source_type, \
            [_fmt_timestamp(v, utc) for v in values]
    if dtype == object or pdt.is_string_dtype(dtype):
        kind, values = _object_column(series.astype(object).tolist())
        return kind, source_type, values
    # timedelta, period, interval, sparse ...: their text, as pandas prints them.
    return "string", source_type, [None if _is_null(v) else str(v) for v in series.astype(object).tolist()]


def encode_frame(frame: pd.DataFrame):
    """(columns for the result message, iterator of row lines as bytes)."""
    columns, encoded = [], []
    for i in range(frame.shape[1]):
        kind, source_type, values = encode_column(frame.iloc[:, i])
        has_nulls = any(v is None for v in values)
        no_nulls, with_nulls = _DTYPES.get(kind, ("object", "object"))
        columns.append({"name": str(frame.columns[i]), "kind": kind, "source_type": source_type,
                        "dtype": with_nulls if has_nulls else no_nulls})
        encoded.append(values)
    dumps = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), allow_nan=False).encode

    def rows():
        for row in zip(*encoded):
            yield dumps(list(row)).encode("utf-8") + b"\n"
    if not encoded:
        # zip() of nothing is empty, but the agent still expects row_count lines.
        return columns, iter([b"[]\n"] * len(frame))
    return columns, rows()
