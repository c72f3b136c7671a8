prefix = "web"
dofile(os.getenv("BENCH_LOAD_DIR") .. "/common.lua")
local survey_path = os.getenv("LISTENING_SURVEY_PATH")
local body = '{"client_id": "%s", "language": "en", "area": "8", ' ..
  '"demographics": {"age_band": "35_44", "sex": "female", "race_ethnicity": "hispanic_latino"}, ' ..
  '"answers": {"safe_crime": ["6"], "safe_day": ["7"], "safe_night": ["4"], ' ..
  '"police_listen": ["5"], "police_respect": ["6"], "police_explain": ["3"], ' ..
  '"police_accountable": ["2"], "police_contact": ["no"], "worries": ["theft", "traffic"], ' ..
  '"safer_one_thing": ["More lights"]}}'

function request()
  return wrk.format("POST", survey_path, {["Content-Type"] = "application/json"},
    string.format(body, next_id()))
end
