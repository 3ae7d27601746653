"""A minimal agent side of the sandbox protocol, for the tests and the timing script.

Not shipped in the image. The runner command comes from DEA_RUNNER_CMD (shell syntax),
so the same tests drive a local ``python3 runner.py`` or a ``docker run -i ... image``.
Frames are written and checked by frame_codec (plain Python, as strict as the agent).
"""

from __future__ import annotations

import json
import os
import shlex
import subprocess
import sys
import tempfile
import threading
import time

from frame_codec import decode_frame, frame

HERE = os.path.dirname(os.path.abspath(__file__))
DEFAULT_CMD = ["/usr/bin/python3", os.path.join(HERE, "runner.py")]


def runner_command():
    cmd = os.environ.get("DEA_RUNNER_CMD")
    return shlex.split(cmd) if cmd else list(DEFAULT_CMD)


def frame_input(name, names, kinds, rows, sources=None, dtypes=None, with_float=True):
    """(name, meta, buffers) of an input frame given as rows of JSON-encoded values (frame_codec.frame)."""
    meta, buffers = frame(names, kinds, rows, sources, dtypes, with_float)
    return name, meta, buffers


# As the agent's ColumnMeta.UNSIGNED_64 (and dea_frames'): decimals that load exact, not as floats. Not
# imported from dea_frames, which needs pandas: this client drives the image from any Python 3.
UNSIGNED_64 = frozenset(("bigint unsigned", "bit(64)", "uint64", "UInt64"))


def floats_only(item):
    """``item`` (a frame_input) as the agent sends it to a step that loads decimals as floats: each
    decimal column with a ``float`` buffer, but unsigned 64-bit integers, goes without its text
    (docs/sandbox-protocol.md)."""
    name, meta, buffers = item
    pieces, columns, kept = iter(buffers), [], []
    for column in meta["columns"]:
        own = {b["name"]: (b, next(pieces)) for b in column["buffers"]}
        floats = column["kind"] == "decimal" and "float" in own and column["source_type"] not in UNSIGNED_64
        names = ["valid", "float"] if floats else list(own)
        columns.append(dict(column, buffers=[own[n][0] for n in names]))
        kept.extend(own[n][1] for n in names)
    return name, dict(meta, columns=columns), kept


class Session:
    """One runner process: wait for ready, send one execute, answer sql, read the result."""

    def __init__(self, cmd=None, timeout=120):
        self.stderr_file = tempfile.TemporaryFile()
        env = dict(os.environ, PYTHONDONTWRITEBYTECODE="1")
        self.proc = subprocess.Popen(cmd or runner_command(), stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     stderr=self.stderr_file, env=env)
        # A hung runner must fail the test, not the whole suite.
        self.timer = threading.Timer(timeout, self.proc.kill)
        self.timer.start()
        self.ready = None

    def read_message(self) -> dict:
        raw = self.proc.stdout.readline()
        if not raw:
            raise EOFError("runner closed stdout; stderr: %s" % self.stderr())
        return json.loads(raw)

    def wait_ready(self) -> dict:
        self.ready = self.read_message()
        if self.ready.get("type") != "ready":
            raise AssertionError("expected ready, got %r" % self.ready)
        return self.ready

    def send(self, message: dict, buffers=()):
        data = json.dumps(message, ensure_ascii=False, separators=(",", ":")).encode("utf-8") + b"\n"
        self.proc.stdin.write(data)
        for buffer in buffers:
            self.proc.stdin.write(buffer)
        self.proc.stdin.flush()

    def read_exact(self, nbytes: int) -> bytes:
        data = self.proc.stdout.read(nbytes)
        if len(data) != nbytes:
            raise EOFError("runner stdout ended %d bytes into a %d-byte buffer; stderr: %s"
                           % (len(data), nbytes, self.stderr()))
        return data

    def execute(self, code, inputs=(), sql_handler=None, decode=True, **limits):
        """(result message, result rows decoded by frame_codec, sql queries seen, exit code).

        ``inputs`` is a list of (name, meta, buffers), e.g. from frame_input; ``sql_handler(query)``
        returns ("ok", meta, buffers) or ("error", type, message). A query sent for a named
        datasource is seen (and handed to the handler) as "NAME: query". With ``decode=False``
        the result's buffers are only read, and ``rows`` is their total size in bytes (timing).
        """
        if self.ready is None:
            self.wait_ready()
        request = {"type": "execute", "code": code,
                   "inputs": [{"name": name, "meta": meta} for name, meta, _ in inputs]}
        request.update(limits)
        self.send(request, [buffer for _, _, buffers in inputs for buffer in buffers])
        queries = []
        sql_frames = {}
        self.outputs = []
        self.sql_requests = []
        while True:
            message = self.read_message()
            if message["type"] == "output":
                # (stream, text, when it arrived): the tests check lines come while the code runs.
                self.outputs.append((message["stream"], message["text"], time.perf_counter()))
                continue
            if message["type"] == "sql":
                seen = message["query"] if "datasource" not in message else "%s: %s" % (message["datasource"],
                                                                                      message["query"])
                queries.append(seen)
                self.sql_requests.append(message)
                answer = sql_handler(seen) if sql_handler else ("error", "SQL_REJECTED", "no sql here")
                if answer[0] == "ok" and message.get("decimals_as_floats") is True:
                    # As the agent does: a DataFrame that loads decimals as floats gets them without their text.
                    answer = ("ok",) + floats_only(("", answer[1], answer[2]))[1:]
                if answer[0] == "ok":
                    reply = {"type": "sql_result", "id": message["id"], "meta": answer[1]}
                    if limits.get("reuse_inputs"):
                        # As the agent does: its columns may come back by reference (docs/sandbox-protocol.md).
                        reply["reusable"] = True
                        sql_frames[message["id"]] = (seen, answer[1], answer[2])
                    self.send(reply, answer[2])
                else:
                    self.send({"type": "sql_error", "id": message["id"],
                               "error": {"type": answer[1], "message": answer[2]}})
                continue
            break
        rows = []
        if message["type"] == "result" and message["status"] == "ok" and message["frame"] is not None:
            if decode:
                rows = decode_frame(message["frame"], self.read_exact, inputs, sql_frames)
            else:
                rows = sum(len(self.read_exact(b["bytes"])) for c in message["frame"]["columns"] for b in c["buffers"])
        self.result_at = time.perf_counter()
        rest = self.proc.stdout.read()
        code_ = self.proc.wait()
        self.timer.cancel()
        if rest:
            raise AssertionError("runner wrote after the result: %r" % rest[:200])
        return message, rows, queries, code_

    def stderr(self) -> str:
        self.stderr_file.seek(0)
        return self.stderr_file.read().decode("utf-8", "replace")

    def close(self):
        self.timer.cancel()
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait()
        for stream in (self.proc.stdin, self.proc.stdout):
            try:
                stream.close()
            except OSError:
                pass
        self.stderr_file.close()


def run(code, inputs=(), sql_handler=None, **limits):
    session = Session()
    try:
        return session.execute(code, inputs, sql_handler, **limits)
    finally:
        session.close()


if __name__ == "__main__":
    # Ad-hoc use: runner_client.py 'result_df = pd.DataFrame({"a": [1]})'
    print(json.dumps(run(sys.argv[1])[:2], indent=1))
