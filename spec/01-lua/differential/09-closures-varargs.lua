-- closures, upvalues, varargs, multiple returns
local function counter() local n = 0 return function() n = n + 1 return n end end
local c1, c2 = counter(), counter()
print("counter", c1(), c1(), c2(), c1())
local fns = {} for i = 1, 3 do fns[i] = function() return i end end
print("loop closures", fns[1](), fns[2](), fns[3]())
local function shared() local v = 0 return function() v = v + 1 return v end, function() return v end end
local inc, get = shared() inc() inc()
print("shared upvalue", get())
local function va(...) return select("#", ...), ... end
print("varargs count", va(), va(nil), va(nil, nil), va(1, nil, 3))
print("select", select(2, "a", "b", "c"), select(-1, "a", "b", "c"), select("#"))
print("select err", pcall(function() local x = select(0, 1) return x end))
local function pack2(...) return {...}, select("#", ...) end
print("pack", #pack2(1, 2, 3), select(2, pack2(1, nil, nil)))
print("truncate", (va(1, 2, 3)))
print("middle call", va(1, 2), va(3, 4))
local function ret3() return 1, 2, 3 end
print("table ctor", #{ret3()}, #{ret3(), ret3()}, #{(ret3())})
print("vararg in table", (function(...) local t = {...} return #t, t[2] end)(5, 6, 7))
print("recursion", (function() local function fib(n) if n < 2 then return n end return fib(n - 1) + fib(n - 2) end return fib(20) end)())
print("tail calls", (function() local function loop(n) if n == 0 then return "done" end return loop(n - 1) end return loop(100000) end)())
print("string.format varargs", string.format("%s %s %s", ret3()))
print("unpack args", math.max(unpack({3, 9, 2})), select("#", unpack({1, nil, 3}, 1, 3)))
print("nested functions", (function(a) return function(b) return function(c) return a + b + c end end end)(1)(2)(3))
