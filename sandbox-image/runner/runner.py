"""Sandbox runner: serve exactly one execute request of the data execution agent.

Protocol: docs/sandbox-protocol.md. In short: JSON lines on the private protocol channel
(stdin/stdout as the agent sees them), frames as raw column buffers right after their line;
`ready` once pandas is imported (the warm pool waits for it), one `execute` with its input
frames, any number of `sql`/`sql_result` round trips, one `result` with the result frame; then exit.

Exit status: 0 whenever a `result` was sent, also for user errors; 2 for a protocol or
internal failure (a `fatal` message is attempted first so the agent can log why).
"""

from __future__ import annotations

import os
import signal
import sys

# Only the engine sends SIGTERM (its shutdown or restart, a `docker stop`). As PID 1 the runner
# would ignore it and be SIGKILLed ten seconds later, an exit the agent cannot tell from an
# OOM kill; leaving at once with 143 tells the agent the engine, not the code, ended the step.
signal.signal(signal.SIGTERM, lambda *_: os._exit(143))

PROTOCOL_VERSION = 2
USER_FILENAME = "<user_code>"
DEFAULT_OUTPUT_LIMIT = 64 * 1024
DEFAULT_MAX_RESULT_ROWS = 1_000_000
DEFAULT_MAX_ARTIFACT_BYTES = 10 * 1024 * 1024
# The code's outputs folder (the global OUT_DIR): regular files written directly in it come back as
# artifacts. DEA_OUT_DIR only lets the host-side tests use a private folder.
OUT_DIR = os.environ.get("DEA_OUT_DIR", "/tmp/out")
MAX_OUT_FILES = 32
# By extension only: the agent checks the content again (docs/sandbox-protocol.md, "Artifacts").
OUT_MEDIA_TYPES = {
    ".csv": "text/csv",
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ".html": "text/html",
    ".svg": "image/svg+xml",
    ".png": "image/png",
    ".json": "application/json",
    ".txt": "text/plain",
}

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import sandbox_io  # noqa: E402  (must run before the heavy imports so their noise is captured)

CHANNEL = sandbox_io.Channel()

import base64  # noqa: E402
import builtins  # noqa: E402
import io  # noqa: E402
import linecache  # noqa: E402
import platform  # noqa: E402
import re  # noqa: E402
import stat  # noqa: E402
import struct  # noqa: E402
import traceback  # noqa: E402
import warnings  # noqa: E402

# The warm pool keeps runners blocked on stdin with these already imported: importing
# pandas + matplotlib is most of a cold start.
import matplotlib  # noqa: E402

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

if int(np.__version__.split(".")[0]) >= 2:
    # numpy 2 spells a scalar inside a printed dict or list np.float64(1.5); LLM-written code prints those
    # and reads its own output back, so keep numpy 1's spelling (1.5). Only the scalar repr changes.
    np.set_printoptions(legacy="1.25")
# pandas 2 warns at every pd.read_sql(query, conn) that it only tests SQLAlchemy connections; `conn` is the
# documented way to query (docs/sandbox-protocol.md), and the advice would send LLM code after a missing package.
warnings.filterwarnings("ignore", message="pandas only supports SQLAlchemy connectable", category=UserWarning)

import dea_frames  # noqa: E402
import sandbox_encode  # noqa: E402
import sandbox_sql  # noqa: E402
import sandbox_unchanged  # noqa: E402


def _int_field(request, name, default):
    value = request.get(name, default)
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        raise sandbox_io.ProtocolError("%s must be a non-negative integer" % name)
    return value


def read_inputs(request, exact_decimals: bool = False, decoded=None) -> dict:
    """The input frames by name; ``decoded`` (a list, if given) gets (index, meta, frame) of each."""
    inputs = request.get("inputs", [])
    if not isinstance(inputs, list):
        raise sandbox_io.ProtocolError("inputs must be a list")
    frames = {}
    for index, item in enumerate(inputs):
        try:
            name, meta = item["name"], item["meta"]
        except (KeyError, TypeError):
            raise sandbox_io.ProtocolError("an input needs name and meta") from None
        try:
            frames[name] = dea_frames.frame_from_buffers(meta, CHANNEL.read_exact, exact_decimals)
        except (dea_frames.FrameFormatError, ValueError, KeyError, TypeError) as e:
            raise sandbox_io.ProtocolError("input %r: %s" % (name, e)) from None
        if decoded is not None:
            decoded.append((index, meta, frames[name]))
    return frames


def user_error(exc: BaseException, code: str, error_type="EXECUTION_ERROR") -> dict:
    """The error object for an exception raised by (or while compiling) the user code."""
    frames = [f for f in traceback.extract_tb(exc.__traceback__) if f.filename == USER_FILENAME]
    line = frames[-1].lineno if frames else None
    if isinstance(exc, SyntaxError) and exc.filename == USER_FILENAME:
        line = exc.lineno
    text = "".join(traceback.format_exception_only(type(exc), exc))
    if frames:
        text = "Traceback (most recent call last):\n" + "".join(traceback.format_list(frames)) + text
    error = {"type": error_type, "exception": type(exc).__name__, "message": str(exc),
             "line": line, "traceback": text}
    # pd.read_sql wraps our exception in its DatabaseError; the agent wants the original.
    cause = exc
    while cause is not None and not isinstance(cause, sandbox_sql.AgentSqlError):
        cause = cause.__cause__ or cause.__context__
    if cause is not None:
        error["sql_error"] = {"type": cause.error_type, "message": cause.message, "query": cause.query}
    return error


def collect_figures(max_bytes: int):
    """(figure artifacts, truncated): open figures as PNG within max_bytes."""
    artifacts, total, truncated = [], 0, False
    for number in plt.get_fignums():
        figure = plt.figure(number)
        buffer = io.BytesIO()
        figure.savefig(buffer, format="png")
        data = buffer.getvalue()
        if total + len(data) > max_bytes:
            truncated = True
            continue
        total += len(data)
        # IHDR always follows the 8-byte signature: width and height are big-endian at 16..24.
        width, height = struct.unpack(">II", data[16:24])
        artifacts.append({"name": "figure-%d.png" % number, "media_type": "image/png", "source": "figure",
                          "width": width, "height": height,
                          "data_base64": base64.b64encode(data).decode("ascii")})
    plt.close("all")
    return artifacts, truncated


_UNSAFE_NAME_CHARS = re.compile(r"[^A-Za-z0-9._-]")


def safe_name(name: str) -> str:
    """A base name the agent accepts: letters, digits, '.', '_', '-', no '..', starting with a letter or digit."""
    stem, ext = os.path.splitext(name)
    stem = _UNSAFE_NAME_CHARS.sub("_", stem)
    while ".." in stem:
        stem = stem.replace("..", ".")
    stem = stem.lstrip("._-")[:80] or "file"
    return stem + ext.lower()


def collect_files(room: int):
    """(file artifacts, notes) for the regular files directly in OUT_DIR, within room bytes in all.

    Symbolic links are not followed (lstat) and folders are not entered: the code may point a link at
    anything in the container, and only what it wrote itself is an output."""
    artifacts, notes, used_names = [], [], set()
    try:
        names = sorted(os.listdir(OUT_DIR))
    except OSError:
        return artifacts, notes
    total = 0
    for name in names:
        path = os.path.join(OUT_DIR, name)
        try:
            info = os.lstat(path)
        except OSError:
            continue
        if not stat.S_ISREG(info.st_mode):
            notes.append("[runner] skipped %r in OUT_DIR: not a regular file" % name)
            continue
        media_type = OUT_MEDIA_TYPES.get(os.path.splitext(name)[1].lower())
        if media_type is None:
            notes.append("[runner] skipped %r in OUT_DIR: only %s files are returned"
                         % (name, ", ".join(sorted(OUT_MEDIA_TYPES))))
            continue
        if len(artifacts) == MAX_OUT_FILES:
            notes.append("[runner] skipped %r in OUT_DIR: more than %d files" % (name, MAX_OUT_FILES))
            continue
        if total + info.st_size > room:
            notes.append("[runner] skipped %r in OUT_DIR: %d bytes, over the %d bytes left for artifacts"
                         % (name, info.st_size, room - total))
            continue
        try:
            # O_NOFOLLOW: the file may have been swapped for a link since the lstat.
            fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
            with os.fdopen(fd, "rb") as f:
                data = f.read(room - total + 1)
        except OSError as e:
            notes.append("[runner] skipped %r in OUT_DIR: %s" % (name, e.strerror or e))
            continue
        if total + len(data) > room:
            notes.append("[runner] skipped %r in OUT_DIR: over the bytes allowed for all artifacts" % name)
            continue
        total += len(data)
        artifact_name = safe_name(name)
        stem, ext = os.path.splitext(artifact_name)
        n = 1
        while artifact_name in used_names:
            n += 1
            artifact_name = "%s-%d%s" % (stem, n, ext)
        used_names.add(artifact_name)
        artifact = {"name": artifact_name, "media_type": media_type, "source": "file",
                    "data_base64": base64.b64encode(data).decode("ascii")}
        if media_type == "image/png" and len(data) >= 24:
            artifact["width"], artifact["height"] = struct.unpack(">II", data[16:24])
        artifacts.append(artifact)
    return artifacts, notes


def collect_artifacts(max_bytes: int):
    """(figures then files, truncated): what the step drew and wrote, within max_bytes in all.

    Skipped files are named on stderr, where the caller sees them beside the agent's own notes."""
    artifacts, truncated = collect_figures(max_bytes)
    used = sum(len(a["data_base64"]) // 4 * 3 for a in artifacts)
    files, notes = collect_files(max(0, max_bytes - used))
    for note in notes:
        print(note, file=sys.stderr)
    return artifacts + files, truncated or bool(notes)


def remember_inputs(request, decoded, memory_limit):
    """The inputs' columns that may come back by reference, or None if the agent did not ask.

    Only an agent that asks copies unchanged columns from its own files (docs/sandbox-protocol.md),
    and only as far as the memory the decoded inputs left allows. A function of its own: no local
    of execute() may keep an input frame alive.
    """
    if request.get("reuse_inputs") is not True:
        return None
    unchanged = sandbox_unchanged.UnchangedColumns(memory_limit)
    for index, meta, frame in decoded:
        unchanged.register(("input", index), meta, frame)
    return unchanged


def execute(request) -> tuple:
    """(result message, frame buffers) for one execute request."""
    code = request.get("code")
    if not isinstance(code, str):
        raise sandbox_io.ProtocolError("execute.code must be a string")
    output_limit = _int_field(request, "output_limit_bytes", DEFAULT_OUTPUT_LIMIT)
    max_rows = _int_field(request, "max_result_rows", DEFAULT_MAX_RESULT_ROWS)
    max_artifact_bytes = _int_field(request, "max_artifact_bytes", DEFAULT_MAX_ARTIFACT_BYTES)
    exact_decimals = request.get("exact_decimals") is True
    memory_limit = _int_field(request, "memory_limit_bytes", 0)
    decoded = []
    inputs = read_inputs(request, exact_decimals, decoded)
    unchanged = remember_inputs(request, decoded, memory_limit)
    # input_data alone holds the frames from here: code that drops one (del input_data["big"]) frees it.
    decoded.clear()

    client = sandbox_sql.SqlClient(CHANNEL, exact_decimals, unchanged)
    namespace = {
        "__name__": "__main__", "__builtins__": builtins,
        "pd": pd, "np": np, "plt": plt, "input_data": inputs,
        "sql": sandbox_sql.make_sql(client), "conn": sandbox_sql.Connection(client),
        "conns": sandbox_sql.Connections(client),
        "AgentSqlError": sandbox_sql.AgentSqlError, "OUT_DIR": OUT_DIR,
    }
    try:
        os.makedirs(OUT_DIR, exist_ok=True)
    except OSError as e:
        # Not the step's fault, nor a reason to lose its frame: it only cannot write files.
        print("[runner] cannot make OUT_DIR %s: %s" % (OUT_DIR, e.strerror or e), file=sys.stderr)
    # Lets tracebacks (and inspect) show the user's source lines.
    linecache.cache[USER_FILENAME] = (len(code), None, code.splitlines(True), USER_FILENAME)
    CHANNEL.reset_capture(output_limit, stream=request.get("stream_output") is True)

    message = {"type": "result"}
    buffers = ()
    try:
        compiled = compile(code, USER_FILENAME, "exec")
    except (SyntaxError, ValueError) as e:
        message.update(status="error", error=user_error(e, code, "SYNTAX_ERROR"))
        compiled = None
    if compiled is not None:
        try:
            exec(compiled, namespace)
        except BaseException as e:  # noqa: B036 - SystemExit/KeyboardInterrupt from user code are user errors
            message.update(status="error", error=user_error(e, code))
        else:
            message.update(finish(namespace, max_rows, max_artifact_bytes, unchanged))
            buffers = message.pop("_buffers", ())
    if client.fatal is not None:
        raise sandbox_io.ProtocolError("sql exchange failed: %s" % client.fatal)
    message.update(CHANNEL.finish_capture())
    if message.get("status") == "ok" and message["frame"] is None and not message["stdout"] \
            and not message["artifacts"] and not message["artifacts_truncated"]:
        # Like a notebook cell, a step may only print or draw; one that does neither has nothing to return.
        message.update(status="error", error={
            "type": "NO_RESULT", "exception": None, "line": None, "traceback": None,
            "message": "the code did not assign result_df, print, draw or write a file to OUT_DIR"})
        message.pop("frame")
        message.pop("artifacts")
        message.pop("artifacts_truncated")
    message["sql_queries"] = client.queries
    return message, buffers


def finish(namespace, max_rows, max_artifact_bytes, unchanged=None) -> dict:
    if "result_df" not in namespace:
        # No frame; execute() decides whether the step printed or drew enough to succeed.
        try:
            artifacts, artifacts_truncated = collect_artifacts(max_artifact_bytes)
        except Exception as e:
            return {"status": "error", "error": {"type": "INVALID_RESULT", "exception": type(e).__name__,
                                                 "message": str(e), "line": None,
                                                 "traceback": traceback.format_exc()}}
        return {"status": "ok", "frame": None, "artifacts": artifacts, "artifacts_truncated": artifacts_truncated}
    try:
        positions = sandbox_encode.row_positions(namespace["result_df"]) if unchanged is not None else None
        frame = sandbox_encode.to_frame(namespace["result_df"])
        if len(frame) > max_rows:
            raise sandbox_encode.ResultError(
                "RESULT_TOO_LARGE", "result_df has %d rows, the limit is %d" % (len(frame), max_rows))
        columns, buffers, rows = sandbox_encode.encode_frame(frame, unchanged, positions)
        artifacts, artifacts_truncated = collect_artifacts(max_artifact_bytes)
    except sandbox_encode.ResultError as e:
        return {"status": "error", "error": {"type": e.error_type, "exception": None, "line": None,
                                             "message": str(e), "traceback": None}}
    except Exception as e:
        # e.g. a user object whose __str__ raises, or a figure that fails to render.
        return {"status": "error", "error": {"type": "INVALID_RESULT", "exception": type(e).__name__,
                                             "message": str(e), "line": None,
                                             "traceback": traceback.format_exc()}}
    frame_message = {"columns": columns, "row_count": len(frame)}
    if rows is not None:
        frame_message["rows"] = rows
    return {"status": "ok", "frame": frame_message,
            "artifacts": artifacts, "artifacts_truncated": artifacts_truncated, "_buffers": buffers}


def declared_packages() -> dict:
    """The image's package versions (/opt/dea/packages.txt, the same as its packages label): a
    backend that cannot read image labels (Kubernetes) reports them from here. Outside the image,
    the versions this process imported."""
    try:
        with open("/opt/dea/packages.txt", encoding="utf-8") as f:
            return dict(pair.split("=", 1) for pair in f.read().split() if "=" in pair)
    except OSError:
        return {"python": platform.python_version(), "pandas": pd.__version__, "numpy": np.__version__,
                "matplotlib": matplotlib.__version__}


def main() -> int:
    try:
        CHANNEL.send({"type": "ready", "protocol": PROTOCOL_VERSION, "python": platform.python_version(),
                      "pandas": pd.__version__, "numpy": np.__version__, "matplotlib": matplotlib.__version__,
                      "packages": declared_packages()})
        request = CHANNEL.read_message()
        if request["type"] != "execute":
            raise sandbox_io.ProtocolError("expected an execute message, got %r" % request["type"])
        message, buffers = execute(request)
        CHANNEL.send(message, buffers)
        return 0
    except BaseException as e:  # noqa: B036 - anything here is the runner's failure, report it
        if CHANNEL.torn:
            # A line here would be read as frame bytes; the agent sees the stream end instead.
            return 2
        try:
            CHANNEL.send({"type": "fatal", "error": {
                "type": "PROTOCOL_ERROR" if isinstance(e, sandbox_io.ProtocolError) else "INTERNAL",
                "exception": type(e).__name__, "message": str(e), "traceback": traceback.format_exc()}})
        except Exception:
            pass
        return 2


if __name__ == "__main__":
    code = main()
    CHANNEL.flush_std()
    # os._exit: user threads (non-daemon) or atexit hooks from user code must not keep the
    # container alive or write after the result.
    os._exit(code)
