"""Frames over the runner protocol: every kind in both directions, NULLs, edge values, load_frame.

Run through test_runner (which imports FrameTest), so test-image.sh covers them in the image too.
Inputs are written and results checked by frame_codec, independently of the runner's own code.
"""

from __future__ import annotations

import base64
import json
import unittest

from frame_codec import frame
from runner_client import Session, floats_only, frame_input, run

KINDS = ["int64", "float64", "bool", "string", "decimal", "date", "timestamp", "timestamptz", "time", "json",
         "bytes", "array"]
NAMES = ["i", "f", "b", "s", "d", "dt", "ts", "tz", "t", "j", "by", "arr"]
SOURCE = ["int8", "float8", "bool", "text", "numeric", "date", "timestamp", "timestamptz", "timetz", "jsonb",
          "bytea", "_int4"]
# The rows of FrameRoundTripTest.writeAllKinds, as FrameValues encodes them.
ALL_ROWS = [
    [1, 1.5, True, "plain", "12345678901234567890.123456789", "2024-02-29", "2024-01-02T03:04:05.123456",
     "2024-01-02T03:04:05+02:00", "13:45:00", {"a": [1, 2.5, None], "b": "x\ny"}, "AAH/", [1, None, 3]],
    [None] * 12,
    [-9223372036854775808, "NaN", False, "", "-0.10", "infinity", "2024-01-02T03:04:00", "2024-06-01T00:00:00Z",
     "13:45:00.5+02", 12345678901234567890.0, "", []],
    [9223372036854775807, "Infinity", True, "quote \" comma , newline \n cr \r end", "1000", "0001-01-01",
     "1999-12-31T23:59:59", "2024-01-02T10:04:05.5+01:30", "00:00:00", "text", "YQ==", [["a", "b"], ["c", None]]],
    [0, "-Infinity", False, "unicode é 中文 🎉 \u2028 sep", "0", "1970-01-01", "1970-01-01T00:00:00", "infinity",
     None, [], None, None],
    [-7, 0.1, None, "\"", None, None, None, None, None, None, None, [None]],
]
ALL_DTYPES = ["Int64", "float64", "boolean", "object", "object", "object", "datetime64[ns]",
              "datetime64[ns, UTC]", "object", "object", "object", "object"]



def all_kinds_input(name="all"):
    return frame_input(name, NAMES, KINDS, ALL_ROWS, SOURCE, ALL_DTYPES)


def small_input(name="small"):
    return frame_input(name, ["n", "ok", "x", "n"], ["int64", "bool", "float64", "int64"],
                       [[1, True, 1.0, 10], [2, False, 1e300, 20]])


def describe_code(frame_expr):
    # Printed as one JSON line so the test can check dtypes and Python values in the sandbox.
    return f"""
import json
def _d(v):
    return type(v).__name__ + ":" + str(v)
_f = {frame_expr}
print(json.dumps([[str(_f.iloc[:, i].dtype), [_d(v) for v in _f.iloc[:, i]]] for i in range(_f.shape[1])]))
"""



class RunnerTestCase(unittest.TestCase):
    def assert_ok(self, message, exit_code):
        self.assertEqual(0, exit_code)
        self.assertEqual("ok", message["status"], message.get("error"))

    def assert_error(self, message, exit_code, error_type):
        self.assertEqual(0, exit_code)
        self.assertEqual("error", message["status"])
        self.assertEqual(error_type, message["error"]["type"], message["error"])
        return message["error"]


class FrameTest(RunnerTestCase):
    def test_inputs_of_every_kind_load_with_documented_dtypes_and_round_trip(self):
        code = describe_code('input_data["all"]') + """
small = input_data["small"]
assert list(small.columns) == ["n", "ok", "x", "n"], small.columns
assert [str(t) for t in small.dtypes] == ["int64", "bool", "float64", "int64"]
result_df = input_data["all"]
"""
        message, rows, _, code_ = run(code, [all_kinds_input(), small_input()], exact_decimals=True)
        self.assert_ok(message, code_)
        described = json.loads(message["stdout"])
        self.assertEqual(ALL_DTYPES, [d for d, _ in described])
        values = dict(zip(NAMES, (v for _, v in described)))
        self.assertEqual(["int64:1", "NAType:<NA>", "int64:-9223372036854775808", "int64:9223372036854775807",
                          "int64:0", "int64:-7"], values["i"])
        self.assertEqual(["Decimal:12345678901234567890.123456789", "NoneType:None", "Decimal:-0.10",
                          "Decimal:1000", "Decimal:0", "NoneType:None"], values["d"])
        self.assertEqual("Timestamp:2024-01-02 08:34:05.500000+00:00", values["tz"][3])
        self.assertEqual("bytes:b'\\x00\\x01\\xff'", values["by"][0])
        self.assertEqual("str:unicode é 中文 🎉 \u2028 sep", values["s"][4])

        columns = message["frame"]["columns"]
        self.assertEqual(NAMES, [c["name"] for c in columns])
        # time and array values are plain str/list in pandas: they come back as string/json.
        self.assertEqual(["int64", "float64", "bool", "string", "decimal", "date", "timestamp", "timestamptz",
                          "string", "json", "bytes", "json"], [c["kind"] for c in columns])
        self.assertEqual(ALL_DTYPES, [c["dtype"] for c in columns])
        self.assertEqual(6, len(rows))
        self.assertEqual([1, 1.5, True, "plain", "12345678901234567890.123456789", "2024-02-29",
                          "2024-01-02T03:04:05.123456", "2024-01-02T01:04:05Z", "13:45:00",
                          {"a": [1, 2.5, None], "b": "x\ny"}, "AAH/", [1, None, 3]], rows[0])
        # float64 NULL loads as NaN and is sent back as NaN: the documented lossy corner.
        self.assertEqual([None, "NaN"] + [None] * 10, rows[1])
        self.assertEqual([-9223372036854775808, "NaN", False, "", "-0.10", None, "2024-01-02T03:04:00",
                          "2024-06-01T00:00:00Z", "13:45:00.5+02", 12345678901234567890.0, "", []], rows[2])
        self.assertEqual(ALL_ROWS[3][:5] + ["0001-01-01", "1999-12-31T23:59:59", "2024-01-02T08:34:05.5Z",
                                            "00:00:00", "text", "YQ==", [["a", "b"], ["c", None]]], rows[3])
        self.assertEqual([0, "-Infinity", False, "unicode é 中文 🎉 \u2028 sep", "0", "1970-01-01",
                          "1970-01-01T00:00:00", None, None, [], None, None], rows[4])
        self.assertEqual([-7, 0.1, None, "\"", None, None, None, None, None, None, None, [None]], rows[5])

    def test_unchanged_input_columns_come_back_by_reference_with_the_same_values(self):
        inputs = [all_kinds_input(), small_input()]
        code = 'result_df = input_data["all"]'
        plain, plain_rows, _, _ = run(code, inputs, exact_decimals=True)
        message, rows, _, code_ = run(code, inputs, exact_decimals=True, reuse_inputs=True)
        self.assert_ok(message, code_)
        columns = message["frame"]["columns"]
        # Named: what would come back byte for byte. Not: a float64 with a NULL (it would come back as NaN),
        # a date and a timestamptz holding infinity (they load as missing), and the kinds pandas holds differently
        # (with exact decimals, the decimal too).
        self.assertEqual({"i": [0, 0], "b": [0, 2], "s": [0, 3], "ts": [0, 6]},
                         {c["name"]: c["input"] for c in columns if "input" in c})
        self.assertTrue(all(c["buffers"] == [] for c in columns if "input" in c))
        self.assertEqual([c["kind"] for c in plain["frame"]["columns"]], [c["kind"] for c in columns])
        self.assertEqual([c["source_type"] for c in plain["frame"]["columns"]], [c["source_type"] for c in columns])
        self.assertEqual(plain_rows, rows)

    def test_a_decimal_held_as_float64_comes_back_as_its_float_buffer(self):
        data = frame_input("t", ["d", "n"], ["decimal", "int64"],
                           [["12.50", 1], [None, 2], ["NaN", 3], ["-0.10", 4], ["1e400", 5]], ["numeric", "int8"])
        for code in ('result_df = input_data["t"]', 'result_df = input_data["t"][["d"]].rename(columns={"d": "x"})'):
            with self.subTest(code=code):
                plain, plain_rows, _, _ = run(code, [data])
                message, rows, _, code_ = run(code, [data], reuse_inputs=True)
                self.assert_ok(message, code_)
                first = message["frame"]["columns"][0]
                self.assertEqual(("float64", [0, 0], "float"), (first["kind"], first["input"], first["buffer"]))
                self.assertEqual(plain["frame"]["columns"][0]["kind"], first["kind"])
                # NULL and NaN both went into pandas as NaN and come back as NaN values, as when encoded.
                self.assertEqual(plain_rows, rows)
                self.assertEqual("NaN", rows[1][0])
        # Changed in place, or sent without its float buffer (parsed from text): encoded.
        message, rows, _, _ = run('df = input_data["t"]\ndf.loc[0, "d"] = 1.0\nresult_df = df', [data], reuse_inputs=True)
        self.assertNotIn("input", message["frame"]["columns"][0])
        self.assertEqual(1.0, rows[0][0])
        no_floats = frame_input("t", ["d"], ["decimal"], [["12.50"], [None]], with_float=False)
        message, rows, _, _ = run('result_df = input_data["t"]', [no_floats], reuse_inputs=True)
        self.assertNotIn("input", message["frame"]["columns"][0])
        self.assertEqual([[12.5], ["NaN"]], rows)

    def test_a_decimal_sent_without_its_text_loads_from_its_floats_and_comes_back_by_reference(self):
        data = frame_input("t", ["d", "n"], ["decimal", "int64"],
                           [["12.50", 1], [None, 2], ["NaN", 3], ["-0.10", 4], ["1e400", 5]], ["numeric", "int8"])
        code = describe_code('input_data["t"]') + 'result_df = input_data["t"]'
        whole, whole_rows, _, _ = run(code, [data], reuse_inputs=True)
        message, rows, _, code_ = run(code, [floats_only(data)], reuse_inputs=True)
        self.assert_ok(message, code_)
        self.assertEqual(whole["stdout"], message["stdout"])
        self.assertEqual(whole_rows, rows)
        self.assertEqual(("float64", [0, 0], "float"), tuple(message["frame"]["columns"][0].get(k)
                                                             for k in ("kind", "input", "buffer")))

    def test_a_decimal_without_its_text_is_a_protocol_error_where_exact_values_are_needed(self):
        name, meta, buffers = floats_only(frame_input("t", ["u"], ["decimal"], [["18446744073709551615"]], ["numeric"]))
        unsigned = (name, dict(meta, columns=[dict(meta["columns"][0], source_type="bigint unsigned")]), buffers)
        cases = {"exact_decimals": (floats_only(frame_input("t", ["d"], ["decimal"], [["1.5"]], ["numeric"])), True),
                 "unsigned 64-bit": (unsigned, False)}
        for case, (data, exact) in cases.items():
            with self.subTest(case=case):
                message, _, _, code_ = run("result_df = 1", [data], exact_decimals=exact)
                self.assertEqual(("fatal", "PROTOCOL_ERROR", 2), (message["type"], message["error"]["type"], code_))
                self.assertIn("carries only its floats", message["error"]["message"])
        name, meta, buffers = floats_only(frame_input("t", ["d"], ["decimal"], [["1.5"], ["2"]], ["numeric"]))
        column = dict(meta["columns"][0], buffers=[{"name": "valid", "bytes": 2}, {"name": "float", "bytes": 8}])
        message, _, _, code_ = run("result_df = 1", [(name, dict(meta, columns=[column]), [buffers[0], buffers[1][:8]])])
        self.assertEqual(("fatal", "PROTOCOL_ERROR", 2), (message["type"], message["error"]["type"], code_))

    def test_an_input_the_code_drops_is_freed_although_its_columns_were_remembered(self):
        code = "import gc, weakref\nr = weakref.ref(input_data['t'])\ndel input_data['t']\ngc.collect()\nprint(r() is None)"
        message, _, _, code_ = run(code, [small_input("t")], reuse_inputs=True)
        self.assert_ok(message, code_)
        self.assertEqual("True\n", message["stdout"])

    def test_no_column_comes_back_by_reference_when_the_inputs_leave_little_memory(self):
        inputs = [all_kinds_input()]
        code = 'result_df = input_data["all"]'
        roomy, _, _, _ = run(code, inputs, reuse_inputs=True, memory_limit_bytes=8 << 30)
        tight, rows, _, code_ = run(code, inputs, reuse_inputs=True, memory_limit_bytes=96 << 20)
        self.assert_ok(tight, code_)
        self.assertEqual(5, sum("input" in c for c in roomy["frame"]["columns"]))   # with the decimal's floats
        # The runner alone takes more than 96 MiB less the 64 MiB reserve.
        self.assertEqual(0, sum("input" in c for c in tight["frame"]["columns"]))
        self.assertEqual(6, len(rows))

    def test_changed_reordered_or_renamed_columns_are_encoded(self):
        rows = [[i, (i - 100) / 4, "v%d" % (i % 3), "2024-01-%02d" % (i % 28 + 1), "2024-01-02T03:%02d:05Z" % (i % 60),
                 i % 2 == 0] for i in range(200)]
        data = frame_input("t", ["n", "x", "s", "d", "tz", "ok"],
                           ["int64", "float64", "string", "date", "timestamptz", "bool"], rows)
        cases = {
            # In place: the same arrays with one value changed each.
            "df = input_data['t']\ndf.loc[5, ['n', 'x', 's', 'ok']] = [-1, -0.5, 'changed', True]\n"
            "df.loc[6, 'd'] = df.loc[6, 'd'].replace(year=1999)\ndf.loc[7, 'tz'] = pd.NaT\n"
            "result_df = df": set(),
            "df = input_data['t']\ndf['x'] = df.x.abs() * 1\nresult_df = df": {"n", "s", "d", "tz", "ok"},
            # Reordered rows: named, with the input rows they hold (the next test).
            "result_df = input_data['t'].iloc[::-1]": {"n", "x", "s", "d", "tz", "ok"},
            # A renamed column is still the input column; a copy of one under a new name too.
            "result_df = input_data['t'].rename(columns={'s': 'label'}).assign(z=1, n2=lambda d: d.n)":
                {"n", "x", "label", "d", "tz", "ok", "n2"},
            # Equal numbers are the same bits whatever made them; equal strings made anew are new objects.
            "df = input_data['t'].copy()\ndf['n'] = df.n + 0\ndf['s'] = df.s.str.upper().str.lower()\nresult_df = df":
                {"n", "x", "d", "tz", "ok"},
            "result_df = input_data['t'].iloc[::-1].iloc[::-1].reset_index(drop=True)[['ok', 's']]": {"ok", "s"},
            "result_df = input_data['t'].astype({'n': 'float64', 's': 'category'})": {"x", "d", "tz", "ok"},
        }
        for code, named in cases.items():
            with self.subTest(code=code):
                plain, plain_rows, _, _ = run(code, [data])
                message, result, _, code_ = run(code, [data], reuse_inputs=True)
                self.assert_ok(message, code_)
                self.assertEqual(named, {c["name"] for c in message["frame"]["columns"] if "input" in c})
                self.assertEqual([c["kind"] for c in plain["frame"]["columns"]],
                                 [c["kind"] for c in message["frame"]["columns"]])
                self.assertEqual(plain_rows, result)
        changed = run(next(iter(cases)), [data], reuse_inputs=True)[1]
        self.assertEqual([-1, -0.5, "changed", "2024-01-06", "2024-01-02T03:05:05Z", True], changed[5])
        self.assertEqual("1999-01-07", changed[6][3])
        self.assertIsNone(changed[7][4])

    def test_filtered_or_reordered_columns_come_back_as_the_input_rows_they_hold(self):
        rows = [[i, (i - 100) / 4, "v%d" % (i % 3), "2024-01-%02d" % (i % 28 + 1), "2024-01-02T03:%02d:05Z" % (i % 60),
                 i % 2 == 0] for i in range(200)]
        data = frame_input("t", ["n", "x", "s", "d", "tz", "ok"],
                           ["int64", "float64", "string", "date", "timestamptz", "bool"], rows)
        every = {"n", "x", "s", "d", "tz", "ok"}
        cases = {
            "result_df = input_data['t'].iloc[::-1]": every,
            "df = input_data['t']\nresult_df = df[df.n % 3 == 0]": every,
            "result_df = input_data['t'].sort_values(['s', 'n'], ascending=[True, False])": every,
            "result_df = input_data['t'].iloc[[3, 3, 0]]": every,
            "result_df = input_data['t'].head(50)": every,
            "result_df = input_data['t'].tail(7)[['x', 'd']]": {"x", "d"},
            "result_df = input_data['t'].nlargest(5, 'x')['s']": {"s"},
            "result_df = input_data['t'].sample(frac=1, random_state=1)[['s', 'n']].rename(columns={'s': 'label'})":
                {"label", "n"},
            # Changed after the filter: that column is encoded, the others are rows.
            "df = input_data['t'][lambda d: d.n > 10].copy()\ndf['s'] = df.s.str.upper()\nresult_df = df":
                every - {"s"},
            "df = input_data['t'].iloc[::-1].copy()\ndf.iloc[0, 0] = -1\nresult_df = df": every - {"n"},
            # No positions left: a reset index (the rows are no longer where they were), a named index.
            "result_df = input_data['t'].iloc[::-1].reset_index(drop=True)": set(),
            "result_df = pd.DataFrame({'n': np.arange(1, 201)})": set(),
            "result_df = input_data['t'].set_index('n').iloc[::-1]": set(),
            "result_df = input_data['t'].groupby('s').n.sum()": set(),
            # An integer index that is not input rows: compared, and encoded.
            "df = input_data['t'].iloc[::-1]\ndf.index = range(1, 201)\nresult_df = df": set(),
            "result_df = input_data['t'].iloc[:0]": set(),
        }
        for code, named in cases.items():
            with self.subTest(code=code):
                plain, plain_rows, _, _ = run(code, [data])
                message, result, _, code_ = run(code, [data], reuse_inputs=True)
                self.assert_ok(message, code_)
                frame = message["frame"]
                self.assertEqual(named, {c["name"] for c in frame["columns"] if "input" in c})
                self.assertTrue(all(c.get("rows") is True for c in frame["columns"] if "input" in c))
                self.assertEqual({"bytes": 8 * frame["row_count"]} if named else None, frame.get("rows"))
                self.assertEqual([c["kind"] for c in plain["frame"]["columns"]], [c["kind"] for c in frame["columns"]])
                self.assertEqual(plain_rows, result)

    def test_empty_input_keeps_dtypes(self):
        code = describe_code('input_data["e"]') + 'result_df = input_data["e"]'
        message, rows, _, code_ = run(code, [frame_input("e", NAMES, KINDS, [], SOURCE)], exact_decimals=True)
        self.assert_ok(message, code_)
        self.assertEqual(["int64", "float64", "bool", "object", "object", "object", "datetime64[ns]",
                          "datetime64[ns, UTC]", "object", "object", "object", "object"],
                         [d for d, _ in json.loads(message["stdout"])])
        self.assertEqual(0, message["frame"]["row_count"])
        self.assertEqual([], rows)

    def test_result_types_map_to_kinds(self):
        code = """
import datetime, decimal
result_df = pd.DataFrame({
    "i32": pd.Series([1, 2, 3], dtype="int32"),
    "u8": pd.Series([1, 2, 255], dtype="uint8"),
    "nullable": pd.array([1, None, 3], dtype="Int64"),
    "f32": pd.Series([0.5, float("nan"), float("inf")], dtype="float32"),
    "bools": pd.array([True, None, False], dtype="boolean"),
    "cat": pd.Categorical(["x", "y", None]),
    "berlin": pd.to_datetime([pd.Timestamp("2024-01-01 12:00"), None, pd.Timestamp("2024-07-01 12:00:00.000000001")])
              .tz_localize("Europe/Berlin"),
    "dates": [datetime.date(2024, 2, 29), None, datetime.date(1, 1, 1)],
    "aware": [datetime.datetime(2024, 1, 1, 1, tzinfo=datetime.timezone(datetime.timedelta(hours=1))), None,
              datetime.datetime(2024, 1, 1, tzinfo=datetime.timezone.utc)],
    "decimals": [decimal.Decimal("-0.10"), decimal.Decimal("NaN"), decimal.Decimal("1E-21")],
    "mixed": [1, "a", None],
    "js": [{"k": [1, float("nan")]}, [1, 2], None],
    "delta": pd.to_timedelta(["1 day", None, "2h"]),
    "raw": [b"\\x00", None, bytearray(b"ab")],
    "objint": pd.Series([1, None, 2**62], dtype=object),
})
"""
        message, rows, _, code_ = run(code)
        self.assert_ok(message, code_)
        kinds = {c["name"]: (c["kind"], c["dtype"]) for c in message["frame"]["columns"]}
        self.assertEqual({
            "i32": ("int64", "int64"), "u8": ("int64", "int64"), "nullable": ("int64", "Int64"),
            "f32": ("float64", "float64"), "bools": ("bool", "boolean"), "cat": ("string", "object"),
            "berlin": ("timestamptz", "datetime64[ns, UTC]"), "dates": ("date", "object"),
            "aware": ("timestamptz", "datetime64[ns, UTC]"), "decimals": ("decimal", "object"),
            "mixed": ("string", "object"), "js": ("json", "object"), "delta": ("string", "object"),
            "raw": ("bytes", "object"), "objint": ("int64", "Int64")}, kinds)
        names = [c["name"] for c in message["frame"]["columns"]]
        cols = {n: [r[i] for r in rows] for i, n in enumerate(names)}
        self.assertEqual([1, None, 3], cols["nullable"])
        self.assertEqual([0.5, "NaN", "Infinity"], cols["f32"])
        self.assertEqual([True, None, False], cols["bools"])
        # Frames keep microseconds: the nanosecond is cut (toward the past).
        self.assertEqual(["2024-01-01T11:00:00Z", None, "2024-07-01T10:00:00Z"], cols["berlin"])
        self.assertEqual(["2024-02-29", None, "0001-01-01"], cols["dates"])
        self.assertEqual(["2024-01-01T00:00:00Z", None, "2024-01-01T00:00:00Z"], cols["aware"])
        self.assertEqual(["-0.10", "NaN", "0.000000000000000000001"], cols["decimals"])
        self.assertEqual(["1", "a", None], cols["mixed"])
        self.assertEqual([{"k": [1, None]}, [1, 2], None], cols["js"])
        self.assertEqual(["1 days 00:00:00", None, "0 days 02:00:00"], cols["delta"])
        self.assertEqual(["AA==", None, "YWI="], cols["raw"])
        self.assertEqual([1, None, 2**62], cols["objint"])

    def test_decimals_reach_pandas_as_float64_unless_the_step_asks_for_exact_ones(self):
        def agent(query):
            return ("ok",) + frame(["amount"], ["decimal"], [["12.50"], [None], ["NaN"]])
        code = """
d = input_data["all"]["d"]
a = sql("SELECT amount FROM orders")["amount"]
print(d.dtype, a.dtype, d.isna().sum(), a.isna().sum(), a.iloc[0] * 2, d.describe()["max"])
result_df = pd.DataFrame({"d": d})
"""
        message, rows, _, code_ = run(code, [all_kinds_input()], sql_handler=agent)
        self.assert_ok(message, code_)
        self.assertEqual("float64 float64 2 2 25.0 1.2345678901234567e+19\n", message["stdout"])
        self.assertEqual("float64", message["frame"]["columns"][0]["kind"])
        message, _, _, code_ = run(code.replace("d.describe()[\"max\"]", "type(d.iloc[0]).__name__"),
                                   [all_kinds_input()], sql_handler=agent, exact_decimals=True)
        self.assert_ok(message, code_)
        self.assertTrue(message["stdout"].startswith("object object 2 2 25.00 Decimal"), message["stdout"])

    def test_sql_asks_for_decimals_as_floats_only_where_its_frame_loads_them_so(self):
        # The test's agent answers such a request as the agent does: decimals without their text.
        def agent(query):
            return ("ok",) + frame(["amount", "u"], ["decimal", "decimal"],
                                   [["12.50", "18446744073709551615"], [None, None]], ["numeric", "bigint unsigned"])
        code = """
a = sql("SELECT 1")
cur = conn.cursor()
cur.execute("SELECT 2")
row = cur.fetchone()
print(a["amount"].dtype, a["u"].dtype, int(a["u"].iloc[0]), type(row[0]).__name__, row[0], row[1])
"""
        for exact in (False, True):
            with self.subTest(exact_decimals=exact):
                session = Session()
                try:
                    message, _, _, code_ = session.execute(code, [], agent, exact_decimals=exact)
                    asked = [r.get("decimals_as_floats", False) for r in session.sql_requests]
                finally:
                    session.close()
                self.assert_ok(message, code_)
                self.assertEqual([not exact, False], asked)
                self.assertTrue(message["stdout"].endswith("Decimal 12.50 18446744073709551615\n"), message["stdout"])
                if not exact:
                    self.assertTrue(message["stdout"].startswith("float64 UInt64 18446744073709551615 "))

    def test_columns_of_nulls_only_load_and_come_back_as_nulls(self):
        rows = [[None] * len(KINDS)] * 3
        code = describe_code('input_data["n"]') + 'result_df = input_data["n"]'
        message, result, _, code_ = run(code, [frame_input("n", NAMES, KINDS, rows, SOURCE)], exact_decimals=True)
        self.assert_ok(message, code_)
        described = json.loads(message["stdout"])
        self.assertEqual(ALL_DTYPES, [d for d, _ in described])
        self.assertEqual(["NAType:<NA>"] * 3, described[0][1])
        self.assertEqual(["NoneType:None"] * 3, described[5][1])
        self.assertEqual(["NaTType:NaT"] * 3, described[7][1])
        # frame_codec checked every NULL slot (0, NaN, empty value); a float NULL is NaN in pandas.
        self.assertEqual([[None, "NaN"] + [None] * 10] * 3, result)
        self.assertEqual(["int64", "float64", "bool", "string", "string", "string", "timestamp", "timestamptz",
                          "string", "string", "string", "string"], [c["kind"] for c in message["frame"]["columns"]])

    def test_nan_and_null_in_floats(self):
        code = """
f = input_data["f"]["x"]
print(f.isna().tolist(), f.dtype)
result_df = pd.DataFrame({"plain": f, "masked": pd.array([1.5, None, float("nan")], dtype="Float64"),
                          "objects": pd.Series([1.5, float("nan"), None], dtype=object)})
"""
        message, rows, _, code_ = run(code, [frame_input("f", ["x"], ["float64"], [[1.0], ["NaN"], [None]])])
        self.assert_ok(message, code_)
        self.assertEqual("[False, True, True] float64\n", message["stdout"])
        # A numpy NaN is a value; pd.NA of a Float64 column and NaN/None among objects are NULL.
        self.assertEqual([[1.0, 1.5, 1.5], ["NaN", None, None], ["NaN", None, None]], rows)
        self.assertEqual(["float64"] * 3, [c["dtype"] for c in message["frame"]["columns"]])

    def test_text_edge_values_in_both_directions(self):
        values = ["", None, "a\0b", "😀 𝄞 é", "\u2028line\nbreak", "\0", "plain"]
        code = """
s = input_data["t"]["s"]
print(json.dumps([None if v is None else v for v in s]))
result_df = pd.DataFrame({"s": s, "back": s.tolist()})
""".replace("print", "import json\nprint", 1)
        message, rows, _, code_ = run(code, [frame_input("t", ["s"], ["string"], [[v] for v in values])])
        self.assert_ok(message, code_)
        self.assertEqual(values, json.loads(message["stdout"]))
        self.assertEqual([[v, v] for v in values], rows)

    def test_many_rows_cross_decoding_chunks_and_share_repeated_strings(self):
        n = 70_000
        rows = [["city-%d" % (i % 5), "id-%d" % i, "x\0y" if i == 69_999 else "v"] for i in range(n)]
        code = """
t = input_data["t"]
print(t["city"].map(id).nunique(), t["id"].nunique(), repr(t["mixed"].iloc[-1]), t["mixed"].iloc[0])
result_df = t
"""
        message, result, _, code_ = run(code, [frame_input("t", ["city", "id", "mixed"], ["string"] * 3, rows)])
        self.assert_ok(message, code_)
        self.assertEqual("5 70000 'x\\x00y' v\n", message["stdout"])
        self.assertEqual(rows, result)

    def test_dates_and_timestamps_beyond_pandas_load_as_missing(self):
        rows = [["0001-01-01", "1677-09-22T00:00:00", "2262-04-11T00:00:00Z"],
                ["9999-12-31", "1500-06-01T12:00:00", "3000-01-01T00:00:00Z"],
                [3_000_000, "infinity", "-infinity"],
                ["-infinity", -(1 << 62), 1 << 62]]
        code = describe_code('input_data["d"]') + """
print([r for r in conn.cursor().execute("SELECT").fetchall()])
result_df = input_data["d"]
"""
        message, result, _, code_ = run(code, [frame_input("d", ["d", "ts", "tz"], ["date", "timestamp", "timestamptz"],
                                                           rows)],
                                        sql_handler=lambda q: ("ok",) + frame(["d", "ts"], ["date", "timestamp"],
                                                                              [r[:2] for r in rows]))
        self.assert_ok(message, code_)
        described, cursor = message["stdout"].split("\n")[:2]
        self.assertEqual([["object", ["date:0001-01-01", "date:9999-12-31", "NoneType:None", "NoneType:None"]],
                          ["datetime64[ns]", ["Timestamp:1677-09-22 00:00:00"] + ["NaTType:NaT"] * 3],
                          ["datetime64[ns, UTC]", ["Timestamp:2262-04-11 00:00:00+00:00"] + ["NaTType:NaT"] * 3]],
                         json.loads(described))
        # The DB-API cursor hands out what datetime can hold, beyond pandas' nanosecond range too.
        self.assertEqual("[(datetime.date(1, 1, 1), datetime.datetime(1677, 9, 22, 0, 0)), "
                         "(datetime.date(9999, 12, 31), datetime.datetime(1500, 6, 1, 12, 0)), (None, None), "
                         "(None, None)]", cursor)
        self.assertEqual([["0001-01-01", "1677-09-22T00:00:00", "2262-04-11T00:00:00Z"],
                          ["9999-12-31", None, None], [None, None, None], [None, None, None]], result)

    def test_huge_decimals_are_exact_when_asked(self):
        huge = "123456789012345678901234567890.123456789012345678901234567890"
        rows = [[huge], ["-0.000000000000000000000000000001"], ["NaN"], ["-Infinity"], [None]]
        code = "d = input_data['d']['v']\nprint(d.dtype, [str(v) for v in d])\nresult_df = input_data['d']"
        message, result, _, code_ = run(code, [frame_input("d", ["v"], ["decimal"], rows)], exact_decimals=True)
        self.assert_ok(message, code_)
        self.assertEqual("object ['%s', '-1E-30', 'NaN', '-Infinity', 'None']\n" % huge, message["stdout"])
        self.assertEqual([[huge], ["-0.000000000000000000000000000001"], ["NaN"], ["-Infinity"], [None]], result)
        message, result, _, code_ = run(code, [frame_input("d", ["v"], ["decimal"], rows)])
        self.assert_ok(message, code_)
        self.assertEqual("float64 ['1.2345678901234568e+29', '-1e-30', 'nan', '-inf', 'nan']\n", message["stdout"])
        # Without its float buffer a decimal column still loads (from its text).
        message, _, _, code_ = run(code, [frame_input("d", ["v"], ["decimal"], rows, with_float=False)])
        self.assertEqual("float64 ['1.2345678901234568e+29', '-1e-30', 'nan', '-inf', 'nan']\n", message["stdout"])

    def test_unsigned_64_bit_integers_load_exact_as_uint64_by_default(self):
        code = "u = input_data['u']['v']\nprint(u.dtype, [str(v) for v in u])\nresult_df = input_data['u']"
        rows = [["18446744073709551615"], ["9007199254740993"], ["0"]]
        message, result, _, code_ = run(code, [frame_input("u", ["v"], ["decimal"], rows, ["bigint unsigned"])])
        self.assert_ok(message, code_)
        self.assertEqual("uint64 ['18446744073709551615', '9007199254740993', '0']\n", message["stdout"])
        self.assertEqual(rows, result)
        message, result, _, code_ = run(code, [frame_input("u", ["v"], ["decimal"], rows + [[None]], ["bit(64)"])])
        self.assert_ok(message, code_)
        self.assertEqual("UInt64 ['18446744073709551615', '9007199254740993', '0', '<NA>']\n", message["stdout"])
        self.assertEqual(rows + [[None]], result)

    def test_frames_without_rows_or_columns(self):
        code = """
w = input_data["w"]
print(w.shape, len(input_data["e"]))
result_df = pd.DataFrame(index=range(3))
"""
        message, rows, _, code_ = run(code, [frame_input("w", [], [], [[]] * 3),
                                             frame_input("e", ["a", "s"], ["int64", "string"], [])])
        self.assert_ok(message, code_)
        self.assertEqual("(3, 0) 0\n", message["stdout"])
        self.assertEqual({"columns": [], "row_count": 3}, message["frame"])
        self.assertEqual([[], [], []], rows)

    def test_result_columns_from_2d_arrays_units_and_pre_1970_instants(self):
        code = """
t = pd.Series(pd.to_datetime(["1969-12-31 23:59:59.9999995", "2024-01-01 00:00:01.5"]))
if int(pd.__version__.split(".")[0]) >= 2:
    ms = t.astype("datetime64[ms]")
else:
    ms = t.dt.floor("ms")
result_df = pd.DataFrame(np.arange(4).reshape(2, 2), columns=["a", "b"]).assign(t=t, ms=ms)
"""
        message, rows, _, code_ = run(code)
        self.assert_ok(message, code_)
        self.assertEqual([[0, 1, "1969-12-31T23:59:59.999999", "1969-12-31T23:59:59.999"],
                          [2, 3, "2024-01-01T00:00:01.5", "2024-01-01T00:00:01.5"]], rows)

    def test_load_frame_reads_a_frame_directory_and_refuses_broken_ones(self):
        meta, buffers = frame(NAMES, KINDS, ALL_ROWS, SOURCE, ALL_DTYPES)
        # The sandbox writes the directory (as frame_codec.write_frame does) and loads it itself.
        code = """
import base64, json, os, tempfile
from dea_frames import FrameFormatError, load_frame
"""
        code += "meta = json.loads(%r)\nbuffers = [base64.b64decode(b) for b in %r]\n" % (
            json.dumps(meta), [base64.b64encode(b).decode("ascii") for b in buffers])
        code += """
def write(directory, meta, buffers):
    os.makedirs(directory)
    pieces = iter(buffers)
    for i, column in enumerate(meta["columns"]):
        for spec in column["buffers"]:
            with open(os.path.join(directory, "%d.%s" % (i, spec["name"])), "wb") as f:
                f.write(next(pieces))
    with open(os.path.join(directory, "meta.json"), "w") as f:
        json.dump(meta, f)
root = tempfile.mkdtemp()
write(root + "/ok", meta, buffers)
df = load_frame(root + "/ok")
print([str(t) for t in df.dtypes] == DTYPES, list(df.columns) == NAMES, str(df["d"].iloc[0]), df["tz"].iloc[3])
for name, change in [("short", lambda m, b: b.__setitem__(1, b[1][:-1])),
                     ("version", lambda m, b: m.__setitem__("format_version", 1)),
                     ("sizes", lambda m, b: m["columns"][0]["buffers"][1].__setitem__("bytes", 1))]:
    m, b = json.loads(json.dumps(meta)), list(buffers)
    change(m, b)
    write(root + "/" + name, m, b)
    try:
        load_frame(root + "/" + name)
        print(name, "loaded")
    except FrameFormatError as e:
        print(name, "refused")
os.remove(root + "/ok/3.data")
try:
    load_frame(root + "/ok")
except FrameFormatError as e:
    print("missing refused")
""".replace("DTYPES", repr(ALL_DTYPES)).replace("NAMES", repr(NAMES))
        message, _, _, code_ = run(code)
        self.assert_ok(message, code_)
        self.assertEqual("True True 12345678901234567890.123456789 2024-01-02 08:34:05.500000+00:00\n"
                         "short refused\nversion refused\nsizes refused\nmissing refused\n", message["stdout"])

    def test_inconsistent_input_buffers_are_a_protocol_error(self):
        name, meta, buffers = frame_input("t", ["s"], ["string"], [["ab"], ["c"]])
        bad_offsets = [buffers[0], buffers[1][:8] + (2).to_bytes(8, "little") + buffers[1][16:], buffers[2]]
        for broken_meta, broken in [(meta, bad_offsets), (dict(meta, row_count=3), buffers)]:
            with self.subTest(row_count=broken_meta["row_count"]):
                message, _, _, code_ = run("result_df = 1", [(name, broken_meta, broken)])
                self.assertEqual(("fatal", "PROTOCOL_ERROR", 2), (message["type"], message["error"]["type"], code_))
