/*
 * The PII matchers behind pii_scrub (see pii.h). Each matcher looks at one position of the input
 * and returns the length of the match starting there, or 0. The scan is a single pass from left
 * to right; a matched span is replaced and skipped, so matches never overlap.
 *
 * Recognised forms:
 *   social security number  123-45-6789
 *   email address           local-part@domain.tld   (tld: two or more letters)
 *   US phone number         555-123-4567  555.123.4567  555 123 4567
 *                           (555) 123-4567  (555)123-4567
 *                           with an optional country code: +1 555 123 4567, 1-555-123-4567,
 *                           +1 (555) 123-4567
 * A number only matches as a whole word: no letter or digit may touch it on either side, so
 * `X123-45-6789` or `555-123-45678` are left alone.
 */
#include "pii.h"

#include <stdbool.h>

static bool is_digit(char c) { return c >= '0' && c <= '9'; }

static bool is_alpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }

static bool is_alnum(char c) { return is_digit(c) || is_alpha(c); }

/* Characters of the local part of an email address (before the `@`). */
static bool is_email_local(char c) {
  return is_alnum(c) || c == '.' || c == '_' || c == '%' || c == '+' || c == '-';
}

/* Characters of a domain name. */
static bool is_email_domain(char c) { return is_alnum(c) || c == '.' || c == '-'; }

/* Separators allowed between the groups of a phone number. */
static bool is_phone_sep(char c) { return c == '-' || c == '.' || c == ' '; }

/* True when `n` digits start at in[i]. */
static bool digits_at(const char *in, size_t len, size_t i, size_t n) {
  if (i + n > len) return false;
  for (size_t k = 0; k < n; k++) {
    if (!is_digit(in[i + k])) return false;
  }
  return true;
}

/* True when a match may start at in[i]: the byte before it is not a letter or digit. */
static bool starts_word(const char *in, size_t i) { return i == 0 || !is_alnum(in[i - 1]); }

/* True when a match may end at in[end] (exclusive): the byte after it is not a letter or digit. */
static bool ends_word(const char *in, size_t len, size_t end) {
  return end >= len || !is_alnum(in[end]);
}

/* 123-45-6789 */
static size_t match_ssn(const char *in, size_t len, size_t i) {
  if (!digits_at(in, len, i, 3) || i + 11 > len) return 0;
  if (in[i + 3] != '-' || !digits_at(in, len, i + 4, 2)) return 0;
  if (in[i + 6] != '-' || !digits_at(in, len, i + 7, 4)) return 0;
  return ends_word(in, len, i + 11) ? 11 : 0;
}

/* The part of a phone number after the country code: area code, exchange, line number. */
static size_t match_phone_body(const char *in, size_t len, size_t i) {
  size_t p = i;
  if (p < len && in[p] == '(') {
    if (!digits_at(in, len, p + 1, 3) || p + 4 >= len || in[p + 4] != ')') return 0;
    p += 5;
    if (p < len && in[p] == ' ') p++;
  } else {
    if (!digits_at(in, len, p, 3) || p + 3 >= len || !is_phone_sep(in[p + 3])) return 0;
    p += 4;
  }
  if (!digits_at(in, len, p, 3) || p + 3 >= len || !is_phone_sep(in[p + 3])) return 0;
  p += 4;
  if (!digits_at(in, len, p, 4)) return 0;
  p += 4;
  return ends_word(in, len, p) ? p - i : 0;
}

/* A US phone number with an optional `+1` or `1` country code. */
static size_t match_phone(const char *in, size_t len, size_t i) {
  size_t code = 0;
  if (in[i] == '+' && i + 1 < len && in[i + 1] == '1') {
    code = 2;
  } else if (in[i] == '1') {
    code = 1;
  }
  if (code > 0 && i + code < len && is_phone_sep(in[i + code])) {
    size_t body = match_phone_body(in, len, i + code + 1);
    if (body > 0) return code + 1 + body;
  }
  if (in[i] == '+') return 0;
  return match_phone_body(in, len, i);
}

/*
 * local-part@domain.tld, tried where a run of local-part characters starts. Trailing dots and
 * hyphens are not part of the domain (`Write to a@b.com.` keeps its full stop).
 */
static size_t match_email(const char *in, size_t len, size_t i) {
  size_t at = i;
  while (at < len && is_email_local(in[at])) at++;
  if (at == i || at >= len || in[at] != '@') return 0;
  size_t end = at + 1;
  while (end < len && is_email_domain(in[end])) end++;
  while (end > at + 1 && (in[end - 1] == '.' || in[end - 1] == '-')) end--;
  size_t domain = at + 1;
  if (end == domain || !is_alnum(in[domain])) return 0;
  /* The last label (the top-level domain) is two or more letters, after at least one dot. */
  size_t tld = end;
  while (tld > domain && in[tld - 1] != '.') tld--;
  if (tld == domain || end - tld < 2) return 0;
  for (size_t k = tld; k < end; k++) {
    if (!is_alpha(in[k])) return 0;
  }
  if (in[tld - 2] == '.') return 0; /* an empty label: `a@b..com` */
  return end - i;
}

size_t pii_scrub_bound(size_t len) { return len + (len / 6 + 1) * (PII_REDACTION_LEN - 6); }

size_t pii_scrub(const char *in, size_t len, char *out, size_t *count) {
  size_t o = 0;
  size_t found = 0;
  size_t i = 0;
  while (i < len) {
    size_t m = 0;
    if (is_email_local(in[i]) && (i == 0 || !is_email_local(in[i - 1]))) {
      m = match_email(in, len, i);
    }
    if (m == 0 && starts_word(in, i)) {
      m = match_ssn(in, len, i);
      if (m == 0) m = match_phone(in, len, i);
    }
    if (m > 0) {
      for (size_t k = 0; k < PII_REDACTION_LEN; k++) out[o++] = PII_REDACTION[k];
      found++;
      i += m;
    } else {
      out[o++] = in[i++];
    }
  }
  if (count) *count = found;
  return o;
}
