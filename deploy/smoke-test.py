#!/usr/bin/env python3
"""Smoke test of a running agent over HTTP: the checks a deployment must pass.

Waits for GET /health, reads GET /schema, runs a SQL /execute on a table of the schema,
checks that a DELETE is refused with SQL_REJECTED and a missing token with 401, then
chains a Python /execute-on-data on the SQL result's cache key (the sandbox path).

Standard library only, so it runs in docker-compose.test.yml's test-runner (a plain
python image), in CI against a locally started agent.jar, and by hand:

    AGENT_SECRET_TOKEN=... deploy/smoke-test.py --url http://localhost:8001

Exit status 0 when every check passed, 1 on the first failure (which it names).
--no-python skips the sandbox step for an agent deliberately run without Docker; the
skip is printed, never silent.
"""
import argparse
import json
import os
import sys
import time
import urllib.error
import urllib.request


class SmokeFailure(Exception):
    pass


class Agent:
    def __init__(self, url, token, timeout):
        self.url = url.rstrip("/")
        self.token = token
        self.timeout = timeout

    def call(self, method, path, body=None, token=True):
        headers = {"Accept": "application/json"}
        if token:
            headers["Authorization"] = "Bearer " + self.token
        data = None
        if body is not None:
            data = json.dumps(body).encode("utf-8")
            headers["Content-Type"] = "application/json"
        request = urllib.request.Request(self.url + path, data=data, headers=headers, method=method)
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                return response.status, _json(response.read())
        except urllib.error.HTTPError as e:
            return e.code, _json(e.read())


def _json(raw):
    try:
        return json.loads(raw.decode("utf-8")) if raw else None
    except ValueError:
        return {"unparsable_body": raw[:500].decode("utf-8", "replace")}


def check(condition, what, detail=None):
    if not condition:
        raise SmokeFailure(what + ("" if detail is None else ": " + json.dumps(detail)[:1500]))
    print("ok   " + what, flush=True)


def wait_for_health(agent, seconds):
    deadline = time.monotonic() + seconds
    last = "no answer yet"
    while time.monotonic() < deadline:
        try:
            status, body = agent.call("GET", "/health", token=False)
            if status == 200 and body and body.get("status") == "ok":
                return body
            last = "HTTP %d %s" % (status, json.dumps(body)[:300])
        except OSError as e:  # connection refused while the agent starts
            last = str(e)
        time.sleep(2)
    raise SmokeFailure("GET /health did not answer 200 within %ds (last: %s)" % (seconds, last))


def wait_for_sandbox(agent, seconds):
    deadline = time.monotonic() + seconds
    sandbox = {}
    while time.monotonic() < deadline:
        _, body = agent.call("GET", "/health", token=False)
        sandbox = (body or {}).get("sandbox", {})
        if sandbox.get("status") == "up":
            return
        time.sleep(2)
    raise SmokeFailure("the sandbox did not come up within %ds: %s" % (seconds, json.dumps(sandbox)))


def pick_table(schema, wanted):
    tables = schema.get("schema", {}).get("tables", [])
    check(len(tables) > 0, "GET /schema lists tables (%d)" % len(tables))
    if wanted:
        for t in tables:
            if wanted in (t.get("name"), t.get("qualified_name")):
                return t
        raise SmokeFailure("table %r is not in GET /schema" % wanted)
    for t in tables:
        if t.get("kind") == "table":
            return t
    return tables[0]


def run(args):
    agent = Agent(args.url, args.token, args.request_timeout)
    health = wait_for_health(agent, args.wait)
    check(health.get("database", {}).get("status") == "up", "GET /health: database up", health)

    status, _ = agent.call("GET", "/schema", token=False)
    check(status == 401, "GET /schema without a token is 401 (got %d)" % status)

    status, schema = agent.call("GET", "/schema")
    check(status == 200, "GET /schema is 200 (got %d)" % status, schema)
    table = pick_table(schema, args.table)
    name = table["qualified_name"]

    status, result = agent.call("POST", "/execute",
                                {"language": "sql", "code": "SELECT count(*) AS n FROM " + name})
    check(status == 200 and result.get("status") == "success",
          "POST /execute SQL count(*) on %s" % name, result)
    rows = result["data"]["rows"]
    check(len(rows) == 1 and isinstance(rows[0][0], int), "the count is one integer row (%s)" % rows, result)
    count, key = rows[0][0], result.get("cache_key")
    check(bool(key), "the SQL result has a cache_key", result)

    status, rejected = agent.call("POST", "/execute", {"language": "sql", "code": "DELETE FROM " + name})
    detail = (rejected or {}).get("detail", {})
    check(status == 400 and detail.get("type") == "SQL_REJECTED",
          "DELETE is refused with 400 SQL_REJECTED (rule %s)" % detail.get("rule"), rejected)

    if args.no_python:
        print("SKIP the Python sandbox step (--no-python)", flush=True)
        return
    wait_for_sandbox(agent, args.sandbox_wait)
    code = "print('smoke')\nresult_df = input_data['prev'].assign(doubled=lambda d: d['n'] * 2)"
    status, chained = agent.call("POST", "/execute-on-data", {"code": code, "cache_keys": {"prev": key}})
    check(status == 200 and chained.get("status") == "success", "POST /execute-on-data on the cached frame", chained)
    data = chained["data"]
    check(data["columns"] == ["n", "doubled"] and data["rows"] == [[count, 2 * count]],
          "pandas computed on the SQL result (%s)" % data["rows"], chained)
    check("smoke" in chained.get("stdout", ""), "the code's stdout came back", chained)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--url", default=os.environ.get("AGENT_URL", "http://localhost:8001"))
    parser.add_argument("--table", default=os.environ.get("SMOKE_TABLE"),
                        help="table to query (default: the first plain table of GET /schema)")
    parser.add_argument("--wait", type=int, default=int(os.environ.get("SMOKE_WAIT_SECONDS", "180")),
                        help="seconds to wait for GET /health to answer 200")
    parser.add_argument("--sandbox-wait", type=int, default=120,
                        help="seconds to wait for the sandbox to be reported up")
    parser.add_argument("--request-timeout", type=int, default=120)
    parser.add_argument("--no-python", action="store_true", help="skip the sandbox step, loudly")
    args = parser.parse_args()
    args.token = os.environ.get("AGENT_SECRET_TOKEN", "")
    if not args.token:
        print("FAIL: set AGENT_SECRET_TOKEN to the agent's token", file=sys.stderr)
        return 1
    try:
        run(args)
    except SmokeFailure as e:
        print("FAIL " + str(e), file=sys.stderr, flush=True)
        return 1
    print("smoke test passed against " + args.url, flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
