-- wrk script: each write carries `depth` requests for the same path (wrk counts every
-- response). Usage: wrk -s pipeline.lua URL -- DEPTH
init = function(args)
  local depth = tonumber(args[1]) or 16
  local r = {}
  for i = 1, depth do r[i] = wrk.format(nil, nil) end
  req = table.concat(r)
end

request = function()
  return req
end
