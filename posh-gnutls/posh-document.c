/* posh-document.c: PoshDocument, its accessors and provenance
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

/**
 * PoshDocument:
 *
 * An immutable POSH document (RFC 7711 §3): either a fingerprints document,
 * which lists the fingerprints of the certificates a service may present,
 * or a reference document, whose `url` points at the fingerprints document.
 *
 * A document is parsed strictly: the text must be UTF-8 JSON as RFC 8259
 * defines it (no comments, no single quotes, no duplicate member names) and
 * must have the shape RFC 7711 requires; every way of breaking the rules has
 * its own [error@Posh.DocumentError] code. Within a fingerprint descriptor,
 * hash names this library does not check and values that are not the
 * canonical base64 of a digest of the right size are ignored, as the
 * specification asks.
 *
 * A document is reference-counted and never changes once it is shared, so it
 * may be used from several threads at once.
 *
 * Checking a certificate against a document read from a file:
 *
 * ```c
 * g_autoptr(GBytes) json = g_bytes_new_take (contents, length);
 * g_autoptr(PoshDocument) document = NULL;
 * PoshVerifyStatus status;
 *
 * document = posh_document_new_from_bytes (json, &error);
 * if (!document)
 *   return FALSE;
 * if (!posh_document_verify_certificate (document, certificate,
 *                                        POSH_VERIFY_FLAGS_NONE,
 *                                        &status, &error))
 *   return FALSE;
 * return status == POSH_VERIFY_STATUS_NONE;
 * ```
 *
 * Publishing the fingerprints of a certificate for one day:
 *
 * ```c
 * g_autoptr(PoshDocument) document = NULL;
 * g_autofree char *json = NULL;
 *
 * document = posh_document_new_from_certificates (&certificate, 1,
 *                                                 POSH_HASH_SHA_256,
 *                                                 86400, &error);
 * json = posh_document_to_json (document);
 * ```
 *
 * Since: 0.1
 */

#include "config.h"

#include "posh-document-private.h"

#include <string.h>

G_DEFINE_BOXED_TYPE (PoshDocument, posh_document,
                     posh_document_ref, posh_document_unref)

PoshDocument *
_posh_document_alloc (PoshDocumentKind kind,
                      guint            n_entries)
{
  PoshDocument *document;

  document = g_malloc0 (sizeof (PoshDocument) + n_entries * sizeof (PoshEntry));
  document->ref_count = 1;
  document->kind = kind;
  document->n_entries = n_entries;
  return document;
}

/* Frees the provenance hops and leaves none. */
static void
document_clear_hops (PoshDocument *document)
{
  for (guint i = 0; i < document->n_hops; i++)
    g_free (document->hops[i].url);
  g_clear_pointer (&document->hops, g_free);
  document->n_hops = 0;
}

/* ---- reference counting ------------------------------------------------ */

/**
 * posh_document_ref:
 * @document: a #PoshDocument
 *
 * Takes a reference on @document. This is thread-safe.
 *
 * Returns: (transfer full): @document
 *
 * Since: 0.1
 */
PoshDocument *
posh_document_ref (PoshDocument *document)
{
  g_return_val_if_fail (document, NULL);

  g_atomic_int_inc (&document->ref_count);
  return document;
}

/**
 * posh_document_unref:
 * @document: (transfer full): a #PoshDocument
 *
 * Releases a reference on @document, and frees it when it was the last
 * one. This is thread-safe.
 *
 * Since: 0.1
 */
void
posh_document_unref (PoshDocument *document)
{
  g_return_if_fail (document);

  if (!g_atomic_int_dec_and_test (&document->ref_count))
    return;

  document_clear_hops (document);
  g_clear_pointer (&document->reference, posh_document_unref);
  g_free (document->url);
  g_free (document);
}

/* ---- accessors --------------------------------------------------------- */

/**
 * posh_document_get_kind:
 * @document: a #PoshDocument
 *
 * Tells a fingerprints document from a reference document.
 *
 * Returns: the kind of @document
 *
 * Since: 0.1
 */
PoshDocumentKind
posh_document_get_kind (PoshDocument *document)
{
  g_return_val_if_fail (document, POSH_DOCUMENT_KIND_FINGERPRINTS);

  return document->kind;
}

/**
 * posh_document_get_expires:
 * @document: a #PoshDocument
 *
 * Gets the `expires` member: the number of seconds the document may be
 * cached. A parsed value above the maximum lifetime is read as that maximum
 * (30 days by default, E12). 0 means the material is invalid (R20, R30).
 *
 * Returns: `expires`, in seconds
 *
 * Since: 0.1
 */
guint64
posh_document_get_expires (PoshDocument *document)
{
  g_return_val_if_fail (document, 0);

  return document->expires;
}

/**
 * posh_document_get_url:
 * @document: a #PoshDocument
 *
 * Gets the `url` of a reference document, without its fragment.
 *
 * Returns: (nullable): the URL of the fingerprints document, or %NULL for a
 *   fingerprints document
 *
 * Since: 0.1
 */
const char *
posh_document_get_url (PoshDocument *document)
{
  g_return_val_if_fail (document, NULL);

  return document->url;
}

/**
 * posh_document_get_n_descriptors:
 * @document: a #PoshDocument
 *
 * Gets the number of fingerprint descriptors, usable or not.
 *
 * Returns: the length of the `fingerprints` array; 0 for a reference document
 *
 * Since: 0.1
 */
guint
posh_document_get_n_descriptors (PoshDocument *document)
{
  g_return_val_if_fail (document, 0);

  return document->n_descriptors;
}

/**
 * posh_document_get_n_fingerprints:
 * @document: a #PoshDocument
 *
 * Gets the number of usable fingerprints: the members of all descriptors
 * that name a hash function this library knows (`sha-256`, `sha-384`,
 * `sha-512`, `sha-1`) and hold the canonical base64 of a digest of the
 * right size. Other members are not counted.
 *
 * Returns: the number of fingerprints, for [method@Posh.Document.get_fingerprint]
 *
 * Since: 0.1
 */
guint
posh_document_get_n_fingerprints (PoshDocument *document)
{
  g_return_val_if_fail (document, 0);

  return document->n_entries;
}

/**
 * posh_document_get_fingerprint:
 * @document: a #PoshDocument
 * @index: the index of the fingerprint, less than
 *   [method@Posh.Document.get_n_fingerprints]
 * @hash: (out) (optional): the hash function
 * @descriptor: (out) (optional): the index of the descriptor holding it
 * @digest: (out) (optional) (transfer full): the digest
 *
 * Gets one usable fingerprint. They come in document order: descriptor by
 * descriptor, and in each in the order of its members.
 *
 * Returns: %TRUE, or %FALSE if @index is out of range
 *
 * Since: 0.1
 */
gboolean
posh_document_get_fingerprint (PoshDocument  *document,
                               guint          index,
                               PoshHash      *hash,
                               guint         *descriptor,
                               GBytes       **digest)
{
  const PoshEntry *entry;

  g_return_val_if_fail (document, FALSE);

  if (index >= document->n_entries)
    return FALSE;
  entry = &document->entries[index];
  if (hash)
    *hash = entry->hash;
  if (descriptor)
    *descriptor = entry->descriptor;
  if (digest)
    *digest = g_bytes_new (entry->digest, entry->len);
  return TRUE;
}

const PoshEntry *
_posh_document_get_entries (PoshDocument *document,
                            guint        *n_entries)
{
  g_return_val_if_fail (document, NULL);
  g_return_val_if_fail (n_entries, NULL);

  *n_entries = document->n_entries;
  return document->entries;
}

/* ---- provenance -------------------------------------------------------- */

void
_posh_hop_free (PoshHop *hop)
{
  if (!hop)
    return;
  g_free (hop->url);
  g_free (hop);
}

void
_posh_document_set_provenance (PoshDocument *document,
                               PoshDocument *reference,
                               GPtrArray    *hops,
                               guint64       lifetime)
{
  g_autofree gpointer *stolen = NULL;
  gsize n = 0;

  g_return_if_fail (document);
  g_return_if_fail (g_atomic_int_get (&document->ref_count) == 1);

  if (reference)
    posh_document_ref (reference);
  g_clear_pointer (&document->reference, posh_document_unref);
  document->reference = reference;
  document->lifetime = lifetime;

  document_clear_hops (document);
  if (!hops)
    return;

  /* Move the hops into one flat array; the caller's free function, if any,
   * must not run on them. */
  stolen = g_ptr_array_steal (hops, &n);
  g_ptr_array_unref (hops);
  document->hops = g_new0 (PoshHop, MAX (n, 1));
  document->n_hops = (guint) n;
  for (gsize i = 0; i < n; i++)
    {
      PoshHop *hop = stolen[i];

      document->hops[i].url = g_steal_pointer (&hop->url);
      document->hops[i].status = hop->status;
      _posh_hop_free (hop);
    }
}

/**
 * posh_document_get_reference:
 * @document: a #PoshDocument
 *
 * Gets the reference document that was followed to fetch @document, if
 * any (RFC 7711 §3.2).
 *
 * Returns: (transfer none) (nullable): the reference document, or %NULL for
 *   a document not fetched through a reference
 *
 * Since: 0.1
 */
PoshDocument *
posh_document_get_reference (PoshDocument *document)
{
  g_return_val_if_fail (document, NULL);

  return document->reference;
}

/**
 * posh_document_get_n_hops:
 * @document: a #PoshDocument
 *
 * Gets the number of HTTPS requests made to fetch @document: one per
 * redirect followed, plus one for the final answer, across the reference
 * if there was one.
 *
 * Returns: the number of hops; 0 for a document not fetched
 *
 * Since: 0.1
 */
guint
posh_document_get_n_hops (PoshDocument *document)
{
  g_return_val_if_fail (document, 0);

  return document->n_hops;
}

/**
 * posh_document_get_hop_url:
 * @document: a #PoshDocument
 * @index: the index of the hop
 *
 * Gets the URL requested at one hop of the fetch.
 *
 * Returns: (nullable): the URL, or %NULL if @index is out of range
 *
 * Since: 0.1
 */
const char *
posh_document_get_hop_url (PoshDocument *document,
                           guint         index)
{
  g_return_val_if_fail (document, NULL);

  return index < document->n_hops ? document->hops[index].url : NULL;
}

/**
 * posh_document_get_hop_status:
 * @document: a #PoshDocument
 * @index: the index of the hop
 *
 * Gets the HTTP status answered at one hop of the fetch.
 *
 * Returns: the status, or 0 if @index is out of range
 *
 * Since: 0.1
 */
guint
posh_document_get_hop_status (PoshDocument *document,
                              guint         index)
{
  g_return_val_if_fail (document, 0);

  return index < document->n_hops ? document->hops[index].status : 0;
}

/**
 * posh_document_get_lifetime:
 * @document: a #PoshDocument
 *
 * Gets how long the material may be relied on: for a fetched document, the
 * smallest `expires` seen along the way (reference and fingerprints
 * document, R40) capped at the maximum lifetime; otherwise `expires`.
 *
 * Returns: the lifetime, in seconds
 *
 * Since: 0.1
 */
guint64
posh_document_get_lifetime (PoshDocument *document)
{
  g_return_val_if_fail (document, 0);

  return document->lifetime;
}

/* ---- verification ------------------------------------------------------ */

GBytes *
_posh_certificate_der (GTlsCertificate  *certificate,
                       GError          **error)
{
  g_autoptr(GByteArray) der = NULL;

  g_object_get (certificate, "certificate", &der, NULL);
  if (!der || der->len == 0)
    {
      g_set_error_literal (error, POSH_ERROR, POSH_ERROR_CERT,
                           "The certificate has no DER encoding");
      return NULL;
    }
  return g_byte_array_free_to_bytes (g_steal_pointer (&der));
}

/**
 * posh_document_verify_certificate:
 * @document: a fingerprints #PoshDocument
 * @certificate: the end-entity certificate the service presented
 * @flags: how to check
 * @status: (out) (optional): the verdict, when the check could be made
 * @error: return location for a #GError
 *
 * Checks @certificate against @document, offline, at the current time: a
 * descriptor matches when every hash this library checks in it matches the
 * digest of the certificate's DER encoding (R18, E5), and a match counts
 * only while the certificate is within its validity period (R24).
 *
 * Returns: %TRUE if the check was made, with the verdict in @status
 *   (%POSH_VERIFY_STATUS_NONE means the certificate matched); %FALSE with
 *   @error set if it could not be made (%POSH_ERROR_INVALIDATED when
 *   `expires` is 0, %POSH_ERROR_REQUESTED_DATA_NOT_AVAILABLE for a reference
 *   document, %POSH_ERROR_CERT for an unreadable certificate)
 *
 * Since: 0.1
 */
gboolean
posh_document_verify_certificate (PoshDocument      *document,
                                  GTlsCertificate   *certificate,
                                  PoshVerifyFlags    flags,
                                  PoshVerifyStatus  *status,
                                  GError           **error)
{
  g_autoptr(GBytes) der = NULL;

  g_return_val_if_fail (document, FALSE);
  g_return_val_if_fail (G_IS_TLS_CERTIFICATE (certificate), FALSE);
  g_return_val_if_fail (!error || !*error, FALSE);

  der = _posh_certificate_der (certificate, error);
  if (!der)
    return FALSE;
  return posh_document_verify_der (document, der, NULL, flags, status, error);
}

/**
 * posh_document_verify_der:
 * @document: a fingerprints #PoshDocument
 * @der: the DER encoding of the end-entity certificate
 * @now: (nullable): the time to check the validity period at, or %NULL for now
 * @flags: how to check
 * @status: (out) (optional): the verdict, when the check could be made
 * @error: return location for a #GError
 *
 * Checks a DER-encoded certificate against @document, like
 * [method@Posh.Document.verify_certificate], at a chosen time.
 *
 * Returns: %TRUE if the check was made, with the verdict in @status;
 *   %FALSE with @error set if it could not be made
 *
 * Since: 0.1
 */
gboolean
posh_document_verify_der (PoshDocument      *document,
                          GBytes            *der,
                          GDateTime         *now,
                          PoshVerifyFlags    flags,
                          PoshVerifyStatus  *status,
                          GError           **error)
{
  PoshVerifyStatus local_status = POSH_VERIFY_STATUS_NONE;
  const guint8 *data;
  gsize len;
  gint64 seconds;
  gboolean ok;

  g_return_val_if_fail (document, FALSE);
  g_return_val_if_fail (der, FALSE);
  g_return_val_if_fail (!error || !*error, FALSE);

  seconds = now ? g_date_time_to_unix (now)
                        : g_get_real_time () / G_USEC_PER_SEC;
  data = g_bytes_get_data (der, &len);
  ok = _posh_verify_der (document, data, len, flags, seconds, &local_status, error);
  if (ok && status)
    *status = local_status;
  return ok;
}
