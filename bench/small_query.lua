-- wrk script for (b): the same point query as pgbench -S, through POST /execute.
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer " .. os.getenv("BENCH_TOKEN")
local accounts = tonumber(os.getenv("BENCH_ACCOUNTS") or "1000000")

request = function()
  local aid = math.random(1, accounts)
  local body = '{"language":"sql","code":"SELECT abalance FROM pgbench_accounts WHERE aid = ' .. aid .. '"}'
  return wrk.format(nil, nil, nil, body)
end

local errors = 0
response = function(status, headers, body)
  if status ~= 200 then errors = errors + 1 end
end

done = function(summary, latency, requests)
  io.write(string.format("non_200=%d\n", summary.errors.status))
  io.write(string.format("p50_ms=%.2f p99_ms=%.2f\n", latency:percentile(50) / 1000, latency:percentile(99) / 1000))
end
