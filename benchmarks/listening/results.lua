-- The public results page of one survey (RESULTS_PATH), read over and over.
prefix = "results"
dofile(os.getenv("BENCH_LOAD_DIR") .. "/common.lua")
local path = os.getenv("RESULTS_PATH")

function request()
  return wrk.format("GET", path)
end
