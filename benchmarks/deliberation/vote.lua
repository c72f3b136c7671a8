-- Votes through the web form (no JavaScript): each connection speaks for the participants of
-- its sessions file in turn, on statements from the conversation, with a client id per vote;
-- every tenth request resends the previous one unchanged (a double click, a browser's resend),
-- which must not store a second vote.
prefix = "vote"
dofile(os.getenv("BENCH_LOAD_DIR") .. "/common.lua")
redirect_ok = true
local path = os.getenv("DELIBERATION_VOTE_PATH")
local statements = tonumber(os.getenv("DELIBERATION_STATEMENTS"))
local csrf = "benchmarkcsrfsecret0123456789abc"
local sessions = {}
local turn = 0
local last_body, last_headers = nil, nil
resent_ok = 0
local resending = false

function init(args)
  for line in io.lines(data_dir .. "/sessions-" .. tid .. ".txt") do
    table.insert(sessions, line)
  end
  math.randomseed(tid * 7919)
end

function request()
  turn = turn + 1
  if last_body ~= nil and turn % 10 == 0 then
    resending = true
    return wrk.format("POST", path, last_headers, last_body)
  end
  resending = false
  local session = sessions[(turn % #sessions) + 1]
  last_headers = {
    ["Content-Type"] = "application/x-www-form-urlencoded",
    ["Cookie"] = "sessionid=" .. session .. "; csrftoken=" .. csrf,
  }
  last_body = string.format(
    "csrfmiddlewaretoken=%s&action=vote&statement=%d&value=%d&client_id=%s",
    csrf, math.random(1, statements), math.random(-1, 1), next_id())
  return wrk.format("POST", path, last_headers, last_body)
end

function response(status, headers, body)
  count(status)
  if resending and status >= 300 and status < 400 then
    resent_ok = resent_ok + 1
  end
end
