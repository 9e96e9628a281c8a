-- base library odds and ends: loadstring, _VERSION, jit, select, type, rawlen-free checks
print("version", _VERSION, type(jit), jit.os, jit.arch, jit.version, jit.version_num)
print("loadstring", loadstring("return 1 + 1")(), loadstring("local a, b = ... return a * b")(6, 7))
print("loadstring err", loadstring("return +"))
print("loadstring name", loadstring("error('x')", "=mychunk") and select(2, pcall(loadstring("error('x')", "=mychunk"))))
print("loadstring default name", select(2, pcall(loadstring("error('boom')"))))
print("type", type(nil), type(1), type("s"), type({}), type(print), type(coroutine.create(print)), type(true))
print("unpack global", unpack({1, 2, 3}))
print("ipairs", (function() local s = "" for i, v in ipairs({"a", "b"}) do s = s .. i .. v end return s end)())
print("string.len vs #", string.len("abc\0def"), #"abc\0def")
print("long strings", [[a
b]], [==[x]]y]==], #[[

]])
print("comments", 1 --[[ inline ]] + 2)
print("numeric literals", 0x10, 1e2, .5, 3., 0xA.8p1, 1E-2)
print("string escapes", "\97\98\99", "\x41\x42", "tab\tend", "q\"q", 'a\'b')
print("select negative", select(-2, "a", "b", "c"))
print("semicolons", (function() local a = 1; local b = 2; return a + b; end)())
print("method on number literal", ("%d"):rep(2))
