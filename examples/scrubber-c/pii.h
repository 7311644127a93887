/*
 * Finding and redacting personal data in text: US social security numbers, email addresses and
 * US phone numbers. Pure functions over byte buffers: no allocation, no I/O, no libc.
 *
 * The text is UTF-8. Every pattern is ASCII, and any byte >= 0x80 counts as a separator, so a
 * redaction never cuts a multi-byte character and the output stays valid UTF-8.
 */
#ifndef WREG_EXAMPLES_PII_H
#define WREG_EXAMPLES_PII_H

#include <stddef.h>

/* What every match is replaced with. */
#define PII_REDACTION "[REDACTED]"
#define PII_REDACTION_LEN (sizeof(PII_REDACTION) - 1)

/*
 * The largest output pii_scrub can write for `len` input bytes. The shortest pattern it redacts
 * (an email such as `a@b.co`) is 6 bytes long, so the text grows by at most 10/6.
 */
size_t pii_scrub_bound(size_t len);

/*
 * Copies `in` to `out` with every social security number, email address and phone number
 * replaced by PII_REDACTION. `out` must hold pii_scrub_bound(len) bytes and must not overlap
 * `in`. Returns the number of bytes written; stores the number of redactions in `*count` when
 * `count` is not NULL.
 */
size_t pii_scrub(const char *in, size_t len, char *out, size_t *count);

#endif
