#!/usr/bin/env python3
"""Load, validate, instantiate and call a WebAssembly component with wasmtime (Python package).

wreg's tests use this as an independent runtime: whatever wreg builds or composes must be accepted
and run by wasmtime, not only by wreg's own code. tests/support/wasmtime.ts wraps it for Deno.

Usage:
    python3 wasmtime_run.py < request.json
    python3 wasmtime_run.py COMPONENT.wasm [EXPORT [ARGS_JSON]]     (quick manual use)

The request (JSON on stdin):
    {
      "component": "/path/to/component.wasm",
      "calls": [ {"export": "scrub-pii", "args": ["My SSN is 123-45-6789"]},
                 {"export": "docs:processor/logger#log", "args": ["info", "hello"]} ],
      "host": { "docs:processor/logger@0.1.0": { "log": {} },
                "my:pkg/clock": { "now": {"result": 42} },
                "top-level-func": {"trap": "not here"} },
      "unknownImports": "trap" | "error" | "stub",   (default "trap")
      "wasi": true,                            (default true: link WASI 0.2 with stdout/stderr captured)
      "wasiConfig": {"argv": ["probe", "files"], "env": {"A": "1"}, "stdin": "text",
                     "preopens": [{"host": "/tmp/x", "guest": "/data", "mutable": true}]},
                                               (optional: what WASI gives the component; none of
                                                it by default)
      "wasiHttp": false,                       (default false: also link wasi:http 0.2)
      "stopAfterSeconds": 30,                  (optional: stop a call that has not returned by then)
      "stopOn": {"stream": "stderr", "text": "tick", "count": 2},
                                               (optional: stop once the output holds the text
                                                `count` times, default 1)
      "cache": true                            (default true: wasmtime's compilation cache; the
                                                environment variable WREG_WASMTIME_CACHE=0 turns it off)
    }

Without "calls" the component is only validated, instantiated when "instantiate" is true, and
described. An export is named like wasmtime and jco name it: a top-level function (`scrub-pii`),
or an interface export and a function, `iface#func` (`docs:processor/logger@0.1.0#log`); the
version may be left out of the interface name when only one version is exported.

Host imports are every non-WASI import the request names under "host": an instance import maps
function names to behaviours, a top-level function import maps to one behaviour. Every host
function records its calls; a behaviour may give the "result" to return (JSON, converted by the
function's result type), "trap" with a message, or "forward" with the path of another component
whose export of the same name (`iface#func`, or the function) handles the call. Imports nothing defines trap when called
("unknownImports": "trap") or make instantiation fail ("error").

"unknownImports": "stub" is "trap" for components that import more than WASI 0.2 of the CLI: every
import wasmtime does not provide (anything but wasi:cli, io, clocks, filesystem, random and sockets
0.2.x, and wasi:http 0.2.x with "wasiHttp") and the request does not define gets an instance of
trapping functions, with its resources defined as host resources, so that such a component
instantiates: WASI 0.3, wasi:keyvalue, fermyon:spin... (wasmtime's own
`define_unknown_imports_as_traps` cannot be used: it would shadow the WASI 0.2 definitions too).

Stopping: a call that never returns on its own (a service loop) is interrupted with wasmtime's
epoch interruption after "stopAfterSeconds", or as soon as "stopOn" is met (its text written to
that stream `count` times), whichever comes first. The run is then "ok" with "stopped": "time"
or "output", the results of the calls before it, and the output so far; the calls after it are not
made. Without stopping, or when the calls return, "stopped" is null.

The response (JSON on stdout, one object; exit status 0 when "ok" is true, 1 otherwise):
    {
      "ok": true,
      "imports": ["docs:processor/logger@0.1.0", ...], "exports": ["process", "scrub-pii"],
      "results": [ ... one per call ... ],
      "hostCalls": [ {"import": "docs:processor/logger@0.1.0#log", "args": ["info", "..."]} ],
      "stdout": "...", "stderr": "...",
      "stopped": null | "time" | "output"
    }
    or {"ok": false, "stage": "request|validate|instantiate|call", "message": "...", ...}

Values in JSON: bool, numbers, strings and chars as themselves; u64/s64 as numbers (a decimal
string is accepted as input); list as array (list<u8> too); record as object keyed by WIT field
name; tuple as array; enum as its case name; flags as an array of names; option as null or the
value; result and variant as {"tag": "...", "val": ...}. Resources are not supported.
"""

import json
import os
import re
import sys
import threading
import traceback

try:
    import wasmtime
    from wasmtime import component as cm
except ImportError as e:  # reported as JSON so the caller sees why
    print(json.dumps({
        "ok": False,
        "stage": "setup",
        "message": f"Cannot import wasmtime: {e} (run `node tools/setup.mjs`)",
    }))
    sys.exit(1)


class RunError(Exception):
    """A failure at one stage of the run, reported as {"ok": false, "stage": ...}."""

    def __init__(self, stage, message):
        super().__init__(message)
        self.stage = stage
        self.message = message


# --- values: JSON <-> wasmtime-py ------------------------------------------------------------

INT_RANGES = {
    cm.U8: (0, 2**8 - 1), cm.U16: (0, 2**16 - 1), cm.U32: (0, 2**32 - 1), cm.U64: (0, 2**64 - 1),
    cm.S8: (-2**7, 2**7 - 1), cm.S16: (-2**15, 2**15 - 1), cm.S32: (-2**31, 2**31 - 1),
    cm.S64: (-2**63, 2**63 - 1),
}


def type_name(ty):
    """A short WIT-like name of a wasmtime-py value type, for messages and descriptions."""
    for cls, name in ((cm.Bool, "bool"), (cm.U8, "u8"), (cm.U16, "u16"), (cm.U32, "u32"),
                      (cm.U64, "u64"), (cm.S8, "s8"), (cm.S16, "s16"), (cm.S32, "s32"),
                      (cm.S64, "s64"), (cm.F32, "f32"), (cm.F64, "f64"), (cm.Char, "char"),
                      (cm.String, "string")):
        if isinstance(ty, cls):
            return name
    if isinstance(ty, cm.ListType):
        return f"list<{type_name(ty.element)}>"
    if isinstance(ty, cm.RecordType):
        return "record { " + ", ".join(f"{n}: {type_name(t)}" for n, t in ty.fields) + " }"
    if isinstance(ty, cm.TupleType):
        return "tuple<" + ", ".join(type_name(t) for t in ty.elements) + ">"
    if isinstance(ty, cm.EnumType):
        return "enum { " + ", ".join(ty.names) + " }"
    if isinstance(ty, cm.FlagsType):
        return "flags { " + ", ".join(ty.names) + " }"
    if isinstance(ty, cm.OptionType):
        return f"option<{type_name(ty.payload)}>"
    if isinstance(ty, cm.ResultType):
        ok = type_name(ty.ok) if ty.ok is not None else "_"
        err = type_name(ty.err) if ty.err is not None else "_"
        return f"result<{ok}, {err}>"
    if isinstance(ty, cm.VariantType):
        cases = (n if t is None else f"{n}({type_name(t)})" for n, t in ty.cases)
        return "variant { " + ", ".join(cases) + " }"
    return type(ty).__name__


def to_python(ty, value, path):
    """Converts a JSON value to what wasmtime-py accepts for type `ty`."""

    def fail(expected):
        raise RunError("request", f"Cannot convert {path}: expected {expected}, found "
                       f"{json.dumps(value)}")

    if isinstance(ty, cm.Bool):
        if not isinstance(value, bool):
            fail("a boolean")
        return value
    if type(ty) in INT_RANGES:
        lo, hi = INT_RANGES[type(ty)]
        if isinstance(value, str) and value.lstrip("-").isdigit():
            value = int(value)
        if isinstance(value, bool) or not isinstance(value, int) or not lo <= value <= hi:
            fail(f"an integer in {lo}..{hi}")
        return value
    if isinstance(ty, (cm.F32, cm.F64)):
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            fail("a number")
        return float(value)
    if isinstance(ty, cm.Char):
        if not isinstance(value, str) or len(value) != 1:
            fail("a one-character string")
        return value
    if isinstance(ty, cm.String):
        if not isinstance(value, str):
            fail("a string")
        return value
    if isinstance(ty, cm.ListType):
        if not isinstance(value, list):
            fail("an array")
        items = [to_python(ty.element, v, f"{path}[{i}]") for i, v in enumerate(value)]
        return bytes(items) if ty._is_bytes() else items
    if isinstance(ty, cm.RecordType):
        if not isinstance(value, dict):
            fail("an object")
        record = cm.Record()
        for name, field_ty in ty.fields:
            if name not in value:
                fail(f"an object with field {json.dumps(name)}")
            setattr(record, name, to_python(field_ty, value[name], f"{path}.{name}"))
        return record
    if isinstance(ty, cm.TupleType):
        elements = ty.elements
        if not isinstance(value, list) or len(value) != len(elements):
            fail(f"an array of {len(elements)}")
        return tuple(to_python(t, v, f"{path}[{i}]")
                     for i, (t, v) in enumerate(zip(elements, value)))
    if isinstance(ty, cm.EnumType):
        if value not in ty.names:
            fail("one of " + ", ".join(ty.names))
        return value
    if isinstance(ty, cm.FlagsType):
        if not isinstance(value, list) or any(v not in ty.names for v in value):
            fail("an array of " + ", ".join(ty.names))
        return set(value)
    if isinstance(ty, cm.OptionType) and not ty._tagged():
        return None if value is None else to_python(ty.payload, value, f"{path}?")
    if isinstance(ty, (cm.OptionType, cm.ResultType, cm.VariantType)):
        cases = dict(ty._cases())
        if not isinstance(value, dict) or value.get("tag") not in cases:
            fail('{"tag": ' + " | ".join(json.dumps(c) for c in cases) + ', "val": ...}')
        tag = value["tag"]
        case_ty = cases[tag]
        payload = None if case_ty is None else to_python(case_ty, value.get("val"),
                                                         f"{path}<{tag}>")
        if ty._tagged():
            return cm.Variant(tag, payload)
        return payload
    raise RunError("request", f"Cannot convert {path}: values of type {type_name(ty)} are not "
                   "supported")


def case_of(ty, value):
    """For an untagged variant-like value (wasmtime-py drops the tag), the case it belongs to."""
    for name, case_ty in ty._cases():
        classes = set()
        if case_ty is None:
            if value is None:
                return name, None
            continue
        case_ty.add_classes(classes)
        if isinstance(value, tuple(classes)):
            return name, case_ty
    raise RunError("call", f"Cannot convert a result: {value!r} fits no case of {type_name(ty)}")


def to_json(ty, value):
    """Converts a value returned by wasmtime-py for type `ty` to JSON."""
    if ty is None or value is None and not isinstance(ty, (cm.OptionType, cm.ResultType,
                                                            cm.VariantType)):
        return None
    if isinstance(ty, (cm.F32, cm.F64)):
        if value != value or value in (float("inf"), float("-inf")):
            return str(value)  # NaN and infinities have no JSON number
        return value
    if isinstance(ty, cm.ListType):
        return [to_json(ty.element, v) for v in value]
    if isinstance(ty, cm.RecordType):
        return {name: to_json(t, getattr(value, name)) for name, t in ty.fields}
    if isinstance(ty, cm.TupleType):
        return [to_json(t, v) for t, v in zip(ty.elements, value)]
    if isinstance(ty, cm.FlagsType):
        return sorted(value, key=ty.names.index)
    if isinstance(ty, cm.OptionType) and not ty._tagged():
        return None if value is None else to_json(ty.payload, value)
    if isinstance(ty, (cm.OptionType, cm.ResultType, cm.VariantType)):
        if ty._tagged():
            tag, payload = value.tag, value.payload
            case_ty = dict(ty._cases())[tag]
        else:
            tag, case_ty = case_of(ty, value)
            payload = value
        out = {"tag": tag}
        if case_ty is not None:
            out["val"] = to_json(case_ty, payload)
        return out
    return value


# --- the run ---------------------------------------------------------------------------------


def is_wasi(name):
    return name.startswith("wasi:")


WASI_P2 = re.compile(r"^wasi:(cli|io|clocks|filesystem|random|sockets)/[a-z0-9-]+@0\.2\.\d+$")
WASI_HTTP_P2 = re.compile(r"^wasi:http/[a-z0-9-]+@0\.2\.\d+$")


class Imports:
    """Which imports wasmtime provides (left to it) and what happens to the others."""

    def __init__(self, unknown, wasi_http):
        self.unknown = unknown
        self.wasi_http = wasi_http

    def from_wasmtime(self, name):
        """Whether wasmtime defines this import (so the request may not, and stubs must not)."""
        if self.unknown != "stub":
            return is_wasi(name)
        return bool(WASI_P2.match(name) or (self.wasi_http and WASI_HTTP_P2.match(name)))

    @property
    def trap(self):
        return self.unknown in ("trap", "stub")

    @property
    def resources(self):
        return self.unknown == "stub"


class Stopper:
    """Interrupts the running call (epoch interruption) after a time or on some output."""

    def __init__(self, engine, after_seconds, on):
        self.engine = engine
        self.after_seconds = after_seconds
        self.on = on
        self.reason = None
        self.timer = None
        self.lock = threading.Lock()

    @property
    def enabled(self):
        return self.after_seconds is not None or self.on is not None

    def stop(self, reason):
        with self.lock:
            if self.reason is not None:
                return
            self.reason = reason
        self.engine.increment_epoch()

    def output(self, stream, buffer):
        """Called after each write to stdout or stderr, with everything written so far."""
        on = self.on
        if on is not None and on["stream"] == stream and \
                buffer.count(on["text"].encode("utf-8")) >= on.get("count", 1):
            self.stop("output")

    def start(self):
        if self.after_seconds is not None:
            self.timer = threading.Timer(self.after_seconds, self.stop, ("time",))
            self.timer.daemon = True
            self.timer.start()

    def cancel(self):
        if self.timer is not None:
            self.timer.cancel()

    def arm(self, store):
        """Every store of the engine needs a deadline once epoch interruption is on."""
        if self.enabled:
            store.set_epoch_deadline(1)


def configure_wasi(wasi, config):
    """Applies "wasiConfig": arguments, environment, standard input and preopened directories.
    Returns the temporary file holding standard input, if one was made."""
    if config is None:
        return None
    if not isinstance(config, dict):
        raise RunError("request", 'Cannot run: "wasiConfig" is an object')
    argv = config.get("argv")
    if argv is not None:
        if not isinstance(argv, list) or not all(isinstance(a, str) for a in argv):
            raise RunError("request", 'Cannot run: "wasiConfig.argv" is an array of strings')
        wasi.argv = argv
    env = config.get("env")
    if env is not None:
        if not isinstance(env, dict):
            raise RunError("request", 'Cannot run: "wasiConfig.env" is an object')
        wasi.env = [[k, str(v)] for k, v in env.items()]
    for p in config.get("preopens", []):
        if not isinstance(p, dict) or not isinstance(p.get("host"), str) \
                or not isinstance(p.get("guest"), str):
            raise RunError("request", 'Cannot run: a preopen is {"host", "guest", "mutable"}')
        wasi.preopen_dir(p["host"], p["guest"], bool(p.get("mutable", True)))
    stdin = config.get("stdin")
    if stdin is None:
        return None
    if not isinstance(stdin, str):
        raise RunError("request", 'Cannot run: "wasiConfig.stdin" is a string')
    import tempfile
    fd, path = tempfile.mkstemp(prefix="wreg-wasmtime-stdin-")
    with os.fdopen(fd, "wb") as f:
        f.write(stdin.encode("utf-8"))
    wasi.stdin_file = path
    return path


def capture(stopper, stream, buffer):
    def write(data):
        buffer.extend(data)
        stopper.output(stream, buffer)
    return write


def describe_func(fty):
    params = ", ".join(f"{n}: {type_name(t)}" for n, t in fty.params)
    result = fty.result
    return f"func({params})" + (f" -> {type_name(result)}" if result is not None else "")


def describe_items(engine, items):
    """Names of imports or exports; functions inside an instance as `instance#func`."""
    out = {}
    for name, ext in items.items():
        ty = ext.ty
        if isinstance(ty, cm.FuncType):
            out[name] = describe_func(ty)
        elif isinstance(ty, cm.ComponentInstanceType):
            funcs = {}
            for fname, fext in ty.exports(engine).items():
                fty = fext.ty
                if isinstance(fty, cm.FuncType):
                    funcs[fname] = describe_func(fty)
            out[name] = funcs
        else:
            out[name] = type(ty).__name__
    return out


def make_host_func(record, label, fty, behaviour, forwarder):
    params = fty.params
    result_ty = fty.result
    if not isinstance(behaviour, dict):
        raise RunError("request", f"Cannot define host import {label}: its behaviour must be an "
                       "object")
    result = None
    target = None
    if "forward" in behaviour:
        target = forwarder.func(behaviour["forward"], label)
    elif result_ty is not None and "trap" not in behaviour:
        if "result" not in behaviour:
            raise RunError("request", f"Cannot define host import {label}: it returns "
                           f"{type_name(result_ty)}, so the behaviour needs a \"result\"")
        result = to_python(result_ty, behaviour["result"], f"{label} result")

    def host_func(_store, *args):
        record.append({
            "import": label,
            "args": [to_json(t, a) for (_, t), a in zip(params, args)],
        })
        if "trap" in behaviour:
            raise wasmtime.WasmtimeError(str(behaviour["trap"]))
        if target is not None:
            return target(*args)
        return result

    return host_func


class Forwarder:
    """Other components that host functions forward their calls to (`{"forward": path}`).

    Each is instantiated once, in a store of its own with WASI linked to the same captured
    stdout and stderr; its own non-WASI imports trap. The host function passes its arguments
    through and returns the other component's result: a composition made by the host, to run
    a component against a real implementation of its import before composing them.
    """

    def __init__(self, engine, stdout, stderr, stopper):
        self.engine = engine
        self.stdout = stdout
        self.stderr = stderr
        self.stopper = stopper
        self.instances = {}

    def func(self, path, name):
        if not isinstance(path, str):
            raise RunError("request", f"Cannot forward {name}: \"forward\" is a file path")
        if path not in self.instances:
            try:
                with open(path, "rb") as f:
                    wasm = f.read()
            except OSError as e:
                raise RunError("request", f"Cannot read {path}: {e.strerror}")
            try:
                component = cm.Component(self.engine, wasm)
            except wasmtime.WasmtimeError as e:
                raise RunError("validate", f"Invalid component {path}: {e}")
            store = wasmtime.Store(self.engine)
            self.stopper.arm(store)
            wasi = wasmtime.WasiConfig()
            wasi.stdout_custom = capture(self.stopper, "stdout", self.stdout)
            wasi.stderr_custom = capture(self.stopper, "stderr", self.stderr)
            store.set_wasi(wasi)
            linker = cm.Linker(self.engine)
            linker.add_wasip2()
            define_host(self.engine, linker, component, {}, Imports("trap", False), self)
            try:
                instance = linker.instantiate(store, component)
            except wasmtime.WasmtimeError as e:
                raise RunError("instantiate", f"Cannot instantiate {path}: {e}")
            self.instances[path] = (component, instance, store)
        component, instance, store = self.instances[path]
        try:
            func = find_func(self.engine, component, instance, store, name)
        except RunError as e:
            raise RunError("request", f"Cannot forward {name} to {path}: {e.message}")
        return lambda *args: func(store, *args)


TRAP = "no host function is defined for this import"


def define_host(engine, linker, component, host, imports_policy, forwarder):
    """Defines the requested host functions; returns the list their calls are recorded in."""
    record = []
    resources = [0]

    def add_resources(inst, ty):
        """Defines the resource types of an instance as host resources ("stub")."""
        if not imports_policy.resources:
            return
        for rname, e in ty.exports(engine).items():
            if isinstance(e.ty, cm.ResourceType):
                resources[0] += 1
                inst.add_resource(rname, cm.ResourceType.host(resources[0]), lambda *_: None)

    imports = component.type.imports(engine)
    for name in host:
        if name not in imports:
            raise RunError("request", f"Cannot define host import {json.dumps(name)}: the "
                           f"component imports {', '.join(sorted(imports)) or 'nothing'}")
        if imports_policy.from_wasmtime(name):
            raise RunError("request", f"Cannot define host import {json.dumps(name)}: WASI "
                           "imports come from wasmtime")
    with linker.root() as root:
        for name, spec in host.items():
            ty = imports[name].ty
            if isinstance(ty, cm.FuncType):
                root.add_func(name, make_host_func(record, name, ty, spec, forwarder))
            elif isinstance(ty, cm.ComponentInstanceType):
                funcs = {f: e.ty for f, e in ty.exports(engine).items()}
                if not isinstance(spec, dict):
                    raise RunError("request", f"Cannot define host import {name}: give an object "
                                   "of function names")
                for fname in spec:
                    if not isinstance(funcs.get(fname), cm.FuncType):
                        raise RunError("request", f"Cannot define host import {name}#{fname}: "
                                       f"the instance has {', '.join(sorted(funcs))}")
                with root.add_instance(name) as inst:
                    add_resources(inst, ty)
                    for fname, fty in funcs.items():
                        if fname in spec:
                            behaviour = spec[fname]
                        elif imports_policy.trap and isinstance(fty, cm.FuncType):
                            behaviour = {"trap": TRAP}
                        else:
                            continue
                        inst.add_func(fname, make_host_func(record, f"{name}#{fname}", fty,
                                                            behaviour, forwarder))
            else:
                raise RunError("request", f"Cannot define host import {name}: only functions "
                               f"and instances of functions are supported, not "
                               f"{type(ty).__name__}")
        # Imports nobody defined: an instance holding only types (a `use` of another interface)
        # gets an empty instance; with "trap", functions get stubs that trap when called, and with
        # "stub" resources are defined too. WASI imports wasmtime provides are left to it (its own
        # definitions match them by semver; trap stubs from `define_unknown_imports_as_traps`
        # would shadow WASI resources that are newer than wasmtime's WASI).
        for name, ext in imports.items():
            if name in host or imports_policy.from_wasmtime(name):
                continue
            ty = ext.ty
            if isinstance(ty, cm.FuncType):
                if imports_policy.trap:
                    root.add_func(name, make_host_func(record, name, ty, {"trap": TRAP},
                                                       forwarder))
            elif isinstance(ty, cm.ResourceType):
                if imports_policy.resources:
                    resources[0] += 1
                    root.add_resource(name, cm.ResourceType.host(resources[0]), lambda *_: None)
            elif isinstance(ty, cm.ComponentInstanceType):
                funcs = {f: e.ty for f, e in ty.exports(engine).items()}
                funcs = {f: t for f, t in funcs.items() if isinstance(t, cm.FuncType)}
                if funcs and not imports_policy.trap:
                    continue
                with root.add_instance(name) as inst:
                    add_resources(inst, ty)
                    for fname, fty in funcs.items():
                        inst.add_func(fname, make_host_func(record, f"{name}#{fname}", fty,
                                                            {"trap": TRAP}, forwarder))
    return record


def find_func(engine, component, instance, store, name):
    """Looks up an export by `func` or `iface#func` (the interface version may be omitted)."""
    exports = component.type.exports(engine)
    if "#" not in name:
        func = instance.get_func(store, name)
        if func is None:
            raise RunError("call", f"Cannot call {json.dumps(name)}: no such exported function "
                           f"(exports: {', '.join(sorted(exports))})")
        return func
    iface, fname = name.rsplit("#", 1)
    if iface not in exports:
        matching = [e for e in exports if e.split("@", 1)[0] == iface]
        if len(matching) != 1:
            raise RunError("call", f"Cannot call {json.dumps(name)}: no single exported "
                           f"interface {json.dumps(iface)} (exports: {', '.join(sorted(exports))})")
        iface = matching[0]
    iface_index = instance.get_export_index(store, iface)
    func_index = iface_index and instance.get_export_index(store, fname, iface_index)
    func = func_index and instance.get_func(store, func_index)
    if not func:
        raise RunError("call", f"Cannot call {json.dumps(name)}: interface {iface} exports no "
                       f"function {json.dumps(fname)}")
    return func


def run(request):
    if not isinstance(request, dict) or not isinstance(request.get("component"), str):
        raise RunError("request", 'Cannot run: the request needs "component", a file path')
    calls = request.get("calls", [])
    host = request.get("host", {})
    unknown = request.get("unknownImports", "trap")
    if unknown not in ("trap", "error", "stub"):
        raise RunError("request", 'Cannot run: "unknownImports" is "trap", "error" or "stub"')
    after = request.get("stopAfterSeconds")
    if after is not None and (isinstance(after, bool) or not isinstance(after, (int, float))
                              or after <= 0):
        raise RunError("request", 'Cannot run: "stopAfterSeconds" is a positive number')
    stop_on = request.get("stopOn")
    if stop_on is not None and not (
            isinstance(stop_on, dict) and stop_on.get("stream") in ("stdout", "stderr")
            and isinstance(stop_on.get("text"), str) and stop_on["text"] != ""
            and isinstance(stop_on.get("count", 1), int) and stop_on.get("count", 1) >= 1):
        raise RunError("request", 'Cannot run: "stopOn" is {"stream": "stdout" or "stderr", '
                       '"text": a non-empty string, "count": a positive integer}')
    if not isinstance(calls, list) or not isinstance(host, dict):
        raise RunError("request", 'Cannot run: "calls" is an array and "host" an object')

    try:
        with open(request["component"], "rb") as f:
            wasm = f.read()
    except OSError as e:
        raise RunError("request", f"Cannot read {request['component']}: {e.strerror}")

    config = wasmtime.Config()
    if after is not None or stop_on is not None:
        config.epoch_interruption = True
    if request.get("cache", True) and os.environ.get("WREG_WASMTIME_CACHE", "1") != "0":
        # wasmtime's compilation cache (~/.cache/wasmtime, keyed by the bytes, the settings and
        # the wasmtime version): a 1.5 MB QuickJS component compiles in ~1.5 s, loads in 20 ms.
        try:
            config.cache = True
        except wasmtime.WasmtimeError:
            pass
    engine = wasmtime.Engine(config)
    try:
        component = cm.Component(engine, wasm)
    except wasmtime.WasmtimeError as e:
        raise RunError("validate", f"Invalid component: {e}")
    response = {
        "ok": True,
        "imports": describe_items(engine, component.type.imports(engine)),
        "exports": describe_items(engine, component.type.exports(engine)),
    }
    if not calls and not request.get("instantiate", False):
        return response

    stopper = Stopper(engine, after, stop_on)
    store = wasmtime.Store(engine)
    stopper.arm(store)
    linker = cm.Linker(engine)
    stdout, stderr = bytearray(), bytearray()
    wasi_http = bool(request.get("wasiHttp", False))
    stdin_file = None
    if request.get("wasi", True):
        wasi = wasmtime.WasiConfig()
        wasi.stdout_custom = capture(stopper, "stdout", stdout)
        wasi.stderr_custom = capture(stopper, "stderr", stderr)
        stdin_file = configure_wasi(wasi, request.get("wasiConfig"))
        store.set_wasi(wasi)
        linker.add_wasip2()
        if wasi_http:
            # Outgoing requests need the store's wasi:http context too (without it wasmtime's
            # c-api panics on the first request).
            store.set_wasi_http()
            linker.add_wasi_http()
    elif wasi_http:
        raise RunError("request", 'Cannot run: "wasiHttp" needs "wasi"')
    forwarder = Forwarder(engine, stdout, stderr, stopper)
    record = define_host(engine, linker, component, host, Imports(unknown, wasi_http), forwarder)
    try:
        instance = linker.instantiate(store, component)
    except wasmtime.WasmtimeError as e:
        raise RunError("instantiate", f"Cannot instantiate: {e}")

    results = []
    response["results"] = results
    response["hostCalls"] = record
    response["stopped"] = None
    response["exitCode"] = None
    stopper.start()
    for i, call in enumerate(calls):
        if not isinstance(call, dict) or not isinstance(call.get("export"), str):
            raise RunError("request", f'Cannot run call {i}: it needs "export", a name')
        func = find_func(engine, component, instance, store, call["export"])
        fty = func.type(store)
        args = call.get("args", [])
        if not isinstance(args, list) or len(args) != len(fty.params):
            raise RunError("request", f"Cannot call {call['export']}: it takes "
                           f"{len(fty.params)} arguments ({describe_func(fty)}), found "
                           f"{json.dumps(args)}")
        values = [to_python(t, a, f"{call['export']} argument {n}")
                  for (n, t), a in zip(fty.params, args)]
        try:
            value = func(store, *values)
        except wasmtime.ExitTrap as e:
            # wasi:cli/exit: the run ends with the status (no result for this call).
            response["exitCode"] = e.code
            break
        except (wasmtime.WasmtimeError, wasmtime.Trap) as e:
            if stopper.reason is not None and "interrupt" in str(e):
                response["stopped"] = stopper.reason
                break
            err = RunError("call", f"Call to {call['export']} failed: {e}")
            err.partial = {"results": results, "hostCalls": record,
                           "stdout": stdout.decode("utf-8", "replace"),
                           "stderr": stderr.decode("utf-8", "replace")}
            raise err
        results.append(to_json(fty.result, value))
    stopper.cancel()
    if stdin_file is not None:
        os.unlink(stdin_file)
    response["stdout"] = stdout.decode("utf-8", "replace")
    response["stderr"] = stderr.decode("utf-8", "replace")
    return response


def main(argv):
    if len(argv) > 1:  # manual use: COMPONENT [EXPORT [ARGS_JSON]]
        request = {"component": argv[1]}
        if len(argv) > 2:
            request["calls"] = [{"export": argv[2],
                                 "args": json.loads(argv[3]) if len(argv) > 3 else []}]
    else:
        try:
            request = json.load(sys.stdin)
        except ValueError as e:
            request = None
            print(json.dumps({"ok": False, "stage": "request",
                              "message": f"Cannot parse the request: {e}"}))
            return 1
    try:
        response = run(request)
    except RunError as e:
        response = {"ok": False, "stage": e.stage, "message": e.message}
        response.update(getattr(e, "partial", {}))
    except Exception as e:  # a bug here, not in the component: keep the trace
        response = {"ok": False, "stage": "internal", "message": f"{type(e).__name__}: {e}",
                    "trace": traceback.format_exc()}
    sys.stdout.write(json.dumps(response) + "\n")
    sys.stdout.flush()
    return 0 if response["ok"] else 1


if __name__ == "__main__":
    # Exit without running wasmtime's finalizers: they are not needed for a one-shot process.
    code = main(sys.argv)
    os._exit(code)
