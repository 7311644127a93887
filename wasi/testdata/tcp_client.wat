;; A TCP client component, the Canonical ABI written by hand (tests/wasi_host_test.ts builds it
;; with wasi/testdata/tcp_client.wit): `connect(a, b, c, d, port, msg)` opens a wasi:sockets TCP
;; connection to a.b.c.d:port, writes `msg`, reads until as many bytes came back (or the peer
;; closed) and returns them, or "error <step> <code>" with the wasi:sockets error code (or the
;; stream error's case) the host returned at that step.
(module
  (import "wasi:sockets/instance-network@0.2.0" "instance-network" (func $network (result i32)))
  (import "wasi:sockets/tcp-create-socket@0.2.0" "create-tcp-socket"
    (func $create (param i32 i32)))
  (import "wasi:sockets/tcp@0.2.0" "[method]tcp-socket.start-connect"
    (func $start_connect (param i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32)))
  (import "wasi:sockets/tcp@0.2.0" "[method]tcp-socket.finish-connect"
    (func $finish_connect (param i32 i32)))
  (import "wasi:sockets/tcp@0.2.0" "[method]tcp-socket.subscribe"
    (func $subscribe (param i32) (result i32)))
  (import "wasi:sockets/tcp@0.2.0" "[resource-drop]tcp-socket" (func $drop_socket (param i32)))
  (import "wasi:sockets/network@0.2.0" "[resource-drop]network" (func $drop_network (param i32)))
  (import "wasi:io/poll@0.2.0" "[method]pollable.block" (func $block (param i32)))
  (import "wasi:io/poll@0.2.0" "[resource-drop]pollable" (func $drop_poll (param i32)))
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

  (func $emit (param $p i32) (param $n i32)
    (if (i32.gt_u (i32.add (global.get $out) (local.get $n)) (i32.const 0xF0000)) (then unreachable))
    (memory.copy (global.get $out) (local.get $p) (local.get $n))
    (global.set $out (i32.add (global.get $out) (local.get $n))))

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

  (func (export "connect") (param $a i32) (param $b i32) (param $c i32) (param $d i32)
    (param $port i32) (param $mp i32) (param $mn i32) (result i32)
    (local $net i32) (local $sock i32) (local $poll i32) (local $in i32) (local $outs i32)
    (local $got i32) (local $r i32)
    (global.set $out (i32.const 0x10000))
    (local.set $net (call $network))
    ;; create-tcp-socket(ipv4): result<tcp-socket, error-code> at 0x100 (case, then 4).
    (call $create (i32.const 0) (i32.const 0x100))
    (if (i32.load8_u (i32.const 0x100))
      (then (return (call $error (i32.const 1) (i32.load8_u (i32.const 0x104))))))
    (local.set $sock (i32.load (i32.const 0x104)))
    ;; start-connect(network, ipv4(port, (a, b, c, d))): the variant's payload is joined with
    ;; ipv6's, eleven slots; result<_, error-code> (case, then the code at 1).
    (call $start_connect (local.get $sock) (local.get $net) (i32.const 0)
      (local.get $port) (local.get $a) (local.get $b) (local.get $c) (local.get $d)
      (i32.const 0) (i32.const 0) (i32.const 0) (i32.const 0) (i32.const 0) (i32.const 0)
      (i32.const 0x100))
    (if (i32.load8_u (i32.const 0x100))
      (then (return (call $error (i32.const 2) (i32.load8_u (i32.const 0x101))))))
    ;; finish-connect until it is not would-block (8): result<tuple<in, out>, error-code>.
    (block $connected
      (loop $wait
        (local.set $poll (call $subscribe (local.get $sock)))
        (call $block (local.get $poll))
        (call $drop_poll (local.get $poll))
        (call $finish_connect (local.get $sock) (i32.const 0x100))
        (br_if $connected (i32.eqz (i32.load8_u (i32.const 0x100))))
        (br_if $wait (i32.eq (i32.load8_u (i32.const 0x104)) (i32.const 8)))
        (return (call $error (i32.const 3) (i32.load8_u (i32.const 0x104))))))
    (local.set $in (i32.load (i32.const 0x104)))
    (local.set $outs (i32.load (i32.const 0x108)))
    ;; blocking-write-and-flush takes at most 4096 bytes at a time.
    (local.set $r (i32.const 0))
    (block $written
      (loop $chunk
        (br_if $written (i32.ge_u (local.get $r) (local.get $mn)))
        (local.set $got (i32.sub (local.get $mn) (local.get $r)))
        (if (i32.gt_u (local.get $got) (i32.const 4096)) (then (local.set $got (i32.const 4096))))
        (call $write (local.get $outs) (i32.add (local.get $mp) (local.get $r)) (local.get $got)
          (i32.const 0x100))
        (if (i32.load8_u (i32.const 0x100))
          (then (return (call $error (i32.const 4) (i32.load8_u (i32.const 0x104))))))
        (local.set $r (i32.add (local.get $r) (local.get $got)))
        (br $chunk)))
    (local.set $got (i32.const 0))
    (block $done
      (loop $chunks
        (br_if $done (i32.ge_u (local.get $got) (local.get $mn)))
        (call $read (local.get $in) (i64.const 65536) (i32.const 0x100))
        ;; err(closed) ends it; err(last-operation-failed) is an error.
        (if (i32.load8_u (i32.const 0x100))
          (then
            (br_if $done (i32.eq (i32.load8_u (i32.const 0x104)) (i32.const 1)))
            (return (call $error (i32.const 5) (i32.const 0)))))
        (call $emit (i32.load (i32.const 0x104)) (i32.load (i32.const 0x108)))
        (local.set $got (i32.add (local.get $got) (i32.load (i32.const 0x108))))
        (br $chunks)))
    (call $drop_in (local.get $in))
    (call $drop_out (local.get $outs))
    (call $drop_socket (local.get $sock))
    (call $drop_network (local.get $net))
    (call $answer))

  (func (export "cabi_post_connect") (param i32)
    (global.set $bump (i32.const 0x100000)))
)
