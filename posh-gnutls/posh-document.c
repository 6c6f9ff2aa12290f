/* posh-document.c: the strict parser and PoshDocument
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

#include <json-glib/json-glib.h>

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

G_DEFINE_BOXED_TYPE (PoshDocument, posh_document,
                     posh_document_ref, posh_document_unref)

static PoshDocument *
document_alloc (PoshDocumentKind kind,
                guint            n_entries)
{
  PoshDocument *document;

  document = g_malloc0 (sizeof (PoshDocument) + n_entries * sizeof (PoshEntry));
  document->ref_count = 1;
  document->kind = kind;
  document->n_entries = n_entries;
  return document;
}

/* ---- limits ------------------------------------------------------------ */

void
_posh_parse_limits_init (PoshParseLimits *limits)
{
  g_return_if_fail (limits);

  limits->max_size = POSH_DEFAULT_MAX_BODY_SIZE;
  limits->max_descriptors = POSH_DEFAULT_MAX_DESCRIPTORS;
  limits->max_members = POSH_DEFAULT_MAX_MEMBERS;
  limits->max_depth = POSH_DEFAULT_MAX_DEPTH;
  limits->max_lifetime = POSH_DEFAULT_MAX_LIFETIME;
}

/* ---- shape (RFC 7711 §3.1, §3.2) ----------------------------------------- */

static const char *
node_describe (JsonNode *node)
{
  switch (json_node_get_node_type (node))
    {
    case JSON_NODE_OBJECT:
      return "an object";
    case JSON_NODE_ARRAY:
      return "an array";
    case JSON_NODE_NULL:
      return "null";
    case JSON_NODE_VALUE:
    default:
      break;
    }
  switch (json_node_get_value_type (node))
    {
    case G_TYPE_STRING:
      return "a string";
    case G_TYPE_BOOLEAN:
      return "a boolean";
    default:
      return "a number";
    }
}

static gboolean
check_expires (JsonObject           *root,
               const PoshJsonFacts  *facts,
               guint64          max_lifetime,
               guint64         *expires,
               GError         **error)
{
  JsonNode *node = json_object_get_member (root, "expires");

  if (!node)
    {
      g_set_error_literal (error, POSH_DOCUMENT_ERROR,
                           POSH_DOCUMENT_ERROR_MISSING_EXPIRES,
                           "The document has no “expires” member");
      return FALSE;
    }
  switch (facts->expires_kind)
    {
    case POSH_JSON_EXPIRES_INTEGER:
      *expires = MIN (facts->expires, max_lifetime);  /* E12 */
      return TRUE;
    case POSH_JSON_EXPIRES_NEGATIVE:
      g_set_error_literal (error, POSH_DOCUMENT_ERROR,
                           POSH_DOCUMENT_ERROR_NEGATIVE_EXPIRES,
                           "“expires” must be a non-negative integer, not a negative number");
      return FALSE;
    case POSH_JSON_EXPIRES_NOT_INTEGER:
      g_set_error_literal (error, POSH_DOCUMENT_ERROR,
                           POSH_DOCUMENT_ERROR_INVALID_EXPIRES,
                           "“expires” must be a non-negative integer, not a number with a fraction or an exponent");
      return FALSE;
    case POSH_JSON_EXPIRES_ABSENT:
    case POSH_JSON_EXPIRES_OTHER:
    default:
      g_set_error (error, POSH_DOCUMENT_ERROR,
                   POSH_DOCUMENT_ERROR_INVALID_EXPIRES,
                   "“expires” must be a non-negative integer, not %s",
                   node_describe (node));
      return FALSE;
    }
}

/* The usable entries of one descriptor, appended to entries (E7, E9, E10). */
static void
collect_entries (JsonObject *descriptor,
                 guint       index,
                 GArray     *entries)
{
  g_autoptr(GList) members = json_object_get_members (descriptor);

  for (GList *l = members; l; l = l->next)
    {
      const char *name = l->data;
      JsonNode *node = json_object_get_member (descriptor, name);
      PoshEntry entry = { 0, };
      const char *value;

      entry.hash = _posh_hash_from_name (name, strlen (name));
      if (entry.hash == POSH_HASH_NONE || !JSON_NODE_HOLDS_VALUE (node) ||
          json_node_get_value_type (node) != G_TYPE_STRING)
        continue;
      value = json_node_get_string (node);
      entry.len = (guint8) _posh_hash_digest_size (entry.hash);
      entry.descriptor = index;
      if (_posh_base64_decode_digest (value, strlen (value), entry.digest, entry.len))
        g_array_append_val (entries, entry);
      else
        g_debug ("Ignoring the undecodable “%s” value of descriptor %u", name, index);
    }
}

static gboolean
check_descriptor (JsonNode               *node,
                  guint                   index,
                  const PoshParseLimits  *limits,
                  GArray                 *entries,
                  GError                **error)
{
  JsonObject *descriptor;

  if (!JSON_NODE_HOLDS_OBJECT (node))
    {
      g_set_error (error, POSH_DOCUMENT_ERROR,
                   POSH_DOCUMENT_ERROR_DESCRIPTOR_NOT_OBJECT,
                   "Element %u of “fingerprints” must be an object, not %s",
                   index, node_describe (node));
      return FALSE;
    }
  descriptor = json_node_get_object (node);
  if (json_object_get_size (descriptor) > limits->max_members)
    {
      g_set_error (error, POSH_DOCUMENT_ERROR,
                   POSH_DOCUMENT_ERROR_TOO_MANY_MEMBERS,
                   "Element %u of “fingerprints” has %u members, more than the limit of %u",
                   index, json_object_get_size (descriptor), limits->max_members);
      return FALSE;
    }
  collect_entries (descriptor, index, entries);
  return TRUE;
}

static PoshDocument *
build_fingerprints (JsonNode               *node,
                    const PoshParseLimits  *limits,
                    GError                **error)
{
  g_autoptr(GArray) entries = NULL;
  PoshDocument *document;
  JsonArray *array;
  guint n;

  if (!JSON_NODE_HOLDS_ARRAY (node))
    {
      g_set_error (error, POSH_DOCUMENT_ERROR,
                   POSH_DOCUMENT_ERROR_FINGERPRINTS_NOT_ARRAY,
                   "“fingerprints” must be an array, not %s", node_describe (node));
      return NULL;
    }
  array = json_node_get_array (node);
  n = json_array_get_length (array);
  if (n == 0)
    {
      g_set_error_literal (error, POSH_DOCUMENT_ERROR,
                           POSH_DOCUMENT_ERROR_FINGERPRINTS_EMPTY,
                           "“fingerprints” must hold at least one descriptor");
      return NULL;
    }
  if (n > limits->max_descriptors)
    {
      g_set_error (error, POSH_DOCUMENT_ERROR,
                   POSH_DOCUMENT_ERROR_TOO_MANY_DESCRIPTORS,
                   "“fingerprints” has %u descriptors, more than the limit of %u",
                   n, limits->max_descriptors);
      return NULL;
    }

  entries = g_array_new (FALSE, FALSE, sizeof (PoshEntry));
  for (guint i = 0; i < n; i++)
    if (!check_descriptor (json_array_get_element (array, i), i, limits, entries, error))
      return NULL;

  document = document_alloc (POSH_DOCUMENT_KIND_FINGERPRINTS, entries->len);
  document->n_descriptors = n;
  if (entries->len > 0)
    memcpy (document->entries, entries->data, entries->len * sizeof (PoshEntry));
  return document;
}

/* RFC 3986 §2: only unreserved, reserved and '%' characters; GUri lets
 * spaces and other excluded characters through. */
static gboolean
uri_chars_valid (const char *url)
{
  for (const char *p = url; *p != '\0'; p++)
    {
      if ((guchar) *p <= 0x20 || (guchar) *p >= 0x7f ||
          strchr ("\"<>\\^`{|}", *p))
        return FALSE;
    }
  return TRUE;
}

/* R27, E14: an absolute https URI; the fragment is dropped. Returns the URL
 * to fetch, or NULL with code (in domain) set in error. */
static char *
check_url (const char  *url,
           GQuark       domain,
           int          invalid_code,
           int          not_https_code,
           GError     **error)
{
  g_autoptr(GUri) uri = NULL;
  g_autoptr(GError) local_error = NULL;
  g_autofree char *stripped = g_strndup (url, strcspn (url, "#"));
  const char *host;

  if (!uri_chars_valid (url))
    {
      g_set_error_literal (error, domain, invalid_code,
                           "“url” must be an absolute https URI: it has characters a URI cannot hold");
      return NULL;
    }
  uri = g_uri_parse (stripped, G_URI_FLAGS_NONE, &local_error);
  host = uri ? g_uri_get_host (uri) : NULL;
  if (!uri || !host || *host == '\0')
    {
      g_set_error (error, domain, invalid_code,
                   "“url” must be an absolute https URI: %s",
                   local_error ? local_error->message : "it has no host");
      return NULL;
    }
  if (g_ascii_strcasecmp (g_uri_get_scheme (uri), "https") != 0)
    {
      g_set_error (error, domain, not_https_code,
                   "“url” must be an https URI, not %s:", g_uri_get_scheme (uri));
      return NULL;
    }
  return g_steal_pointer (&stripped);
}

static PoshDocument *
build_reference (JsonNode  *node,
                 GError   **error)
{
  PoshDocument *document;
  char *url;

  if (!JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_STRING)
    {
      g_set_error (error, POSH_DOCUMENT_ERROR, POSH_DOCUMENT_ERROR_URL_NOT_STRING,
                   "“url” must be a string, not %s", node_describe (node));
      return NULL;
    }
  url = check_url (json_node_get_string (node), POSH_DOCUMENT_ERROR,
                   POSH_DOCUMENT_ERROR_URL_INVALID, POSH_DOCUMENT_ERROR_URL_NOT_HTTPS,
                   error);
  if (!url)
    return NULL;
  document = document_alloc (POSH_DOCUMENT_KIND_REFERENCE, 0);
  document->url = url;
  return document;
}

static PoshDocument *
build_document (JsonNode               *root_node,
                const PoshJsonFacts    *facts,
                const PoshParseLimits  *limits,
                GError                **error)
{
  JsonObject *root;
  JsonNode *fingerprints, *url;
  PoshDocument *document;
  guint64 expires = 0;

  if (!JSON_NODE_HOLDS_OBJECT (root_node))
    {
      g_set_error (error, POSH_DOCUMENT_ERROR, POSH_DOCUMENT_ERROR_NOT_OBJECT,
                   "The document must be a JSON object, not %s",
                   node_describe (root_node));
      return NULL;
    }
  root = json_node_get_object (root_node);
  if (!check_expires (root, facts, limits->max_lifetime, &expires, error))
    return NULL;

  fingerprints = json_object_get_member (root, "fingerprints");
  url = json_object_get_member (root, "url");
  if (fingerprints && url)
    {
      g_set_error_literal (error, POSH_DOCUMENT_ERROR,
                           POSH_DOCUMENT_ERROR_FINGERPRINTS_AND_URL,
                           "The document has both “fingerprints” and “url”");
      return NULL;
    }
  if (!fingerprints && !url)
    {
      g_set_error_literal (error, POSH_DOCUMENT_ERROR,
                           POSH_DOCUMENT_ERROR_MISSING_CONTENT,
                           "The document has neither “fingerprints” nor “url”");
      return NULL;
    }

  if (fingerprints)
    document = build_fingerprints (fingerprints, limits, error);
  else
    document = build_reference (url, error);
  if (!document)
    return NULL;
  document->expires = expires;
  document->lifetime = expires;
  return document;
}

PoshDocument *
_posh_document_parse (const char             *data,
                      gsize                   len,
                      const PoshParseLimits  *limits,
                      GError                **error)
{
  g_autoptr(JsonParser) parser = NULL;
  g_autoptr(GError) json_error = NULL;
  PoshJsonFacts facts;

  g_return_val_if_fail (data || len == 0, NULL);
  g_return_val_if_fail (limits, NULL);
  g_return_val_if_fail (!error || !*error, NULL);

  if (len > limits->max_size)
    {
      g_set_error (error, POSH_DOCUMENT_ERROR, POSH_DOCUMENT_ERROR_TOO_LARGE,
                   "The document is %" G_GSIZE_FORMAT " bytes long, more than the limit of %"
                   G_GSIZE_FORMAT, len, limits->max_size);
      return NULL;
    }
  if (!data)
    data = "";
  if (len >= 3 && memcmp (data, "\xef\xbb\xbf", 3) == 0)
    {
      data += 3;
      len -= 3;
    }
  /* json-glib is lenient and unbounded: it only sees text that passed. */
  if (!_posh_json_check (data, len, limits->max_depth, &facts, error))
    return NULL;

  parser = json_parser_new_immutable ();
  if (!json_parser_load_from_data (parser, data, (gssize) len, &json_error))
    {
      g_set_error (error, POSH_DOCUMENT_ERROR, POSH_DOCUMENT_ERROR_SYNTAX,
                   "Invalid JSON: %s", json_error->message);
      return NULL;
    }
  return build_document (json_parser_get_root (parser), &facts, limits, error);
}

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

static GBytes *
certificate_der (GTlsCertificate  *certificate,
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
      der = certificate_der (certificates[i], error);
      if (!der)
        return NULL;
      add_certificate_entries (der, i, hashes, entries);
    }

  document = document_alloc (POSH_DOCUMENT_KIND_FINGERPRINTS, entries->len);
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
  checked = check_url (url, POSH_ERROR, POSH_ERROR_INVALID_REQUEST,
                       POSH_ERROR_INVALID_REQUEST, error);
  if (!checked)
    return NULL;
  document = document_alloc (POSH_DOCUMENT_KIND_REFERENCE, 0);
  document->url = checked;
  document->expires = document->lifetime = expires;
  return document;
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

  for (guint i = 0; i < document->n_hops; i++)
    g_free (document->hops[i].url);
  g_free (document->hops);
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

  for (guint i = 0; i < document->n_hops; i++)
    g_free (document->hops[i].url);
  g_clear_pointer (&document->hops, g_free);
  document->n_hops = 0;
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

/* ---- verification ------------------------------------------------------ */

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

  der = certificate_der (certificate, error);
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
