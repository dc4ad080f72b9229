-- wrk script of bench/api.py: one phase against one endpoint, closed loop.
-- wrk -s api.lua <url> -- <kind> <run id> <orders> <urged_at> <threads>
--   kind "get": GET of the URL's path; "post": POST {} to it; "urge": a distinct urge event per
--   request (event ids unique across threads: thread number + counter), each request the next of
--   orders 0 … <orders> − 1 (the threads interleave: thread t takes t, t + <threads>, …; after the
--   last order they start again at 0).
-- Prints one line "WRK {json}" with the request count, elapsed time, errors and latency
-- percentiles (microseconds) for bench/api.py to read.

local threads = {}

function setup(thread)
  thread:set("thread_no", #threads)
  table.insert(threads, thread)
end

function init(args)
  kind = args[1] or "get"
  run_id = args[2] or "0"
  orders = tonumber(args[3] or "1")
  urged_at = args[4] or ""
  thread_count = tonumber(args[5] or "1")
  counter = 0
  wrk.headers["Content-Type"] = "application/json"
end

function request()
  if kind == "urge" then
    counter = counter + 1
    local n = (counter - 1) * thread_count + thread_no
    local body = string.format(
      '{"event_id":"apib-%s-%d","order_no":"APIB%07d","urged_at":"%s"}', run_id, n, n % orders, urged_at
    )
    return wrk.format("POST", nil, nil, body)
  elseif kind == "post" then
    return wrk.format("POST", nil, nil, "{}")
  end
  return wrk.format("GET")
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'WRK {"requests": %d, "duration_us": %d, "connect": %d, "read": %d, "write": %d, "status": %d, "timeout": %d, ' ..
    '"p50": %d, "p95": %d, "p99": %d}\n',
    summary.requests, summary.duration, e.connect, e.read, e.write, e.status, e.timeout,
    latency:percentile(50), latency:percentile(95), latency:percentile(99)
  ))
end
