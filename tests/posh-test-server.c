/* posh-test-server.c: a loopback HTTPS "POSH host" for the tests
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * The SoupServer lives in its own thread and GMainContext; the test thread
 * only touches the tables below, under server->lock. See the header for the
 * behaviours.
 */

#include "config.h"

#include "posh-test-server.h"
#include "posh-test-utils.h"

#include <string.h>
#include <sys/socket.h>

#define ENDLESS_CHUNK_SIZE 1024

typedef struct
{
  guint              status;
  char              *content_type;  /* (owned) (nullable) */
  char              *body;          /* (owned) (nullable) */
  char              *location;      /* (owned) (nullable) */
  GPtrArray         *headers;       /* (owned) name, value, name, value... */
  PoshTestBehaviour  behaviour;
  gsize              size;
} Response;

typedef struct
{
  guint               count;
  SoupMessageHeaders *last_headers; /* (owned) (nullable) */
  char               *last_method;  /* (owned) (nullable) */
} RequestLog;

/* A response that is written over time (server thread only). */
typedef struct
{
  PoshTestServer    *server;
  SoupServerMessage *msg;           /* (owned) */
  PoshTestBehaviour  behaviour;
  char              *body;          /* (owned) */
  gsize              len;
  gsize              offset;
  guint              interval_ms;
  GSource           *timer;         /* (owned) (nullable) */
} Stream;

struct _PoshTestServer
{
  GMutex        lock;
  GCond         cond;
  gboolean      ready;

  char         *identity;           /* (owned) */
  PoshTestServerFlags flags;
  GThread      *thread;             /* (owned) */
  GMainContext *context;            /* (owned) */
  GMainLoop    *loop;               /* (owned) */
  SoupServer   *soup;               /* (owned) server thread only */
  GList        *streams;            /* (element-type Stream) server thread only */
  guint16       port;
  guint16       port6;

  GHashTable   *responses;          /* path -> Response, under lock */
  GHashTable   *log;                /* path -> RequestLog, under lock */
  guint         total;              /* under lock */
};

static void
response_free (Response *r)
{
  g_free (r->content_type);
  g_free (r->body);
  g_free (r->location);
  g_ptr_array_unref (r->headers);
  g_free (r);
}

static Response *
response_copy (const Response *r)
{
  Response *copy = g_new0 (Response, 1);
  guint i;

  *copy = *r;
  copy->content_type = g_strdup (r->content_type);
  copy->body = g_strdup (r->body);
  copy->location = g_strdup (r->location);
  copy->headers = g_ptr_array_new_with_free_func (g_free);
  for (i = 0; i < r->headers->len; i++)
    g_ptr_array_add (copy->headers, g_strdup (r->headers->pdata[i]));
  return copy;
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Response, response_free)

static void
request_log_free (RequestLog *log)
{
  g_clear_pointer (&log->last_headers, soup_message_headers_unref);
  g_free (log->last_method);
  g_free (log);
}

static void
copy_header_cb (const char *name,
                const char *value,
                gpointer    user_data)
{
  soup_message_headers_append (user_data, name, value);
}

static SoupMessageHeaders *
headers_copy (SoupMessageHeaders *headers)
{
  SoupMessageHeaders *copy = soup_message_headers_new (SOUP_MESSAGE_HEADERS_REQUEST);

  soup_message_headers_foreach (headers, copy_header_cb, copy);
  return copy;
}

/* ---- streaming responses (server thread) -------------------------------- */

static void stream_write_next (Stream *stream);

static void
stream_free (Stream *stream)
{
  if (stream->timer != NULL)
    {
      g_source_destroy (stream->timer);
      g_source_unref (stream->timer);
    }
  g_signal_handlers_disconnect_by_data (stream->msg, stream);
  g_object_unref (stream->msg);
  g_free (stream->body);
  g_free (stream);
}

static void
stream_stop (Stream *stream)
{
  stream->server->streams = g_list_remove (stream->server->streams, stream);
  stream_free (stream);
}

static void
stream_finished_cb (SoupServerMessage *msg,
                    gpointer           user_data)
{
  stream_stop (user_data);
}

static gboolean
stream_timer_cb (gpointer user_data)
{
  Stream *stream = user_data;

  g_clear_pointer (&stream->timer, g_source_unref);
  stream_write_next (stream);
  return G_SOURCE_REMOVE;
}

static void
stream_append (Stream     *stream,
               const char *data,
               gsize       len)
{
  SoupMessageBody *body = soup_server_message_get_response_body (stream->msg);

  soup_message_body_append (body, SOUP_MEMORY_COPY, data, len);
  soup_server_message_unpause (stream->msg);
}

/* Called once the previous chunk was written (and once at the start). */
static void
stream_write_next (Stream *stream)
{
  char chunk[ENDLESS_CHUNK_SIZE];

  switch (stream->behaviour)
    {
    case POSH_TEST_BEHAVIOUR_ENDLESS:
      memset (chunk, ' ', sizeof chunk);
      stream_append (stream, chunk, sizeof chunk);
      break;
    case POSH_TEST_BEHAVIOUR_SLOW:
      if (stream->offset < stream->len)
        {
          stream_append (stream, stream->body + stream->offset, 1);
          stream->offset++;
        }
      else
        {
          soup_message_body_complete (soup_server_message_get_response_body (stream->msg));
          soup_server_message_unpause (stream->msg);
        }
      break;
    case POSH_TEST_BEHAVIOUR_NORMAL:
    case POSH_TEST_BEHAVIOUR_LARGE:
    case POSH_TEST_BEHAVIOUR_LARGE_CHUNKED:
    case POSH_TEST_BEHAVIOUR_STALL:
    case POSH_TEST_BEHAVIOUR_HUGE_LENGTH:
    case POSH_TEST_BEHAVIOUR_NO_RESPONSE:
    default:
      break;
    }
}

static void
stream_wrote_chunk_cb (SoupServerMessage *msg,
                       gpointer           user_data)
{
  Stream *stream = user_data;

  if (stream->behaviour == POSH_TEST_BEHAVIOUR_SLOW)
    {
      if (stream->timer != NULL)
        return;
      stream->timer = g_timeout_source_new (stream->interval_ms);
      g_source_set_callback (stream->timer, stream_timer_cb, stream, NULL);
      g_source_attach (stream->timer, stream->server->context);
    }
  else
    stream_write_next (stream);
}

static void
stream_start (PoshTestServer    *server,
              SoupServerMessage *msg,
              const Response    *r)
{
  Stream *stream = g_new0 (Stream, 1);

  stream->server = server;
  stream->msg = g_object_ref (msg);
  stream->behaviour = r->behaviour;
  stream->body = g_strdup (r->body != NULL ? r->body : "");
  stream->len = strlen (stream->body);
  stream->interval_ms = (guint) r->size;
  server->streams = g_list_prepend (server->streams, stream);

  g_signal_connect (msg, "finished", G_CALLBACK (stream_finished_cb), stream);
  g_signal_connect (msg, "disconnected", G_CALLBACK (stream_finished_cb), stream);
  if (r->behaviour == POSH_TEST_BEHAVIOUR_ENDLESS || r->behaviour == POSH_TEST_BEHAVIOUR_SLOW)
    {
      g_signal_connect (msg, "wrote-chunk", G_CALLBACK (stream_wrote_chunk_cb), stream);
      stream_wrote_chunk_cb (msg, stream);
    }
}

/* ---- request handling (server thread) ------------------------------------ */

static void
log_request (PoshTestServer    *server,
             SoupServerMessage *msg,
             const char        *path)
{
  RequestLog *log;

  g_mutex_lock (&server->lock);
  log = g_hash_table_lookup (server->log, path);
  if (log == NULL)
    {
      log = g_new0 (RequestLog, 1);
      g_hash_table_insert (server->log, g_strdup (path), log);
    }
  log->count++;
  server->total++;
  g_cond_broadcast (&server->cond);
  g_clear_pointer (&log->last_headers, soup_message_headers_unref);
  log->last_headers = headers_copy (soup_server_message_get_request_headers (msg));
  g_free (log->last_method);
  log->last_method = g_strdup (soup_server_message_get_method (msg));
  g_mutex_unlock (&server->lock);
}

static Response *
lookup_response (PoshTestServer *server,
                 const char     *path)
{
  Response *r;

  g_mutex_lock (&server->lock);
  r = g_hash_table_lookup (server->responses, path);
  r = r != NULL ? response_copy (r) : NULL;
  g_mutex_unlock (&server->lock);
  return r;
}

static char *
padded_body (const Response *r)
{
  gsize len = r->body != NULL ? strlen (r->body) : 0;
  char *body = g_malloc (MAX (r->size, len) + 1);

  memset (body, ' ', MAX (r->size, len));
  if (len > 0)
    memcpy (body, r->body, len);
  body[r->size] = '\0';
  return body;
}

static void
send_body (SoupServerMessage *msg,
           const Response    *r)
{
  SoupMessageHeaders *headers = soup_server_message_get_response_headers (msg);
  SoupMessageBody *body = soup_server_message_get_response_body (msg);
  g_autofree char *large = NULL;

  switch (r->behaviour)
    {
    case POSH_TEST_BEHAVIOUR_LARGE_CHUNKED:
      soup_message_headers_set_encoding (headers, SOUP_ENCODING_CHUNKED);
      G_GNUC_FALLTHROUGH;
    case POSH_TEST_BEHAVIOUR_LARGE:
      large = padded_body (r);
      soup_message_body_append (body, SOUP_MEMORY_COPY, large, r->size);
      soup_message_body_complete (body);
      break;
    case POSH_TEST_BEHAVIOUR_HUGE_LENGTH:
      soup_message_headers_set_content_length (headers, r->size);
      if (r->body != NULL && r->body[0] != '\0')
        soup_message_body_append (body, SOUP_MEMORY_COPY, r->body, strlen (r->body));
      break;
    case POSH_TEST_BEHAVIOUR_ENDLESS:
    case POSH_TEST_BEHAVIOUR_STALL:
    case POSH_TEST_BEHAVIOUR_SLOW:
      soup_message_headers_set_encoding (headers, SOUP_ENCODING_CHUNKED);
      break;
    case POSH_TEST_BEHAVIOUR_NO_RESPONSE:
      soup_server_message_pause (msg);
      break;
    case POSH_TEST_BEHAVIOUR_NORMAL:
    default:
      if (r->body != NULL)
        soup_message_body_append (body, SOUP_MEMORY_COPY, r->body, strlen (r->body));
      soup_message_body_complete (body);
      break;
    }
}

static void
handler_cb (SoupServer        *soup,
            SoupServerMessage *msg,
            const char        *path,
            GHashTable        *query,
            gpointer           user_data)
{
  PoshTestServer *server = user_data;
  g_autoptr(Response) r = NULL;
  SoupMessageHeaders *headers;
  guint i;

  log_request (server, msg, path);
  r = lookup_response (server, path);
  if (r == NULL)
    {
      soup_server_message_set_status (msg, SOUP_STATUS_NOT_FOUND, NULL);
      return;
    }

  soup_server_message_set_status (msg, r->status, NULL);
  headers = soup_server_message_get_response_headers (msg);
  if (r->content_type != NULL)
    soup_message_headers_replace (headers, "Content-Type", r->content_type);
  if (r->location != NULL)
    soup_message_headers_replace (headers, "Location", r->location);
  for (i = 0; i + 1 < r->headers->len; i += 2)
    soup_message_headers_append (headers, r->headers->pdata[i], r->headers->pdata[i + 1]);

  send_body (msg, r);
  if (r->behaviour != POSH_TEST_BEHAVIOUR_NORMAL
      && r->behaviour != POSH_TEST_BEHAVIOUR_LARGE
      && r->behaviour != POSH_TEST_BEHAVIOUR_LARGE_CHUNKED)
    stream_start (server, msg, r);
}

/* ---- the server thread -------------------------------------------------- */

static char *
key_file_for (const char *identity)
{
  g_autofree char *name = g_strconcat (identity, ".key", NULL);
  g_autofree char *path = posh_test_file (name);
  g_autofree char *base = NULL;
  char *dash;

  if (g_file_test (path, G_FILE_TEST_EXISTS))
    return g_steal_pointer (&path);

  /* "example.com-expired" uses example.com.key */
  base = g_strdup (identity);
  dash = strrchr (base, '-');
  g_assert_nonnull (dash);
  *dash = '\0';
  g_free (name);
  name = g_strconcat (base, ".key", NULL);
  return posh_test_file (name);
}

static guint16
listen_on (SoupServer             *soup,
           const char             *address,
           SoupServerListenOptions options)
{
  g_autoptr(GSocketAddress) addr = g_inet_socket_address_new_from_string (address, 0);
  g_autoptr(GError) error = NULL;
  g_autoptr(GSList) listeners = NULL;
  guint16 port = 0;
  GSList *l;

  soup_server_listen (soup, addr, options, &error);
  g_assert_no_error (error);

  /* GSocket listens with a backlog of 10: a burst of connections (the
   * concurrency tests and benchmarks) would overflow it and wait on the
   * client's SYN retransmission (1-7 s). listen() again only resizes it. */
  listeners = soup_server_get_listeners (soup);
  for (l = listeners; l != NULL; l = l->next)
    g_assert_cmpint (listen (g_socket_get_fd (l->data), SOMAXCONN), ==, 0);

  for (l = listeners; l != NULL && port == 0; l = l->next)
    {
      g_autoptr(GSocketAddress) local = g_socket_get_local_address (l->data, &error);
      GInetAddress *inet;
      g_autofree char *str = NULL;

      g_assert_no_error (error);
      inet = g_inet_socket_address_get_address (G_INET_SOCKET_ADDRESS (local));
      str = g_inet_address_to_string (inet);
      if (g_str_equal (str, address))
        port = g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (local));
    }
  g_assert_cmpuint (port, !=, 0);
  return port;
}

static void
server_start (PoshTestServer *server)
{
  g_autofree char *chain_name = g_strconcat (server->identity, "-chain.pem", NULL);
  g_autofree char *chain = posh_test_file (chain_name);
  g_autofree char *key = key_file_for (server->identity);
  g_autoptr(GTlsCertificate) cert = NULL;
  g_autoptr(GError) error = NULL;
  SoupServerListenOptions options = SOUP_SERVER_LISTEN_HTTPS;

  if (server->flags & POSH_TEST_SERVER_PLAIN_HTTP)
    options = 0;
  else
    {
      cert = g_tls_certificate_new_from_files (chain, key, &error);
      g_assert_no_error (error);
    }

  server->soup = soup_server_new ("tls-certificate", cert,
                                  "server-header", "posh-test-server ",
                                  NULL);
  soup_server_add_handler (server->soup, NULL, handler_cb, server, NULL);
  server->port = listen_on (server->soup, "127.0.0.1", options);
  if (server->flags & POSH_TEST_SERVER_IPV6)
    server->port6 = listen_on (server->soup, "::1", options);
}

static gpointer
server_thread (gpointer user_data)
{
  PoshTestServer *server = user_data;

  g_main_context_push_thread_default (server->context);
  server_start (server);

  g_mutex_lock (&server->lock);
  server->ready = TRUE;
  g_cond_signal (&server->cond);
  g_mutex_unlock (&server->lock);

  g_main_loop_run (server->loop);

  while (server->streams != NULL)
    stream_stop (server->streams->data);
  soup_server_disconnect (server->soup);
  g_clear_object (&server->soup);
  while (g_main_context_iteration (server->context, FALSE))
    ;
  g_main_context_pop_thread_default (server->context);
  return NULL;
}

PoshTestServer *
posh_test_server_new_full (const char          *identity,
                           PoshTestServerFlags  flags)
{
  PoshTestServer *server = g_new0 (PoshTestServer, 1);

  g_mutex_init (&server->lock);
  g_cond_init (&server->cond);
  server->identity = g_strdup (identity);
  server->flags = flags;
  server->context = g_main_context_new ();
  server->loop = g_main_loop_new (server->context, FALSE);
  server->responses = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                             (GDestroyNotify) response_free);
  server->log = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                       (GDestroyNotify) request_log_free);

  server->thread = g_thread_new ("posh-test-server", server_thread, server);
  g_mutex_lock (&server->lock);
  while (!server->ready)
    g_cond_wait (&server->cond, &server->lock);
  g_mutex_unlock (&server->lock);
  return server;
}

PoshTestServer *
posh_test_server_new (const char *identity)
{
  return posh_test_server_new_full (identity, POSH_TEST_SERVER_DEFAULT);
}

static gboolean
quit_cb (gpointer user_data)
{
  PoshTestServer *server = user_data;

  g_main_loop_quit (server->loop);
  return G_SOURCE_REMOVE;
}

void
posh_test_server_free (PoshTestServer *server)
{
  GSource *source;

  if (server == NULL)
    return;

  source = g_idle_source_new ();
  g_source_set_callback (source, quit_cb, server, NULL);
  g_source_attach (source, server->context);
  g_source_unref (source);
  g_thread_join (server->thread);

  g_main_loop_unref (server->loop);
  g_main_context_unref (server->context);
  g_hash_table_unref (server->responses);
  g_hash_table_unref (server->log);
  g_free (server->identity);
  g_mutex_clear (&server->lock);
  g_cond_clear (&server->cond);
  g_free (server);
}

guint16
posh_test_server_get_port (PoshTestServer *server)
{
  return server->port;
}

guint16
posh_test_server_get_port6 (PoshTestServer *server)
{
  return server->port6;
}

char *
posh_test_server_connect_to_spec (PoshTestServer *server,
                                  const char     *host)
{
  return g_strdup_printf ("%s:%u:127.0.0.1:%u", host,
                          (server->flags & POSH_TEST_SERVER_PLAIN_HTTP) ? 80 : 443,
                          server->port);
}

char *
posh_test_server_connect_to_spec6 (PoshTestServer *server,
                                   const char     *host)
{
  g_assert_cmpuint (server->port6, !=, 0);
  return g_strdup_printf ("%s:443:[::1]:%u", host, server->port6);
}

/* ---- scripting (any thread) --------------------------------------------- */

void
posh_test_server_set_response (PoshTestServer *server,
                               const char     *path,
                               guint           status,
                               const char     *content_type,
                               const char     *body,
                               const char     *location)
{
  Response *r = g_new0 (Response, 1);

  r->status = status;
  r->content_type = g_strdup (content_type);
  r->body = g_strdup (body);
  r->location = g_strdup (location);
  r->headers = g_ptr_array_new_with_free_func (g_free);
  r->behaviour = POSH_TEST_BEHAVIOUR_NORMAL;

  g_mutex_lock (&server->lock);
  g_hash_table_replace (server->responses, g_strdup (path), r);
  g_mutex_unlock (&server->lock);
}

void
posh_test_server_set_json (PoshTestServer *server,
                           const char     *path,
                           const char     *body)
{
  posh_test_server_set_response (server, path, 200, "application/json", body, NULL);
}

void
posh_test_server_set_redirect (PoshTestServer *server,
                               const char     *path,
                               guint           status,
                               const char     *location)
{
  posh_test_server_set_response (server, path, status, NULL, NULL, location);
}

static Response *
locked_lookup (PoshTestServer *server,
               const char     *path)
{
  Response *r = g_hash_table_lookup (server->responses, path);

  if (r == NULL)
    g_error ("posh-test-server: no response set for %s", path);
  return r;
}

void
posh_test_server_add_header (PoshTestServer *server,
                             const char     *path,
                             const char     *name,
                             const char     *value)
{
  Response *r;

  g_mutex_lock (&server->lock);
  r = locked_lookup (server, path);
  g_ptr_array_add (r->headers, g_strdup (name));
  g_ptr_array_add (r->headers, g_strdup (value));
  g_mutex_unlock (&server->lock);
}

void
posh_test_server_set_behaviour (PoshTestServer    *server,
                                const char        *path,
                                PoshTestBehaviour  behaviour,
                                gsize              size)
{
  Response *r;

  g_mutex_lock (&server->lock);
  r = locked_lookup (server, path);
  r->behaviour = behaviour;
  r->size = size;
  g_mutex_unlock (&server->lock);
}

guint
posh_test_server_get_request_count (PoshTestServer *server,
                                    const char     *path)
{
  RequestLog *log;
  guint count;

  g_mutex_lock (&server->lock);
  log = g_hash_table_lookup (server->log, path);
  count = log != NULL ? log->count : 0;
  g_mutex_unlock (&server->lock);
  return count;
}

guint
posh_test_server_get_total_request_count (PoshTestServer *server)
{
  guint total;

  g_mutex_lock (&server->lock);
  total = server->total;
  g_mutex_unlock (&server->lock);
  return total;
}

void
posh_test_server_wait_for_requests (PoshTestServer *server,
                                    const char     *path,
                                    guint           count)
{
  RequestLog *log;

  g_mutex_lock (&server->lock);
  for (;;)
    {
      log = g_hash_table_lookup (server->log, path);
      if (log != NULL && log->count >= count)
        break;
      g_cond_wait (&server->cond, &server->lock);
    }
  g_mutex_unlock (&server->lock);
}

SoupMessageHeaders *
posh_test_server_get_last_request_headers (PoshTestServer *server,
                                           const char     *path)
{
  RequestLog *log;
  SoupMessageHeaders *headers = NULL;

  g_mutex_lock (&server->lock);
  log = g_hash_table_lookup (server->log, path);
  if (log != NULL && log->last_headers != NULL)
    headers = headers_copy (log->last_headers);
  g_mutex_unlock (&server->lock);
  return headers;
}

char *
posh_test_server_get_last_method (PoshTestServer *server,
                                  const char     *path)
{
  RequestLog *log;
  char *method = NULL;

  g_mutex_lock (&server->lock);
  log = g_hash_table_lookup (server->log, path);
  if (log != NULL)
    method = g_strdup (log->last_method);
  g_mutex_unlock (&server->lock);
  return method;
}

static void
verifier_connect (PoshVerifier   *verifier,
                  PoshTestServer *server,
                  const char     *host)
{
  g_autofree char *spec = posh_test_server_connect_to_spec (server, host);

  posh_test_verifier_add_connect_to (verifier, spec);
}

PoshVerifier *
posh_test_verifier_new (PoshTestServer *source,
                        PoshTestServer *hosting)
{
  g_autoptr(GTlsDatabase) database = posh_test_tls_database ();
  PoshVerifier *verifier = posh_verifier_new ();

  posh_verifier_set_timeout (verifier, 120000);
  posh_verifier_set_tls_database (verifier, database);
  verifier_connect (verifier, source, "example.com");
  verifier_connect (verifier, hosting, "hosting.example.net");
  return verifier;
}
