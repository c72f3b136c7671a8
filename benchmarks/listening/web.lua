prefix = "web"
dofile(os.getenv("BENCH_LOAD_DIR") .. "/common.lua")
local survey_path = os.getenv("LISTENING_SURVEY_PATH")
local body = '{"client_id": "%s", "language": "en", "area": "8", ' ..
  '"demographics": {"age_band": "35_44", "sex": "female", "race_ethnicity": "hispanic_latino"}, ' ..
  '"answers": {"safe_crime": ["6"], "safe_day": ["7"], "safe_night": ["4"], ' ..
  '"police_listen": ["5"], "police_respect": ["6"], "police_explain": ["3"], ' ..
  '"police_accountable": ["2"], "police_contact": ["no"], "worries": ["theft", "traffic"], ' ..
  '"safer_one_thing": ["More lights"]}}'

-- Residents on many connections, as the proxy in front of the site reports them (the server
-- runs with BEHIND_PROXY=1): the survey's limit per connection holds none of them back, and
-- every submission is still counted against it.
function request()
  local id = next_id()
  local address = string.format("10.%d.%d.%d", tid, math.floor(counter / 250) % 250,
    counter % 250 + 1)
  return wrk.format("POST", survey_path,
    {["Content-Type"] = "application/json", ["X-Forwarded-For"] = address},
    string.format(body, id))
end
