/*
 * Canonical ABI glue for world `docs:processor/processor`, written by hand.
 *
 * The module is freestanding (no libc, no WASI): it needs nothing but its own memory, so the
 * component has no WASI imports at all. What wit-component expects from the core module:
 *
 *   import "docs:processor/logger@0.1.0" "log"   (level: i32, msg: i32, msg_len: i32)
 *   export "scrub-pii"                           (text: i32, text_len: i32) -> i32
 *   export "process"                             (doc: i32, doc_len: i32, id: i64,
 *                                                 source: i32, source_len: i32,
 *                                                 priority: i32) -> i32
 *   export "cabi_post_scrub-pii", "cabi_post_process"   (ret: i32)
 *   export "cabi_realloc"                        (old, old_size, align, new_size) -> i32
 *   export "memory"
 *
 * A string result does not fit in one core value, so an export returns a pointer to a return
 * area holding (ptr, len). The record `metadata { id: u64, source: string, priority: u32 }` is
 * flattened into its fields.
 *
 * Memory is an arena: cabi_realloc and the exports bump-allocate from __heap_base, and the
 * post-return functions, which the host calls once it has read a result, reset the arena. Nothing
 * lives from one call to the next.
 */
#include <stdint.h>

#include "pii.h"

#define PAGE_SIZE 65536u

/* `enum level` of interface `logger`, lowered to its case index. */
enum log_level { LOG_DEBUG = 0, LOG_INFO = 1, LOG_WARN = 2, LOG_ERROR = 3 };

__attribute__((import_module("docs:processor/logger@0.1.0"), import_name("log"))) extern void
logger_log(int32_t level, const char *message, size_t message_len);

/* Start of the memory nobody else uses; defined by wasm-ld. */
extern unsigned char __heap_base;

static uintptr_t arena_top;

static void arena_reset(void) { arena_top = (uintptr_t)&__heap_base; }

static void *arena_alloc(size_t size, size_t align) {
  if (arena_top == 0) arena_reset();
  if (align == 0 || (align & (align - 1)) != 0) __builtin_trap();
  uintptr_t start = (arena_top + align - 1) & ~(uintptr_t)(align - 1);
  uintptr_t end = start + size;
  if (start < arena_top || end < start) __builtin_trap();
  uintptr_t have = (uintptr_t)__builtin_wasm_memory_size(0) * PAGE_SIZE;
  if (end > have) {
    size_t pages = (end - have + PAGE_SIZE - 1) / PAGE_SIZE;
    if (__builtin_wasm_memory_grow(0, pages) == (size_t)-1) __builtin_trap();
  }
  arena_top = end;
  return (void *)start;
}

static void copy_bytes(char *to, const char *from, size_t n) {
  for (size_t i = 0; i < n; i++) to[i] = from[i];
}

/* The allocator the host uses to pass strings in. */
__attribute__((export_name("cabi_realloc"))) void *cabi_realloc(void *old, size_t old_size,
                                                                 size_t align, size_t new_size) {
  if (old != 0 && new_size <= old_size) return old;
  void *fresh = arena_alloc(new_size, align);
  if (old != 0) copy_bytes(fresh, old, old_size);
  return fresh;
}

/* Where an export leaves its string result: (ptr, len). */
static uint32_t return_area[2];

static uint32_t *return_string(const char *ptr, size_t len) {
  return_area[0] = (uint32_t)(uintptr_t)ptr;
  return_area[1] = (uint32_t)len;
  return return_area;
}

/* A growing text buffer in the arena, for the log line. */
struct text {
  char *ptr;
  size_t len;
};

static void text_add(struct text *t, const char *s, size_t n) {
  copy_bytes(t->ptr + t->len, s, n);
  t->len += n;
}

static void text_add_cstr(struct text *t, const char *s) {
  size_t n = 0;
  while (s[n] != 0) n++;
  text_add(t, s, n);
}

static void text_add_u64(struct text *t, uint64_t v) {
  char digits[20];
  size_t n = 0;
  do {
    digits[n++] = (char)('0' + v % 10);
    v /= 10;
  } while (v != 0);
  while (n > 0) t->ptr[t->len++] = digits[--n];
}

__attribute__((export_name("scrub-pii"))) uint32_t *export_scrub_pii(const char *text,
                                                                     size_t len) {
  char *out = arena_alloc(pii_scrub_bound(len), 1);
  size_t out_len = pii_scrub(text, len, out, 0);
  return return_string(out, out_len);
}

__attribute__((export_name("cabi_post_scrub-pii"))) void post_scrub_pii(uint32_t *ret) {
  (void)ret;
  arena_reset();
}

__attribute__((export_name("process"))) uint32_t *export_process(const char *doc, size_t doc_len,
                                                                 uint64_t id, const char *source,
                                                                 size_t source_len,
                                                                 uint32_t priority) {
  size_t redactions = 0;
  char *out = arena_alloc(pii_scrub_bound(doc_len), 1);
  size_t out_len = pii_scrub(doc, doc_len, out, &redactions);

  /* The source goes into the log line scrubbed too: logs must not leak what we redact. */
  char *clean_source = arena_alloc(pii_scrub_bound(source_len), 1);
  size_t clean_source_len = pii_scrub(source, source_len, clean_source, 0);

  struct text line = {arena_alloc(clean_source_len + 160, 1), 0};
  text_add_cstr(&line, "processed document ");
  text_add_u64(&line, id);
  text_add_cstr(&line, " from \"");
  text_add(&line, clean_source, clean_source_len);
  text_add_cstr(&line, "\" (priority ");
  text_add_u64(&line, priority);
  text_add_cstr(&line, "): ");
  text_add_u64(&line, redactions);
  text_add_cstr(&line, redactions == 1 ? " redaction" : " redactions");
  logger_log(LOG_INFO, line.ptr, line.len);

  return return_string(out, out_len);
}

__attribute__((export_name("cabi_post_process"))) void post_process(uint32_t *ret) {
  (void)ret;
  arena_reset();
}
