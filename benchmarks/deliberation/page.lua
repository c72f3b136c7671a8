-- GET one page (DELIBERATION_PAGE_PATH), as a participant of the sessions file when there is
-- one (the voting page), anonymously otherwise (the results page).
prefix = "page"
dofile(os.getenv("BENCH_LOAD_DIR") .. "/common.lua")
local path = os.getenv("DELIBERATION_PAGE_PATH")
local with_sessions = os.getenv("DELIBERATION_PAGE_SESSIONS") == "1"
local sessions = {}
local turn = 0

function init(args)
  if with_sessions then
    for line in io.lines(data_dir .. "/sessions-" .. tid .. ".txt") do
      table.insert(sessions, line)
    end
  end
end

function request()
  turn = turn + 1
  if with_sessions then
    local session = sessions[(turn % #sessions) + 1]
    return wrk.format("GET", path, {["Cookie"] = "sessionid=" .. session})
  end
  return wrk.format("GET", path)
end
