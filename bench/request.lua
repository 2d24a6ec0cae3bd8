-- wrk script: POST SPARQL queries read from a file, and report the run as one JSON line.
--
--   wrk -t2 -c8 -d5s -s bench/request.lua URL -- FILE MODE
--
-- FILE has one request a line: "<Accept>\t<form-encoded body>". Each request takes the
-- next line (each thread starts at its own offset). MODE "unique" also appends a comment
-- with the thread and a counter to the query, so no two requests have the same text and
-- no answer cache can serve them; MODE "same" sends the lines as they are.

local threads = {}
local counter = 0
local lines = {}
local unique = false

function setup(thread)
  thread:set("id", #threads + 1)
  table.insert(threads, thread)
end

function init(args)
  for line in io.lines(args[1]) do
    local accept, body = line:match("^([^\t]+)\t(.*)$")
    table.insert(lines, { accept = accept, body = body })
  end
  unique = args[2] == "unique"
  counter = (id or 1) * 7919
end

-- Each request comes from one of 256 client addresses (X-Forwarded-For, which our server
-- believes from the trusted proxy 127.0.0.1 and oxigraph ignores): wrk plays a crowd of
-- users behind a proxy, not one client, whose share the fair-share limits would cap.
local function formatted(line, body, client)
  return wrk.format("POST", wrk.path, {
    ["Content-Type"] = "application/x-www-form-urlencoded",
    ["Accept"] = line.accept,
    ["X-Forwarded-For"] = "10.0." .. id .. "." .. client,
  }, body)
end

local cached = {}

function request()
  counter = counter + 1
  local index = counter % #lines + 1
  local line = lines[index]
  local client = counter % 256
  if unique then
    -- "\n# request <thread>-<n>" URL-encoded, appended to the query parameter (the last one).
    return formatted(line, line.body .. "%0A%23+request+" .. id .. "-" .. counter, client)
  end
  local key = index .. "/" .. client
  if not cached[key] then cached[key] = formatted(line, line.body, client) end
  return cached[key]
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    '{"requests": %d, "duration_us": %d, "status_errors": %d, "connect_errors": %d, '
      .. '"read_errors": %d, "write_errors": %d, "timeouts": %d, '
      .. '"p50_us": %d, "p99_us": %d, "max_us": %d}\n',
    summary.requests, summary.duration, e.status, e.connect, e.read, e.write, e.timeout,
    latency:percentile(50), latency:percentile(99), latency.max))
end
