;; An HTTP client component, the Canonical ABI written by hand (tests/wasi_host_test.ts builds it
;; with wasi/testdata/http_client.wit): `fetch(method, authority, path, body)` sends one request
;; through wasi:http/outgoing-handler@0.2.0 (method 0 = GET, 2 = POST), blocks on the response's
;; pollable, reads the whole body and returns "<status>\n<body>", or "error <step> <code>" with
;; the discriminant of the error the host returned at that step.
(module
  (import "wasi:http/types@0.2.0" "[constructor]fields" (func $fields (result i32)))
  (import "wasi:http/types@0.2.0" "[constructor]outgoing-request"
    (func $request (param i32) (result i32)))
  (import "wasi:http/types@0.2.0" "[method]outgoing-request.set-method"
    (func $set_method (param i32 i32 i32 i32) (result i32)))
  (import "wasi:http/types@0.2.0" "[method]outgoing-request.set-scheme"
    (func $set_scheme (param i32 i32 i32 i32 i32) (result i32)))
  (import "wasi:http/types@0.2.0" "[method]outgoing-request.set-authority"
    (func $set_authority (param i32 i32 i32 i32) (result i32)))
  (import "wasi:http/types@0.2.0" "[method]outgoing-request.set-path-with-query"
    (func $set_path (param i32 i32 i32 i32) (result i32)))
  (import "wasi:http/types@0.2.0" "[method]outgoing-request.body"
    (func $body (param i32 i32)))
  (import "wasi:http/types@0.2.0" "[method]outgoing-body.write"
    (func $body_write (param i32 i32)))
  (import "wasi:http/types@0.2.0" "[static]outgoing-body.finish"
    (func $body_finish (param i32 i32 i32 i32)))
  (import "wasi:http/types@0.2.0" "[method]future-incoming-response.subscribe"
    (func $subscribe (param i32) (result i32)))
  (import "wasi:http/types@0.2.0" "[method]future-incoming-response.get"
    (func $get (param i32 i32)))
  (import "wasi:http/types@0.2.0" "[method]incoming-response.status"
    (func $status (param i32) (result i32)))
  (import "wasi:http/types@0.2.0" "[method]incoming-response.consume"
    (func $consume (param i32 i32)))
  (import "wasi:http/types@0.2.0" "[method]incoming-body.stream"
    (func $stream (param i32 i32)))
  (import "wasi:http/outgoing-handler@0.2.0" "handle" (func $handle (param i32 i32 i32 i32)))
  (import "wasi:io/poll@0.2.0" "[method]pollable.block" (func $block (param i32)))
  (import "wasi:io/streams@0.2.0" "[method]output-stream.blocking-write-and-flush"
    (func $write (param i32 i32 i32 i32)))
  (import "wasi:io/streams@0.2.0" "[method]input-stream.blocking-read"
    (func $read (param i32 i64 i32)))
  (import "wasi:io/streams@0.2.0" "[resource-drop]output-stream" (func $drop_out (param i32)))
  (import "wasi:io/streams@0.2.0" "[resource-drop]input-stream" (func $drop_in (param i32)))

  (memory (export "memory") 32)
  ;; 0x0100: return areas; 0x1000: the answer's (ptr, len); 0x10000: the answer; 0x100000 on:
  ;; what cabi_realloc hands out (the host's lists), reset by post-return.
  (global $bump (mut i32) (i32.const 0x100000))
  (global $out (mut i32) (i32.const 0x10000))
  (data (i32.const 0x2000) "error ")

  (func (export "cabi_realloc") (param $old i32) (param $oldSize i32) (param $align i32)
    (param $size i32) (result i32)
    (local $p i32) (local $end i32)
    (local.set $p (i32.and (i32.add (global.get $bump) (i32.sub (local.get $align) (i32.const 1)))
      (i32.sub (i32.const 0) (local.get $align))))
    (local.set $end (i32.add (local.get $p) (local.get $size)))
    (if (i32.gt_u (local.get $end) (i32.mul (memory.size) (i32.const 65536)))
      (then (if (i32.eq (memory.grow (i32.add (i32.shr_u (i32.sub (local.get $end)
          (i32.mul (memory.size) (i32.const 65536))) (i32.const 16)) (i32.const 1)))
          (i32.const -1)) (then unreachable))))
    (if (local.get $old) (then (memory.copy (local.get $p) (local.get $old) (local.get $oldSize))))
    (global.set $bump (local.get $end))
    (local.get $p))

  ;; Appends bytes to the answer.
  (func $emit (param $p i32) (param $n i32)
    (if (i32.gt_u (i32.add (global.get $out) (local.get $n)) (i32.const 0xF0000)) (then unreachable))
    (memory.copy (global.get $out) (local.get $p) (local.get $n))
    (global.set $out (i32.add (global.get $out) (local.get $n))))

  ;; Appends a number in decimal (at most 5 digits).
  (func $emit_num (param $v i32)
    (local $d i32) (local $started i32)
    (local.set $d (i32.const 10000))
    (loop $digits
      (if (i32.or (local.get $started) (i32.or (i32.ge_u (local.get $v) (local.get $d))
          (i32.eq (local.get $d) (i32.const 1))))
        (then
          (i32.store8 (global.get $out)
            (i32.add (i32.const 48) (i32.div_u (local.get $v) (local.get $d))))
          (global.set $out (i32.add (global.get $out) (i32.const 1)))
          (local.set $started (i32.const 1))))
      (local.set $v (i32.rem_u (local.get $v) (local.get $d)))
      (local.set $d (i32.div_u (local.get $d) (i32.const 10)))
      (br_if $digits (local.get $d))))

  ;; "error <step> <code>" and the answer's return area.
  (func $error (param $step i32) (param $code i32) (result i32)
    (call $emit (i32.const 0x2000) (i32.const 6))
    (call $emit_num (local.get $step))
    (i32.store8 (global.get $out) (i32.const 32))
    (global.set $out (i32.add (global.get $out) (i32.const 1)))
    (call $emit_num (local.get $code))
    (call $answer))

  (func $answer (result i32)
    (i32.store (i32.const 0x1000) (i32.const 0x10000))
    (i32.store (i32.const 0x1004) (i32.sub (global.get $out) (i32.const 0x10000)))
    (i32.const 0x1000))

  (func (export "fetch") (param $method i32) (param $ap i32) (param $an i32)
    (param $pp i32) (param $pn i32) (param $bp i32) (param $bn i32) (result i32)
    (local $req i32) (local $body i32) (local $stream i32) (local $future i32) (local $poll i32)
    (local $res i32) (local $in i32)
    (global.set $out (i32.const 0x10000))
    (local.set $req (call $request (call $fields)))
    (if (call $set_method (local.get $req) (local.get $method) (i32.const 0) (i32.const 0))
      (then (return (call $error (i32.const 1) (i32.const 0)))))
    ;; some(HTTP)
    (if (call $set_scheme (local.get $req) (i32.const 1) (i32.const 0) (i32.const 0) (i32.const 0))
      (then (return (call $error (i32.const 2) (i32.const 0)))))
    (if (call $set_authority (local.get $req) (i32.const 1) (local.get $ap) (local.get $an))
      (then (return (call $error (i32.const 3) (i32.const 0)))))
    (if (call $set_path (local.get $req) (i32.const 1) (local.get $pp) (local.get $pn))
      (then (return (call $error (i32.const 4) (i32.const 0)))))
    (call $body (local.get $req) (i32.const 0x100))
    (if (i32.load8_u (i32.const 0x100)) (then (return (call $error (i32.const 5) (i32.const 0)))))
    (local.set $body (i32.load (i32.const 0x104)))
    (if (local.get $bn)
      (then
        (call $body_write (local.get $body) (i32.const 0x100))
        (if (i32.load8_u (i32.const 0x100)) (then (return (call $error (i32.const 6) (i32.const 0)))))
        (local.set $stream (i32.load (i32.const 0x104)))
        (call $write (local.get $stream) (local.get $bp) (local.get $bn) (i32.const 0x100))
        (if (i32.load8_u (i32.const 0x100))
          (then (return (call $error (i32.const 7) (i32.load8_u (i32.const 0x104))))))
        (call $drop_out (local.get $stream))))
    ;; The request goes with its body finished (no trailers).
    (call $body_finish (local.get $body) (i32.const 0) (i32.const 0) (i32.const 0x100))
    (if (i32.load8_u (i32.const 0x100))
      (then (return (call $error (i32.const 8) (i32.load8_u (i32.const 0x108))))))
    (call $handle (local.get $req) (i32.const 0) (i32.const 0) (i32.const 0x100))
    (if (i32.load8_u (i32.const 0x100))
      (then (return (call $error (i32.const 9) (i32.load8_u (i32.const 0x108))))))
    (local.set $future (i32.load (i32.const 0x108)))
    (local.set $poll (call $subscribe (local.get $future)))
    (call $block (local.get $poll))
    ;; option<result<result<incoming-response, error-code>>>: 0, 8, 16, then 24.
    (call $get (local.get $future) (i32.const 0x100))
    (if (i32.eqz (i32.load8_u (i32.const 0x100))) (then (return (call $error (i32.const 10) (i32.const 0)))))
    (if (i32.load8_u (i32.const 0x108)) (then (return (call $error (i32.const 11) (i32.const 0)))))
    (if (i32.load8_u (i32.const 0x110))
      (then (return (call $error (i32.const 12) (i32.load8_u (i32.const 0x118))))))
    (local.set $res (i32.load (i32.const 0x118)))
    (call $emit_num (call $status (local.get $res)))
    (i32.store8 (global.get $out) (i32.const 10))
    (global.set $out (i32.add (global.get $out) (i32.const 1)))
    (call $consume (local.get $res) (i32.const 0x100))
    (if (i32.load8_u (i32.const 0x100)) (then (return (call $error (i32.const 13) (i32.const 0)))))
    (call $stream (i32.load (i32.const 0x104)) (i32.const 0x100))
    (if (i32.load8_u (i32.const 0x100)) (then (return (call $error (i32.const 14) (i32.const 0)))))
    (local.set $in (i32.load (i32.const 0x104)))
    (block $done
      (loop $chunks
        (call $read (local.get $in) (i64.const 65536) (i32.const 0x100))
        ;; err(closed) ends the body; err(last-operation-failed) is an error.
        (if (i32.load8_u (i32.const 0x100))
          (then
            (br_if $done (i32.eq (i32.load8_u (i32.const 0x104)) (i32.const 1)))
            (return (call $error (i32.const 15) (i32.const 0)))))
        (call $emit (i32.load (i32.const 0x104)) (i32.load (i32.const 0x108)))
        (br $chunks)))
    (call $drop_in (local.get $in))
    (call $answer))

  (func (export "cabi_post_fetch") (param i32)
    (global.set $bump (i32.const 0x100000)))
)
