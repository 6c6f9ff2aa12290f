/* posh-private.h: interfaces between the modules of posh-gnutls (never installed)
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Module map (each arrow is one file with one job; see DESIGN.md):
 *
 *   posh-names.c        normalise (domain, service), build well-known URLs
 *   posh-fingerprint.c  hash-name table, strict base64, nettle digests
 *   posh-document.c     strict parser, PoshDocument (immutable, ref-counted)
 *   posh-verify.c       raw verification of a DER leaf against a document
 *   posh-fetch.c        PoshFetcher: libsoup hop loop (redirects, url, limits)
 *   posh-cache.c        PoshCache: expiry-bounded cache + in-flight sharing
 *   posh-verifier.c     PoshVerifier GObject: configuration, glue
 *   posh-tls.c          GIO TLS integration (accept-certificate helpers)
 *   posh-query.c        GnuTLS face, offline part: queries, raw verify, texts
 *   posh-gnutls.c       GnuTLS face, state and network part (over PoshVerifier)
 *
 * Nothing here is exported: all symbols start with _posh_ and the library
 * is built with hidden visibility.
 */

#pragma once

#include <gio/gio.h>
#include <gnutls/gnutls.h>
#include <gnutls/x509.h>

#include "posh-enums.h"
#include "posh-error.h"
#include "posh-document.h"
#include "posh-verify.h"
#include "posh-verifier.h"

G_BEGIN_DECLS

G_DEFINE_AUTO_CLEANUP_FREE_FUNC (gnutls_x509_crt_t, gnutls_x509_crt_deinit, NULL)

/* Defaults (DESIGN.md, spec E12, E16, E19, R35). */
#define POSH_DEFAULT_MAX_BODY_SIZE      (64 * 1024)
#define POSH_DEFAULT_MAX_DESCRIPTORS    64
#define POSH_DEFAULT_MAX_MEMBERS        16
#define POSH_DEFAULT_MAX_DEPTH          16
#define POSH_DEFAULT_MAX_LIFETIME       (30 * 24 * 3600)
#define POSH_DEFAULT_MAX_REDIRECTS      10
#define POSH_DEFAULT_TIMEOUT_MS         10000
#define POSH_MAX_DIGEST_SIZE            64

/* Every POSH_F_* / POSH_VFLAG_* bit of posh-gnutls.h (include it where
 * these are used): the GnuTLS face refuses any other bit with
 * POSH_E_INVALID_REQUEST. */
#define POSH_KNOWN_STATE_FLAGS  (POSH_F_NO_CACHE | POSH_F_LEGACY_PATH)
#define POSH_KNOWN_VERIFY_FLAGS (POSH_VFLAG_ALLOW_SHA1 | POSH_VFLAG_FAIL_IF_NOT_CHECKED)

/* ---- posh-names.c ------------------------------------------------------ */

/* E3: lowercase, strip one trailing dot, IDN to A-label; reject IP literals,
 * ports, userinfo, empty labels, anything not a DNS host name.
 * Returns a newly allocated name or NULL with POSH_ERROR_INVALID_REQUEST. */
char     *_posh_normalize_domain  (const char  *domain,
                                   GError     **error);
/* E2/R2: "_xmpp-server._tcp", "_xmpp-server", "xmpp-server" -> "xmpp-server";
 * [a-z0-9-]{1,63}, no leading/trailing '-'. POSH_ERROR_INVALID_REQUEST. */
char     *_posh_normalize_service (const char  *service,
                                   GError     **error);
/* R1/R5: https://DOMAIN/.well-known/posh/SERVICE.json; legacy (E1):
 * https://DOMAIN/.well-known/posh._SERVICE._tcp.json */
char     *_posh_well_known_url    (const char  *domain,
                                   const char  *service,
                                   gboolean     legacy);

/* ---- posh-fingerprint.c ------------------------------------------------ */

/* Exact, case-sensitive lookup of an IANA hash name (E6); POSH_HASH_NONE for
 * names this library does not check (md2, md5, sha-224, unknown). */
PoshHash  _posh_hash_from_name    (const char  *name,
                                   gsize        name_len);
const char *_posh_hash_name       (PoshHash     hash);
gsize     _posh_hash_digest_size  (PoshHash     hash);
gnutls_digest_algorithm_t _posh_hash_to_gnutls (PoshHash hash);
/* E7: standard alphabet, padded or unpadded, zero pad bits, no whitespace;
 * TRUE only when it decodes to exactly expected_len bytes. */
gboolean  _posh_base64_decode_digest (const char *in,
                                      gsize       in_len,
                                      guint8     *out,
                                      gsize       expected_len);
/* nettle digest of data; out must hold _posh_hash_digest_size (hash) bytes */
void      _posh_digest            (PoshHash      hash,
                                   const guint8 *data,
                                   gsize         len,
                                   guint8       *out);
/* canonical padded base64 of a digest (R16, E26) */
char     *_posh_base64_encode     (const guint8 *data,
                                   gsize         len);
/* constant-time comparison of two equal-length buffers */
gboolean  _posh_memeq_const_time  (const guint8 *a,
                                   const guint8 *b,
                                   gsize         len);

/* ---- posh-document.c --------------------------------------------------- */

typedef struct
{
  gsize   max_size;         /* body bytes (E19) */
  guint   max_descriptors;  /* E19 */
  guint   max_members;      /* per descriptor (E19) */
  guint   max_depth;        /* JSON nesting */
  guint64 max_lifetime;     /* clamp for expires (E12) */
} PoshParseLimits;

void          _posh_parse_limits_init   (PoshParseLimits       *limits);
/* Strict parse; errors are in POSH_DOCUMENT_ERROR with a message naming the
 * member and the problem. */
PoshDocument *_posh_document_parse      (const char            *data,
                                         gsize                  len,
                                         const PoshParseLimits *limits,
                                         GError               **error);

/* One hop of a fetch, as recorded in a fetched document. */
typedef struct
{
  char  *url;     /* (owned) */
  guint  status;  /* HTTP status */
} PoshHop;

void          _posh_hop_free            (PoshHop *hop);

/* Record how a fetched document was obtained. Only valid on a document the
 * caller has just created or parsed and not yet shared (refcount 1).
 * reference: (nullable) the reference document followed; hops: (transfer
 * full) (element-type PoshHop); lifetime: the effective cache lifetime in
 * seconds, min of the expires seen along the way, capped at max_lifetime
 * (R40, E22). */
void          _posh_document_set_provenance (PoshDocument *document,
                                             PoshDocument *reference,
                                             GPtrArray    *hops,
                                             guint64       lifetime);

/* A supported entry of a document, flattened (posh_query_data order). */
typedef struct
{
  PoshHash hash;
  guint    descriptor;
  guint8   len;                          /* 0: present but unusable (E7) */
  guint8   digest[POSH_MAX_DIGEST_SIZE];
} PoshEntry;

const PoshEntry *_posh_document_get_entries (PoshDocument *document,
                                             guint        *n_entries);

/* ---- posh-verify.c ----------------------------------------------------- */

/* Verify a DER leaf against a fingerprints document (R18, R21-R24, E5, E11,
 * E20, E21). now: seconds since the epoch for the validity check.
 * Returns FALSE with a POSH_ERROR when it could not check (expires 0:
 * INVALIDATED; a reference document or, with FAIL_IF_NOT_CHECKED, nothing
 * usable: REQUESTED_DATA_NOT_AVAILABLE; unparsable certificate: CERT). */
gboolean  _posh_verify_der        (PoshDocument     *document,
                                   const guint8     *der,
                                   gsize             der_len,
                                   PoshVerifyFlags   flags,
                                   gint64            now,
                                   PoshVerifyStatus *status,
                                   GError          **error);

/* ---- posh-error.c ------------------------------------------------------ */

/* GError -> POSH_E_* (G_IO_ERROR_CANCELLED -> POSH_E_CANCELLED,
 * POSH_DOCUMENT_ERROR -> POSH_E_RECEIVED_CORRUPT_DATA / POSH_E_TOO_LARGE). */
int       _posh_error_to_code     (const GError *error);

/* ---- posh-verifier.c --------------------------------------------------- */

/* The verifier's clock in seconds since the epoch (wall clock unless a
 * clock was installed) and for cache expiry (monotonic unless a clock was
 * installed). */
gint64    _posh_verifier_now      (PoshVerifier *verifier);
gint64    _posh_verifier_cache_now (PoshVerifier *verifier);
/* The parse limits configured on the verifier (max lifetime, caps). */
const PoshParseLimits *_posh_verifier_get_parse_limits (PoshVerifier *verifier);

/* The verification flow (normalise, cache, in-flight, fetch, store, raw
 * verify) for a DER leaf, with explicit verify flags; the GnuTLS face uses
 * these, posh_verifier_verify_certificate*() wrap them. */
gboolean  _posh_verifier_verify_der        (PoshVerifier        *verifier,
                                            const guint8        *der,
                                            gsize                der_len,
                                            const char          *domain,
                                            const char          *service,
                                            PoshVerifyFlags      flags,
                                            PoshVerifyStatus    *status,
                                            GCancellable        *cancellable,
                                            GError             **error);
/* der: (transfer none), a ref is kept */
void      _posh_verifier_verify_der_async  (PoshVerifier        *verifier,
                                            GBytes              *der,
                                            const char          *domain,
                                            const char          *service,
                                            PoshVerifyFlags      flags,
                                            GCancellable        *cancellable,
                                            GAsyncReadyCallback  callback,
                                            gpointer             user_data);
gboolean  _posh_verifier_verify_der_finish (PoshVerifier        *verifier,
                                            GAsyncResult        *result,
                                            PoshVerifyStatus    *status,
                                            GError             **error);
/* Number of live cache entries / fetches in flight (tests, benchmarks). */
guint     _posh_verifier_get_cache_size    (PoshVerifier        *verifier);
guint     _posh_verifier_get_n_inflight    (PoshVerifier        *verifier);

G_END_DECLS
