/* posh-document-parse.c: the strict parser of POSH documents
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Text to PoshDocument: the strict JSON check (posh-json-scan.c), then
 * json-glib's tree, then the shape RFC 7711 §3.1 and §3.2 require, within
 * the configured limits. Every way of breaking the rules has its own
 * POSH_DOCUMENT_ERROR code.
 */

#include "config.h"

#include "posh-document-private.h"

#include <string.h>

#include <json-glib/json-glib.h>

/* ---- limits ------------------------------------------------------------ */

/* How many texts reached json-glib (atomic); see _posh_document_json_trees(). */
static int json_trees;

guint
_posh_document_json_trees (void)
{
  return (guint) g_atomic_int_get (&json_trees);
}

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

  document = _posh_document_alloc (POSH_DOCUMENT_KIND_FINGERPRINTS, entries->len);
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

/* See posh-document-private.h. */
char *
_posh_document_check_url (const char  *url,
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
  url = _posh_document_check_url (json_node_get_string (node), POSH_DOCUMENT_ERROR,
                                  POSH_DOCUMENT_ERROR_URL_INVALID,
                                  POSH_DOCUMENT_ERROR_URL_NOT_HTTPS, error);
  if (!url)
    return NULL;
  document = _posh_document_alloc (POSH_DOCUMENT_KIND_REFERENCE, 0);
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
  /* json-glib is lenient and unbounded: it only sees text that passed,
   * descriptor and member caps included. The checks in build_document()
   * stay the authority on what it builds. */
  if (!_posh_json_check (data, len, limits, &facts, error))
    return NULL;

  g_atomic_int_inc (&json_trees);
  parser = json_parser_new_immutable ();
  if (!json_parser_load_from_data (parser, data, (gssize) len, &json_error))
    {
      g_set_error (error, POSH_DOCUMENT_ERROR, POSH_DOCUMENT_ERROR_SYNTAX,
                   "Invalid JSON: %s", json_error->message);
      return NULL;
    }
  return build_document (json_parser_get_root (parser), &facts, limits, error);
}
