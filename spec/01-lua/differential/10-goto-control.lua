-- goto, loops, control flow
local out = {}
for i = 1, 5 do
  if i % 2 == 0 then goto continue end
  out[#out + 1] = i
  ::continue::
end
print("goto continue", table.concat(out, ","))
do local i = 1 ::top:: if i < 4 then i = i + 1 goto top end print("goto loop", i) end
print("numeric for", (function() local s = {} for i = 10, 1, -3 do s[#s + 1] = i end return table.concat(s, ",") end)())
print("float for", (function() local s = {} for i = 0, 1, 0.25 do s[#s + 1] = i end return table.concat(s, ",") end)())
print("for empty", (function() local n = 0 for i = 5, 1 do n = n + 1 end return n end)())
print("while/repeat", (function() local i, j = 0, 0 while i < 5 do i = i + 1 end repeat j = j + 2 until j > 5 return i, j end)())
print("repeat scope", (function() local n = 0 repeat local done = n >= 3 n = n + 1 until done return n end)())
print("break", (function() local n = 0 for i = 1, 100 do if i > 7 then break end n = i end return n end)())
print("ipairs stops at nil", (function() local n = 0 for _ in ipairs({1, 2, nil, 4}) do n = n + 1 end return n end)())
print("pairs sum", (function() local s = 0 for k, v in pairs({a = 1, b = 2, 3}) do s = s + v end return s end)())
print("next", next({}), type(next({a = 1})), next({}, nil))
print("and/or", nil or "d", false and 1, 1 and 2, nil and nil, false or nil, 0 or 1, "" or 1)
print("not", not nil, not 0, not "", not not {})
print("numeric for var copy", (function() local r = {} for i = 1, 3 do local j = i i = i * 10 r[#r + 1] = j end return table.concat(r, ",") end)())
print("nested break", (function() local c = 0 for i = 1, 3 do for j = 1, 3 do if j == 2 then break end c = c + 1 end end return c end)())
print("goto out of nested", (function() for i = 1, 3 do for j = 1, 3 do if i * j == 4 then goto done end end end do return "never" end ::done:: return "jumped" end)())
