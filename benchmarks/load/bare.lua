-- The ceiling: one row inserted by a bare Django view (bench_urls.py), nothing else.
prefix = "bare"
dofile(os.getenv("BENCH_LOAD_DIR") .. "/common.lua")

function request()
  return wrk.format("POST", "/bench/insert/", {["Content-Type"] = "text/plain"}, next_id())
end
