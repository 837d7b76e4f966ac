-- wrk script for the switch load test: counts non-2xx answers and which color
-- answered, per thread, and prints one JSON line with the totals at the end.
-- WRK_CLOSE=1 sends `Connection: close` (a new connection per request).
local threads = {}

function setup(thread)
  table.insert(threads, thread)
end

function init(args)
  non2xx, blue, green = 0, 0, 0
  if os.getenv("WRK_CLOSE") == "1" then
    wrk.headers["Connection"] = "close"
  end
end

function response(status, headers, body)
  if status < 200 or status > 299 then
    non2xx = non2xx + 1
  elseif body and body:find("blue", 1, true) then
    blue = blue + 1
  elseif body and body:find("green", 1, true) then
    green = green + 1
  end
end

function done(summary, latency, requests)
  local n, b, g = 0, 0, 0
  for _, thread in ipairs(threads) do
    n = n + thread:get("non2xx")
    b = b + thread:get("blue")
    g = g + thread:get("green")
  end
  local e = summary.errors
  io.write(string.format(
    'WRK_RESULT {"requests":%d,"durationUs":%d,"non2xx":%d,"blue":%d,"green":%d,' ..
    '"connect":%d,"read":%d,"write":%d,"timeout":%d,"status":%d,"p99Us":%d}\n',
    summary.requests, summary.duration, n, b, g,
    e.connect, e.read, e.write, e.timeout, e.status, latency:percentile(99)))
end
