#!/usr/bin/env python3
"""Runs one export of a composed component in wasmtime (Python package) for the composition tests,
where tests/support/wasmtime_run.py cannot: imports outside WASI 0.2 CLI (wasi:http, WASI 0.3,
fermyon:spin…) are stubbed with wasmtime's `define_unknown_imports_as_traps` (functions trap,
resources are defined), and a run that never returns (a service loop) is stopped after a
deadline with epoch interruption, keeping what it printed.

Usage: python3 compose_wasmtime_run.py COMPONENT EXPORT [SECONDS]
   EXPORT is `iface#func` (the interface's version may be left out) or a function name.
Prints one JSON object: {"ok", "stage", "message", "stdout", "stderr", "result", "interrupted"}.
"""

import json
import os
import re
import sys
import threading
import time

import wasmtime
from wasmtime import component as cm


def find_func(engine, component, instance, store, name):
    if "#" not in name:
        return instance.get_func(store, name)
    iface, fname = name.rsplit("#", 1)
    exports = component.type.exports(engine)
    if iface not in exports:
        iface = next(e for e in exports if e.split("@", 1)[0] == iface)
    index = instance.get_export_index(store, iface)
    return instance.get_func(store, instance.get_export_index(store, fname, index))


P2 = re.compile(r"^wasi:(cli|io|clocks|filesystem|random|sockets|http)/[a-z0-9-]+@0\.2\.\d+$")


def trap(*_args):
    raise wasmtime.WasmtimeError("stub: not provided by this test host")


def stub_others(engine, linker, component):
    """Defines every import outside WASI 0.2 as an instance of trapping functions and host
    resources (wasmtime's own `define_unknown_imports_as_traps` would shadow WASI too)."""
    resources = 0
    with linker.root() as root:
        for name, ext in component.type.imports(engine).items():
            if P2.match(name) or not isinstance(ext.ty, cm.ComponentInstanceType):
                continue
            with root.add_instance(name) as inst:
                for ename, e in ext.ty.exports(engine).items():
                    if isinstance(e.ty, cm.ResourceType):
                        resources += 1
                        inst.add_resource(ename, cm.ResourceType.host(resources), lambda *_: None)
                    elif isinstance(e.ty, cm.FuncType):
                        inst.add_func(ename, trap)


def main(path, export, seconds):
    out = {"ok": False, "stdout": "", "stderr": "", "interrupted": False}
    config = wasmtime.Config()
    config.epoch_interruption = True
    try:
        config.cache = True
    except wasmtime.WasmtimeError:
        pass
    engine = wasmtime.Engine(config)
    stdout, stderr = bytearray(), bytearray()
    try:
        out["stage"] = "validate"
        with open(path, "rb") as f:
            component = cm.Component(engine, f.read())
        out["stage"] = "instantiate"
        store = wasmtime.Store(engine)
        store.set_epoch_deadline(1)
        wasi = wasmtime.WasiConfig()
        wasi.stdout_custom = stdout.extend
        wasi.stderr_custom = stderr.extend
        store.set_wasi(wasi)
        linker = cm.Linker(engine)
        # Stubs first, then WASI 0.2 (and wasi:http) over them: the linker files definitions
        # by semver-compatible name, so the real ones replace the stubs of their interfaces.
        linker.add_wasip2()
        linker.add_wasi_http()
        stub_others(engine, linker, component)
        instance = linker.instantiate(store, component)
        out["stage"] = "call"
        func = find_func(engine, component, instance, store, export)
        timer = threading.Timer(seconds, engine.increment_epoch)
        timer.daemon = True
        timer.start()
        started = time.time()
        try:
            value = func(store)
            out["result"] = repr(value)
            out["ok"] = True
        except (wasmtime.WasmtimeError, wasmtime.Trap) as e:
            if time.time() - started >= seconds * 0.9 and "interrupt" in str(e):
                out["interrupted"] = True
                out["ok"] = True
            else:
                out["message"] = str(e)
        timer.cancel()
    except Exception as e:  # reported, not raised: the test reads the stage and message
        out["message"] = f"{type(e).__name__}: {e}"
    out["stdout"] = stdout.decode("utf-8", "replace")
    out["stderr"] = stderr.decode("utf-8", "replace")
    sys.stdout.write(json.dumps(out) + "\n")
    sys.stdout.flush()
    os._exit(0)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], float(sys.argv[3]) if len(sys.argv) > 3 else 10.0)
