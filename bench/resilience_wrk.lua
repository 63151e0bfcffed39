-- wrk script of bench/resilience.py's load scenario. Arguments after "--": the method, and for a
-- POST the JSON body with EMAIL and PHONE standing for a buyer's own (each request another buyer,
-- from an address of its own in X-Forwarded-For). Prints one RESULT line: requests/s, latency
-- percentiles in ms, 2xx, 5xx and other answers, socket errors.
local threads = {}
local counter = 1

function setup(thread)
  thread:set("id", counter)
  counter = counter + 1
  table.insert(threads, thread)
end

function init(args)
  method = args[1] or "GET"
  template = args[2]
  n = 0
  s2 = 0
  s5 = 0
  other = 0
end

function request()
  n = n + 1
  local buyer = id * 1000000 + n
  local headers = {["X-Forwarded-For"] = string.format("10.%d.%d.%d", id, math.floor(n / 256) % 256, n % 256)}
  if method == "GET" then
    return wrk.format("GET", nil, headers)
  end
  headers["Content-Type"] = "application/json"
  local body = template:gsub("EMAIL", "load" .. buyer .. "@example.com"):gsub("PHONE", string.format("+86 138 %08d", buyer % 100000000))
  return wrk.format("POST", nil, headers, body)
end

function response(status, headers, body)
  if status >= 500 then
    s5 = s5 + 1
  elseif status < 300 then
    s2 = s2 + 1
  else
    other = other + 1
  end
end

function done(summary, latency, requests)
  local a, b, c = 0, 0, 0
  for _, thread in ipairs(threads) do
    a = a + thread:get("s5")
    b = b + thread:get("s2")
    c = c + thread:get("other")
  end
  local errors = summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout
  io.write(string.format(
    "RESULT requests=%d rps=%.2f p50=%.0f p95=%.0f p99=%.0f s2xx=%d s5xx=%d other=%d errors=%d\n",
    summary.requests, summary.requests / (summary.duration / 1e6), latency:percentile(50) / 1000,
    latency:percentile(95) / 1000, latency:percentile(99) / 1000, b, a, c, errors))
end
