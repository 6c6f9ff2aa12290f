/* posh-document-private.h: the strict JSON check behind the document parser
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include "posh-private.h"

G_BEGIN_DECLS

/* json-glib recurses once per nesting level: whatever limit is configured,
 * it never sees more levels than a small thread stack survives. */
#define POSH_JSON_DEPTH_CEILING 256

/* What the literal of the top-level "expires" member was. */
typedef enum
{
  POSH_JSON_EXPIRES_ABSENT,       /* no such member (or no top-level object) */
  POSH_JSON_EXPIRES_INTEGER,      /* a non-negative integer literal */
  POSH_JSON_EXPIRES_NEGATIVE,     /* an integer literal with a minus sign */
  POSH_JSON_EXPIRES_NOT_INTEGER,  /* a number with a fraction or an exponent */
  POSH_JSON_EXPIRES_OTHER,        /* a string, literal, object or array */
} PoshJsonExpires;

typedef struct
{
  PoshJsonExpires expires_kind;
  guint64         expires;        /* POSH_JSON_EXPIRES_INTEGER: the value,
                                   * saturated at G_MAXUINT64 (E12) */
} PoshJsonFacts;

/* Checks that text is UTF-8 (E18) and strict RFC 8259 JSON: grammar, no
 * duplicate member names in any object (E8), nesting at most max_depth
 * (capped at POSH_JSON_DEPTH_CEILING). Iterative: hostile input cannot
 * exhaust the stack. Errors are POSH_DOCUMENT_ERROR_INVALID_ENCODING,
 * _SYNTAX, _TOO_DEEP or _DUPLICATE_MEMBER. A leading BOM must already have
 * been skipped. */
gboolean  _posh_json_check        (const char     *text,
                                   gsize           len,
                                   guint           max_depth,
                                   PoshJsonFacts  *facts,
                                   GError        **error);

G_END_DECLS
