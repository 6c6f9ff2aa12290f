/* test-posh-tool-service.c: in-process TLS and XMPP services for the
 * posh-tool `check` tests
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include "test-posh-tool-service.h"

#include <string.h>

#include "posh-test-utils.h"

#define XMPP_FEATURES \
  "<?xml version='1.0'?><stream:stream xmlns='jabber:client' " \
  "xmlns:stream='http://etherx.jabber.org/streams' id='t1' from='example.com' " \
  "version='1.0'><stream:features><starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'>" \
  "<required/></starttls></stream:features>"
#define XMPP_PROCEED "<proceed xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>"

struct _PoshToolTestService
{
  PoshToolTestServiceMode mode;
  GSocketListener *listener;     /* (owned) */
  guint16          port;
  GTlsCertificate *certificate;  /* (owned) */
  GCancellable    *cancellable;  /* (owned) */
  GThread         *thread;       /* (owned) */
  GMutex           mutex;        /* protects the four below */
  GCond            served_cond;  /* signalled when `served` grows */
  char            *received;     /* (owned) (nullable) */
  guint            handshakes;
  gsize            app_bytes;
  guint            served;       /* connections whose serving has ended */
};

/* How long a test waits for the service to finish with a connection the
 * client has already left: generous, as CI machines can be loaded. */
#define SERVED_TIMEOUT_SECONDS 60

/* Read until @needle (or EOF, or 16 KiB). */
static gboolean
read_until (GInputStream  *input,
            GString       *buffer,
            const char    *needle,
            GCancellable  *cancellable)
{
  while (!strstr (buffer->str, needle) && buffer->len < 16384)
    {
      char chunk[512];
      gssize n = g_input_stream_read (input, chunk, sizeof chunk, cancellable, NULL);

      if (n <= 0)
        return FALSE;
      g_string_append_len (buffer, chunk, n);
    }
  return !!strstr (buffer->str, needle);
}

static gboolean
write_text (GOutputStream *output,
            const char    *text,
            GCancellable  *cancellable)
{
  return g_output_stream_write_all (output, text, strlen (text), NULL, cancellable, NULL);
}

static gboolean
xmpp_starttls (PoshToolTestService *service,
               GIOStream           *stream,
               GString             *received)
{
  GInputStream *input = g_io_stream_get_input_stream (stream);
  GOutputStream *output = g_io_stream_get_output_stream (stream);

  if (!read_until (input, received, "streams'>", service->cancellable))
    return FALSE;
  if (service->mode == POSH_TOOL_TEST_SERVICE_SILENT)
    {
      /* until the client gives up */
      read_until (input, received, "never sent", service->cancellable);
      return FALSE;
    }
  return write_text (output, XMPP_FEATURES, service->cancellable) &&
         read_until (input, received, "xmpp-tls'/>", service->cancellable) &&
         write_text (output, XMPP_PROCEED, service->cancellable);
}

/* Count whatever the client sends after the handshake, until it closes. */
static gsize
drain (PoshToolTestService *service,
       GIOStream           *tls)
{
  gsize total = 0;

  for (;;)
    {
      char chunk[512];
      gssize n = g_input_stream_read (g_io_stream_get_input_stream (tls), chunk,
                                      sizeof chunk, service->cancellable, NULL);
      if (n <= 0)
        return total;
      total += (gsize) n;
    }
}

static void
serve_connection (PoshToolTestService *service,
                  GSocketConnection   *connection)
{
  g_autoptr(GString) received = g_string_new (NULL);
  g_autoptr(GIOStream) tls = NULL;
  gboolean ok = TRUE;
  gsize app_bytes;

  if (service->mode != POSH_TOOL_TEST_SERVICE_TLS)
    ok = xmpp_starttls (service, G_IO_STREAM (connection), received);
  g_mutex_lock (&service->mutex);
  g_free (service->received);
  service->received = g_strdup (received->str);
  g_mutex_unlock (&service->mutex);
  if (!ok)
    return;

  tls = g_tls_server_connection_new (G_IO_STREAM (connection), service->certificate, NULL);
  if (!tls ||
      !g_tls_connection_handshake (G_TLS_CONNECTION (tls), service->cancellable, NULL))
    return;
  g_mutex_lock (&service->mutex);
  service->handshakes++;
  g_mutex_unlock (&service->mutex);

  app_bytes = drain (service, tls);
  g_mutex_lock (&service->mutex);
  service->app_bytes += app_bytes;
  g_mutex_unlock (&service->mutex);
}

static gpointer
service_thread (gpointer data)
{
  PoshToolTestService *service = data;

  for (;;)
    {
      g_autoptr(GSocketConnection) connection = NULL;

      connection = g_socket_listener_accept (service->listener, NULL, service->cancellable,
                                             NULL);
      if (!connection)
        break;
      serve_connection (service, connection);
      g_io_stream_close (G_IO_STREAM (connection), NULL, NULL);
      g_mutex_lock (&service->mutex);
      service->served++;
      g_cond_broadcast (&service->served_cond);
      g_mutex_unlock (&service->mutex);
    }
  return NULL;
}

PoshToolTestService *
posh_tool_test_service_new (PoshToolTestServiceMode mode)
{
  PoshToolTestService *service = g_new0 (PoshToolTestService, 1);
  g_autoptr(GSocketAddress) address = g_inet_socket_address_new_from_string ("127.0.0.1", 0);
  g_autoptr(GSocketAddress) effective = NULL;
  g_autoptr(GError) error = NULL;

  service->mode = mode;
  g_mutex_init (&service->mutex);
  g_cond_init (&service->served_cond);
  service->certificate = posh_test_certificate_with_key ("hosting.example.net");
  service->cancellable = g_cancellable_new ();
  service->listener = g_socket_listener_new ();
  g_socket_listener_add_address (service->listener, address, G_SOCKET_TYPE_STREAM,
                                 G_SOCKET_PROTOCOL_TCP, NULL, &effective, &error);
  g_assert_no_error (error);
  service->port = g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (effective));
  service->thread = g_thread_new ("posh-tool-test-service", service_thread, service);
  return service;
}

void
posh_tool_test_service_free (PoshToolTestService *service)
{
  g_cancellable_cancel (service->cancellable);
  g_thread_join (service->thread);
  g_socket_listener_close (service->listener);
  g_object_unref (service->listener);
  g_object_unref (service->cancellable);
  g_object_unref (service->certificate);
  g_cond_clear (&service->served_cond);
  g_mutex_clear (&service->mutex);
  g_free (service->received);
  g_free (service);
}

guint16
posh_tool_test_service_get_port (PoshToolTestService *service)
{
  return service->port;
}

char *
posh_tool_test_service_get_received (PoshToolTestService *service)
{
  char *received;

  g_mutex_lock (&service->mutex);
  received = g_strdup (service->received ? service->received : "");
  g_mutex_unlock (&service->mutex);
  return received;
}

guint
posh_tool_test_service_get_handshakes (PoshToolTestService *service)
{
  guint n;

  g_mutex_lock (&service->mutex);
  n = service->handshakes;
  g_mutex_unlock (&service->mutex);
  return n;
}

gsize
posh_tool_test_service_get_app_bytes (PoshToolTestService *service)
{
  gsize n;

  g_mutex_lock (&service->mutex);
  n = service->app_bytes;
  g_mutex_unlock (&service->mutex);
  return n;
}

void
posh_tool_test_service_wait_served (PoshToolTestService *service,
                                    guint                n_connections)
{
  gint64 deadline = g_get_monotonic_time () + SERVED_TIMEOUT_SECONDS * G_TIME_SPAN_SECOND;
  guint served;

  g_mutex_lock (&service->mutex);
  while (service->served < n_connections &&
         g_cond_wait_until (&service->served_cond, &service->mutex, deadline))
    ;
  served = service->served;
  g_mutex_unlock (&service->mutex);
  if (served < n_connections)
    g_error ("test service: %u connection(s) served after %d s, expected %u",
             served, SERVED_TIMEOUT_SECONDS, n_connections);
}

guint16
posh_tool_test_free_port (void)
{
  g_autoptr(GSocket) socket = NULL;
  g_autoptr(GSocketAddress) any = g_inet_socket_address_new_from_string ("127.0.0.1", 0);
  g_autoptr(GSocketAddress) bound = NULL;
  g_autoptr(GError) error = NULL;

  socket = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM,
                         G_SOCKET_PROTOCOL_TCP, &error);
  g_assert_no_error (error);
  g_socket_bind (socket, any, FALSE, &error);
  g_assert_no_error (error);
  bound = g_socket_get_local_address (socket, &error);
  g_assert_no_error (error);
  g_socket_close (socket, NULL);
  return g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound));
}
