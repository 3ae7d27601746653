"""End-to-end tests of runner.py over the real protocol (stdlib unittest).

    /usr/bin/python3 -m unittest -v test_runner                     # local runner
    DEA_RUNNER_CMD='docker run -i --rm ... dea-sandbox:latest' \\
        /usr/bin/python3 -m unittest -v test_runner                  # in the image

The test process itself needs no pandas: it speaks JSON lines and writes and checks frame
buffers in plain Python (frame_codec). The frame tests live in test_frames and run from here.
"""

from __future__ import annotations

import base64
import json
import os
import shutil
import tempfile
import unittest

from frame_codec import frame
from runner_client import Session, run
from test_frames import FrameTest, RunnerTestCase  # noqa: F401  (FrameTest runs as part of this module)


class RunnerTest(RunnerTestCase):
    def test_ready_line_reports_versions(self):
        session = Session()
        try:
            ready = session.wait_ready()
        finally:
            session.close()
        self.assertEqual(2, ready["protocol"])
        self.assertTrue(ready["python"].startswith("3."))
        self.assertIn("pandas", ready)
        self.assertEqual(ready["pandas"], ready["packages"]["pandas"])
        self.assertTrue(ready["packages"]["python"].startswith("3."))

    def test_grouped_index_becomes_columns(self):
        code = 'result_df = pd.DataFrame({"k": ["a", "b", "a"], "v": [1, 2, 3]}).groupby("k").sum()'
        message, rows, _, code_ = run(code)
        self.assert_ok(message, code_)
        self.assertEqual(["k", "v"], [c["name"] for c in message["frame"]["columns"]])
        self.assertEqual([["a", 4], ["b", 2]], rows)

    def test_row_positions_left_by_filtering_are_not_data(self):
        code = ('df = pd.DataFrame({"v": [3, 1, 2, 5]})\n'
                'result_df = df[df["v"] > 1].sort_values("v")')
        message, rows, _, code_ = run(code)
        self.assert_ok(message, code_)
        self.assertEqual(["v"], [c["name"] for c in message["frame"]["columns"]])
        self.assertEqual([[2], [3], [5]], rows)

    def test_numpy_scalars_print_as_plain_numbers(self):
        message, _, _, code_ = run('print({"mean": np.float64(1.5), "n": np.int64(2), "ok": np.bool_(True)})\n'
                                   'result_df = pd.DataFrame()')
        self.assert_ok(message, code_)
        self.assertEqual("{'mean': 1.5, 'n': 2, 'ok': True}\n", message["stdout"])

    def test_value_counts_keeps_its_values(self):
        code = 'print(pd.__version__, end="")\nresult_df = pd.Series(["x", "y", "x"], name="k").value_counts()'
        message, rows, _, code_ = run(code)
        self.assert_ok(message, code_)
        # pandas 2 names the counts "count" and the values by the Series; pandas 1 said "index" and the name.
        names = ["k", "count"] if int(message["stdout"].split(".")[0]) >= 2 else ["index", "k"]
        self.assertEqual(names, [c["name"] for c in message["frame"]["columns"]])
        self.assertEqual([["x", 2], ["y", 1]], rows)

    def test_sql_and_read_sql_are_answered_by_the_agent(self):
        def agent(query):
            if "orders" in query:
                return ("ok",) + frame(["id", "amount", "at"], ["int64", "decimal", "timestamptz"],
                                       [[1, "12.50", "2024-01-02T03:04:05+02:00"], [2, "-0.10", "2024-06-01T00:00:00Z"]])
            return ("ok",) + frame(["n"], ["int64"], [[7], [None]])
        code = """
a = sql("SELECT id, amount, at FROM orders")
assert str(a["at"].dtype) == "datetime64[ns, UTC]", a.dtypes
b = pd.read_sql("SELECT n FROM t", conn)
print(str(b["n"].dtype), type(a["amount"][0]).__name__)
c = pd.read_sql("SELECT * FROM orders", conn)
print(str(c["at"].dtype), type(c["amount"][0]).__name__, conn.cursor().execute("SELECT 1").description[0][0])
result_df = a.assign(n=b["n"])
"""
        message, rows, queries, code_ = run(code, sql_handler=agent, exact_decimals=True)
        self.assert_ok(message, code_)
        self.assertEqual(["SELECT id, amount, at FROM orders", "SELECT n FROM t", "SELECT * FROM orders",
                          "SELECT 1"], queries)
        self.assertEqual("float64 Decimal\ndatetime64[ns, UTC] float64 n\n", message["stdout"])
        self.assertNotIn("SQLAlchemy", message["stderr"], "conn is the documented way: no warning about it")
        # read_sql's coerce_float turns Decimals into floats, as with psycopg2.
        self.assertEqual(4, message["sql_queries"])
        self.assertEqual([[1, "12.50", "2024-01-02T01:04:05Z", 7.0], [2, "-0.10", "2024-06-01T00:00:00Z", "NaN"]],
                         rows)

    def test_unchanged_columns_of_sql_frames_come_back_by_reference_when_the_agent_keeps_them(self):
        def agent(query):
            return ("ok",) + frame(["id", "amount", "at"], ["int64", "decimal", "timestamptz"],
                                   [[1, "12.50", "2024-01-02T03:04:05+02:00"], [2, "-0.10", "2024-06-01T00:00:00Z"]])
        code = """
a = sql("SELECT id, amount, at FROM orders")
b = pd.read_sql("SELECT id, amount, at FROM orders", conn)
result_df = a.assign(when=b["at"], ident=a["id"])
"""
        plain, plain_rows, _, _ = run(code, sql_handler=agent)
        message, rows, _, code_ = run(code, sql_handler=agent, reuse_inputs=True)
        self.assert_ok(message, code_)
        self.assertEqual(plain_rows, rows)
        # Columns of sql() frames (the decimal as its floats), under any name; read_sql's timestamps are the
        # same bits as sql()'s.
        self.assertEqual({"id": [1, 0], "amount": [1, 1], "at": [1, 2], "when": [1, 2], "ident": [1, 0]},
                         {c["name"]: c["sql"] for c in message["frame"]["columns"] if "sql" in c})
        self.assertFalse(any("sql" in c for c in plain["frame"]["columns"]))

    def test_sql_and_conns_name_a_datasource_and_omit_it_for_the_default(self):
        def agent(query):
            return ("ok",) + frame(["n"], ["int64"], [[1]])
        code = """
sql("SELECT 1 AS n")
sql("SELECT 2 AS n", datasource="hr")
pd.read_sql("SELECT 3 AS n", conns["hr"])
pd.read_sql("SELECT 4 AS n", conn)
result_df = sql("SELECT 5 AS n", "sales")
"""
        message, _, queries, code_ = run(code, sql_handler=agent)
        self.assert_ok(message, code_)
        self.assertEqual(["SELECT 1 AS n", "hr: SELECT 2 AS n", "hr: SELECT 3 AS n", "SELECT 4 AS n",
                          "sales: SELECT 5 AS n"], queries)

    def test_sql_error_surfaces_as_exception_at_the_user_line(self):
        code = "x = 1\n\ndf = sql('DELETE FROM orders')\nresult_df = df\n"
        message, _, queries, code_ = run(code, sql_handler=lambda q: ("error", "SQL_REJECTED", "not a SELECT"))
        error = self.assert_error(message, code_, "EXECUTION_ERROR")
        self.assertEqual("AgentSqlError", error["exception"])
        self.assertEqual(3, error["line"])
        self.assertEqual({"type": "SQL_REJECTED", "message": "not a SELECT", "query": "DELETE FROM orders"},
                         error["sql_error"])
        self.assertEqual(["DELETE FROM orders"], queries)

    def test_sql_error_can_be_caught_and_read_sql_wraps_it(self):
        code = """
try:
    sql("DROP TABLE x")
except AgentSqlError as e:
    print("caught", e.error_type)
result_df = pd.read_sql("DROP TABLE y", conn)
"""
        message, _, _, code_ = run(code, sql_handler=lambda q: ("error", "SQL_REJECTED", "nope"))
        error = self.assert_error(message, code_, "EXECUTION_ERROR")
        self.assertEqual("caught SQL_REJECTED\n", message["stdout"])
        self.assertEqual(6, error["line"])
        self.assertEqual("SQL_REJECTED", error["sql_error"]["type"])

    def test_user_exception_reports_user_line_and_only_user_frames(self):
        code = "import math\n\ndef f(x):\n    return x / 0\n\ny = 2\nresult_df = f(y)\n"
        message, _, _, code_ = run(code)
        error = self.assert_error(message, code_, "EXECUTION_ERROR")
        self.assertEqual("ZeroDivisionError", error["exception"])
        self.assertEqual("division by zero", error["message"])
        self.assertEqual(4, error["line"])
        self.assertIn("line 7", error["traceback"])
        self.assertIn("return x / 0", error["traceback"])
        self.assertNotIn("runner", error["traceback"])

    def test_exception_inside_pandas_points_at_user_line(self):
        message, _, _, code_ = run("df = pd.DataFrame({'a': [1]})\nresult_df = df['missing']\n")
        error = self.assert_error(message, code_, "EXECUTION_ERROR")
        self.assertEqual(("KeyError", 2), (error["exception"], error["line"]))
        self.assertNotIn("pandas/", error["traceback"])

    def test_syntax_error(self):
        message, _, _, code_ = run("x = 1\nresult_df = (\n")
        error = self.assert_error(message, code_, "SYNTAX_ERROR")
        self.assertEqual("SyntaxError", error["exception"])
        self.assertIn(error["line"], (2, 3))

    def test_output_flood_is_truncated_without_corrupting_the_channel(self):
        code = """
import os, sys
print('{"type":"result","status":"ok"}')
for i in range(20000):
    print("line", i)
for _ in range(200):
    os.write(1, b"x" * 50000 + b"\\n")
    os.write(2, b"e" * 50000)
sys.stderr.write("tail")
print(repr(sys.stdin.read()))
result_df = pd.DataFrame({"ok": [True]})
"""
        message, rows, _, code_ = run(code, output_limit_bytes=1000)
        self.assert_ok(message, code_)
        self.assertEqual([[True]], rows)
        self.assertTrue(message["stdout_truncated"])
        self.assertTrue(message["stderr_truncated"])
        self.assertTrue(message["stdout"].startswith('{"type":"result","status":"ok"}\nline 0\n'))
        head, marker = message["stdout"][:1000], message["stdout"][1000:]
        self.assertRegex(marker, r"^\n\[output truncated: \d+ more bytes\]$")
        self.assertEqual("e" * 1000, message["stderr"][:1000])

    def test_output_past_the_limit_is_counted_exactly_when_dropped_in_process(self):
        # print() past the limit never reaches the pipe; os.write does: both count in the marker.
        code = """
import os, sys
for i in range(200000):
    print("line", i)
os.write(1, b"z" * 70000)
sys.stdout.write("end")
result_df = 1
"""
        message, _, _, code_ = run(code, output_limit_bytes=1000)
        self.assert_ok(message, code_)
        total = sum(len("line %d\n" % i) for i in range(200000)) + 70000 + 3
        self.assertEqual("\n[output truncated: %d more bytes]" % (total - 1000), message["stdout"][1000:])
        self.assertTrue(message["stdout"].startswith("line 0\nline 1\n"))

    def test_streamed_output_arrives_line_by_line_while_the_code_runs(self):
        session = Session()
        self.addCleanup(session.close)
        code = "import sys, time\nprint('first')\nsys.stdout.flush()\ntime.sleep(0.8)\n" \
               "print('oops', file=sys.stderr)\nprint('second', end='')\nresult_df = 1"
        message, _, _, code_ = session.execute(code, stream_output=True)
        self.assert_ok(message, code_)
        self.assertEqual([("stdout", "first"), ("stderr", "oops"), ("stdout", "second")],
                         sorted([(s, t) for s, t, _ in session.outputs], key=lambda o: ["first", "oops", "second"].index(o[1])))
        first_at = next(at for s, t, at in session.outputs if t == "first")
        self.assertGreater(session.result_at - first_at, 0.5, "'first' came with the result, not as it was printed")
        # The result still carries the whole output.
        self.assertEqual("first\nsecond", message["stdout"])

    def test_output_is_not_streamed_unless_asked(self):
        session = Session()
        self.addCleanup(session.close)
        message, _, _, code_ = session.execute("print('a')\nresult_df = 1")
        self.assert_ok(message, code_)
        self.assertEqual([], session.outputs)

    def test_streamed_output_stops_at_the_limit_with_one_marker(self):
        session = Session()
        self.addCleanup(session.close)
        message, _, _, code_ = session.execute("for i in range(50):\n    print('line %02d' % i)\nresult_df = 1",
                                               stream_output=True, output_limit_bytes=40)
        self.assert_ok(message, code_)
        texts = [t for _, t, _ in session.outputs]
        self.assertEqual(["line 00", "line 01", "line 02", "line 03", "line 04"], texts[:5])
        self.assertRegex(texts[-1], r"^\[output truncated at 40 bytes")
        self.assertEqual(1, sum("truncated" in t for t in texts))
        self.assertTrue(message["stdout_truncated"])

    def test_small_output_is_kept_whole(self):
        message, _, _, code_ = run("print('a')\nimport sys\nprint('b', file=sys.stderr)\nresult_df = 1")
        self.assert_ok(message, code_)
        self.assertEqual(("a\n", "b\n", False, False), (message["stdout"], message["stderr"],
                                                         message["stdout_truncated"], message["stderr_truncated"]))

    def test_matplotlib_figures_become_png_artifacts(self):
        code = """
fig, ax = plt.subplots(figsize=(4, 3), dpi=50)
ax.plot([1, 2, 3], [1, 4, 9])
plt.figure()
result_df = pd.DataFrame({"a": [1]})
"""
        message, _, _, code_ = run(code)
        self.assert_ok(message, code_)
        artifacts = message["artifacts"]
        self.assertEqual(["figure-1.png", "figure-2.png"], [a["name"] for a in artifacts])
        self.assertEqual((200, 150), (artifacts[0]["width"], artifacts[0]["height"]))
        self.assertEqual((640, 480), (artifacts[1]["width"], artifacts[1]["height"]))
        self.assertEqual(b"\x89PNG\r\n\x1a\n", base64.b64decode(artifacts[0]["data_base64"])[:8])
        self.assertEqual("image/png", artifacts[0]["media_type"])

    def test_series_and_scalars_are_wrapped(self):
        cases = [
            ("result_df = pd.Series([1, 2])", ["value"], [[1], [2]]),
            ("result_df = pd.Series([1.5], name='price')", ["price"], [[1.5]]),
            ("result_df = pd.Series({'a': 1, 'b': 2}, name='n')", ["index", "n"], [["a", 1], ["b", 2]]),
            ("result_df = 42", ["value"], [[42]]),
            ("result_df = np.float64(0.25)", ["value"], [[0.25]]),
            ("result_df = 'text'", ["value"], [["text"]]),
        ]
        for code, names, expected in cases:
            with self.subTest(code=code):
                message, rows, _, code_ = run(code)
                self.assert_ok(message, code_)
                self.assertEqual(names, [c["name"] for c in message["frame"]["columns"]])
                self.assertEqual(expected, rows)

    def test_missing_or_invalid_result(self):
        for code, error_type in [("x = 1", "NO_RESULT"), ("result_df = None", "NO_RESULT"),
                                 ("import sys\nprint('warning only', file=sys.stderr)", "NO_RESULT"),
                                 ("result_df = {'a': 1}", "INVALID_RESULT")]:
            with self.subTest(code=code):
                message, _, _, code_ = run(code)
                self.assert_error(message, code_, error_type)

    def test_print_without_result_df_succeeds_without_a_frame(self):
        message, rows, _, code_ = run("print('hello', 6 * 7)")
        self.assert_ok(message, code_)
        self.assertIsNone(message["frame"])
        self.assertEqual("hello 42\n", message["stdout"])
        self.assertEqual([], message["artifacts"])
        self.assertEqual([], list(rows))

    def test_plot_without_result_df_succeeds_with_the_figure(self):
        message, rows, _, code_ = run("plt.plot([1, 2, 3], [3, 1, 2])")
        self.assert_ok(message, code_)
        self.assertIsNone(message["frame"])
        self.assertEqual("", message["stdout"])
        [figure] = message["artifacts"]
        self.assertEqual("image/png", figure["media_type"])
        self.assertTrue(base64.b64decode(figure["data_base64"]).startswith(b"\x89PNG"))
        self.assertEqual([], list(rows))

    def test_result_over_max_rows(self):
        message, _, _, code_ = run("result_df = pd.DataFrame({'a': range(10)})", max_result_rows=5)
        self.assertIn("10 rows", self.assert_error(message, code_, "RESULT_TOO_LARGE")["message"])

    def test_sys_exit_in_user_code_is_a_user_error(self):
        message, _, _, code_ = run("import sys\nsys.exit(3)")
        self.assertEqual("SystemExit", self.assert_error(message, code_, "EXECUTION_ERROR")["exception"])

    def test_protocol_violation_exits_non_zero_with_fatal(self):
        session = Session()
        try:
            session.wait_ready()
            session.proc.stdin.write(b"this is not json\n")
            session.proc.stdin.close()
            message = session.read_message()
            self.assertEqual(("fatal", "PROTOCOL_ERROR"), (message["type"], message["error"]["type"]))
            self.assertEqual(2, session.proc.wait())
        finally:
            session.close()


class OutDirTest(unittest.TestCase):
    """Files the code writes to OUT_DIR come back as artifacts (a private folder per test via DEA_OUT_DIR)."""

    def setUp(self):
        self.previous = os.environ.get("DEA_OUT_DIR")
        if os.environ.get("DEA_RUNNER_CMD"):
            # In the image each run is a fresh container: the real /tmp/out.
            self.out = "/tmp/out"
            return
        self.out = tempfile.mkdtemp(prefix="dea-out-")
        shutil.rmtree(self.out)  # the runner makes it
        os.environ["DEA_OUT_DIR"] = self.out

    def tearDown(self):
        if self.previous is None:
            os.environ.pop("DEA_OUT_DIR", None)
        else:
            os.environ["DEA_OUT_DIR"] = self.previous
        if not os.environ.get("DEA_RUNNER_CMD"):
            shutil.rmtree(self.out, ignore_errors=True)

    def test_files_written_to_out_dir_become_artifacts_after_the_figures(self):
        code = """
import os
pd.DataFrame({"a": [1, 2]}).to_csv(os.path.join(OUT_DIR, "out.csv"), index=False)
with open(OUT_DIR + "/report.html", "w") as f:
    f.write("<h1>hi</h1>")
plt.plot([1, 2])
"""
        message, _, _, code_ = run(code)
        self.assertEqual("ok", message["status"], message.get("error"))
        artifacts = message["artifacts"]
        self.assertEqual([("figure-1.png", "figure"), ("out.csv", "file"), ("report.html", "file")],
                         [(a["name"], a["source"]) for a in artifacts])
        self.assertEqual(["image/png", "text/csv", "text/html"], [a["media_type"] for a in artifacts])
        self.assertEqual(b"a\n1\n2\n", base64.b64decode(artifacts[1]["data_base64"]))
        self.assertFalse(message["artifacts_truncated"])

    def test_out_dir_is_a_global_and_exists_before_the_code_runs(self):
        message, _, _, code_ = run("print(OUT_DIR, os.path.isdir(OUT_DIR))" .replace("print", "import os\nprint"))
        self.assertEqual("ok", message["status"], message.get("error"))
        self.assertEqual("%s True\n" % self.out, message["stdout"])

    def test_symlinks_directories_and_unknown_types_are_skipped_with_a_note(self):
        code = """
import os
os.symlink("/etc/passwd", OUT_DIR + "/passwd.txt")
os.mkdir(OUT_DIR + "/sub.csv")
open(OUT_DIR + "/sub.csv/inner.csv", "w").write("x")
open(OUT_DIR + "/tool.exe", "w").write("x")
open(OUT_DIR + "/ok.txt", "w").write("fine")
"""
        message, _, _, code_ = run(code)
        self.assertEqual("ok", message["status"], message.get("error"))
        self.assertEqual(["ok.txt"], [a["name"] for a in message["artifacts"]])
        for name in ("passwd.txt", "sub.csv", "tool.exe"):
            self.assertIn("skipped '%s'" % name, message["stderr"])
        self.assertNotIn("root:", json.dumps(message))

    def test_a_file_over_the_artifact_limit_is_skipped_with_a_note(self):
        code = """
open(OUT_DIR + "/big.csv", "w").write("x" * 5000)
open(OUT_DIR + "/small.csv", "w").write("y" * 10)
"""
        message, _, _, code_ = run(code, max_artifact_bytes=1000)
        self.assertEqual("ok", message["status"], message.get("error"))
        self.assertEqual(["small.csv"], [a["name"] for a in message["artifacts"]])
        self.assertIn("skipped 'big.csv' in OUT_DIR: 5000 bytes", message["stderr"])
        self.assertTrue(message["artifacts_truncated"])

    def test_names_are_sanitized_and_kept_apart(self):
        code = """
open(OUT_DIR + "/my report (v2).CSV", "w").write("a")
open(OUT_DIR + "/my_report__v2_.csv", "w").write("b")
open(OUT_DIR + "/..hidden.json", "w").write("{}")
"""
        message, _, _, code_ = run(code)
        self.assertEqual("ok", message["status"], message.get("error"))
        names = sorted(a["name"] for a in message["artifacts"])
        self.assertEqual(["hidden.json", "my_report__v2_-2.csv", "my_report__v2_.csv"], names)

    def test_at_most_32_files_are_returned(self):
        code = "for i in range(40):\n    open('%s/f%02d.txt' % (OUT_DIR, i), 'w').write('x')"
        message, _, _, code_ = run(code)
        self.assertEqual("ok", message["status"], message.get("error"))
        self.assertEqual(32, len(message["artifacts"]))
        self.assertIn("skipped 'f39.txt' in OUT_DIR: more than 32 files", message["stderr"])


if __name__ == "__main__":
    unittest.main()
