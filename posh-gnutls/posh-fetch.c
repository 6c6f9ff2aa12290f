/* posh-fetch.c: one POSH fetch operation, the HTTPS hop loop
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * One fetch operation (spec R1, R5-R9, R11-R13, R20, R28-R30, R32, R35,
 * R40, R43, E1, E14-E19, E22):
 *
 *   GET https://DOMAIN/.well-known/posh/SERVICE.json
 *     3xx (301/302/303/307/308) -> next hop at Location (https only)
 *     404/410 -> NO_POSH_DATA (with legacy: one try of the draft-02 path)
 *     200 -> parse: fingerprints -> done; reference -> GET its url once
 *
 * Every hop is a fresh SoupMessage with SOUP_MESSAGE_NO_REDIRECT: libsoup
 * would follow https -> http itself. The redirect count is per operation
 * (source and url fetch together). The body is read in chunks and the
 * transfer aborted past limits.max_size. One timer bounds the whole
 * operation: it cancels an internal GCancellable, as does the caller's.
 *
 * Sessions are created per operation, on the operation's thread-default
 * main context, and aborted when it ends: the sync call (which runs this
 * same state machine on a private context) and async calls from any thread
 * therefore never share a session across contexts, and no request outlives
 * its operation. One session serves hosts without a connect_to rule; each
 * rule used gets its own session whose "remote-connectable" keeps the URL's
 * HOST:PORT as the TLS identity (SNI and the certificate check) while the
 * TCP connection goes to CONNECT_HOST:CONNECT_PORT (ENVIRONMENT.md §3).
 *
 * Proxies: the default session uses the default GProxyResolver (an HTTP
 * proxy only sees CONNECT; TLS stays end to end, spec E28). connect_to
 * sessions use no proxy, since the rule says where to connect.
 *
 * There is no insecure mode: every hop is checked against its own host name
 * with the configured GTlsDatabase (the system one by default).
 */

#include "config.h"

#include "posh-fetcher-private.h"

#include <libsoup/soup.h>
#include <string.h>

#define READ_CHUNK_SIZE 8192

/* ---- one operation -------------------------------------------------------- */

typedef enum
{
  PHASE_SOURCE,   /* the RFC well-known URL and its redirects */
  PHASE_LEGACY,   /* the draft-02 URL after a 404 (E1) */
  PHASE_URL,      /* the url of a reference document (R28) */
} Phase;

typedef void (*OpStep) (GTask *task);

typedef struct
{
  PoshFetchConfig config;
  char          *domain;         /* (owned) */
  char          *service;        /* (owned) */
  gboolean       legacy;
  Phase          phase;

  GCancellable  *cancellable;    /* (owned) internal: timeout and caller */
  GSource       *timer;          /* (owned) (nullable) */
  GSource       *cancel_source;  /* (owned) (nullable) watches the caller's */
  gboolean       timed_out;
  gboolean       done;
  GTlsProtocolVersion weak_tls;  /* R10: an outdated version was negotiated */

  SoupSession   *session;        /* (owned) (nullable) hosts without a rule */
  GHashTable    *rule_sessions;  /* (owned) PoshConnectTo * -> SoupSession * */

  GUri          *uri;            /* (owned) (nullable) the current hop */
  char          *url;            /* (owned) (nullable) the same, as a string */
  SoupMessage   *msg;            /* (owned) (nullable) */
  GInputStream  *stream;         /* (owned) (nullable) */
  GByteArray    *body;           /* (owned) (nullable) */
  OpStep         after_discard;
  guint          redirects;
  GPtrArray     *hops;           /* (owned) (element-type PoshHop) */
  PoshDocument  *reference;      /* (owned) (nullable) */
  guint64        lifetime;
  GError        *error;          /* (owned) (nullable) waiting to be returned */
} FetchOp;

static void
abort_session_cb (gpointer key,
                  gpointer value,
                  gpointer user_data)
{
  soup_session_abort (value);
}

static void
op_stop (FetchOp *op)
{
  if (op->timer != NULL)
    g_source_destroy (op->timer);
  g_clear_pointer (&op->timer, g_source_unref);
  if (op->cancel_source != NULL)
    g_source_destroy (op->cancel_source);
  g_clear_pointer (&op->cancel_source, g_source_unref);
  if (op->session != NULL)
    soup_session_abort (op->session);
  g_hash_table_foreach (op->rule_sessions, abort_session_cb, NULL);
}

static void
op_clear_msg (FetchOp *op)
{
  if (op->msg != NULL)
    g_signal_handlers_disconnect_by_data (op->msg, op);
  g_clear_object (&op->msg);
}

static void
fetch_op_free (FetchOp *op)
{
  op_stop (op);
  _posh_fetch_config_clear (&op->config);
  g_free (op->domain);
  g_free (op->service);
  g_clear_object (&op->cancellable);
  g_clear_object (&op->session);
  g_hash_table_unref (op->rule_sessions);
  g_clear_pointer (&op->uri, g_uri_unref);
  g_free (op->url);
  op_clear_msg (op);
  g_clear_object (&op->stream);
  g_clear_pointer (&op->body, g_byte_array_unref);
  g_clear_pointer (&op->hops, g_ptr_array_unref);
  g_clear_pointer (&op->reference, posh_document_unref);
  g_clear_error (&op->error);
  g_free (op);
}

static FetchOp *
fetch_op_new (PoshFetcher *fetcher,
              const char  *domain,
              const char  *service,
              gboolean     legacy)
{
  FetchOp *op = g_new0 (FetchOp, 1);

  _posh_fetch_config_init (&op->config, fetcher);
  op->domain = g_strdup (domain);
  op->service = g_strdup (service);
  op->legacy = legacy;
  op->phase = PHASE_SOURCE;
  op->cancellable = g_cancellable_new ();
  op->rule_sessions = g_hash_table_new_full (NULL, NULL, NULL, g_object_unref);
  op->hops = g_ptr_array_new_with_free_func ((GDestroyNotify) _posh_hop_free);
  op->lifetime = op->config.limits.max_lifetime;
  return op;
}

/* ---- sessions ----------------------------------------------------------- */

static SoupSession *
op_new_session (FetchOp            *op,
                GSocketConnectable *connectable)
{
  guint timeout_s = (op->config.timeout_ms + 999) / 1000;
  SoupSession *session;

  if (connectable != NULL)
    session = soup_session_new_with_options ("remote-connectable", connectable,
                                             "proxy-resolver", NULL,
                                             NULL);
  else
    session = soup_session_new ();

  g_object_set (session,
                "tls-database", op->config.database,
                "timeout", timeout_s,
                "idle-timeout", timeout_s,
                "user-agent", "posh-gnutls/" PACKAGE_VERSION,
                NULL);
  /* E18: identity encoding only; a compressed body is not a POSH document */
  soup_session_remove_feature_by_type (session, SOUP_TYPE_CONTENT_DECODER);
  return session;
}

static const PoshConnectTo *
op_find_rule (FetchOp *op,
              GUri    *uri)
{
  int port = g_uri_get_port (uri) > 0 ? g_uri_get_port (uri) : 443;

  return _posh_connect_to_set_lookup (op->config.connect_to, g_uri_get_host (uri), port);
}

static SoupSession *
op_session_for (FetchOp *op,
                GUri    *uri)
{
  const PoshConnectTo *rule = op_find_rule (op, uri);
  g_autoptr(GSocketConnectable) connectable = NULL;
  SoupSession *session;

  if (rule == NULL)
    {
      if (op->session == NULL)
        op->session = op_new_session (op, NULL);
      return op->session;
    }

  session = g_hash_table_lookup (op->rule_sessions, rule);
  if (session == NULL)
    {
      connectable = _posh_connect_to_new_connectable (rule);
      session = op_new_session (op, connectable);
      g_hash_table_insert (op->rule_sessions, (gpointer) rule, session);
    }
  return session;
}

/* ---- completion ---------------------------------------------------------- */

static void
op_return (GTask        *task,
           PoshDocument *document)
{
  FetchOp *op = g_task_get_task_data (task);

  g_assert (!op->done);
  op->done = TRUE;
  op_stop (op);
  if (op->error != NULL)
    g_task_return_error (task, g_steal_pointer (&op->error));
  else
    g_task_return_pointer (task, document, (GDestroyNotify) posh_document_unref);
}

static void
op_return_error (GTask *task)
{
  op_return (task, NULL);
}

static void
discard_cb (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  FetchOp *op = g_task_get_task_data (task);
  OpStep next = op->after_discard;

  g_input_stream_close_finish (G_INPUT_STREAM (source), result, NULL);
  g_clear_object (&op->stream);
  op->after_discard = NULL;
  next (task);
}

/* Closes the response body without reading the rest (the connection is
 * dropped, never drained), then runs next. */
static void
op_discard_stream_then (GTask  *task,
                        OpStep  next)
{
  FetchOp *op = g_task_get_task_data (task);
  g_autoptr(GCancellable) abort = NULL;

  if (op->stream == NULL)
    {
      next (task);
      return;
    }
  op->after_discard = next;
  abort = g_cancellable_new ();
  g_cancellable_cancel (abort);
  g_input_stream_close_async (op->stream, G_PRIORITY_DEFAULT, abort,
                              discard_cb, g_object_ref (task));
}

/* Takes error; returns it once no I/O is left in flight. */
static void
op_fail (GTask  *task,
         GError *error)
{
  FetchOp *op = g_task_get_task_data (task);

  g_assert (op->error == NULL);
  op->error = error;
  op_discard_stream_then (task, op_return_error);
}

G_GNUC_PRINTF (3, 4)
static void
op_fail_with (GTask      *task,
              PoshError   code,
              const char *format,
              ...)
{
  va_list args;
  GError *error;

  va_start (args, format);
  error = g_error_new_valist (POSH_ERROR, code, format, args);
  va_end (args);
  op_fail (task, error);
}

/* ---- error mapping ------------------------------------------------------- */

static char *
tls_flags_to_words (GTlsCertificateFlags flags)
{
  static const struct { GTlsCertificateFlags flag; const char *words; } table[] = {
    { G_TLS_CERTIFICATE_UNKNOWN_CA, "issued by an untrusted certificate authority" },
    { G_TLS_CERTIFICATE_BAD_IDENTITY, "not valid for this host name" },
    { G_TLS_CERTIFICATE_NOT_ACTIVATED, "not yet valid" },
    { G_TLS_CERTIFICATE_EXPIRED, "expired" },
    { G_TLS_CERTIFICATE_REVOKED, "revoked" },
    { G_TLS_CERTIFICATE_INSECURE, "insecure" },
    { G_TLS_CERTIFICATE_GENERIC_ERROR, "not acceptable" },
  };
  GString *words = g_string_new (NULL);
  guint i;

  for (i = 0; i < G_N_ELEMENTS (table); i++)
    {
      if ((flags & table[i].flag) == 0)
        continue;
      if (words->len > 0)
        g_string_append (words, ", ");
      g_string_append (words, table[i].words);
    }
  return g_string_free (words, FALSE);
}

/* R10: the name of a protocol version older than TLS 1.2, or NULL for one
 * POSH accepts. */
static const char *
weak_tls_version_name (GTlsProtocolVersion version)
{
  switch (version)
    {
    case G_TLS_PROTOCOL_VERSION_SSL_3_0:
      return "SSL 3.0";
    case G_TLS_PROTOCOL_VERSION_TLS_1_0:
      return "TLS 1.0";
    case G_TLS_PROTOCOL_VERSION_TLS_1_1:
      return "TLS 1.1";
    case G_TLS_PROTOCOL_VERSION_DTLS_1_0:
      return "DTLS 1.0";
    default:
      return NULL;
    }
}

/* An error of libsoup or of a stream read, as a POSH_ERROR (or the
 * caller's cancellation as it is). */
static GError *
op_map_error (FetchOp      *op,
              const GError *error)
{
  GTlsCertificateFlags flags = op->msg != NULL ? soup_message_get_tls_peer_certificate_errors (op->msg) : 0;
  g_autofree char *words = NULL;

  g_debug ("%s: %s (%s %d, TLS flags 0x%x)", op->url, error->message,
           g_quark_to_string (error->domain), error->code, flags);
  if (op->weak_tls != G_TLS_PROTOCOL_VERSION_UNKNOWN)
    return g_error_new (POSH_ERROR, POSH_ERROR_HTTPS,
                        "The HTTPS server %s negotiated %s; POSH requires TLS 1.2 or "
                        "later (RFC 7711 section 10, RFC 9325)",
                        g_uri_get_host (op->uri), weak_tls_version_name (op->weak_tls));
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED) && !op->timed_out)
    return g_error_copy (error);
  if (op->timed_out || g_error_matches (error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT))
    return g_error_new (POSH_ERROR, POSH_ERROR_TIMEOUT,
                        "Timed out after %u ms fetching %s",
                        op->config.timeout_ms, op->url);
  if (flags != 0)
    {
      words = tls_flags_to_words (flags);
      return g_error_new (POSH_ERROR, POSH_ERROR_HTTPS,
                          "The HTTPS server %s failed authentication: its certificate is %s",
                          g_uri_get_host (op->uri), words);
    }
  /* glib-networking reports a connection reset or closed during the
   * handshake as NOT_TLS / EOF: a network failure, not an authentication
   * one. Other TLS errors (a bad handshake, plaintext, no TLS backend) mean
   * the server could not be authenticated. */
  if (error->domain == G_TLS_ERROR
      && error->code != G_TLS_ERROR_NOT_TLS && error->code != G_TLS_ERROR_EOF)
    return g_error_new (POSH_ERROR, POSH_ERROR_HTTPS,
                        "TLS with the HTTPS server %s failed: %s",
                        g_uri_get_host (op->uri), error->message);
  return g_error_new (POSH_ERROR, POSH_ERROR_FETCH,
                      "Could not fetch %s: %s", op->url, error->message);
}

/* A POSH_DOCUMENT_ERROR as a POSH_ERROR. */
static GError *
op_map_document_error (FetchOp      *op,
                       const GError *error)
{
  PoshError code = POSH_ERROR_RECEIVED_CORRUPT_DATA;

  if (error->domain == POSH_DOCUMENT_ERROR)
    {
      switch (error->code)
        {
        case POSH_DOCUMENT_ERROR_TOO_LARGE:
        case POSH_DOCUMENT_ERROR_TOO_MANY_DESCRIPTORS:
        case POSH_DOCUMENT_ERROR_TOO_MANY_MEMBERS:
          code = POSH_ERROR_TOO_LARGE;
          break;
        case POSH_DOCUMENT_ERROR_URL_NOT_HTTPS:
          code = POSH_ERROR_INSECURE_URL;
          break;
        default:
          break;
        }
    }
  return g_error_new (POSH_ERROR, code, "Invalid POSH document at %s: %s",
                      op->url, error->message);
}

typedef GError *(*OpErrorMap) (FetchOp *op, const GError *error);

/* Takes error: fails the operation with its mapping. */
static void
op_fail_mapped (GTask      *task,
                OpErrorMap  map,
                GError     *error)
{
  g_autoptr(GError) owned = error;

  op_fail (task, map (g_task_get_task_data (task), owned));
}

/* ---- the hop loop -------------------------------------------------------- */

static void op_start_hop (GTask *task);

static gboolean
is_https (GUri *uri)
{
  return g_ascii_strcasecmp (g_uri_get_scheme (uri), "https") == 0
         && g_uri_get_host (uri) != NULL && *g_uri_get_host (uri) != '\0';
}

/* Takes uri; the next hop goes there (E14: without the fragment). */
static void
op_set_uri (FetchOp *op,
            GUri    *uri)
{
  g_clear_pointer (&op->uri, g_uri_unref);
  op->uri = soup_uri_copy (uri, SOUP_URI_FRAGMENT, NULL, SOUP_URI_NONE);
  g_uri_unref (uri);
  g_free (op->url);
  op->url = g_uri_to_string (op->uri);
}

/* Starts a fetch of url (the source URL or a reference's url): https only,
 * checked before anything is sent (R6). */
static void
op_start_url (GTask      *task,
              const char *url)
{
  FetchOp *op = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  GUri *uri;

  uri = g_uri_parse (url, SOUP_HTTP_URI_FLAGS, &error);
  if (uri == NULL)
    {
      op_fail_with (task, POSH_ERROR_RECEIVED_CORRUPT_DATA,
                    "Invalid URL “%s”: %s", url, error->message);
      return;
    }
  if (!is_https (uri))
    {
      g_uri_unref (uri);
      op_fail_with (task, POSH_ERROR_INSECURE_URL,
                    "Refusing to fetch %s: POSH uses https only", url);
      return;
    }
  op_set_uri (op, uri);
  op_start_hop (task);
}

static void
op_redirect (GTask *task)
{
  FetchOp *op = g_task_get_task_data (task);
  SoupMessageHeaders *headers = soup_message_get_response_headers (op->msg);
  const char *location = soup_message_headers_get_one (headers, "Location");
  g_autoptr(GError) error = NULL;
  GUri *next;

  if (location == NULL)
    {
      op_fail_with (task, POSH_ERROR_FETCH, "Redirect without a Location from %s", op->url);
      return;
    }
  if (++op->redirects > op->config.max_redirects)
    {
      op_fail_with (task, POSH_ERROR_TOO_MANY_REDIRECTS,
                    "More than %u redirects (the last from %s)",
                    op->config.max_redirects, op->url);
      return;
    }
  next = g_uri_parse_relative (op->uri, location, SOUP_HTTP_URI_FLAGS, &error);
  if (next == NULL)
    {
      op_fail_with (task, POSH_ERROR_FETCH, "Invalid Location “%s” from %s: %s",
                    location, op->url, error->message);
      return;
    }
  if (!is_https (next))
    {
      g_uri_unref (next);
      op_fail_with (task, POSH_ERROR_INSECURE_URL,
                    "Refusing the redirect from %s to “%s”: POSH uses https only",
                    op->url, location);
      return;
    }
  op_set_uri (op, next);
  op_discard_stream_then (task, op_start_hop);
}

static void
op_start_legacy (GTask *task)
{
  FetchOp *op = g_task_get_task_data (task);
  g_autofree char *url = _posh_well_known_url (op->domain, op->service, TRUE);

  op->phase = PHASE_LEGACY;
  op_start_url (task, url);
}

static void
op_follow_reference (GTask        *task,
                     PoshDocument *reference)
{
  FetchOp *op = g_task_get_task_data (task);
  guint64 expires = posh_document_get_expires (reference);

  if (op->phase == PHASE_URL)
    {
      posh_document_unref (reference);
      op_fail_with (task, POSH_ERROR_CHAINED_REFERENCE,
                    "The document at %s, itself named by a reference, is another reference",
                    op->url);
      return;
    }
  if (expires == 0)
    {
      posh_document_unref (reference);
      op_fail_with (task, POSH_ERROR_INVALIDATED,
                    "The reference at %s has expires 0: the delegation is invalid", op->url);
      return;
    }
  op->lifetime = MIN (op->lifetime, expires);
  op->reference = reference;
  op->phase = PHASE_URL;
  op_start_url (task, posh_document_get_url (reference));
}

static void
op_parse_body (GTask *task)
{
  FetchOp *op = g_task_get_task_data (task);
  GError *error = NULL;
  PoshDocument *document;
  guint64 expires;

  document = _posh_document_parse ((const char *) op->body->data, op->body->len,
                                   &op->config.limits, &error);
  if (document == NULL)
    {
      op_fail_mapped (task, op_map_document_error, error);
      return;
    }
  if (posh_document_get_kind (document) == POSH_DOCUMENT_KIND_REFERENCE)
    {
      op_follow_reference (task, document);
      return;
    }

  expires = posh_document_get_expires (document);
  if (expires == 0)
    {
      posh_document_unref (document);
      op_fail_with (task, POSH_ERROR_INVALIDATED,
                    "The fingerprints at %s have expires 0: they are invalid", op->url);
      return;
    }
  op->lifetime = MIN (op->lifetime, expires);
  _posh_document_set_provenance (document, op->reference,
                                 g_steal_pointer (&op->hops), op->lifetime);
  op_return (task, document);
}

static void op_read_next (GTask *task);

static void
read_cb (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  FetchOp *op = g_task_get_task_data (task);
  g_autoptr(GBytes) bytes = NULL;
  GError *error = NULL;

  bytes = g_input_stream_read_bytes_finish (G_INPUT_STREAM (source), result, &error);
  if (bytes == NULL)
    {
      op_fail_mapped (task, op_map_error, error);
      return;
    }
  if (g_bytes_get_size (bytes) == 0)
    {
      op_discard_stream_then (task, op_parse_body);
      return;
    }
  g_byte_array_append (op->body, g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes));
  if (op->body->len > op->config.limits.max_size)
    {
      op_fail_with (task, POSH_ERROR_TOO_LARGE,
                    "The response from %s is larger than %" G_GSIZE_FORMAT " bytes",
                    op->url, op->config.limits.max_size);
      return;
    }
  op_read_next (task);
}

static void
op_read_next (GTask *task)
{
  FetchOp *op = g_task_get_task_data (task);

  /* Always a full chunk: libsoup 3.2's chunked decoder asserts on reads of
   * 2 bytes or less. The body thus never exceeds max_size + one chunk. */
  g_input_stream_read_bytes_async (op->stream, READ_CHUNK_SIZE,
                                   G_PRIORITY_DEFAULT, op->cancellable,
                                   read_cb, g_object_ref (task));
}

static void
op_read_body (GTask *task)
{
  FetchOp *op = g_task_get_task_data (task);
  SoupMessageHeaders *headers = soup_message_get_response_headers (op->msg);
  const char *type = soup_message_headers_get_content_type (headers, NULL);

  if (soup_message_headers_get_encoding (headers) == SOUP_ENCODING_CONTENT_LENGTH
      && soup_message_headers_get_content_length (headers) > (goffset) op->config.limits.max_size)
    {
      op_fail_with (task, POSH_ERROR_TOO_LARGE,
                    "The response from %s announces %" G_GOFFSET_FORMAT
                    " bytes, more than %" G_GSIZE_FORMAT,
                    op->url, soup_message_headers_get_content_length (headers),
                    op->config.limits.max_size);
      return;
    }
  if (type == NULL || g_ascii_strcasecmp (type, "application/json") != 0)
    g_debug ("%s has Content-Type %s; reading it as JSON anyway (E18)",
             op->url, type != NULL ? type : "(none)");
  g_clear_pointer (&op->body, g_byte_array_unref);
  op->body = g_byte_array_new ();
  op_read_next (task);
}

static void
op_handle_status (GTask *task,
                  guint  status)
{
  FetchOp *op = g_task_get_task_data (task);

  switch (status)
    {
    case SOUP_STATUS_OK:
      op_read_body (task);
      break;
    case SOUP_STATUS_MOVED_PERMANENTLY:
    case SOUP_STATUS_FOUND:
    case SOUP_STATUS_SEE_OTHER:
    case SOUP_STATUS_TEMPORARY_REDIRECT:
    case SOUP_STATUS_PERMANENT_REDIRECT:
      op_redirect (task);
      break;
    case SOUP_STATUS_NOT_FOUND:
    case SOUP_STATUS_GONE:
      if (op->legacy && op->phase == PHASE_SOURCE)
        op_discard_stream_then (task, op_start_legacy);
      else
        op_fail_with (task, POSH_ERROR_NO_POSH_DATA,
                      "No POSH document at %s (HTTP %u)", op->url, status);
      break;
    default:
      op_fail_with (task, POSH_ERROR_FETCH, "HTTP %u (%s) from %s", status,
                    soup_status_get_phrase (status) != NULL ? soup_status_get_phrase (status) : "unknown",
                    op->url);
      break;
    }
}

static void
send_cb (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  FetchOp *op = g_task_get_task_data (task);
  GError *error = NULL;
  PoshHop *hop;

  op->stream = soup_session_send_finish (SOUP_SESSION (source), result, &error);
  if (op->stream == NULL)
    {
      op_fail_mapped (task, op_map_error, error);
      return;
    }

  hop = g_new0 (PoshHop, 1);
  hop->url = g_strdup (op->url);
  hop->status = soup_message_get_status (op->msg);
  g_ptr_array_add (op->hops, hop);
  op_handle_status (task, hop->status);
}

/* R10: the HTTPS leg follows current TLS practice (RFC 9325): TLS 1.2 or
 * later. glib-networking leaves TLS 1.0 and 1.1 to the system's GnuTLS
 * priority, which on Debian 12 still allows them, so the negotiated version
 * is checked right after the handshake, before the request goes out. */
static void
network_event_cb (SoupMessage        *msg,
                  GSocketClientEvent  event,
                  GIOStream          *connection,
                  gpointer            user_data)
{
  FetchOp *op = user_data;
  GTlsProtocolVersion version;

  if (event != G_SOCKET_CLIENT_TLS_HANDSHAKED || !G_IS_TLS_CONNECTION (connection))
    return;
  version = g_tls_connection_get_protocol_version (G_TLS_CONNECTION (connection));
  if (weak_tls_version_name (version) != NULL)
    {
      op->weak_tls = version;
      g_cancellable_cancel (op->cancellable);
    }
}

static void
op_start_hop (GTask *task)
{
  FetchOp *op = g_task_get_task_data (task);
  SoupSession *session = op_session_for (op, op->uri);
  SoupMessageHeaders *headers;

  op_clear_msg (op);
  op->msg = soup_message_new_from_uri (SOUP_METHOD_GET, op->uri);
  soup_message_add_flags (op->msg, SOUP_MESSAGE_NO_REDIRECT);
  g_signal_connect (op->msg, "network-event", G_CALLBACK (network_event_cb), op);
  headers = soup_message_get_request_headers (op->msg);
  soup_message_headers_replace (headers, "Accept", "application/json");
  soup_message_headers_replace (headers, "Accept-Encoding", "identity");

  soup_session_send_async (session, op->msg, G_PRIORITY_DEFAULT, op->cancellable,
                           send_cb, g_object_ref (task));
}

/* ---- timeout and cancellation ------------------------------------------- */

static gboolean
timeout_cb (gpointer user_data)
{
  FetchOp *op = user_data;

  op->timed_out = TRUE;
  g_cancellable_cancel (op->cancellable);
  return G_SOURCE_REMOVE;
}

static gboolean
caller_cancelled_cb (GCancellable *cancellable,
                     gpointer      user_data)
{
  FetchOp *op = user_data;

  g_cancellable_cancel (op->cancellable);
  return G_SOURCE_REMOVE;
}

/* Both sources run on the operation's context, so the internal cancellable
 * is only ever cancelled from the thread that runs the operation. */
static void
op_start_watches (GTask        *task,
                  GCancellable *cancellable)
{
  FetchOp *op = g_task_get_task_data (task);
  GMainContext *context = g_task_get_context (task);

  op->timer = g_timeout_source_new (op->config.timeout_ms);
  g_source_set_callback (op->timer, timeout_cb, op, NULL);
  g_source_attach (op->timer, context);

  if (cancellable == NULL)
    return;
  if (g_cancellable_is_cancelled (cancellable))
    g_cancellable_cancel (op->cancellable);
  op->cancel_source = g_cancellable_source_new (cancellable);
  g_source_set_callback (op->cancel_source, G_SOURCE_FUNC (caller_cancelled_cb), op, NULL);
  g_source_attach (op->cancel_source, context);
}

/* ---- public (internal) entry points ------------------------------------ */

void
_posh_fetcher_fetch_async (PoshFetcher         *fetcher,
                           const char          *domain,
                           const char          *service,
                           gboolean             legacy,
                           GCancellable        *cancellable,
                           GAsyncReadyCallback  callback,
                           gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autofree char *url = NULL;

  g_return_if_fail (POSH_IS_FETCHER (fetcher));
  g_return_if_fail (domain != NULL);
  g_return_if_fail (service != NULL);
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (fetcher, cancellable, callback, user_data);
  g_task_set_source_tag (task, _posh_fetcher_fetch_async);
  g_task_set_task_data (task, fetch_op_new (fetcher, domain, service, legacy),
                        (GDestroyNotify) fetch_op_free);

  op_start_watches (task, cancellable);
  url = _posh_well_known_url (domain, service, FALSE);
  op_start_url (task, url);
}

PoshDocument *
_posh_fetcher_fetch_finish (PoshFetcher   *fetcher,
                            GAsyncResult  *result,
                            GError       **error)
{
  g_return_val_if_fail (POSH_IS_FETCHER (fetcher), NULL);
  g_return_val_if_fail (g_task_is_valid (result, fetcher), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == _posh_fetcher_fetch_async, NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

static void
sync_result_cb (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  GAsyncResult **slot = user_data;

  *slot = g_object_ref (result);
}

PoshDocument *
_posh_fetcher_fetch (PoshFetcher   *fetcher,
                     const char    *domain,
                     const char    *service,
                     gboolean       legacy,
                     GCancellable  *cancellable,
                     GError       **error)
{
  GMainContext *context;
  GAsyncResult *result = NULL;
  PoshDocument *document;

  g_return_val_if_fail (POSH_IS_FETCHER (fetcher), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  context = g_main_context_new ();
  g_main_context_push_thread_default (context);

  _posh_fetcher_fetch_async (fetcher, domain, service, legacy, cancellable,
                             sync_result_cb, &result);
  while (result == NULL)
    g_main_context_iteration (context, TRUE);
  document = _posh_fetcher_fetch_finish (fetcher, result, error);
  g_object_unref (result);

  /* let the sessions' last sources run before the context goes */
  while (g_main_context_iteration (context, FALSE))
    ;
  g_main_context_pop_thread_default (context);
  g_main_context_unref (context);
  return document;
}
