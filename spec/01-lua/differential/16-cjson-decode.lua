-- cjson.decode values and errors
local cjson = require "cjson"
local function dump(v)
  if type(v) ~= "table" then return v == cjson.null and "NULL" or type(v) .. ":" .. tostring(v) end
  local keys = {} for k in pairs(v) do keys[#keys + 1] = k end
  table.sort(keys, function(a, b) return tostring(a) < tostring(b) end)
  local out = {} for _, k in ipairs(keys) do out[#out + 1] = tostring(k) .. "=" .. dump(v[k]) end
  return "{" .. table.concat(out, ",") .. "}"
end
local function d(s) local ok, v = pcall(cjson.decode, s) return ok and dump(v) or ("ERR " .. v) end
print("scalars", d("1"), d("-1.5"), d('"x"'), d("true"), d("false"), d("null"), d(" 7 "))
print("arrays", d("[1,2,3]"), d("[]"), d("[[],[1]]"), d('[1,"a",null,true]'))
print("objects", d('{"a":1,"b":{"c":[1,2]}}'), d("{}"), d('{"a":null}'), d('{"1":"x"}'))
print("numbers", d("[1, 1.0, 1e2, -0, 12345678901234567890, 1E+2, 0.5e-1]"))
print("lenient numbers", d("01"), d("1."), d("+1"), d("0x10"), d("NaN"), d("Infinity"), d("-Infinity"), d("inf"))
print("strings", d('"\\u00e9"'), d('"\\ud83d\\ude00"'), d('"a\\/b\\"c\\\\d\\n\\t"'), d('"\\u0000"'):len(), d('"a\tb"'))
print("raw utf8", d('"héllo ✓"'), #cjson.decode('"\255\254"'))
print("errors1", d(""), d(" "), d("{a:1}"), d('{"a" 1}'), d('{"a":1,}'))
print("errors2", d("[1,2"), d("[1 2]"), d('"abc'), d('"a\\qb"'), d('"\\u12"'))
print("errors3", d('"\\ud800"'), d('"\\udc00x"'), d("-"), d(".5"), d("1e"), d("nul"), d("tru"))
print("errors4", d("[1]x"), d('{"a":1} ['), d("[,]"), d("{,}"), d('{"a":}'), d("\0"), d("[1\0]"))
print("depth", d(string.rep("[", 1000) .. string.rep("]", 1000)):sub(1, 10), d(string.rep("[", 1001) .. string.rep("]", 1001)))
print("depth obj", d(string.rep('{"a":', 1001) .. "1" .. string.rep("}", 1001)))
print("number input", d(123), d(1.5))
print("whitespace", d(' \t\r\n[ 1 , 2 ]\n'), d('[1,\n2]'))
print("roundtrip", cjson.encode(cjson.decode('{"a":[1,2,{"b":null}]}')) == '{"a":[1,2,{"b":null}]}')
print("null identity", cjson.decode("null") == cjson.null, cjson.decode("[null]")[1] == cjson.null, type(cjson.null))
