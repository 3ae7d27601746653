"""SQL callbacks from user code: ``sql(query)`` and a DB-API-2-like ``conn``.

The container has no network and no credentials, so every query travels back to the
agent over the protocol channel; the agent runs it through its SQL guard and answers
with a frame (its buffers right after the ``sql_result`` line, as for inputs) or an error.
``conn`` exists so that ``pd.read_sql(query, conn)`` works: pandas treats any non-SQLAlchemy connection as a
DBAPI2 connection (cursor().execute / description / fetchall / close, con.rollback on
failure), so the cursor hands out the Python objects a PostgreSQL driver would.
"""

from __future__ import annotations

import datetime
import threading

import numpy as np

from dea_frames import FrameFormatError, column_values, frame_from_buffers, iter_columns

# datetime.datetime's years 1..9999 as microseconds since 1970-01-01.
_MIN_MICROS, _MAX_MICROS = -62135596800000000, 253402300799999999


class AgentSqlError(Exception):
    """The agent refused or failed the query (e.g. SQL_REJECTED by its guard)."""

    def __init__(self, error_type: str, message: str, query: str):
        super().__init__("%s: %s" % (error_type, message))
        self.error_type = error_type
        self.message = message
        self.query = query


class SqlClient:
    """Sends ``sql`` requests and reads the matching answer, one query at a time."""

    def __init__(self, channel, exact_decimals: bool = False, unchanged=None):
        self.channel = channel
        # sandbox_unchanged.UnchangedColumns: a sql() frame the agent keeps may come back by reference.
        self.unchanged = unchanged
        # Decimal columns as float64 (pd.read_sql's default) unless the step asked for Decimal objects.
        self.exact_decimals = exact_decimals
        self.next_id = 1
        # User code may call sql() from several threads; the channel carries one exchange at a time.
        self.lock = threading.Lock()
        self.queries = 0
        # A broken exchange must end the run even if the user code swallows the exception.
        self.fatal = None

    def query(self, query, datasource, decode, remember=False, floats=False):
        """``decode(meta, read_exact)`` of the agent's answer; raises AgentSqlError on sql_error.

        ``datasource``: the name of one of the agent's datasources; None for its default one.
        ``decode`` reads the frame's buffers while the exchange is still held: the channel is
        only back in step after all of them are read. ``remember``: the decoded DataFrame of an
        answer the agent marks ``reusable`` goes to ``unchanged`` before the code sees it.
        ``floats``: ``decode`` loads decimals as floats, so the agent may leave their text out.
        """
        if not isinstance(query, str):
            raise TypeError("sql() takes the query as a str, not %s" % type(query).__name__)
        if datasource is not None and not isinstance(datasource, str):
            raise TypeError("sql() takes the datasource as a str, not %s" % type(datasource).__name__)
        with self.lock:
            if self.fatal is not None:
                raise RuntimeError("the agent channel is broken: %s" % self.fatal)
            request_id = self.next_id
            self.next_id += 1
            self.queries += 1
            try:
                request = {"type": "sql", "id": request_id, "query": query}
                if datasource is not None:
                    request["datasource"] = datasource
                if floats:
                    request["decimals_as_floats"] = True
                self.channel.send(request)
                reply = self.channel.read_message()
                if reply.get("id") != request_id:
                    raise ValueError("answer for id %r while waiting for %d" % (reply.get("id"), request_id))
                if reply["type"] == "sql_error":
                    error = reply.get("error") or {}
                    raise AgentSqlError(str(error.get("type", "SQL_ERROR")), str(error.get("message", "")), query)
                if reply["type"] != "sql_result":
                    raise ValueError("expected sql_result or sql_error, got %r" % reply["type"])
                try:
                    result = decode(reply["meta"], self.channel.read_exact)
                except (FrameFormatError, KeyError, TypeError) as e:
                    raise ValueError("bad sql_result frame: %s" % e) from None
                if remember and reply.get("reusable") is True:
                    self.unchanged.register(("sql", request_id), reply["meta"], result)
                return result
            except AgentSqlError:
                raise
            except Exception as e:
                self.fatal = "%s: %s" % (type(e).__name__, e)
                raise RuntimeError("the agent channel is broken: %s" % self.fatal) from None

    def frame(self, query, datasource=None):
        return self.query(query, datasource,
                          lambda meta, read_exact: frame_from_buffers(meta, read_exact, self.exact_decimals),
                          remember=self.unchanged is not None, floats=not self.exact_decimals)


def make_sql(client: SqlClient):
    def sql(query: str, datasource: str = None):
        """Run ``query`` through the agent's SQL guard; the rows as a DataFrame.

        ``datasource`` names one of the agent's datasources (GET /datasources); omitted, the
        default one. Dtypes follow docs/frame-format.md. Raises AgentSqlError if the agent
        refuses it (NOT_FOUND for an unknown datasource).
        """
        return client.frame(query, datasource)
    return sql


# -- DB-API 2 ---------------------------------------------------------------------------

class Error(Exception):
    pass


class NotSupportedError(Error):
    pass


def _python_column(column: dict, n: int, buffers: dict) -> list:
    """One column as the Python objects psycopg2 would hand out (None for NULL)."""
    kind = column["kind"]
    valid = np.frombuffer(buffers["valid"], np.uint8) != 0
    if kind in ("int64", "float64", "bool"):
        raw = np.frombuffer(buffers["values"], {"int64": "<i8", "float64": "<f8", "bool": np.uint8}[kind])
        # astype(object) gives Python int/float/bool; a float NULL stays None, apart from NaN.
        values = (raw != 0 if kind == "bool" else raw).astype(object)
    elif kind in ("timestamp", "timestamptz"):
        micros = np.frombuffer(buffers["values"], "<i8")
        # Infinities and years beyond datetime's 1..9999 have no datetime: None, as in pandas.
        valid = valid & (micros >= _MIN_MICROS) & (micros <= _MAX_MICROS)
        values = np.where(valid, micros, 0).view("datetime64[us]").astype(object)
        if kind == "timestamptz":
            utc = datetime.timezone.utc
            values = np.fromiter((t.replace(tzinfo=utc) for t in values), object, n)
    else:
        values = column_values(column, n, buffers, exact_decimals=True)
    values[~valid] = None
    return values.tolist()


def _python_rows(meta, read_exact):
    """(columns, rows as tuples) of an answer frame, for the cursor."""
    columns = list(iter_columns(meta, read_exact, _python_column))
    rows = list(zip(*columns)) if columns else [()] * meta["row_count"]
    return meta["columns"], rows


class Cursor:
    arraysize = 1

    def __init__(self, client: SqlClient, datasource=None):
        self._client = client
        self._datasource = datasource
        self._rows = []
        self._pos = 0
        self.description = None
        self.rowcount = -1

    def execute(self, operation, parameters=None):
        if parameters:
            raise NotSupportedError("query parameters are not supported; the agent's SQL guard takes literal SQL")
        columns, self._rows = self._client.query(operation, self._datasource, _python_rows)
        self._pos = 0
        self.rowcount = len(self._rows)
        self.description = [(c["name"], c.get("source_type", c["kind"]), None, None, None, None, None)
                            for c in columns]
        return self

    def fetchone(self):
        if self._pos >= len(self._rows):
            return None
        self._pos += 1
        return self._rows[self._pos - 1]

    def fetchmany(self, size=None):
        size = self.arraysize if size is None else size
        out = self._rows[self._pos:self._pos + size]
        self._pos += len(out)
        return out

    def fetchall(self):
        out = self._rows[self._pos:]
        self._pos = len(self._rows)
        return out

    def __iter__(self):
        while True:
            row = self.fetchone()
            if row is None:
                return
            yield row

    def close(self):
        self._rows = []

    def setinputsizes(self, sizes):
        pass

    def setoutputsize(self, size, column=None):
        pass


class Connection:
    """Read-only: commit/rollback are no-ops because the agent runs each query on its own."""

    Error = Error
    NotSupportedError = NotSupportedError

    def __init__(self, client: SqlClient, datasource=None):
        self._client = client
        self._datasource = datasource

    def cursor(self):
        return Cursor(self._client, self._datasource)

    def commit(self):
        pass

    def rollback(self):
        pass

    def close(self):
        pass

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False


class Connections:
    """``conns[NAME]``: a connection to the agent's datasource NAME, for ``pd.read_sql(q, conns["hr"])``.

    Any name is accepted here; the agent answers NOT_FOUND, listing the names, when the query runs.
    """

    def __init__(self, client: SqlClient):
        self._client = client

    def __getitem__(self, name):
        if not isinstance(name, str):
            raise TypeError("conns takes a datasource name (str), not %s" % type(name).__name__)
        return Connection(self._client, name)
