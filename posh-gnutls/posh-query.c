/* posh-query.c: the GnuTLS face, offline part (queries, raw verify, texts)
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include "posh-private.h"

#include "posh-gnutls.h"

#include <string.h>

/* The GnuTLS-style values are those of the GObject enums. */
G_STATIC_ASSERT ((int) POSH_VFLAG_ALLOW_SHA1 == (int) POSH_VERIFY_FLAGS_ALLOW_SHA1);
G_STATIC_ASSERT ((int) POSH_VFLAG_FAIL_IF_NOT_CHECKED ==
                 (int) POSH_VERIFY_FLAGS_FAIL_IF_NOT_CHECKED);
G_STATIC_ASSERT ((int) POSH_VERIFY_CERT_DIFFERS == (int) POSH_VERIFY_STATUS_CERT_DIFFERS);
G_STATIC_ASSERT ((int) POSH_VERIFY_NO_USABLE_FINGERPRINT ==
                 (int) POSH_VERIFY_STATUS_NO_USABLE_FINGERPRINT);
G_STATIC_ASSERT ((int) POSH_VERIFY_CERT_EXPIRED == (int) POSH_VERIFY_STATUS_CERT_EXPIRED);
G_STATIC_ASSERT ((int) POSH_VERIFY_CERT_NOT_ACTIVATED ==
                 (int) POSH_VERIFY_STATUS_CERT_NOT_ACTIVATED);

/**
 * posh_raw_document:
 * @s: (nullable): a POSH state, or %NULL for the default limits
 * @q: (out): where to store the new query
 * @json: (array length=json_len): the body of a POSH document
 * @json_len: the length of @json in bytes
 *
 * Parses a POSH document the caller already has (from a file, a
 * configuration, a previous fetch) into a query, with no network access,
 * the way dane_raw_tlsa() builds a query from records the caller resolved
 * itself. The document may be a fingerprints document or a reference
 * document; only a fingerprints document can verify a certificate.
 *
 * The parser is strict (RFC 7711 §3.1, §3.2) and bounded by the limits of
 * @s (body size, descriptor and member counts, maximum lifetime); when @s
 * is %NULL the defaults apply.
 *
 * Free the query with posh_query_deinit().
 *
 * Returns: %POSH_E_SUCCESS (0) on success; %POSH_E_RECEIVED_CORRUPT_DATA
 *   when @json is not a valid POSH document, %POSH_E_TOO_LARGE when it
 *   exceeds a limit, %POSH_E_INVALID_REQUEST when @q or @json is %NULL.
 *   On error *@q is set to %NULL.
 *
 * Since: 0.1
 */
int
posh_raw_document (posh_state_t  s,
                   posh_query_t *q,
                   const char   *json,
                   size_t        json_len)
{
  g_autoptr (GError) error = NULL;
  PoshParseLimits default_limits;
  const PoshParseLimits *limits;

  if (q == NULL)
    return POSH_E_INVALID_REQUEST;
  *q = NULL;
  if (json == NULL)
    return POSH_E_INVALID_REQUEST;

  if (s != NULL)
    limits = _posh_verifier_get_parse_limits (s);
  else
    {
      _posh_parse_limits_init (&default_limits);
      limits = &default_limits;
    }

  *q = _posh_document_parse (json, json_len, limits, &error);
  if (*q == NULL)
    return _posh_error_to_code (error);

  return POSH_E_SUCCESS;
}

/**
 * posh_query_entries:
 * @q: (nullable): a query
 *
 * Counts the fingerprints of a query: one entry for each fingerprint with
 * a hash function this library knows (`sha-256`, `sha-384`, `sha-512`,
 * `sha-1`), over all descriptors, in document order. Unknown hash names
 * (spec E9) and values that do not decode to a digest of the right size
 * (E7) are not entries. A reference document has none.
 *
 * Returns: the number of entries, 0 for a %NULL query
 *
 * Since: 0.1
 */
unsigned int
posh_query_entries (posh_query_t q)
{
  guint n_entries = 0;

  if (q == NULL)
    return 0;

  _posh_document_get_entries (q, &n_entries);
  return n_entries;
}

/**
 * posh_query_data:
 * @q: a query
 * @idx: the index of the entry, below posh_query_entries()
 * @hash: (out) (optional): the entry's hash function
 * @digest: (out) (optional): the entry's digest
 *
 * Reads one fingerprint of a query, like dane_query_data() reads one TLSA
 * record.
 *
 * @digest points into @q: it is valid for as long as @q is, and must not
 * be freed or modified.
 *
 * Returns: %POSH_E_SUCCESS (0) on success;
 *   %POSH_E_REQUESTED_DATA_NOT_AVAILABLE when @idx is past the last entry;
 *   %POSH_E_INVALID_REQUEST when @q is %NULL
 *
 * Since: 0.1
 */
int
posh_query_data (posh_query_t               q,
                 unsigned int               idx,
                 gnutls_digest_algorithm_t *hash,
                 gnutls_datum_t            *digest)
{
  const PoshEntry *entries;
  guint n_entries = 0;

  if (q == NULL)
    return POSH_E_INVALID_REQUEST;

  entries = _posh_document_get_entries (q, &n_entries);
  if (idx >= n_entries)
    return POSH_E_REQUESTED_DATA_NOT_AVAILABLE;

  if (hash != NULL)
    *hash = _posh_hash_to_gnutls (entries[idx].hash);
  if (digest != NULL)
    {
      digest->data = entries[idx].len > 0 ? (unsigned char *) entries[idx].digest : NULL;
      digest->size = entries[idx].len;
    }

  return POSH_E_SUCCESS;
}

/**
 * posh_query_deinit:
 * @q: (nullable) (transfer full): a query
 *
 * Frees a query made by posh_raw_document() or posh_query_fetch(). The
 * digests posh_query_data() returned for it become invalid.
 *
 * Since: 0.1
 */
void
posh_query_deinit (posh_query_t q)
{
  if (q != NULL)
    posh_document_unref (q);
}

static int
check_crt_raw_args (const gnutls_datum_t      *chain,
                    unsigned int               chain_size,
                    gnutls_certificate_type_t  type,
                    posh_query_t               q,
                    unsigned int               sflags,
                    unsigned int               vflags)
{
  if (q == NULL || (sflags & ~POSH_KNOWN_STATE_FLAGS) || (vflags & ~POSH_KNOWN_VERIFY_FLAGS))
    return POSH_E_INVALID_REQUEST;
  if (chain == NULL || chain_size == 0 || chain[0].data == NULL || chain[0].size == 0)
    return POSH_E_NO_CERT;
  if (type != GNUTLS_CRT_X509)
    return POSH_E_INVALID_REQUEST;
  return POSH_E_SUCCESS;
}

/**
 * posh_verify_crt_raw:
 * @s: (nullable): a POSH state, or %NULL
 * @chain: (array length=chain_size): the certificate chain the peer
 *   presented, leaf first, in DER
 * @chain_size: the number of certificates in @chain
 * @type: the type of the certificates; only %GNUTLS_CRT_X509 is supported
 * @q: a query holding a fingerprints document
 * @sflags: `POSH_F_*` flags, for a temporary state when @s is %NULL; the
 *   raw check uses no state setting, so they are only validated here
 * @vflags: `POSH_VFLAG_*` flags
 * @verify: (out): the verdict, a bitmask of `POSH_VERIFY_*`
 *
 * This is the low-level function of posh_verify_crt(). It does not fetch
 * anything: it checks the certificate against the document held by @q.
 *
 * Only the end-entity certificate, `chain[0]`, is hashed, exactly as given
 * (RFC 7711 §3.1, spec E20); the rest of the chain is ignored, and no
 * chain validation or name check is done (E21). The certificate matches
 * when a fingerprint descriptor of the document matches it: a descriptor
 * matches when it lists at least one hash function this library checks
 * (`sha-256`, `sha-384`, `sha-512`; `sha-1` only with
 * %POSH_VFLAG_ALLOW_SHA1) and every such hash it lists equals the
 * certificate's. A match is still subject to the certificate's validity
 * period at the clock of @s (the system clock when @s is %NULL, or the
 * function given to posh_state_set_time_func()).
 *
 * When no descriptor lists a usable hash, %POSH_VERIFY_NO_USABLE_FINGERPRINT
 * is set in @verify, or, with %POSH_VFLAG_FAIL_IF_NOT_CHECKED,
 * %POSH_E_REQUESTED_DATA_NOT_AVAILABLE is returned.
 *
 * As with DANE, there is no single threat model countered: when telling
 * the user about the result, it may be better to say that POSH did not
 * reject the certificate than that POSH verification succeeded.
 *
 * Returns: %POSH_E_SUCCESS (0) when the certificate was checked,
 *   irrespective of whether it matched (see @verify for that), otherwise a
 *   negative error code: %POSH_E_NO_CERT for an empty chain or leaf,
 *   %POSH_E_INVALID_REQUEST for a bad argument, %POSH_E_CERT_ERROR when the
 *   leaf is not a DER X.509 certificate, %POSH_E_INVALIDATED when the
 *   document's `expires` is 0, %POSH_E_REQUESTED_DATA_NOT_AVAILABLE for a
 *   reference document. On error, @verify (when not %NULL) is set to
 *   %POSH_VERIFY_CERT_DIFFERS, so that code ignoring the return value
 *   still rejects the certificate.
 *
 * Since: 0.1
 */
int
posh_verify_crt_raw (posh_state_t               s,
                     const gnutls_datum_t      *chain,
                     unsigned int               chain_size,
                     gnutls_certificate_type_t  type,
                     posh_query_t               q,
                     unsigned int               sflags,
                     unsigned int               vflags,
                     unsigned int              *verify)
{
  g_autoptr (GError) error = NULL;
  PoshVerifyStatus status = POSH_VERIFY_STATUS_CERT_DIFFERS;
  gint64 now;
  int ret;

  if (verify == NULL)
    return POSH_E_INVALID_REQUEST;
  *verify = POSH_VERIFY_CERT_DIFFERS;

  ret = check_crt_raw_args (chain, chain_size, type, q, sflags, vflags);
  if (ret != POSH_E_SUCCESS)
    return ret;

  now = s != NULL ? _posh_verifier_now (s) : g_get_real_time () / G_USEC_PER_SEC;

  if (!_posh_verify_der (q, chain[0].data, chain[0].size, (PoshVerifyFlags) vflags,
                         now, &status, &error))
    return _posh_error_to_code (error);

  *verify = status;
  return POSH_E_SUCCESS;
}

/**
 * posh_verification_status_print:
 * @status: a verdict, a bitmask of `POSH_VERIFY_*`
 * @out: (out caller-allocates): where to store the text
 * @flags: reserved, must be 0
 *
 * Describes a verdict in words, like dane_verification_status_print():
 * one sentence for each bit set in @status, or a sentence saying that the
 * certificate matched when @status is 0.
 *
 * @out->data is allocated with gnutls_malloc() and NUL-terminated;
 * @out->size does not count the NUL. Free it with gnutls_free().
 *
 * Returns: %POSH_E_SUCCESS (0) on success, %POSH_E_INVALID_REQUEST when
 *   @out is %NULL or @flags is not 0, %POSH_E_MEMORY_ERROR when memory
 *   could not be allocated
 *
 * Since: 0.1
 */
int
posh_verification_status_print (unsigned int    status,
                                gnutls_datum_t *out,
                                unsigned int    flags)
{
  g_autofree char *text = NULL;
  size_t len;

  if (out == NULL || flags != 0)
    return POSH_E_INVALID_REQUEST;

  text = posh_verify_status_to_string ((PoshVerifyStatus) status);
  len = strlen (text);

  out->data = gnutls_malloc (len + 1);
  if (out->data == NULL)
    {
      out->size = 0;
      return POSH_E_MEMORY_ERROR;
    }
  memcpy (out->data, text, len + 1);
  out->size = (unsigned int) len;
  return POSH_E_SUCCESS;
}
