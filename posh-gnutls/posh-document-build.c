/* posh-document-build.c: documents for publishers, and their JSON text
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * What a server operator needs: a document from JSON bytes, a fingerprints
 * document from certificates, a reference document, and the JSON text of
 * any of them (RFC 7711 §3).
 */

#include "config.h"

#include "posh-document-private.h"

#include <string.h>

/* ---- constructors ------------------------------------------------------ */

/**
 * posh_document_new_from_bytes:
 * @json: the text of a POSH document
 *
 * Parses a POSH document strictly, with the default limits: at most 64 KiB,
 * 64 fingerprint descriptors of at most 16 members each, JSON nested at most
 * 16 levels deep; an `expires` above 30 days is read as 30 days.
 *
 * The text must be UTF-8 (a leading byte-order mark is tolerated) and strict
 * JSON (RFC 8259) with no duplicate member names, holding either a
 * fingerprints document or a reference document (RFC 7711 §3.1, §3.2).
 * Two strict readings go beyond the grammar: a `\u0000` escape is refused
 * in any string, and an `expires` of `-0` counts as negative.
 * An `expires` of 0 is accepted here: verifying against such a document
 * fails with %POSH_ERROR_INVALIDATED.
 *
 * Returns: (transfer full): the document, or %NULL with @error set in the
 *   %POSH_DOCUMENT_ERROR domain
 *
 * Since: 0.1
 */
PoshDocument *
posh_document_new_from_bytes (GBytes  *json,
                              GError **error)
{
  PoshParseLimits limits;
  const char *data;
  gsize len;

  g_return_val_if_fail (json, NULL);
  g_return_val_if_fail (!error || !*error, NULL);

  _posh_parse_limits_init (&limits);
  data = g_bytes_get_data (json, &len);
  return _posh_document_parse (data, len, &limits, error);
}

/* Appends one entry per hash in hashes, in the order of the hash table. */
static void
add_certificate_entries (GBytes   *der,
                         guint     descriptor,
                         PoshHash  hashes,
                         GArray   *entries)
{
  static const PoshHash order[] = {
    POSH_HASH_SHA_256, POSH_HASH_SHA_384, POSH_HASH_SHA_512, POSH_HASH_SHA_1,
  };

  for (gsize i = 0; i < G_N_ELEMENTS (order); i++)
    {
      PoshEntry entry = { 0, };
      gsize len;
      const guint8 *data;

      if ((hashes & order[i]) == 0)
        continue;
      data = g_bytes_get_data (der, &len);
      entry.hash = order[i];
      entry.descriptor = descriptor;
      entry.len = (guint8) _posh_hash_digest_size (order[i]);
      _posh_digest (order[i], data, len, entry.digest);
      g_array_append_val (entries, entry);
    }
}

/**
 * posh_document_new_from_certificates:
 * @certificates: (array length=n_certificates): the certificates the
 *   service may present, the most relevant first
 * @n_certificates: the number of certificates, at least one
 * @hashes: the hash functions to list for each certificate, or
 *   %POSH_HASH_NONE for `sha-256` alone
 * @expires: the number of seconds clients may cache the document, more than 0
 * @error: return location for a #GError
 *
 * Builds the fingerprints document a publisher serves (RFC 7711 §3.1): one
 * fingerprint descriptor per certificate, in the order given (alternates
 * for a roll-over, R45, R46), each listing the digest of the DER encoding of
 * that certificate under every hash function in @hashes. Only public
 * hashes are published (R50). Write it out with [method@Posh.Document.to_json].
 *
 * Returns: (transfer full): the document, or %NULL with
 *   %POSH_ERROR_INVALID_REQUEST (no certificate, an unknown hash, @expires
 *   0) or %POSH_ERROR_CERT (a certificate without a DER encoding)
 *
 * Since: 0.1
 */
PoshDocument *
posh_document_new_from_certificates (GTlsCertificate **certificates,
                                     guint             n_certificates,
                                     PoshHash          hashes,
                                     guint64           expires,
                                     GError          **error)
{
  const PoshHash known = POSH_HASH_SHA_256 | POSH_HASH_SHA_384 |
                         POSH_HASH_SHA_512 | POSH_HASH_SHA_1;
  g_autoptr(GArray) entries = NULL;
  PoshDocument *document;

  g_return_val_if_fail (certificates || n_certificates == 0, NULL);
  g_return_val_if_fail (!error || !*error, NULL);

  if (n_certificates == 0 || expires == 0 || (hashes & ~known) != 0)
    {
      g_set_error (error, POSH_ERROR, POSH_ERROR_INVALID_REQUEST,
                   "%s", n_certificates == 0 ? "At least one certificate is needed" :
                   expires == 0 ? "“expires” must be more than 0" :
                   "Unknown hash function requested");
      return NULL;
    }
  if (hashes == POSH_HASH_NONE)
    hashes = POSH_HASH_SHA_256;

  entries = g_array_new (FALSE, FALSE, sizeof (PoshEntry));
  for (guint i = 0; i < n_certificates; i++)
    {
      g_autoptr(GBytes) der = NULL;

      g_return_val_if_fail (G_IS_TLS_CERTIFICATE (certificates[i]), NULL);
      der = _posh_certificate_der (certificates[i], error);
      if (!der)
        return NULL;
      add_certificate_entries (der, i, hashes, entries);
    }

  document = _posh_document_alloc (POSH_DOCUMENT_KIND_FINGERPRINTS, entries->len);
  document->n_descriptors = n_certificates;
  document->expires = document->lifetime = expires;
  memcpy (document->entries, entries->data, entries->len * sizeof (PoshEntry));
  return document;
}

/**
 * posh_document_new_reference:
 * @url: the absolute `https:` URL of the fingerprints document
 * @expires: the number of seconds clients may rely on the delegation, more than 0
 * @error: return location for a #GError
 *
 * Builds a reference document (RFC 7711 §3.2), which a hosted domain serves
 * to delegate to the fingerprints document its hosting provider keeps at
 * @url. A fragment in @url is dropped, as clients would drop it (E14).
 *
 * Returns: (transfer full): the document, or %NULL with
 *   %POSH_ERROR_INVALID_REQUEST (@url not an absolute https URL, @expires 0)
 *
 * Since: 0.1
 */
PoshDocument *
posh_document_new_reference (const char  *url,
                             guint64      expires,
                             GError     **error)
{
  PoshDocument *document;
  char *checked;

  g_return_val_if_fail (url, NULL);
  g_return_val_if_fail (!error || !*error, NULL);

  if (expires == 0)
    {
      g_set_error_literal (error, POSH_ERROR, POSH_ERROR_INVALID_REQUEST,
                           "“expires” must be more than 0");
      return NULL;
    }
  checked = _posh_document_check_url (url, POSH_ERROR, POSH_ERROR_INVALID_REQUEST,
                                      POSH_ERROR_INVALID_REQUEST, error);
  if (!checked)
    return NULL;
  document = _posh_document_alloc (POSH_DOCUMENT_KIND_REFERENCE, 0);
  document->url = checked;
  document->expires = document->lifetime = expires;
  return document;
}

/* ---- serialisation ----------------------------------------------------- */

static void
append_json_string (GString    *out,
                    const char *s)
{
  g_string_append_c (out, '"');
  for (; *s != '\0'; s++)
    {
      if (*s == '"' || *s == '\\')
        g_string_append_printf (out, "\\%c", *s);
      else if ((guchar) *s < 0x20)
        g_string_append_printf (out, "\\u%04x", (guint) (guchar) *s);
      else
        g_string_append_c (out, *s);
    }
  g_string_append_c (out, '"');
}

static void
append_fingerprints (GString      *out,
                     PoshDocument *document)
{
  guint e = 0;

  g_string_append (out, "\"fingerprints\":[");
  for (guint d = 0; d < document->n_descriptors; d++)
    {
      gboolean first = TRUE;

      g_string_append (out, d == 0 ? "{" : ",{");
      for (; e < document->n_entries && document->entries[e].descriptor == d; e++)
        {
          const PoshEntry *entry = &document->entries[e];
          g_autofree char *value = _posh_base64_encode (entry->digest, entry->len);

          g_string_append_printf (out, "%s\"%s\":\"%s\"", first ? "" : ",",
                                  _posh_hash_name (entry->hash), value);
          first = FALSE;
        }
      g_string_append_c (out, '}');
    }
  g_string_append_c (out, ']');
}

/**
 * posh_document_to_json:
 * @document: a #PoshDocument
 *
 * Writes @document as compact JSON, as a publisher serves it (E26):
 * `fingerprints` then `expires` (or `url` then `expires`), each digest in
 * canonical padded base64. Members a parsed document had but that this
 * library ignores are not written, so a descriptor with no usable
 * fingerprint comes out as `{}`. The output parses back to an equal document.
 *
 * Returns: (transfer full): the JSON text
 *
 * Since: 0.1
 */
char *
posh_document_to_json (PoshDocument *document)
{
  GString *out;

  g_return_val_if_fail (document, NULL);

  out = g_string_new ("{");
  if (document->kind == POSH_DOCUMENT_KIND_REFERENCE)
    {
      g_string_append (out, "\"url\":");
      append_json_string (out, document->url);
    }
  else
    append_fingerprints (out, document);
  g_string_append_printf (out, ",\"expires\":%" G_GUINT64_FORMAT "}", document->expires);
  return g_string_free (out, FALSE);
}
