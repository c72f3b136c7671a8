-- Shared by the wrk scripts: per-thread ids, status counts, and a JSON summary with percentiles
-- (and how many acknowledged requests were deliberate resends, for scripts that count them in a
-- thread global `resent_ok`).
-- BENCH_LOAD_DIR: this folder; BENCH_DATA: a scratch folder a run writes its per-thread files
-- to; BENCH_RUN_TAG: keeps one run's ids apart from another's.
data_dir = os.getenv("BENCH_DATA")
local threads = {}
counter = 0
ok = 0
bad = 0

function setup(thread)
  thread:set("tid", #threads + 1)
  table.insert(threads, thread)
end

-- Each run has its own tag, so ids never repeat across the runs of one benchmark.
run_tag = os.getenv("BENCH_RUN_TAG") or ""

function next_id()
  counter = counter + 1
  return string.format("%s%s-%02d-%07d", prefix, run_tag, tid, counter)
end

-- A 2xx answer counts as acknowledged, and so does a redirect when the script says so (a form
-- POST answers 302 to the next page).
redirect_ok = false

function count(status)
  if (status >= 200 and status < 300) or (redirect_ok and status >= 300 and status < 400) then
    ok = ok + 1
  else
    bad = bad + 1
  end
end

function response(status, headers, body)
  count(status)
end

function done(summary, latency, requests)
  local per_thread = {}
  local total_ok, total_bad, total_resent = 0, 0, 0
  for _, thread in ipairs(threads) do
    local t_ok, t_bad = thread:get("ok"), thread:get("bad")
    total_ok, total_bad = total_ok + t_ok, total_bad + t_bad
    total_resent = total_resent + (thread:get("resent_ok") or 0)
    table.insert(per_thread, string.format("[%d,%d]", thread:get("tid"), t_ok))
  end
  io.stderr:write(string.format(
    '{"requests": %d, "seconds": %.3f, "ok": %d, "bad": %d, "socket_errors": %d, ' ..
    '"p50_ms": %.2f, "p95_ms": %.2f, "p99_ms": %.2f, "resent_ok": %d, "threads_ok": [%s]}\n',
    summary.requests, summary.duration / 1e6, total_ok, total_bad,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout,
    latency:percentile(50) / 1000, latency:percentile(95) / 1000, latency:percentile(99) / 1000,
    total_resent, table.concat(per_thread, ",")))
end
