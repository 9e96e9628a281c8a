-- tonumber/tostring as LuaJIT
print("hex", tonumber("0x10"), tonumber("0X1F"), tonumber("-0x10"), tonumber("0x1p4"), tonumber("0x1.8"))
print("spaces", tonumber(" 10 "), tonumber("\t10\n"), tonumber("  "), tonumber(""), tonumber("1 2"))
print("exp", tonumber("1e2"), tonumber("1e+2"), tonumber("1e"), tonumber("1e2.5"), tonumber(".5"), tonumber("5."))
print("special", tonumber("inf"), tonumber("-inf"), tonumber("nan"), tonumber("1e500"), tonumber("-1e500"))
print("signs", tonumber("+5"), tonumber("- 1"), tonumber("+0x10"), tonumber("0x"), tonumber("0x-1"))
print("base16", tonumber("10", 16), tonumber("ff", 16), tonumber("-ff", 16), tonumber("FF ", 16), tonumber("0x10", 16))
print("base2/36", tonumber("101", 2), tonumber("12", 2), tonumber("zz", 36), tonumber("Z", 36), tonumber("8", 8))
print("base big", tonumber("7fffffffff", 16), tonumber("ffffffff", 16), tonumber("1e2", 10), tonumber("1.5", 10))
print("base err", pcall(function() local x = tonumber("10", 1) return x end))
print("base err2", pcall(function() local x = tonumber("10", 37) return x end))
print("non-strings", tonumber(nil), tonumber(true), tonumber({}), tonumber(42), tonumber(4.5))
print("big ints", tonumber("4294967296"), tonumber("2147483648"), tonumber("0xffffffff"), tonumber("123456789012"))
print("tostring", tostring(10), tostring(10.5), tostring(-0.0), tostring(1e15), tostring(2^53), tostring(nil), tostring(true))
print("tostring meta", tostring(setmetatable({}, {__tostring = function() return "custom!" end})))
print("tostring types", type(tostring({})), tostring({}):match("^table: ") ~= nil, tostring(print):match("^function") ~= nil)
print("nul", tonumber("1\0"), tonumber("0x10\0"))
-- tostring over many magnitudes (luagate formats numbers itself): a Park-Miller sequence, exact in doubles
do
  local x = 12345
  local function nextx() x = (x * 16807) % 2147483647 return x end
  local scales = { 1, 1 / 7, 1e-9, 1e9, 1 / 3e5, -1 / 11, 1e-15, 1e15, 2^-30, 1e300 / 3 }
  for line = 1, #scales do
    local out = {}
    for i = 1, 40 do out[i] = tostring(nextx() * scales[line]) end
    print("tostring scale " .. line, table.concat(out, " "))
  end
  print("tostring edges", tostring(0.1 + 0.2), tostring(1e14), tostring(99999999999999), tostring(123456789012345),
    tostring(1e-4), tostring(1e-5), tostring(-0.0), tostring(0/0) == tostring(0/0), tostring(2^63), tostring(-2^31))
end
