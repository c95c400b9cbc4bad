-- wrk script: a mix of what clients of the Task API send, for the soak (make soak). Of every 100 requests:
-- 70 GET /tasks/{id} of a preloaded task, 15 POST /tasks, 8 GET /tasks?limit=100, 5 PATCH /tasks/{id}/complete,
-- 2 GET /tasks?limit=1000 (the listing that needs the most memory). Ids are drawn from the preloaded tasks
-- (task_1 .. task_<PRELOADED>, PRELOADED from the environment, 1000 if unset), so every request should succeed.
local preloaded = tonumber(os.getenv("PRELOADED") or "1000")
local body = '{"title":"soak task","description":"created by wrk","priority":3}'
local headers = { ["Content-Type"] = "application/json" }

function init(args)
  math.randomseed(os.time() + tonumber(tostring({}):match("0x(%x+)") or "0", 16) % 100000)
end

function request()
  local r = math.random(100)
  local id = "task_" .. math.random(preloaded)
  if r <= 70 then
    return wrk.format("GET", "/tasks/" .. id)
  elseif r <= 85 then
    return wrk.format("POST", "/tasks", headers, body)
  elseif r <= 93 then
    return wrk.format("GET", "/tasks?limit=100")
  elseif r <= 98 then
    return wrk.format("PATCH", "/tasks/" .. id .. "/complete")
  else
    return wrk.format("GET", "/tasks?limit=1000")
  end
end
