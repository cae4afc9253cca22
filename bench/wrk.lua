-- wrk script for bench/run.py: replays prepared requests and checks every response.
--
--   wrk -t2 -c32 -d15s -s bench/wrk.lua http://127.0.0.1:PORT -- LINES OUT EXPECT ONCE THREADS
--
-- LINES: one request per line, tab-separated: METHOD, PATH, COOKIE header, BODY (may be empty),
--   and optionally one more header ("Name: value", the display's If-None-Match).
--   Each wrk thread takes every THREADS-th line (thread i the lines i, i+THREADS, ...).
-- EXPECT: "200" (status 200 is a success) or "302:/en/my/cases/" (a 302 whose Location starts
--   with that prefix is a success), optionally followed by "|409": an expected answer that is
--   not a success (book_slot's "slot just taken"), counted apart. Anything else is a bad response.
-- ONCE: "1" to use every line at most once (a submit consumes its draft); when a thread runs out
--   it sends a request that fails and counts it as "exhausted". "0" cycles through the lines.
-- OUT: a JSON file with requests, bad responses, wrk's socket errors, status counts and the
--   latency histogram (microseconds -> count), merged by run.py across rounds.

local counter = 0
local threads = {}

function setup(thread)
  thread:set("id", counter)
  counter = counter + 1
  table.insert(threads, thread)
end

local requests = {}
position = 0  -- global: done() reads each thread's, to say how far into the lines it got
local expect_status, expect_prefix, apart_status
local once = false
statuses = {}
bad = 0
apart = 0
exhausted = 0
out = nil

local function split(line)
  local fields = {}
  for field in (line .. "\t"):gmatch("([^\t]*)\t") do
    fields[#fields + 1] = field
  end
  return fields
end

function init(args)
  local path = args[1]
  out = args[2]
  local expect = args[3]
  local bar = expect:find("|", 1, true)
  if bar then
    apart_status = tonumber(expect:sub(bar + 1))
    expect = expect:sub(1, bar - 1)
  end
  once = args[4] == "1"
  local nthreads = tonumber(args[5])
  local colon = expect:find(":")
  if colon then
    expect_status = tonumber(expect:sub(1, colon - 1))
    expect_prefix = expect:sub(colon + 1)
  else
    expect_status = tonumber(expect)
  end
  local index = 0
  for line in io.lines(path) do
    if index % nthreads == id then
      local f = split(line)
      local headers = {}
      if f[3] ~= "" then headers["Cookie"] = f[3] end
      local name, value = (f[5] or ""):match("^([^:]+):%s*(.*)$")  -- an optional extra header
      if name then headers[name] = value end
      local body = nil
      if f[1] == "POST" then
        headers["Content-Type"] = "application/x-www-form-urlencoded"
        headers["Origin"] = "http://" .. wrk.host .. ":" .. wrk.port
        body = f[4] or ""
      end
      requests[#requests + 1] = wrk.format(f[1], f[2], headers, body)
    end
    index = index + 1
  end
  if #requests == 0 then
    error("no request lines for thread " .. id)
  end
end

function request()
  position = position + 1
  if position > #requests then
    if once then
      exhausted = exhausted + 1
      return wrk.format("GET", "/bench/baseline/read/0")
    end
    position = 1
  end
  return requests[position]
end

function response(status, headers, body)
  statuses[status] = (statuses[status] or 0) + 1
  if apart_status and status == apart_status then
    apart = apart + 1
  elseif status ~= expect_status then
    bad = bad + 1
  elseif expect_prefix then
    local location = headers["Location"] or headers["location"] or ""
    if location:sub(1, #expect_prefix) ~= expect_prefix then
      bad = bad + 1
    end
  end
end

function done(summary, latency, _requests)
  local total_bad, total_exhausted, total_apart, max_position = 0, 0, 0, 0
  local merged = {}
  for _, thread in ipairs(threads) do
    total_bad = total_bad + thread:get("bad")
    total_exhausted = total_exhausted + thread:get("exhausted")
    total_apart = total_apart + thread:get("apart")
    max_position = math.max(max_position, thread:get("position"))
    for status, count in pairs(thread:get("statuses")) do
      merged[status] = (merged[status] or 0) + count
    end
  end
  local file = assert(io.open(threads[1]:get("out"), "w"))
  local e = summary.errors
  file:write(string.format(
    '{"requests": %d, "duration_us": %d, "bad": %d, "exhausted": %d, "apart": %d, "max_position": %d, ' ..
    '"socket_errors": {"connect": %d, "read": %d, "write": %d, "status": %d, "timeout": %d}, "statuses": {',
    summary.requests, summary.duration, total_bad, total_exhausted, total_apart, max_position, e.connect, e.read, e.write, e.status, e.timeout))
  local first = true
  for status, count in pairs(merged) do
    file:write(string.format('%s"%d": %d', first and "" or ", ", status, count))
    first = false
  end
  file:write('}, "histogram": [')
  for i = 1, #latency do
    local value, count = latency(i)
    file:write(string.format('%s[%d, %d]', i == 1 and "" or ", ", value, count))
  end
  file:write("]}\n")
  file:close()
end
