/* posh-document.h: PoshDocument, an immutable POSH document
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#if !defined (POSH_INSIDE) && !defined (POSH_COMPILATION)
#error "Only <posh-gnutls/posh.h> can be included directly."
#endif

#include <gio/gio.h>

#include <posh-gnutls/posh-version-macros.h>
#include <posh-gnutls/posh-verify.h>

G_BEGIN_DECLS

/**
 * PoshDocumentKind:
 * @POSH_DOCUMENT_KIND_FINGERPRINTS: a fingerprints document (RFC 7711 §3.1)
 * @POSH_DOCUMENT_KIND_REFERENCE: a reference document with a `url` (RFC 7711 §3.2)
 *
 * What a [struct@Posh.Document] holds.
 *
 * Since: 0.1
 */
typedef enum
{
  POSH_DOCUMENT_KIND_FINGERPRINTS,
  POSH_DOCUMENT_KIND_REFERENCE,
} PoshDocumentKind;

/**
 * PoshHash:
 * @POSH_HASH_NONE: no hash function
 * @POSH_HASH_SHA_256: `sha-256`
 * @POSH_HASH_SHA_384: `sha-384`
 * @POSH_HASH_SHA_512: `sha-512`
 * @POSH_HASH_SHA_1: `sha-1`, checked only with %POSH_VERIFY_FLAGS_ALLOW_SHA1
 *
 * The hash functions posh-gnutls knows, named as in the IANA "Hash Function
 * Textual Names" registry. As flags, a set of them.
 *
 * Since: 0.1
 */
typedef enum /*< flags >*/
{
  POSH_HASH_NONE    = 0,
  POSH_HASH_SHA_256 = 1 << 0,
  POSH_HASH_SHA_384 = 1 << 1,
  POSH_HASH_SHA_512 = 1 << 2,
  POSH_HASH_SHA_1   = 1 << 3,
} PoshHash;

#define POSH_TYPE_DOCUMENT (posh_document_get_type ())

typedef struct _PoshDocument PoshDocument;

POSH_AVAILABLE_IN_0_1
GType             posh_document_get_type            (void) G_GNUC_CONST;

POSH_AVAILABLE_IN_0_1
PoshDocument     *posh_document_new_from_bytes      (GBytes         *json,
                                                     GError        **error);
POSH_AVAILABLE_IN_0_1
PoshDocument     *posh_document_new_from_certificates (GTlsCertificate **certificates,
                                                     guint           n_certificates,
                                                     PoshHash        hashes,
                                                     guint64         expires,
                                                     GError        **error);
POSH_AVAILABLE_IN_0_1
PoshDocument     *posh_document_new_reference       (const char     *url,
                                                     guint64         expires,
                                                     GError        **error);
POSH_AVAILABLE_IN_0_1
PoshDocument     *posh_document_ref                 (PoshDocument   *document);
POSH_AVAILABLE_IN_0_1
void              posh_document_unref               (PoshDocument   *document);

POSH_AVAILABLE_IN_0_1
PoshDocumentKind  posh_document_get_kind            (PoshDocument   *document);
POSH_AVAILABLE_IN_0_1
guint64           posh_document_get_expires         (PoshDocument   *document);
POSH_AVAILABLE_IN_0_1
const char       *posh_document_get_url             (PoshDocument   *document);
POSH_AVAILABLE_IN_0_1
guint             posh_document_get_n_descriptors   (PoshDocument   *document);
POSH_AVAILABLE_IN_0_1
guint             posh_document_get_n_fingerprints  (PoshDocument   *document);
POSH_AVAILABLE_IN_0_1
gboolean          posh_document_get_fingerprint     (PoshDocument   *document,
                                                     guint           index,
                                                     PoshHash       *hash,
                                                     guint          *descriptor,
                                                     GBytes        **digest);
POSH_AVAILABLE_IN_0_1
char             *posh_document_to_json             (PoshDocument   *document);

POSH_AVAILABLE_IN_0_1
PoshDocument     *posh_document_get_reference       (PoshDocument   *document);
POSH_AVAILABLE_IN_0_1
guint             posh_document_get_n_hops          (PoshDocument   *document);
POSH_AVAILABLE_IN_0_1
const char       *posh_document_get_hop_url         (PoshDocument   *document,
                                                     guint           index);
POSH_AVAILABLE_IN_0_1
guint             posh_document_get_hop_status      (PoshDocument   *document,
                                                     guint           index);
POSH_AVAILABLE_IN_0_1
guint64           posh_document_get_lifetime        (PoshDocument   *document);

POSH_AVAILABLE_IN_0_1
gboolean          posh_document_verify_certificate  (PoshDocument    *document,
                                                     GTlsCertificate *certificate,
                                                     PoshVerifyFlags  flags,
                                                     PoshVerifyStatus *status,
                                                     GError         **error);
POSH_AVAILABLE_IN_0_1
gboolean          posh_document_verify_der          (PoshDocument    *document,
                                                     GBytes          *der,
                                                     GDateTime       *now,
                                                     PoshVerifyFlags  flags,
                                                     PoshVerifyStatus *status,
                                                     GError         **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (PoshDocument, posh_document_unref)

G_END_DECLS
