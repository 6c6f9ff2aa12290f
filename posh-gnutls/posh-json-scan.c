/* posh-json-scan.c: the strict RFC 8259 check run before json-glib
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * json-glib 1.6 accepts much that is not JSON, keeps the last of duplicate
 * members silently, misreads integers of 2^63 and above, and recurses without
 * bound. So the raw text is checked here first, iteratively with an explicit
 * stack bounded by max_depth, and json-glib only ever sees text that passed.
 * The scanner also keeps the literal of the top-level "expires" member, and
 * enforces the descriptor and member caps (E19) as it goes: json-glib would
 * otherwise build the tree of every one of the ~21 000 "{}" a 64 KiB body
 * can hold (100 000 under a 1 MiB cap: ~25 MiB) before they were counted.
 * Only the top-level "fingerprints" array and its object elements are
 * counted; other members are extensions, bounded by size and depth alone.
 */

#include "config.h"

#include "posh-document-private.h"

#include <string.h>

typedef enum
{
  SCAN_VALUE,
  SCAN_MEMBER,
  SCAN_AFTER_VALUE,
} ScanState;

/* What a container is to POSH (only an array or object that needs counting
 * has a role other than SCAN_ROLE_OTHER). */
typedef enum
{
  SCAN_ROLE_OTHER,
  SCAN_ROLE_FINGERPRINTS,   /* the top-level "fingerprints" array */
  SCAN_ROLE_DESCRIPTOR,     /* an object element of it */
} ScanRole;

typedef struct
{
  gboolean    object;
  ScanRole    role;
  guint       index;    /* SCAN_ROLE_DESCRIPTOR: its element index */
  guint64     count;    /* the elements or members seen so far */
  GHashTable *names;    /* (nullable): member names seen so far */
} ScanFrame;

typedef struct
{
  const char     *start;
  const char     *p;
  const char     *end;
  guint           max_depth;
  guint           depth;
  ScanFrame      *frames;
  gboolean        capture_expires;  /* the next value is top-level "expires" */
  gboolean        at_fingerprints;  /* the next value is top-level "fingerprints" */
  guint           max_descriptors;
  guint           max_members;
  PoshJsonFacts  *facts;
  GError        **error;
} Scanner;

static gboolean G_GNUC_PRINTF (3, 4)
scan_fail (Scanner    *s,
           int         code,
           const char *format,
           ...)
{
  g_autofree char *what = NULL;
  va_list args;

  va_start (args, format);
  what = g_strdup_vprintf (format, args);
  va_end (args);
  g_set_error (s->error, POSH_DOCUMENT_ERROR, code,
               "Invalid JSON at byte %" G_GSIZE_FORMAT ": %s",
               (gsize) (s->p - s->start), what);
  return FALSE;
}

static gboolean
scan_syntax (Scanner    *s,
             const char *what)
{
  if (s->p >= s->end)
    return scan_fail (s, POSH_DOCUMENT_ERROR_SYNTAX,
                      "unexpected end of text, expected %s", what);
  if ((guchar) *s->p < 0x20 || (guchar) *s->p >= 0x7f)
    return scan_fail (s, POSH_DOCUMENT_ERROR_SYNTAX,
                      "unexpected byte 0x%02x, expected %s",
                      (guchar) *s->p, what);
  return scan_fail (s, POSH_DOCUMENT_ERROR_SYNTAX,
                    "unexpected character “%c”, expected %s", *s->p, what);
}

static void
scan_skip_ws (Scanner *s)
{
  while (s->p < s->end &&
         (*s->p == ' ' || *s->p == '\t' || *s->p == '\n' || *s->p == '\r'))
    s->p++;
}

static gboolean
scan_peek (Scanner *s,
           char     c)
{
  return s->p < s->end && *s->p == c;
}

static gboolean
scan_push (Scanner  *s,
           gboolean  object,
           ScanRole  role,
           guint     index)
{
  if (s->depth >= s->max_depth)
    return scan_fail (s, POSH_DOCUMENT_ERROR_TOO_DEEP,
                      "nesting deeper than %u levels", s->max_depth);
  s->frames[s->depth].object = object;
  s->frames[s->depth].role = role;
  s->frames[s->depth].index = index;
  s->frames[s->depth].count = 0;
  s->frames[s->depth].names = NULL;
  s->depth++;
  s->p++;
  return TRUE;
}

static void
scan_pop (Scanner *s)
{
  s->depth--;
  g_clear_pointer (&s->frames[s->depth].names, g_hash_table_unref);
  s->p++;
}

static int
hex_value (char c)
{
  if (c >= '0' && c <= '9')
    return c - '0';
  if (c >= 'a' && c <= 'f')
    return c - 'a' + 10;
  if (c >= 'A' && c <= 'F')
    return c - 'A' + 10;
  return -1;
}

/* Reads the four hex digits of a \u escape; s->p is on the 'u'. */
static gboolean
scan_hex4 (Scanner  *s,
           gunichar *out)
{
  gunichar value = 0;

  s->p++;
  for (int i = 0; i < 4; i++, s->p++)
    {
      int v = s->p < s->end ? hex_value (*s->p) : -1;

      if (v < 0)
        return scan_syntax (s, "four hexadecimal digits after “\\u”");
      value = (value << 4) | (gunichar) v;
    }
  *out = value;
  return TRUE;
}

/* A \u escape, with its low surrogate if it is a high one. s->p is on 'u'. */
static gboolean
scan_unicode_escape (Scanner  *s,
                     gunichar *out)
{
  gunichar low = 0;

  if (!scan_hex4 (s, out))
    return FALSE;
  if (*out == 0)
    return scan_fail (s, POSH_DOCUMENT_ERROR_SYNTAX,
                      "“\\u0000” is not allowed in a string");
  if (*out >= 0xdc00 && *out <= 0xdfff)
    return scan_fail (s, POSH_DOCUMENT_ERROR_SYNTAX,
                      "unpaired low surrogate in a “\\u” escape");
  if (*out < 0xd800 || *out > 0xdbff)
    return TRUE;

  if (s->end - s->p < 2 || s->p[0] != '\\' || s->p[1] != 'u')
    return scan_fail (s, POSH_DOCUMENT_ERROR_SYNTAX,
                      "unpaired high surrogate in a “\\u” escape");
  s->p++;
  if (!scan_hex4 (s, &low))
    return FALSE;
  if (low < 0xdc00 || low > 0xdfff)
    return scan_fail (s, POSH_DOCUMENT_ERROR_SYNTAX,
                      "unpaired high surrogate in a “\\u” escape");
  *out = 0x10000 + ((*out - 0xd800) << 10) + (low - 0xdc00);
  return TRUE;
}

static gboolean
scan_escape (Scanner *s,
             GString *out)
{
  static const char escapes[] = "\"\"\\\\//b\bf\fn\nr\rt\t";
  gunichar c = 0;

  s->p++;
  if (scan_peek (s, 'u'))
    {
      if (!scan_unicode_escape (s, &c))
        return FALSE;
      if (out)
        g_string_append_unichar (out, c);
      return TRUE;
    }
  for (gsize i = 0; s->p < s->end && i + 1 < sizeof (escapes); i += 2)
    {
      if (*s->p == escapes[i])
        {
          if (out)
            g_string_append_c (out, escapes[i + 1]);
          s->p++;
          return TRUE;
        }
    }
  return scan_syntax (s, "an escape sequence");
}

/* A string; s->p is on the opening quote. Decoded into out if non-NULL.
 * The text is known to be valid UTF-8. */
static gboolean
scan_string (Scanner *s,
             GString *out)
{
  s->p++;
  while (s->p < s->end && *s->p != '"')
    {
      if ((guchar) *s->p < 0x20)
        return scan_fail (s, POSH_DOCUMENT_ERROR_SYNTAX,
                          "unescaped control character in a string");
      if (*s->p == '\\')
        {
          if (!scan_escape (s, out))
            return FALSE;
          continue;
        }
      if (out)
        g_string_append_c (out, *s->p);
      s->p++;
    }
  if (s->p >= s->end)
    return scan_syntax (s, "the end of the string");
  s->p++;
  return TRUE;
}

static gboolean
scan_digits (Scanner *s)
{
  const char *first = s->p;

  while (s->p < s->end && g_ascii_isdigit (*s->p))
    s->p++;
  return s->p > first;
}

static void
scan_record_expires (Scanner    *s,
                     gboolean    negative,
                     gboolean    integer,
                     const char *digits,
                     const char *digits_end)
{
  guint64 value = 0;

  if (!integer)
    {
      s->facts->expires_kind = POSH_JSON_EXPIRES_NOT_INTEGER;
      return;
    }
  if (negative)
    {
      s->facts->expires_kind = POSH_JSON_EXPIRES_NEGATIVE;
      return;
    }
  for (const char *d = digits; d < digits_end; d++)
    {
      guint digit = (guint) (*d - '0');

      if (value > (G_MAXUINT64 - digit) / 10)
        {
          value = G_MAXUINT64;
          break;
        }
      value = value * 10 + digit;
    }
  s->facts->expires_kind = POSH_JSON_EXPIRES_INTEGER;
  s->facts->expires = value;
}

/* RFC 8259 §6: -? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)? */
static gboolean
scan_number (Scanner  *s,
             gboolean  capture)
{
  gboolean negative = FALSE, integer = TRUE;
  const char *digits, *digits_end;

  if (scan_peek (s, '-'))
    {
      negative = TRUE;
      s->p++;
    }
  digits = s->p;
  if (scan_peek (s, '0'))
    s->p++;
  else if (!scan_digits (s))
    return scan_syntax (s, "a digit");
  if (s->p < s->end && g_ascii_isdigit (*s->p))
    return scan_fail (s, POSH_DOCUMENT_ERROR_SYNTAX,
                      "a number must not have a leading zero");
  digits_end = s->p;

  if (scan_peek (s, '.'))
    {
      integer = FALSE;
      s->p++;
      if (!scan_digits (s))
        return scan_syntax (s, "a digit after the decimal point");
    }
  if (scan_peek (s, 'e') || scan_peek (s, 'E'))
    {
      integer = FALSE;
      s->p++;
      if (scan_peek (s, '+') || scan_peek (s, '-'))
        s->p++;
      if (!scan_digits (s))
        return scan_syntax (s, "a digit in the exponent");
    }
  if (capture)
    scan_record_expires (s, negative, integer, digits, digits_end);
  return TRUE;
}

static gboolean
scan_literal (Scanner *s)
{
  static const char *const literals[] = { "true", "false", "null" };

  for (gsize i = 0; i < G_N_ELEMENTS (literals); i++)
    {
      gsize len = strlen (literals[i]);

      if ((gsize) (s->end - s->p) >= len && memcmp (s->p, literals[i], len) == 0)
        {
          s->p += len;
          return TRUE;
        }
    }
  return scan_syntax (s, "a value");
}

/* E19, as posh-document-parse.c words it, but without the total, which
 * is not known yet: at the element or member at byte at, the frame on top
 * holds one more than its cap allows. */
static gboolean
scan_over_cap (Scanner    *s,
               const char *at)
{
  const ScanFrame *frame = &s->frames[s->depth - 1];
  gsize offset = (gsize) (at - s->start);

  if (frame->role == SCAN_ROLE_FINGERPRINTS)
    g_set_error (s->error, POSH_DOCUMENT_ERROR, POSH_DOCUMENT_ERROR_TOO_MANY_DESCRIPTORS,
                 "“fingerprints” has more descriptors than the limit of %u "
                 "(the element at byte %" G_GSIZE_FORMAT " is one too many)",
                 s->max_descriptors, offset);
  else
    g_set_error (s->error, POSH_DOCUMENT_ERROR, POSH_DOCUMENT_ERROR_TOO_MANY_MEMBERS,
                 "Element %u of “fingerprints” has more members than the limit of %u "
                 "(the member at byte %" G_GSIZE_FORMAT " is one too many)",
                 frame->index, s->max_members, offset);
  return FALSE;
}

/* Counts one more element of "fingerprints" (beginning at byte at), if the
 * frame on top is that array. */
static gboolean
scan_count_descriptor (Scanner    *s,
                       const char *at)
{
  ScanFrame *frame = s->depth > 0 ? &s->frames[s->depth - 1] : NULL;

  if (!frame || frame->role != SCAN_ROLE_FINGERPRINTS)
    return TRUE;
  if (++frame->count > s->max_descriptors)
    return scan_over_cap (s, at);
  return TRUE;
}

/* An object or array; s->p is on its opening bracket. */
static gboolean
scan_open (Scanner   *s,
           gboolean   fingerprints,
           ScanState *state)
{
  gboolean object = *s->p == '{';
  ScanFrame *parent = s->depth > 0 ? &s->frames[s->depth - 1] : NULL;
  ScanRole role = SCAN_ROLE_OTHER;
  guint index = 0;

  if (!scan_count_descriptor (s, s->p))
    return FALSE;
  if (fingerprints && !object)
    role = SCAN_ROLE_FINGERPRINTS;
  else if (object && parent && parent->role == SCAN_ROLE_FINGERPRINTS)
    {
      role = SCAN_ROLE_DESCRIPTOR;
      index = (guint) (parent->count - 1);
    }
  if (!scan_push (s, object, role, index))
    return FALSE;
  scan_skip_ws (s);
  if (scan_peek (s, object ? '}' : ']'))
    scan_pop (s);
  else
    *state = object ? SCAN_MEMBER : SCAN_VALUE;
  return TRUE;
}

static gboolean
scan_value (Scanner   *s,
            ScanState *state)
{
  gboolean capture = s->capture_expires;
  gboolean fingerprints = s->at_fingerprints;
  const char *start;
  gboolean ok;

  s->capture_expires = FALSE;
  s->at_fingerprints = FALSE;
  scan_skip_ws (s);
  if (s->p >= s->end)
    return scan_syntax (s, "a value");
  if (capture && *s->p != '-' && !g_ascii_isdigit (*s->p))
    s->facts->expires_kind = POSH_JSON_EXPIRES_OTHER;

  /* An element of "fingerprints" counts from its opening bracket, or once
   * it is read if it is a scalar (so a malformed one stays a syntax error). */
  *state = SCAN_AFTER_VALUE;
  start = s->p;
  switch (*s->p)
    {
    case '{':
    case '[':
      return scan_open (s, fingerprints, state);
    case '"':
      ok = scan_string (s, NULL);
      break;
    case '-':
    case '0': case '1': case '2': case '3': case '4':
    case '5': case '6': case '7': case '8': case '9':
      ok = scan_number (s, capture);
      break;
    default:
      ok = scan_literal (s);
      break;
    }
  return ok && scan_count_descriptor (s, start);
}

static gboolean
scan_member (Scanner *s)
{
  ScanFrame *frame = &s->frames[s->depth - 1];
  g_autoptr(GString) name = g_string_new (NULL);
  const char *start;

  scan_skip_ws (s);
  if (!scan_peek (s, '"'))
    return scan_syntax (s, "a member name");
  start = s->p;
  if (!scan_string (s, name))
    return FALSE;

  /* E8: a duplicate is a spoofing vector, whatever json-glib would keep.
   * Checked before the member cap: a repeated name is not one more member,
   * so where both apply, DUPLICATE_MEMBER wins. */
  if (!frame->names)
    frame->names = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  if (g_hash_table_contains (frame->names, name->str))
    return scan_fail (s, POSH_DOCUMENT_ERROR_DUPLICATE_MEMBER,
                      "the member “%s” appears twice in one object", name->str);
  if (frame->role == SCAN_ROLE_DESCRIPTOR && ++frame->count > s->max_members)
    return scan_over_cap (s, start);

  s->capture_expires = s->depth == 1 && strcmp (name->str, "expires") == 0;
  s->at_fingerprints = s->depth == 1 && strcmp (name->str, "fingerprints") == 0;
  g_hash_table_add (frame->names, g_string_free (g_steal_pointer (&name), FALSE));

  scan_skip_ws (s);
  if (!scan_peek (s, ':'))
    return scan_syntax (s, "“:”");
  s->p++;
  return TRUE;
}

static gboolean
scan_after_value (Scanner   *s,
                  ScanState *state)
{
  gboolean object = s->frames[s->depth - 1].object;

  scan_skip_ws (s);
  if (scan_peek (s, ','))
    {
      s->p++;
      *state = object ? SCAN_MEMBER : SCAN_VALUE;
      return TRUE;
    }
  if (scan_peek (s, object ? '}' : ']'))
    {
      scan_pop (s);
      return TRUE;
    }
  return scan_syntax (s, object ? "“,” or “}”" : "“,” or “]”");
}

static gboolean
scan_run (Scanner *s)
{
  ScanState state = SCAN_VALUE;

  for (;;)
    {
      gboolean ok;

      if (state == SCAN_AFTER_VALUE && s->depth == 0)
        break;
      switch (state)
        {
        case SCAN_VALUE:
          ok = scan_value (s, &state);
          break;
        case SCAN_MEMBER:
          ok = scan_member (s);
          state = SCAN_VALUE;
          break;
        case SCAN_AFTER_VALUE:
        default:
          ok = scan_after_value (s, &state);
          break;
        }
      if (!ok)
        return FALSE;
    }

  scan_skip_ws (s);
  if (s->p < s->end)
    return scan_syntax (s, "the end of the text");
  return TRUE;
}

static gboolean
scan_json (const char             *text,
           gsize                   len,
           const PoshParseLimits  *limits,
           PoshJsonFacts          *facts,
           GError                **error)
{
  Scanner s = { 0, };
  guint max_depth = MIN (limits->max_depth, POSH_JSON_DEPTH_CEILING);
  gboolean ok;

  s.start = s.p = text;
  s.end = text + len;
  s.max_depth = max_depth;
  s.max_descriptors = limits->max_descriptors;
  s.max_members = limits->max_members;
  s.frames = g_new0 (ScanFrame, MAX (max_depth, 1));
  s.facts = facts;
  s.error = error;

  ok = scan_run (&s);

  for (guint i = 0; i < s.depth; i++)
    g_clear_pointer (&s.frames[i].names, g_hash_table_unref);
  g_free (s.frames);
  return ok;
}

/* UTF-8 only (E18). A NUL byte is valid UTF-8, so it is left to the
 * scanner, which rejects it as a syntax error. */
static gboolean
check_encoding (const char  *text,
                gsize        len,
                GError     **error)
{
  const char *p = text, *end = text + len, *bad;

  while (!g_utf8_validate_len (p, end - p, &bad))
    {
      if (*bad != '\0')
        {
          g_set_error (error, POSH_DOCUMENT_ERROR,
                       POSH_DOCUMENT_ERROR_INVALID_ENCODING,
                       "The document is not valid UTF-8 (byte %" G_GSIZE_FORMAT ")",
                       (gsize) (bad - text));
          return FALSE;
        }
      p = bad + 1;
    }
  return TRUE;
}

gboolean
_posh_json_check (const char             *text,
                  gsize                   len,
                  const PoshParseLimits  *limits,
                  PoshJsonFacts          *facts,
                  GError                **error)
{
  g_return_val_if_fail (text || len == 0, FALSE);
  g_return_val_if_fail (limits, FALSE);
  g_return_val_if_fail (facts, FALSE);

  facts->expires_kind = POSH_JSON_EXPIRES_ABSENT;
  facts->expires = 0;
  if (!text)
    text = "";
  return check_encoding (text, len, error) &&
         scan_json (text, len, limits, facts, error);
}
