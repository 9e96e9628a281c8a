-- metatables and metamethods
local V = {}
V.__index = V
V.__add = function(a, b) return setmetatable({x = a.x + b.x}, V) end
V.__eq = function(a, b) return a.x == b.x end
V.__lt = function(a, b) return a.x < b.x end
V.__le = function(a, b) return a.x <= b.x end
V.__tostring = function(v) return "V(" .. v.x .. ")" end
V.__concat = function(a, b) return tostring(a) .. "&" .. tostring(b) end
V.__call = function(self, y) return self.x * y end
V.__unm = function(a) return setmetatable({x = -a.x}, V) end
function V.new(x) return setmetatable({x = x}, V) end
function V:double() return V.new(self.x * 2) end
local a, b = V.new(1), V.new(2)
print("add", tostring(a + b), (a + b).x)
print("eq/lt/le", a == V.new(1), a < b, b <= a, a ~= b)
print("concat", a .. b, a .. "s", "s" .. b)
print("call", a(10), b(0.5))
print("unm", tostring(-b))
print("method", tostring(a:double():double()))
print("index fn", setmetatable({}, {__index = function(t, k) return k .. "!" end}).foo)
print("index chain", setmetatable({}, {__index = setmetatable({}, {__index = {deep = "yes"}})}).deep)
print("newindex", (function() local log = {} local t = setmetatable({}, {__newindex = function(t, k, v) rawset(t, k, v * 2) end}) t.a = 5 return t.a end)())
print("rawget/rawset", rawget(setmetatable({}, {__index = {x = 1}}), "x"), rawequal(a, V.new(1)), rawequal(a, a))
print("getmetatable", getmetatable(a) == V, getmetatable("x").__index == string, getmetatable({}))
print("protected", getmetatable(setmetatable({}, {__metatable = "locked"})), pcall(setmetatable, setmetatable({}, {__metatable = 1}), {}))
print("mod/div/pow", setmetatable({}, {__mod = function() return "mod" end}) % 1, setmetatable({}, {__div = function() return "div" end}) / 1, setmetatable({}, {__pow = function() return "pow" end}) ^ 2)
print("string methods", ("%d-%s"):format(5, "x"), ("abc"):upper(), #("abc"):rep(3))
print("index on string", type(("abc").len), pcall(function() local x = ("abc").nope return x end))
print("inherit", (function() local Base = {} Base.__index = Base function Base.hi() return "base hi" end local D = setmetatable({}, {__index = Base}) D.__index = D local o = setmetatable({}, D) return o.hi() end)())
