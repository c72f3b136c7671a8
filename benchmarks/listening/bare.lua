prefix = "bare"
dofile(os.getenv("LISTENING_BENCH_DIR") .. "/common.lua")

function request()
  return wrk.format("POST", "/bench/insert/", {["Content-Type"] = "text/plain"}, next_id())
end
