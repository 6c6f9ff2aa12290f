/* hostile-server.c: raw-socket servers that misbehave
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * One acceptor thread, one thread per connection, blocking I/O. Every
 * blocking call takes server->cancellable and every pause waits on
 * server->cond, so hostile_server_free() can stop everything at once and
 * join the threads: nothing outlives the server, no socket stays open.
 *
 * TLS is GnuTLS itself over the GSocket, not GTlsServerConnection:
 * glib-networking 2.74 runs every handshake, the blocking ones too, in
 * GIO's shared GTask thread pool, where the client's handshakes wait for
 * the server's; with hundreds of connections in one process both sides
 * would queue behind each other until the pool grows.
 */

#include "config.h"

#include "hostile-server.h"
#include "posh-private.h"
#include "posh-test-server.h"
#include "posh-test-utils.h"

#include <errno.h>
#include <gnutls/gnutls.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#define MAX_REQUEST_HEAD    (16 * 1024)
#define CHUNK_SIZE          1024
#define BOMB_PADDING        (64 * 1024 * 1024)
#define HUGE_LENGTH         "2147483648"

#define DEFAULT_BODY \
  "{\"fingerprints\":[{\"sha-256\":\"6jwAScHRUGLJbJNAWfeg8qLO8r+zFQ7kZEpsBygK0hU=\"}],\"expires\":60}"

struct _HostileServer
{
  HostileBehaviour  behaviour;
  gnutls_certificate_credentials_t credentials;  /* (owned) */
  GSocketListener  *listener;       /* (owned) */
  GCancellable     *cancellable;    /* (owned) cancelled by free () */
  GThread          *acceptor;       /* (owned) */
  guint16           port;

  GMutex            lock;
  GCond             cond;           /* stop, and connection ends */
  gboolean          stopping;       /* under lock */
  GPtrArray        *threads;        /* (element-type GThread) under lock */
  guint             n_active;       /* under lock */
  guint             n_accepted;     /* under lock */
  guint             n_requests;     /* under lock */
  guint64           bytes_sent;     /* under lock */
  char             *body;           /* (owned) under lock */
  GBytes           *raw;            /* (owned) (nullable) under lock */
  GBytes           *bomb;           /* (owned) (nullable) under lock, made once */
  guint             interval_ms;    /* under lock */
};

typedef struct
{
  HostileServer     *server;
  GSocketConnection *connection;    /* (owned) */
  GSocket           *socket;        /* (not owned) the connection's */
  gnutls_session_t   session;       /* (owned) (nullable) once TLS started */
} Conn;

/* ---- small blocking helpers (connection threads) ------------------------ */

/* Waits interval_ms unless the server stops first; FALSE if it stops. */
static gboolean
pause_ms (HostileServer *server,
          guint          ms)
{
  gint64 deadline = g_get_monotonic_time () + (gint64) ms * 1000;
  gboolean stopping;

  g_mutex_lock (&server->lock);
  while (!server->stopping && g_cond_wait_until (&server->cond, &server->lock, deadline))
    ;
  stopping = server->stopping;
  g_mutex_unlock (&server->lock);
  return !stopping;
}

static gboolean
send_bytes (Conn       *c,
            const void *data,
            gsize       len)
{
  gsize written = 0;
  gboolean ok = TRUE;

  while (ok && written < len)
    {
      gssize n;

      if (c->session != NULL)
        n = gnutls_record_send (c->session, (const char *) data + written, len - written);
      else
        n = g_socket_send_with_blocking (c->socket, (const char *) data + written,
                                         len - written, TRUE,
                                         c->server->cancellable, NULL);
      if (n > 0)
        written += (gsize) n;
      else if (c->session == NULL || (n != GNUTLS_E_AGAIN && n != GNUTLS_E_INTERRUPTED))
        ok = FALSE;
    }
  g_mutex_lock (&c->server->lock);
  c->server->bytes_sent += written;
  g_mutex_unlock (&c->server->lock);
  return ok;
}

/* A read from the connection: > 0 bytes, 0 at the end, < 0 on error. */
static gssize
receive (Conn  *c,
         char  *buf,
         gsize  len)
{
  gssize n;

  if (c->session == NULL)
    return g_socket_receive_with_blocking (c->socket, buf, len, TRUE,
                                           c->server->cancellable, NULL);
  do
    n = gnutls_record_recv (c->session, buf, len);
  while (n == GNUTLS_E_AGAIN || n == GNUTLS_E_INTERRUPTED);
  return n;
}

static gboolean
send_string (Conn       *c,
             const char *text)
{
  return send_bytes (c, text, strlen (text));
}

/* Reads (and drops) until the client closes, resets, or the server stops. */
static void
wait_for_close (Conn *c)
{
  char buf[4096];

  while (receive (c, buf, sizeof buf) > 0)
    ;
}

/* Reads one request head (up to the blank line). */
static gboolean
read_request_head (Conn *c)
{
  g_autoptr(GByteArray) head = g_byte_array_new ();
  char buf[1024];

  while (head->len < MAX_REQUEST_HEAD)
    {
      gssize n = receive (c, buf, sizeof buf);

      if (n <= 0)
        return FALSE;
      g_byte_array_append (head, (const guint8 *) buf, (guint) n);
      if (g_strstr_len ((const char *) head->data, head->len, "\r\n\r\n") != NULL)
        {
          g_mutex_lock (&c->server->lock);
          c->server->n_requests++;
          g_mutex_unlock (&c->server->lock);
          return TRUE;
        }
    }
  return FALSE;
}

/* A TCP RST instead of an orderly close: SO_LINGER with a zero timeout. */
static void
reset (Conn *c)
{
  struct linger linger = { 1, 0 };

  if (setsockopt (g_socket_get_fd (c->socket), SOL_SOCKET, SO_LINGER,
                  &linger, sizeof linger) != 0)
    g_error ("setsockopt (SO_LINGER): %s", g_strerror (errno));
  g_socket_close (c->socket, NULL);
}

static char *
copy_body (HostileServer *server)
{
  char *body;

  g_mutex_lock (&server->lock);
  body = g_strdup (server->body);
  g_mutex_unlock (&server->lock);
  return body;
}

/* ---- behaviours --------------------------------------------------------- */

/* The first bytes of a TLS 1.2 ServerHello record that announces 122 bytes:
 * enough for the client to be inside the handshake, waiting for more. */
static const guint8 partial_server_hello[] = {
  0x16, 0x03, 0x03, 0x00, 0x7a,   /* handshake record, 122 bytes */
  0x02, 0x00, 0x00, 0x76,         /* ServerHello, 118 bytes */
  0x03, 0x03,                     /* TLS 1.2 */
  0x5a, 0x5a, 0x5a, 0x5a, 0x5a, 0x5a, 0x5a, 0x5a,   /* half a random */
};

static void
mid_handshake (Conn *c)
{
  char buf[4096];

  /* The ClientHello (or its first part). */
  if (receive (c, buf, sizeof buf) <= 0)
    return;
  if (!send_bytes (c, partial_server_hello, sizeof partial_server_hello))
    return;
  if (c->server->behaviour == HOSTILE_RESET_MID_HANDSHAKE)
    reset (c);
  else
    wait_for_close (c);
}

static void
plaintext (Conn *c)
{
  g_autoptr(GBytes) raw = NULL;
  char buf[4096];

  if (receive (c, buf, sizeof buf) <= 0)
    return;
  g_mutex_lock (&c->server->lock);
  raw = c->server->raw != NULL ? g_bytes_ref (c->server->raw) : NULL;
  g_mutex_unlock (&c->server->lock);
  if (raw != NULL)
    send_bytes (c, g_bytes_get_data (raw, NULL), g_bytes_get_size (raw));
}

/* GnuTLS transport over the GSocket: blocking, and woken by the server's
 * cancellable. */
static ssize_t
tls_pull (gnutls_transport_ptr_t ptr,
          void                  *buf,
          size_t                 len)
{
  Conn *c = ptr;
  gssize n = g_socket_receive_with_blocking (c->socket, buf, len, TRUE,
                                             c->server->cancellable, NULL);

  if (n < 0)
    gnutls_transport_set_errno (c->session, EIO);
  return n;
}

static ssize_t
tls_push (gnutls_transport_ptr_t ptr,
          const void            *buf,
          size_t                 len)
{
  Conn *c = ptr;
  gssize n = g_socket_send_with_blocking (c->socket, buf, len, TRUE,
                                          c->server->cancellable, NULL);

  if (n < 0)
    gnutls_transport_set_errno (c->session, EIO);
  return n;
}

/* R10: the version-restricted servers pin one protocol version; the
 * others take GnuTLS's defaults. */
static int
set_priority (gnutls_session_t session,
              HostileBehaviour behaviour)
{
  switch (behaviour)
    {
    case HOSTILE_TLS_1_0_ONLY:
      return gnutls_priority_set_direct (session, "NORMAL:-VERS-ALL:+VERS-TLS1.0", NULL);
    case HOSTILE_TLS_1_2_ONLY:
      return gnutls_priority_set_direct (session, "NORMAL:-VERS-ALL:+VERS-TLS1.2", NULL);
    default:
      return gnutls_set_default_priority (session);
    }
}

static gboolean
start_tls (Conn *c)
{
  int ret;

  g_assert_cmpint (gnutls_init (&c->session, GNUTLS_SERVER), ==, GNUTLS_E_SUCCESS);
  g_assert_cmpint (set_priority (c->session, c->server->behaviour), ==, GNUTLS_E_SUCCESS);
  g_assert_cmpint (gnutls_credentials_set (c->session, GNUTLS_CRD_CERTIFICATE,
                                           c->server->credentials), ==, GNUTLS_E_SUCCESS);
  gnutls_transport_set_ptr (c->session, c);
  gnutls_transport_set_pull_function (c->session, tls_pull);
  gnutls_transport_set_push_function (c->session, tls_push);
  do
    ret = gnutls_handshake (c->session);
  while (ret < 0 && !gnutls_error_is_fatal (ret));
  return ret == GNUTLS_E_SUCCESS;
}

static char *
headers_for (const char *body,
             const char *extra)
{
  return g_strdup_printf ("HTTP/1.1 200 OK\r\n"
                          "Content-Type: application/json\r\n"
                          "%s"
                          "Content-Length: %" G_GSIZE_FORMAT "\r\n"
                          "\r\n",
                          extra, strlen (body));
}

static void
slowloris (Conn       *c,
           const char *body)
{
  g_autofree char *head = headers_for (body, "");
  g_autofree char *all = g_strconcat (head, body, NULL);
  guint interval;

  g_mutex_lock (&c->server->lock);
  interval = c->server->interval_ms;
  g_mutex_unlock (&c->server->lock);
  for (const char *p = all; *p != '\0'; p++)
    if (!send_bytes (c, p, 1) || !pause_ms (c->server, interval))
      return;
}

static void
endless_chunked (Conn *c)
{
  g_autofree char *chunk = g_malloc (CHUNK_SIZE);
  g_autofree char *size_line = g_strdup_printf ("%x\r\n", CHUNK_SIZE);

  memset (chunk, ' ', CHUNK_SIZE);
  if (!send_string (c, "HTTP/1.1 200 OK\r\n"
                       "Content-Type: application/json\r\n"
                       "Transfer-Encoding: chunked\r\n"
                       "\r\n"
                       "1\r\n{\r\n"))
    return;
  while (send_string (c, size_line) && send_bytes (c, chunk, CHUNK_SIZE) &&
         send_string (c, "\r\n"))
    ;
}

static void
huge_length (Conn       *c,
             const char *body)
{
  g_autofree char *chunk = g_malloc (CHUNK_SIZE);

  memset (chunk, ' ', CHUNK_SIZE);
  if (!send_string (c, "HTTP/1.1 200 OK\r\n"
                       "Content-Type: application/json\r\n"
                       "Content-Length: " HUGE_LENGTH "\r\n"
                       "\r\n") ||
      !send_string (c, body))
    return;
  while (send_bytes (c, chunk, CHUNK_SIZE))
    ;
}

/* gzip of body followed by BOMB_PADDING spaces: still a valid document
 * once inflated, so only the size cap stands between it and a match. */
static GBytes *
make_bomb (const char *body)
{
  g_autoptr(GZlibCompressor) compressor = g_zlib_compressor_new (G_ZLIB_COMPRESSOR_FORMAT_GZIP, 9);
  g_autoptr(GByteArray) out = g_byte_array_new ();
  g_autofree char *spaces = g_malloc (CHUNK_SIZE * 64);
  guint8 buf[64 * 1024];
  /* valgrind would take minutes over 64 MiB */
  gsize padding = hardening_under_valgrind () ? BOMB_PADDING / 16 : BOMB_PADDING;
  gsize total = strlen (body) + padding, fed = 0;

  memset (spaces, ' ', CHUNK_SIZE * 64);
  for (;;)
    {
      const char *in;
      gsize in_len, read = 0, written = 0;
      GConverterResult result;
      g_autoptr(GError) error = NULL;

      if (fed < strlen (body))
        in = body + fed, in_len = strlen (body) - fed;
      else
        in = spaces, in_len = MIN (CHUNK_SIZE * 64, total - fed);
      result = g_converter_convert (G_CONVERTER (compressor), in, in_len,
                                    buf, sizeof buf,
                                    fed + in_len == total ? G_CONVERTER_INPUT_AT_END
                                                          : G_CONVERTER_NO_FLAGS,
                                    &read, &written, &error);
      g_assert_no_error (error);
      g_byte_array_append (out, buf, (guint) written);
      fed += read;
      if (result == G_CONVERTER_FINISHED)
        break;
    }
  return g_byte_array_free_to_bytes (g_steal_pointer (&out));
}

static void
gzip_bomb (Conn       *c,
           const char *body)
{
  g_autoptr(GBytes) bomb = NULL;
  g_autofree char *head = NULL;

  g_mutex_lock (&c->server->lock);
  bomb = g_bytes_ref (c->server->bomb);
  g_mutex_unlock (&c->server->lock);

  head = g_strdup_printf ("HTTP/1.1 200 OK\r\n"
                          "Content-Type: application/json\r\n"
                          "Content-Encoding: gzip\r\n"
                          "Content-Length: %" G_GSIZE_FORMAT "\r\n"
                          "\r\n", g_bytes_get_size (bomb));
  if (send_string (c, head) &&
      send_bytes (c, g_bytes_get_data (bomb, NULL), g_bytes_get_size (bomb)))
    wait_for_close (c);
}

static void
raw (Conn *c)
{
  g_autoptr(GBytes) bytes = NULL;

  g_mutex_lock (&c->server->lock);
  bytes = c->server->raw != NULL ? g_bytes_ref (c->server->raw) : NULL;
  g_mutex_unlock (&c->server->lock);
  if (bytes != NULL)
    send_bytes (c, g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes));
  gnutls_bye (c->session, GNUTLS_SHUT_WR);
}

static void
after_handshake (Conn *c)
{
  g_autofree char *body = copy_body (c->server);
  g_autofree char *head = headers_for (body, "");

  if (!read_request_head (c))
    return;
  switch (c->server->behaviour)
    {
    case HOSTILE_RESET_AFTER_REQUEST:
      reset (c);
      break;
    case HOSTILE_RESET_MID_HEADERS:
      if (send_bytes (c, head, strlen (head) / 2))
        reset (c);
      break;
    case HOSTILE_RESET_MID_BODY:
      if (send_string (c, head) && send_bytes (c, body, strlen (body) / 2))
        reset (c);
      break;
    case HOSTILE_SILENCE_AFTER_HEADERS:
      if (send_string (c, head))
        wait_for_close (c);
      break;
    case HOSTILE_SLOWLORIS:
      slowloris (c, body);
      break;
    case HOSTILE_ENDLESS_CHUNKED:
      endless_chunked (c);
      break;
    case HOSTILE_HUGE_CONTENT_LENGTH:
      huge_length (c, body);
      break;
    case HOSTILE_GZIP_BOMB:
      gzip_bomb (c, body);
      break;
    case HOSTILE_RAW:
      raw (c);
      break;
    case HOSTILE_TLS_1_0_ONLY:
    case HOSTILE_TLS_1_2_ONLY:
      if (send_string (c, head))
        send_string (c, body);
      break;
    case HOSTILE_RESET_ON_ACCEPT:
    case HOSTILE_STALL_ON_ACCEPT:
    case HOSTILE_PLAINTEXT:
    case HOSTILE_STALL_MID_HANDSHAKE:
    case HOSTILE_RESET_MID_HANDSHAKE:
    default:
      g_assert_not_reached ();
    }
}

static gpointer
connection_thread (gpointer data)
{
  Conn *c = data;
  HostileServer *server = c->server;

  switch (server->behaviour)
    {
    case HOSTILE_RESET_ON_ACCEPT:
      reset (c);
      break;
    case HOSTILE_STALL_ON_ACCEPT:
      wait_for_close (c);
      break;
    case HOSTILE_PLAINTEXT:
      plaintext (c);
      break;
    case HOSTILE_STALL_MID_HANDSHAKE:
    case HOSTILE_RESET_MID_HANDSHAKE:
      mid_handshake (c);
      break;
    default:
      if (start_tls (c))
        after_handshake (c);
      break;
    }

  /* No close_notify here: the client may be gone. */
  g_socket_close (c->socket, NULL);
  g_clear_pointer (&c->session, gnutls_deinit);
  g_clear_object (&c->connection);
  g_free (c);

  g_mutex_lock (&server->lock);
  server->n_active--;
  g_cond_broadcast (&server->cond);
  g_mutex_unlock (&server->lock);
  return NULL;
}

/* ---- accepting ---------------------------------------------------------- */

static gpointer
acceptor_thread (gpointer data)
{
  HostileServer *server = data;

  for (;;)
    {
      g_autoptr(GError) error = NULL;
      GSocketConnection *connection;
      Conn *c;

      connection = g_socket_listener_accept (server->listener, NULL,
                                             server->cancellable, &error);
      if (connection == NULL)
        {
          if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
            break;
          continue;
        }
      c = g_new0 (Conn, 1);
      c->server = server;
      c->connection = connection;
      c->socket = g_socket_connection_get_socket (connection);

      g_mutex_lock (&server->lock);
      if (server->stopping)
        {
          g_mutex_unlock (&server->lock);
          g_socket_close (c->socket, NULL);
          g_object_unref (connection);
          g_free (c);
          break;
        }
      server->n_accepted++;
      server->n_active++;
      g_ptr_array_add (server->threads, g_thread_new ("hostile-conn", connection_thread, c));
      g_mutex_unlock (&server->lock);
    }
  return NULL;
}

static gnutls_certificate_credentials_t
load_credentials (const char *identity)
{
  g_autofree char *chain_name = g_strconcat (identity, "-chain.pem", NULL);
  g_autofree char *chain = posh_test_file (chain_name);
  g_autofree char *key_name = g_strconcat (identity, ".key", NULL);
  g_autofree char *key = posh_test_file (key_name);
  gnutls_certificate_credentials_t credentials;

  /* "example.com-untrusted" and the like use example.com.key */
  if (!g_file_test (key, G_FILE_TEST_EXISTS))
    {
      g_autofree char *base = g_strdup (identity);

      g_assert_nonnull (strrchr (base, '-'));
      *strrchr (base, '-') = '\0';
      g_free (key_name);
      g_free (key);
      key_name = g_strconcat (base, ".key", NULL);
      key = posh_test_file (key_name);
    }
  g_assert_cmpint (gnutls_certificate_allocate_credentials (&credentials), ==, GNUTLS_E_SUCCESS);
  g_assert_cmpint (gnutls_certificate_set_x509_key_file (credentials, chain, key,
                                                         GNUTLS_X509_FMT_PEM), >=, 0);
  return credentials;
}

HostileServer *
hostile_server_new (const char       *identity,
                    HostileBehaviour  behaviour)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) address = g_inet_socket_address_new (loopback, 0);
  g_autoptr(GSocketAddress) effective = NULL;
  HostileServer *server = g_new0 (HostileServer, 1);

  server->behaviour = behaviour;
  server->credentials = load_credentials (identity);
  server->cancellable = g_cancellable_new ();
  server->threads = g_ptr_array_new ();
  server->body = g_strdup (DEFAULT_BODY);
  server->interval_ms = 100;
  g_mutex_init (&server->lock);
  g_cond_init (&server->cond);

  server->listener = g_socket_listener_new ();
  g_socket_listener_set_backlog (server->listener, 4096);
  g_socket_listener_add_address (server->listener, address, G_SOCKET_TYPE_STREAM,
                                 G_SOCKET_PROTOCOL_TCP, NULL, &effective, &error);
  g_assert_no_error (error);
  server->port = g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (effective));
  /* made before anyone connects: compressing takes a while */
  if (behaviour == HOSTILE_GZIP_BOMB)
    server->bomb = make_bomb (server->body);
  server->acceptor = g_thread_new ("hostile-accept", acceptor_thread, server);
  return server;
}

void
hostile_server_free (HostileServer *server)
{
  if (server == NULL)
    return;

  g_mutex_lock (&server->lock);
  server->stopping = TRUE;
  g_cond_broadcast (&server->cond);
  g_mutex_unlock (&server->lock);
  g_cancellable_cancel (server->cancellable);

  g_thread_join (server->acceptor);
  /* No new thread can be added now. */
  for (guint i = 0; i < server->threads->len; i++)
    g_thread_join (server->threads->pdata[i]);
  g_assert_cmpuint (server->n_active, ==, 0);

  g_socket_listener_close (server->listener);
  g_object_unref (server->listener);
  g_object_unref (server->cancellable);
  gnutls_certificate_free_credentials (server->credentials);
  g_ptr_array_unref (server->threads);
  g_clear_pointer (&server->raw, g_bytes_unref);
  g_clear_pointer (&server->bomb, g_bytes_unref);
  g_free (server->body);
  g_mutex_clear (&server->lock);
  g_cond_clear (&server->cond);
  g_free (server);
}

void
hostile_server_set_body (HostileServer *server,
                         const char    *body)
{
  g_mutex_lock (&server->lock);
  g_free (server->body);
  server->body = g_strdup (body);
  g_clear_pointer (&server->bomb, g_bytes_unref);
  if (server->behaviour == HOSTILE_GZIP_BOMB)
    server->bomb = make_bomb (server->body);
  g_mutex_unlock (&server->lock);
}

void
hostile_server_set_raw (HostileServer *server,
                        const void    *data,
                        gsize          len)
{
  g_mutex_lock (&server->lock);
  g_clear_pointer (&server->raw, g_bytes_unref);
  server->raw = g_bytes_new (data, len);
  g_mutex_unlock (&server->lock);
}

void
hostile_server_set_interval (HostileServer *server,
                             guint          interval_ms)
{
  g_mutex_lock (&server->lock);
  server->interval_ms = interval_ms;
  g_mutex_unlock (&server->lock);
}

guint16
hostile_server_get_port (HostileServer *server)
{
  return server->port;
}

char *
hostile_server_connect_to_spec (HostileServer *server,
                                const char    *host)
{
  return g_strdup_printf ("%s:443:127.0.0.1:%u", host, server->port);
}

guint
hostile_server_get_n_accepted (HostileServer *server)
{
  guint n;

  g_mutex_lock (&server->lock);
  n = server->n_accepted;
  g_mutex_unlock (&server->lock);
  return n;
}

guint
hostile_server_get_n_requests (HostileServer *server)
{
  guint n;

  g_mutex_lock (&server->lock);
  n = server->n_requests;
  g_mutex_unlock (&server->lock);
  return n;
}

guint64
hostile_server_get_bytes_sent (HostileServer *server)
{
  guint64 n;

  g_mutex_lock (&server->lock);
  n = server->bytes_sent;
  g_mutex_unlock (&server->lock);
  return n;
}

guint
hostile_server_wait_idle (HostileServer *server,
                          guint          timeout_ms)
{
  gint64 deadline = g_get_monotonic_time () + (gint64) timeout_ms * 1000;
  guint n;

  g_mutex_lock (&server->lock);
  while (server->n_active > 0 &&
         g_cond_wait_until (&server->cond, &server->lock, deadline))
    ;
  n = server->n_active;
  g_mutex_unlock (&server->lock);
  return n;
}

/* ---- resource accounting ------------------------------------------------ */

guint
hardening_count_fds (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GDir) dir = g_dir_open ("/proc/self/fd", 0, &error);
  guint n = 0;

  g_assert_no_error (error);
  while (g_dir_read_name (dir) != NULL)
    n++;
  /* the directory's own descriptor */
  return n - 1;
}

guint64
hardening_status_kb (const char *field)
{
  g_autofree char *status = NULL;
  g_autofree char *key = g_strconcat ("\n", field, ":", NULL);
  const char *line;

  g_assert_true (g_file_get_contents ("/proc/self/status", &status, NULL, NULL));
  line = strstr (status, key);
  g_assert_nonnull (line);
  return g_ascii_strtoull (line + strlen (key), NULL, 10);
}

gboolean
hardening_under_valgrind (void)
{
  return g_getenv ("POSH_TEST_VALGRIND") != NULL;
}

gboolean
hardening_under_asan (void)
{
#if defined(__SANITIZE_ADDRESS__)
  return TRUE;
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
  return TRUE;
#else
  return FALSE;
#endif
#else
  return FALSE;
#endif
}

guint
hardening_timeout_ms (guint ms)
{
  return hardening_under_valgrind () ? ms * 10 : ms;
}

/* Resets VmHWM to the current RSS (Linux >= 4.0); FALSE where refused. */
static gboolean
reset_peak (void)
{
  return g_file_set_contents ("/proc/self/clear_refs", "5", 1, NULL);
}

static gboolean
wake_cb (gpointer user_data)
{
  *(gboolean *) user_data = TRUE;
  return G_SOURCE_REMOVE;
}

/* Runs the thread-default main context for ms milliseconds. */
static void
run_context_for (GMainContext *context,
                 guint         ms)
{
  gboolean woken = FALSE;
  g_autoptr(GSource) timer = g_timeout_source_new (ms);

  g_source_set_callback (timer, wake_cb, &woken, NULL);
  g_source_attach (timer, context);
  while (!woken)
    g_main_context_iteration (context, TRUE);
  g_source_destroy (timer);
}

void
hardening_iterate (guint ms)
{
  g_autoptr(GMainContext) context = g_main_context_ref_thread_default ();

  run_context_for (context, ms);
}

gboolean
hardening_iterate_until (gboolean (*cond) (gpointer user_data),
                         gpointer   user_data,
                         guint      timeout_ms)
{
  gint64 deadline = g_get_monotonic_time () + (gint64) timeout_ms * 1000;

  while (!cond (user_data))
    {
      if (g_get_monotonic_time () >= deadline)
        return FALSE;
      hardening_iterate (5);
    }
  return TRUE;
}

/* Lets the work of an earlier case finish: returns once the descriptor
 * count has not changed for 100 ms (at most 2 s). */
static guint
settle_stable (void)
{
  g_autoptr(GMainContext) context = g_main_context_ref_thread_default ();
  gint64 deadline = g_get_monotonic_time () + 2 * G_USEC_PER_SEC;
  guint n = hardening_count_fds (), previous;

  do
    {
      previous = n;
      posh_test_drain_main_context ();
      run_context_for (context, 100);
      n = hardening_count_fds ();
    }
  while (n != previous && g_get_monotonic_time () < deadline);
  return n;
}

void
hardening_warm_up (void)
{
  g_autoptr(PoshTestServer) server = posh_test_server_new ("example.com");
  g_autofree char *spec = posh_test_server_connect_to_spec (server, "example.com");
  g_autoptr(GTlsDatabase) database = posh_test_tls_database ();
  g_autoptr(PoshVerifier) verifier = posh_verifier_new ();
  g_autoptr(PoshDocument) document = NULL;
  g_autoptr(GError) error = NULL;

  posh_test_server_set_json (server, "/.well-known/posh/xmpp-client.json", DEFAULT_BODY);
  posh_verifier_set_tls_database (verifier, database);
  posh_test_verifier_add_connect_to (verifier, spec);
  document = posh_verifier_fetch (verifier, "example.com", "xmpp-client", NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (document);
}

void
hardening_usage_begin (HardeningUsage *usage)
{
  usage->fds = settle_stable ();
  reset_peak ();
  usage->rss_kb = hardening_status_kb ("VmRSS");
  usage->start_us = g_get_monotonic_time ();
}

/* " (local port L, peer port P)" for a TCP socket descriptor */
static char *
socket_ports (int fd)
{
  struct sockaddr_in local = { 0 }, peer = { 0 };
  socklen_t local_len = sizeof local, peer_len = sizeof peer;

  if (getsockname (fd, (struct sockaddr *) &local, &local_len) != 0 ||
      local.sin_family != AF_INET)
    return NULL;
  if (getpeername (fd, (struct sockaddr *) &peer, &peer_len) != 0)
    peer.sin_port = 0;
  return g_strdup_printf (" (local port %u, peer port %u)",
                          g_ntohs (local.sin_port), g_ntohs (peer.sin_port));
}

/* What each open descriptor is, for the log when the count is off. */
static void
dump_fds (void)
{
  g_autoptr(GDir) dir = g_dir_open ("/proc/self/fd", 0, NULL);
  const char *name;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *path = g_build_filename ("/proc/self/fd", name, NULL);
      g_autofree char *target = g_file_read_link (path, NULL);

      g_autofree char *where = socket_ports (atoi (name));

      g_test_message ("  fd %s -> %s%s", name, target != NULL ? target : "?",
                      where != NULL ? where : "");
    }
}

/* Lets main-context work finish until the fd count is back, at most 2 s. */
static guint
settle_fds (guint expected)
{
  g_autoptr(GMainContext) context = g_main_context_ref_thread_default ();
  gint64 deadline = g_get_monotonic_time () + 2 * G_USEC_PER_SEC;
  guint n;

  posh_test_drain_main_context ();
  while ((n = hardening_count_fds ()) != expected && g_get_monotonic_time () < deadline)
    run_context_for (context, 20);
  return n;
}

guint64
hardening_usage_end (HardeningUsage *usage,
                     const char     *what,
                     guint64         max_growth_kb)
{
  guint fds = settle_fds (usage->fds);
  guint64 peak = hardening_status_kb ("VmHWM");
  guint64 growth = peak > usage->rss_kb ? peak - usage->rss_kb : 0;

  g_test_message ("%s: %.0f ms, peak RSS growth %" G_GUINT64_FORMAT " KiB, "
                  "fds %u -> %u",
                  what, (g_get_monotonic_time () - usage->start_us) / 1000.0,
                  growth, usage->fds, fds);
  if (fds != usage->fds)
    dump_fds ();
  g_assert_cmpuint (fds, ==, usage->fds);
  if (!hardening_under_valgrind () && !hardening_under_asan ())
    g_assert_cmpuint (growth, <=, max_growth_kb);
  return growth;
}
