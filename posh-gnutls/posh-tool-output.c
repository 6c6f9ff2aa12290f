/* posh-tool-output.c: posh-tool results as JSON or text, and operator hints
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * A command describes its result once, as a JSON object built with
 * JsonBuilder. --json prints the object; otherwise it is rendered as text
 * here. Errors carry the library's GError message (which names the URL or
 * member at fault) plus a hint: which rule was broken and what the operator
 * can change.
 */

#include "config.h"

#include "posh-tool.h"

#include <stdio.h>
#include <string.h>

/* ---- building ----------------------------------------------------------- */

JsonBuilder *
_posh_tool_result_begin (const char *command)
{
  JsonBuilder *builder = json_builder_new ();

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "command");
  json_builder_add_string_value (builder, command);
  return builder;
}

static void
add_string (JsonBuilder *builder,
            const char  *name,
            const char  *value)
{
  json_builder_set_member_name (builder, name);
  if (value)
    json_builder_add_string_value (builder, value);
  else
    json_builder_add_null_value (builder);
}

static void
add_int (JsonBuilder *builder,
         const char  *name,
         gint64       value)
{
  json_builder_set_member_name (builder, name);
  json_builder_add_int_value (builder, value);
}

void
_posh_tool_add_domain_service (JsonBuilder *builder,
                               const char  *domain,
                               const char  *service)
{
  add_string (builder, "domain", domain);
  add_string (builder, "service", service);
}

/* The nick of @code in the enum registered for @domain, or NULL. */
static const char *
error_name (const GError *error)
{
  GType type = G_TYPE_INVALID;
  g_autoptr(GEnumClass) klass = NULL;
  GEnumValue *value;

  if (error->domain == POSH_ERROR)
    type = POSH_TYPE_ERROR;
  else if (error->domain == POSH_DOCUMENT_ERROR)
    type = POSH_TYPE_DOCUMENT_ERROR;
  else if (error->domain == G_IO_ERROR)
    type = G_TYPE_IO_ERROR_ENUM;
  else if (error->domain == G_TLS_ERROR)
    type = G_TYPE_TLS_ERROR;
  else if (error->domain == G_RESOLVER_ERROR)
    type = G_TYPE_RESOLVER_ERROR;
  if (type == G_TYPE_INVALID)
    return NULL;

  klass = g_type_class_ref (type);
  value = g_enum_get_value (klass, error->code);
  return value ? value->value_nick : NULL;
}

void
_posh_tool_add_error (JsonBuilder  *builder,
                      const GError *error,
                      const char   *domain,
                      const char   *service)
{
  g_autofree char *hint = _posh_tool_error_hint (error, domain, service);

  _posh_tool_add_error_hint (builder, error, hint);
}

void
_posh_tool_add_error_hint (JsonBuilder  *builder,
                           const GError *error,
                           const char   *hint)
{
  json_builder_set_member_name (builder, "error");
  json_builder_begin_object (builder);
  add_string (builder, "domain", g_quark_to_string (error->domain));
  add_int (builder, "code", error->code);
  add_string (builder, "name", error_name (error));
  add_string (builder, "message", error->message);
  add_string (builder, "hint", hint);
  json_builder_end_object (builder);
}

void
_posh_tool_add_flags (JsonBuilder *builder,
                      const char  *name,
                      GType        type,
                      guint        value)
{
  g_autoptr(GFlagsClass) klass = g_type_class_ref (type);

  json_builder_set_member_name (builder, name);
  json_builder_begin_array (builder);
  for (guint i = 0; i < klass->n_values; i++)
    {
      GFlagsValue *flag = &klass->values[i];

      if (flag->value != 0 && (value & flag->value) == flag->value)
        json_builder_add_string_value (builder, flag->value_nick);
    }
  json_builder_end_array (builder);
}

void
_posh_tool_add_verdict (JsonBuilder      *builder,
                        PoshVerifyStatus  status)
{
  g_autofree char *text = posh_verify_status_to_string (status);
  gnutls_datum_t printed = { NULL, 0 };

  json_builder_set_member_name (builder, "verdict");
  json_builder_begin_object (builder);
  add_int (builder, "status", status);
  _posh_tool_add_flags (builder, "flags", POSH_TYPE_VERIFY_STATUS, status);
  add_string (builder, "text", text);
  if (posh_verification_status_print (status, &printed, 0) == POSH_E_SUCCESS)
    {
      g_autofree char *line = g_strndup ((const char *) printed.data, printed.size);

      add_string (builder, "description", line);
      gnutls_free (printed.data);
    }
  json_builder_end_object (builder);
}

const char *
_posh_tool_hash_name (PoshHash hash)
{
  switch (hash)
    {
    case POSH_HASH_SHA_256:
      return "sha-256";
    case POSH_HASH_SHA_384:
      return "sha-384";
    case POSH_HASH_SHA_512:
      return "sha-512";
    case POSH_HASH_SHA_1:
      return "sha-1";
    case POSH_HASH_NONE:
    default:
      return "unknown";
    }
}

static void
add_fingerprints (JsonBuilder  *builder,
                  PoshDocument *document)
{
  guint n = posh_document_get_n_fingerprints (document);

  json_builder_set_member_name (builder, "fingerprints");
  json_builder_begin_array (builder);
  for (guint i = 0; i < n; i++)
    {
      PoshHash hash = POSH_HASH_NONE;
      guint descriptor = 0;
      g_autoptr(GBytes) digest = NULL;

      if (!posh_document_get_fingerprint (document, i, &hash, &descriptor, &digest))
        continue;
      json_builder_begin_object (builder);
      add_int (builder, "descriptor", descriptor);
      add_string (builder, "hash", _posh_tool_hash_name (hash));
      if (digest && g_bytes_get_size (digest) > 0)
        {
          g_autofree char *b64 = g_base64_encode (g_bytes_get_data (digest, NULL),
                                                  g_bytes_get_size (digest));
          add_string (builder, "digest", b64);
        }
      else
        add_string (builder, "digest", NULL);
      json_builder_end_object (builder);
    }
  json_builder_end_array (builder);
}

static void
add_hops (JsonBuilder  *builder,
          PoshDocument *document)
{
  guint n = posh_document_get_n_hops (document);

  json_builder_set_member_name (builder, "hops");
  json_builder_begin_array (builder);
  for (guint i = 0; i < n; i++)
    {
      json_builder_begin_object (builder);
      add_string (builder, "url", posh_document_get_hop_url (document, i));
      add_int (builder, "status", posh_document_get_hop_status (document, i));
      json_builder_end_object (builder);
    }
  json_builder_end_array (builder);
}

/* kind, expires, url or fingerprints, json: what the document itself says. */
static void
add_document_body (JsonBuilder  *builder,
                   PoshDocument *document)
{
  g_autofree char *json = posh_document_to_json (document);

  if (posh_document_get_kind (document) == POSH_DOCUMENT_KIND_REFERENCE)
    {
      add_string (builder, "kind", "reference");
      add_string (builder, "url", posh_document_get_url (document));
    }
  else
    {
      add_string (builder, "kind", "fingerprints");
      add_int (builder, "descriptors", posh_document_get_n_descriptors (document));
      add_fingerprints (builder, document);
    }
  json_builder_set_member_name (builder, "expires");
  json_builder_add_int_value (builder, (gint64) MIN (posh_document_get_expires (document),
                                                     (guint64) G_MAXINT64));
  add_string (builder, "json", json);
}

void
_posh_tool_add_document (JsonBuilder  *builder,
                         const char   *member,
                         PoshDocument *document)
{
  PoshDocument *reference = posh_document_get_reference (document);

  json_builder_set_member_name (builder, member);
  json_builder_begin_object (builder);
  add_document_body (builder, document);
  if (posh_document_get_n_hops (document) > 0)
    {
      add_hops (builder, document);
      json_builder_set_member_name (builder, "reference");
      if (reference)
        {
          json_builder_begin_object (builder);
          add_document_body (builder, reference);
          json_builder_end_object (builder);
        }
      else
        json_builder_add_null_value (builder);
      json_builder_set_member_name (builder, "lifetime");
      json_builder_add_int_value (builder, (gint64) MIN (posh_document_get_lifetime (document),
                                                         (guint64) G_MAXINT64));
    }
  json_builder_end_object (builder);
}

char *
_posh_tool_sha256_base64 (GBytes *der)
{
  g_autoptr(GChecksum) checksum = g_checksum_new (G_CHECKSUM_SHA256);
  guint8 digest[32];
  gsize len = sizeof digest;

  g_checksum_update (checksum, g_bytes_get_data (der, NULL), g_bytes_get_size (der));
  g_checksum_get_digest (checksum, digest, &len);
  return g_base64_encode (digest, len);
}

static void
add_date (JsonBuilder *builder,
          const char  *name,
          GDateTime   *date)
{
  g_autofree char *text = date ? g_date_time_format_iso8601 (date) : NULL;

  add_string (builder, name, text);
}

void
_posh_tool_add_certificate (JsonBuilder     *builder,
                            const char      *member,
                            GTlsCertificate *certificate)
{
  g_autofree char *subject = NULL;
  g_autofree char *issuer = NULL;
  g_autoptr(GDateTime) not_before = NULL;
  g_autoptr(GDateTime) not_after = NULL;
  g_autoptr(GBytes) der = _posh_tool_certificate_der (certificate);
  g_autofree char *sha256 = _posh_tool_sha256_base64 (der);

  g_object_get (certificate,
                "subject-name", &subject,
                "issuer-name", &issuer,
                "not-valid-before", &not_before,
                "not-valid-after", &not_after,
                NULL);

  json_builder_set_member_name (builder, member);
  json_builder_begin_object (builder);
  add_string (builder, "subject", subject);
  add_string (builder, "issuer", issuer);
  add_date (builder, "not_before", not_before);
  add_date (builder, "not_after", not_after);
  add_string (builder, "sha-256", sha256);
  json_builder_end_object (builder);
}

/* ---- hints -------------------------------------------------------------- */

static char *
well_known_url (const char *domain,
                const char *service)
{
  return g_strdup_printf ("https://%s/.well-known/posh/%s.json",
                          domain ? domain : "DOMAIN",
                          service ? service : "SERVICE");
}

/* The first http: URL in @message with its https: twin, or NULL. */
static char *
insecure_url_advice (const char *message)
{
  /* RFC 3986 characters, without the quotes a message may put around it */
  static const char url_chars[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
                                  "0123456789-._~:/?#[]@!$&*+,;=%";
  const char *start = strstr (message, "http://");
  gsize len;

  if (!start)
    return NULL;
  len = strspn (start, url_chars);
  while (len > 7 && strchr (".,:;", start[len - 1]))
    len--;
  return g_strdup_printf ("change %.*s to https://%.*s", (int) len, start,
                          (int) (len - 7), start + 7);
}

static char *
posh_error_hint (const GError *error,
                 const char   *domain,
                 const char   *service)
{
  g_autofree char *url = well_known_url (domain, service);
  g_autofree char *advice = NULL;

  switch ((PoshError) error->code)
    {
    case POSH_ERROR_INITIALIZATION:
      return g_strdup ("the verifier could not be set up: check the file given to --cafile");
    case POSH_ERROR_FETCH:
      return g_strdup_printf ("the HTTPS server could not be reached, or answered with an HTTP "
                              "status POSH does not allow: %s must answer 200 with a document, "
                              "a redirect to https, or 404 when there is none (RFC 7711 §3, "
                              "R11, R12, E17)", url);
    case POSH_ERROR_NO_POSH_DATA:
      return g_strdup_printf ("%s publishes no POSH document for %s (HTTP 404 or 410, R13); a "
                              "client falls back to the other methods of RFC 6120. To publish "
                              "one, put the output of `posh-tool generate --load-certificate "
                              "SERVER-CERT.pem --expires 86400` at %s",
                              domain ? domain : "the domain",
                              service ? service : "the service", url);
    case POSH_ERROR_RECEIVED_CORRUPT_DATA:
      return g_strdup ("the document is not a valid POSH document (RFC 7711 §3.1, §3.2, "
                       "R14-R27): regenerate it with `posh-tool generate`");
    case POSH_ERROR_INVALIDATED:
      return g_strdup ("`expires` is 0: the publisher has invalidated this material (RFC 7711 "
                       "§3.1, §3.2, R20, R30); publish a document with a positive `expires`");
    case POSH_ERROR_HTTPS:
      return g_strdup ("an HTTPS server on the way failed authentication against its own host "
                       "name (RFC 2818, RFC 7711 §3, R7, R8): its certificate must chain to a "
                       "trusted CA (see --cafile) and name that host. POSH has no insecure "
                       "fallback");
    case POSH_ERROR_INSECURE_URL:
      advice = insecure_url_advice (error->message);
      return g_strdup_printf ("POSH requires https on every hop: a redirect Location and a "
                              "reference `url` must be https URLs (RFC 7711 §3, §3.2, R6, R27, "
                              "R32): %s", advice ? advice : "change it to https://");
    case POSH_ERROR_TOO_MANY_REDIRECTS:
      return g_strdup ("more redirects than allowed, or a loop (RFC 7711 §10, R35: at most 10, "
                       "see --max-redirects): point the redirect straight at the fingerprints "
                       "document");
    case POSH_ERROR_CHAINED_REFERENCE:
      return g_strdup ("the `url` of a reference document points at another reference; "
                       "references cannot be chained (RFC 7711 §3.2, R29): point `url` at a "
                       "fingerprints document");
    case POSH_ERROR_TIMEOUT:
      return g_strdup ("the operation did not finish in time (E16): check that the server "
                       "answers, or raise --timeout");
    case POSH_ERROR_TOO_LARGE:
      return g_strdup ("the response or the document exceeds the limits (64 KiB body, 64 "
                       "descriptors, 16 members per descriptor; E19): real documents are "
                       "under 1 KiB");
    case POSH_ERROR_INVALID_REQUEST:
      return g_strdup ("give a DNS host name as the domain (no scheme, port or IP address, "
                       "E3) and a POSH service name such as xmpp-client or xmpp-server (E2)");
    case POSH_ERROR_NO_CERT:
    case POSH_ERROR_CERT:
      return g_strdup ("give an X.509 certificate in PEM or DER (the first certificate of a PEM "
                       "file is taken as the leaf)");
    case POSH_ERROR_REQUESTED_DATA_NOT_AVAILABLE:
      return g_strdup ("the document holds no fingerprints to check against: a reference "
                       "document (with `url`) must be fetched, not verified offline, and a "
                       "fingerprints document needs a sha-256, sha-384 or sha-512 value");
    case POSH_ERROR_MEMORY:
    case POSH_ERROR_CANCELLED:
    default:
      return NULL;
    }
}

char *
_posh_tool_error_hint (const GError *error,
                       const char   *domain,
                       const char   *service)
{
  if (error->domain == POSH_ERROR)
    return posh_error_hint (error, domain, service);
  if (error->domain == POSH_DOCUMENT_ERROR)
    return g_strdup ("the document breaks the rules of RFC 7711 §3.1/§3.2 (R14-R27); "
                     "regenerate it with `posh-tool generate`");
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED) ||
      g_error_matches (error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT))
    return g_strdup ("the operation did not finish within --timeout seconds");
  if (error->domain == G_OPTION_ERROR)
    return g_strdup ("see `posh-tool COMMAND --help`");
  return NULL;
}

/* ---- printing ----------------------------------------------------------- */

static const char *
get_string (JsonObject *object,
            const char *name)
{
  JsonNode *node = json_object_get_member (object, name);

  if (!node || JSON_NODE_HOLDS_NULL (node))
    return NULL;
  return json_node_get_string (node);
}

static JsonObject *
get_object (JsonObject *object,
            const char *name)
{
  JsonNode *node = json_object_get_member (object, name);

  if (!node || !JSON_NODE_HOLDS_OBJECT (node))
    return NULL;
  return json_node_get_object (node);
}

static JsonArray *
get_array (JsonObject *object,
           const char *name)
{
  JsonNode *node = json_object_get_member (object, name);

  if (!node || !JSON_NODE_HOLDS_ARRAY (node))
    return NULL;
  return json_node_get_array (node);
}

static gboolean
descriptor_listed (JsonArray *fingerprints,
                   gint64     descriptor)
{
  for (guint i = 0; i < json_array_get_length (fingerprints); i++)
    {
      JsonObject *fp = json_array_get_object_element (fingerprints, i);

      if (json_object_get_int_member (fp, "descriptor") == descriptor)
        return TRUE;
    }
  return FALSE;
}

static void
print_fingerprint_list (JsonArray  *fingerprints,
                        gint64      n_descriptors,
                        const char *indent)
{
  for (guint i = 0; i < json_array_get_length (fingerprints); i++)
    {
      JsonObject *fp = json_array_get_object_element (fingerprints, i);
      const char *digest = get_string (fp, "digest");

      const char *hash = get_string (fp, "hash");

      printf ("%sdescriptor %" G_GINT64_FORMAT ": %s %s%s\n", indent,
              json_object_get_int_member (fp, "descriptor") + 1, hash,
              digest ? digest : "(unusable value, ignored)",
              g_strcmp0 (hash, "sha-1") == 0 ? " (checked only with --allow-sha1, E4)" : "");
    }
  /* E11: a descriptor with no hash the library checks can never match */
  for (gint64 d = 0; d < n_descriptors; d++)
    if (!descriptor_listed (fingerprints, d))
      printf ("%sdescriptor %" G_GINT64_FORMAT ": no sha-256, sha-384 or sha-512 value; "
              "it can never match (E11)\n", indent, d + 1);
}

static void
print_document_body (JsonObject *document,
                     const char *indent)
{
  gint64 expires = json_object_get_int_member (document, "expires");

  if (g_strcmp0 (get_string (document, "kind"), "reference") == 0)
    {
      printf ("%sreference document: url %s, expires %" G_GINT64_FORMAT " s\n",
              indent, get_string (document, "url"), expires);
      return;
    }
  printf ("%sfingerprints document: %" G_GINT64_FORMAT " descriptor(s), expires %"
          G_GINT64_FORMAT " s\n", indent,
          json_object_get_int_member (document, "descriptors"), expires);
  {
    g_autofree char *deeper = g_strconcat (indent, "  ", NULL);

    print_fingerprint_list (get_array (document, "fingerprints"),
                            json_object_get_int_member (document, "descriptors"), deeper);
  }
}

static void
print_document (JsonObject *document,
                const char *title)
{
  JsonArray *hops = get_array (document, "hops");
  JsonObject *reference = get_object (document, "reference");

  printf ("%s:\n", title);
  if (hops)
    {
      for (guint i = 0; i < json_array_get_length (hops); i++)
        {
          JsonObject *hop = json_array_get_object_element (hops, i);

          printf ("  hop %u: %" G_GINT64_FORMAT " %s\n", i + 1,
                  json_object_get_int_member (hop, "status"),
                  get_string (hop, "url"));
        }
    }
  if (reference)
    print_document_body (reference, "  ");
  print_document_body (document, "  ");
  if (json_object_has_member (document, "lifetime"))
    printf ("  effective lifetime: %" G_GINT64_FORMAT " s\n",
            json_object_get_int_member (document, "lifetime"));
  printf ("  document: %s\n", get_string (document, "json"));
}

static void
print_certificate (JsonObject *certificate,
                   const char *title)
{
  printf ("%s:\n", title);
  printf ("  subject: %s\n", get_string (certificate, "subject"));
  printf ("  issuer: %s\n", get_string (certificate, "issuer"));
  printf ("  valid: %s to %s\n", get_string (certificate, "not_before"),
          get_string (certificate, "not_after"));
  printf ("  sha-256: %s\n", get_string (certificate, "sha-256"));
}

static void
print_error (JsonObject *result,
             JsonObject *error)
{
  const char *hint = get_string (error, "hint");

  fprintf (stderr, "posh-tool %s: error: %s\n", get_string (result, "command"),
           get_string (error, "message"));
  if (hint)
    fprintf (stderr, "  hint: %s\n", hint);
}

static void
print_string_array (JsonArray *array)
{
  for (guint i = 0; array && i < json_array_get_length (array); i++)
    printf ("%s%s", i > 0 ? ", " : "", json_array_get_string_element (array, i));
}

static void
print_connection (JsonObject *result)
{
  JsonObject *connection = get_object (result, "connection");
  JsonObject *xmpp = get_object (result, "xmpp");
  JsonObject *pkix = get_object (result, "pkix");

  if (connection)
    printf ("connection: %s port %" G_GINT64_FORMAT " (%s), %s\n",
            get_string (connection, "host"),
            json_object_get_int_member (connection, "port"),
            get_string (connection, "source"),
            get_string (connection, "starttls"));
  if (xmpp)
    printf ("xmpp: stream from %s, STARTTLS %s\n",
            get_string (xmpp, "stream_from") ? get_string (xmpp, "stream_from") : "(none)",
            json_object_get_boolean_member (xmpp, "starttls_required") ? "required" : "offered");
  if (pkix)
    {
      printf ("pkix: %s", json_object_get_boolean_member (pkix, "valid")
              ? "valid for the domain" : "not valid for the domain: ");
      print_string_array (get_array (pkix, "errors"));
      printf ("; TLS %s\n", json_object_get_boolean_member (pkix, "tls_accepted")
              ? "accepted the certificate" : "refused the certificate");
    }
}

static void
print_text (JsonObject *result)
{
  JsonObject *section;
  const char *command = get_string (result, "command");
  const char *generated = NULL;

  if ((section = get_object (result, "document")) &&
      g_strcmp0 (command, "generate") == 0)
    generated = get_string (section, "json");

  if (generated)
    printf ("%s\n", generated);
  else
    {
      if (get_string (result, "domain"))
        printf ("domain: %s, service: %s\n", get_string (result, "domain"),
                get_string (result, "service"));
      print_connection (result);
      if ((section = get_object (result, "certificate")))
        print_certificate (section, "certificate");
      if ((section = get_object (result, "document")))
        print_document (section, "POSH document");
      if ((section = get_object (result, "verdict")))
        printf ("verdict: %s\n", get_string (section, "description")
                ? get_string (section, "description") : get_string (section, "text"));
      if (get_string (result, "suggested_document"))
        printf ("to accept the presented certificate, publish at "
                "https://%s/.well-known/posh/%s.json: %s\n",
                get_string (result, "domain"), get_string (result, "service"),
                get_string (result, "suggested_document"));
    }
  if ((section = get_object (result, "error")))
    print_error (result, section);
}

static void
print_json (JsonNode *root)
{
  g_autoptr(JsonGenerator) generator = json_generator_new ();
  g_autofree char *text = NULL;

  json_generator_set_pretty (generator, TRUE);
  json_generator_set_indent (generator, 2);
  json_generator_set_root (generator, root);
  text = json_generator_to_data (generator, NULL);
  printf ("%s\n", text);
}

PoshToolExit
_posh_tool_result_end (JsonBuilder           *builder,
                       const PoshToolOptions *options,
                       const char            *result,
                       PoshToolExit           exit_status)
{
  g_autoptr(JsonNode) root = NULL;

  add_string (builder, "result", result);
  add_int (builder, "exit", exit_status);
  json_builder_end_object (builder);
  root = json_builder_get_root (builder);

  if (options->json)
    print_json (root);
  else
    print_text (json_node_get_object (root));
  fflush (stdout);
  return exit_status;
}
