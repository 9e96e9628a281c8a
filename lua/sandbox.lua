-- Builds the base environment of untrusted Lua in `sandbox` mode (Kong's allow-list) once per
-- state. Called with the real globals, the list of modules `require` may load, the dotted global
-- names to expose, and the host's module loader. Returns the base table; chunk environments are
-- `setmetatable({}, {__index = base})` so a chunk's globals never reach the base or each other.
local G, requires, exposed_names, load_module = ...
local setmetatable, getmetatable, error, type, pairs, next, tostring, ipairs =
      setmetatable, getmetatable, error, type, pairs, next, tostring, ipairs

local function protect(target, path)
  return setmetatable({}, {
    __index = target,
    __newindex = function(_, key)
      error("Cannot modify " .. path .. "." .. tostring(key) .. ". Protected by the sandbox.", 2)
    end,
    __pairs = function() return next, target, nil end,
    __len = function() return #target end,
    __metatable = false,
  })
end

local function pick(lib, names, path)
  local copy = {}
  for _, name in ipairs(names) do copy[name] = lib[name] end
  return protect(copy, path)
end

-- Plain tables are copied and frozen, recursively. A table with a metatable is a live PDK object
-- (per-request state such as kong.ctx or ngx.var) and keeps its own rules.
local function freeze(value, path)
  if type(value) ~= "table" or getmetatable(value) ~= nil then return value end
  local copy = {}
  for k, v in pairs(value) do copy[k] = freeze(v, path .. "." .. tostring(k)) end
  return protect(copy, path)
end

local base = {}
for _, name in ipairs({ "_VERSION", "assert", "error", "ipairs", "next", "pairs", "pcall", "print",
                        "select", "tonumber", "tostring", "type", "unpack", "xpcall" }) do
  base[name] = G[name]
end

local libs = {
  bit = { "arshift", "band", "bnot", "bor", "bswap", "bxor", "lshift", "rol", "ror", "rshift", "tobit", "tohex" },
  coroutine = { "create", "resume", "running", "status", "wrap", "yield" },
  io = { "type" },
  jit = { "os", "arch", "version", "version_num" },
  math = { "abs", "acos", "asin", "atan", "atan2", "ceil", "cos", "cosh", "deg", "exp", "floor", "fmod",
           "frexp", "huge", "ldexp", "log", "log10", "max", "min", "modf", "pi", "pow", "rad", "random",
           "sin", "sinh", "sqrt", "tan", "tanh" },
  os = { "clock", "date", "difftime", "time" },
  string = { "byte", "char", "find", "format", "gmatch", "gsub", "len", "lower", "match", "rep",
             "reverse", "sub", "upper" },
  table = { "clear", "clone", "concat", "foreach", "foreachi", "getn", "insert", "isarray", "isempty",
            "maxn", "move", "new", "nkeys", "pack", "remove", "sort", "unpack" },
}
for lib, names in pairs(libs) do
  base[lib] = pick(G[lib] or {}, names, "_G." .. lib)
end

if G.kong ~= nil then base.kong = freeze(G.kong, "kong") end
if G.ngx ~= nil then base.ngx = freeze(G.ngx, "ngx") end

local allowed = {}
for _, name in ipairs(requires) do allowed[name] = true end
base.require = function(name)
  if type(name) ~= "string" or not allowed[name] then
    error("require '" .. tostring(name) .. "' not allowed within sandbox", 2)
  end
  return load_module(name)
end

-- untrusted_lua_sandbox_environment: each dotted name is visible at the same path, read-through,
-- so writes stay in the sandbox's copy and never reach the real global.
for _, dotted in ipairs(exposed_names) do
  local value, found = G, true
  for part in dotted:gmatch("[^%.]+") do
    if type(value) ~= "table" then found = false break end
    value = value[part]
  end
  if found and value ~= nil then
    if type(value) == "table" then value = setmetatable({}, { __index = value }) end
    local parent, last = base, nil
    local parts = {}
    for part in dotted:gmatch("[^%.]+") do parts[#parts + 1] = part end
    for i = 1, #parts - 1 do
      local p = parts[i]
      local existing = parent[p]
      if type(existing) ~= "table" then
        parent[p] = {}
      elseif getmetatable(existing) == false then
        parent[p] = setmetatable({}, { __index = existing })
      end
      parent = parent[p]
    end
    last = parts[#parts]
    parent[last] = value
  end
end

-- Strings reach their methods through the string metatable: give them only the allow-listed set.
local string_meta = getmetatable("")
if string_meta then string_meta.__index = base.string end

return base
