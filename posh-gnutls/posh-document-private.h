/* posh-document-private.h: PoshDocument inside, and the strict JSON check
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * PoshDocument is written in three files: posh-document.c (the boxed type,
 * accessors, provenance, verification), posh-document-parse.c (the strict
 * parser) and posh-document-build.c (the publisher's constructors and
 * posh_document_to_json()). The JSON check is posh-json-scan.c.
 */

#pragma once

#include "posh-private.h"

G_BEGIN_DECLS

struct _PoshDocument
{
  int               ref_count;      /* atomic */
  PoshDocumentKind  kind;
  guint             n_descriptors;
  guint             n_entries;
  guint             n_hops;
  guint64           expires;
  guint64           lifetime;
  char             *url;            /* reference documents only */
  PoshDocument     *reference;      /* provenance: the reference followed */
  PoshHop          *hops;           /* provenance: n_hops hops */
  PoshEntry         entries[];      /* the usable entries, in document order */
};

/* A document of kind with room for n_entries entries, ref count 1, the
 * rest zeroed. */
PoshDocument *_posh_document_alloc (PoshDocumentKind kind,
                                    guint            n_entries);

/* R27, E14: an absolute https URI; the fragment is dropped. Returns the URL
 * to fetch, or NULL with invalid_code or not_https_code (in domain) set in
 * error. (posh-document-parse.c) */
char         *_posh_document_check_url (const char  *url,
                                        GQuark       domain,
                                        int          invalid_code,
                                        int          not_https_code,
                                        GError     **error);

/* The DER of certificate, or NULL with POSH_ERROR_CERT when it has none. */
GBytes       *_posh_certificate_der    (GTlsCertificate  *certificate,
                                        GError          **error);

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
 * duplicate member names in any object (E8), nesting at most
 * limits->max_depth (capped at POSH_JSON_DEPTH_CEILING). Iterative: hostile
 * input cannot exhaust the stack. It also enforces E19 before any tree is
 * built: at most limits->max_descriptors elements in the top-level
 * "fingerprints" array (when it is an array) and at most
 * limits->max_members members in each object element of it; other members
 * are not counted. It stops at the first problem in text order; on the name
 * of a member that is both a duplicate and one too many, the duplicate wins.
 * Errors are POSH_DOCUMENT_ERROR_INVALID_ENCODING, _SYNTAX, _TOO_DEEP,
 * _DUPLICATE_MEMBER, _TOO_MANY_DESCRIPTORS or _TOO_MANY_MEMBERS. A leading
 * BOM must already have been skipped. (posh-json-scan.c) */
gboolean  _posh_json_check        (const char             *text,
                                   gsize                   len,
                                   const PoshParseLimits  *limits,
                                   PoshJsonFacts          *facts,
                                   GError                **error);

/* For tests: how many times _posh_document_parse() has handed text to
 * json-glib in this process, i.e. how many documents passed
 * _posh_json_check(). A document refused by the scanner never costs a tree,
 * and this is how a test tells. (posh-document-parse.c) */
guint     _posh_document_json_trees (void);

G_END_DECLS
