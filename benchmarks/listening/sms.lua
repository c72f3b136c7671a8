-- Replays pre-signed SMS conversations: one connection per thread, so each phone's messages
-- arrive in order. Lines: path TAB signature TAB form body. The next line is taken only once a
-- reply arrives: wrk calls request() once more to check the script, and a message that got no
-- reply is simply sent again (a replay, which the server answers from its record).
prefix = "sms"
dofile(os.getenv("BENCH_LOAD_DIR") .. "/common.lua")
local lines = {}
local position = 0

function init(args)
  for line in io.lines(string.format("%s/sms%s-%02d.tsv", data_dir, run_tag, tid)) do
    table.insert(lines, line)
  end
end

function response(status, headers, body)
  count(status)
  position = position + 1
end

function request()
  local path, signature, body = lines[position + 1]:match("([^\t]+)\t([^\t]+)\t(.*)")
  return wrk.format("POST", path, {
    ["Content-Type"] = "application/x-www-form-urlencoded",
    ["X-Twilio-Signature"] = signature,
  }, body)
end
