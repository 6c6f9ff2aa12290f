/* verify-gio.c: a GIO TLS client that accepts a certificate by POSH
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 *   verify-gio [--cafile CA.pem] [--connect-to H:P:CH:CP]... [--pin-only]
 *              DOMAIN SERVICE HOST:PORT
 *
 * What an XMPP client does (direct TLS here, to keep it short; with
 * STARTTLS only the moment of the handshake changes):
 *
 *   1. fetch the POSH document of DOMAIN for SERVICE, asynchronously,
 *      while (here: before) connecting;
 *   2. open TCP to HOST:PORT (the SRV target) and start TLS with DOMAIN as
 *      the server identity (the stream's `to`, RFC 7712 §5.2);
 *   3. let posh_verifier_attach_to_connection() answer
 *      GTlsConnection::accept-certificate from the cache.
 *
 * Exit status: 0 the handshake succeeded, 1 the certificate was refused,
 * 2 any other failure.
 *
 *   cc verify-gio.c $(pkg-config --cflags --libs posh-gnutls-1)
 */

#include <posh-gnutls/posh.h>

typedef struct
{
  PoshVerifier   *verifier;
  GTlsDatabase   *database;   /* (nullable): the system's when NULL */
  char           *domain;
  char           *service;
  char           *target;
  PoshTlsFlags    flags;
  GSocketConnection *tcp;
  GIOStream      *tls;
  GMainLoop      *loop;
  int             status;
} Client;

static void
finish (Client     *self,
        int         status,
        const char *what,
        GError     *error)
{
  if (error != NULL)
    g_printerr ("%s: %s\n", what, error->message);
  else
    g_print ("%s\n", what);
  self->status = status;
  g_main_loop_quit (self->loop);
}

static void
handshake_cb (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  Client *self = user_data;
  g_autoptr(GError) error = NULL;

  if (g_tls_connection_handshake_finish (G_TLS_CONNECTION (source), result, &error))
    finish (self, 0, "TLS handshake done: certificate accepted", NULL);
  else if (g_error_matches (error, G_TLS_ERROR, G_TLS_ERROR_BAD_CERTIFICATE))
    finish (self, 1, "certificate refused", error);
  else
    finish (self, 2, "TLS handshake failed", error);
}

static void
connected_cb (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  Client *self = user_data;
  g_autoptr(GSocketConnectable) identity = NULL;
  g_autoptr(GError) error = NULL;

  self->tcp = g_socket_client_connect_to_host_finish (G_SOCKET_CLIENT (source),
                                                      result, &error);
  if (self->tcp == NULL)
    {
      finish (self, 2, "cannot connect", error);
      return;
    }

  identity = g_network_address_new (self->domain, 0);
  self->tls = g_tls_client_connection_new (G_IO_STREAM (self->tcp), identity, &error);
  if (self->tls == NULL)
    {
      finish (self, 2, "cannot start TLS", error);
      return;
    }
  if (self->database != NULL)
    g_tls_connection_set_database (G_TLS_CONNECTION (self->tls), self->database);

  /* Decides inside accept-certificate, from the cache only. */
  posh_verifier_attach_to_connection (self->verifier, G_TLS_CONNECTION (self->tls),
                                      self->domain, self->service, self->flags);
  g_tls_connection_handshake_async (G_TLS_CONNECTION (self->tls),
                                    G_PRIORITY_DEFAULT, NULL, handshake_cb, self);
}

static void
fetched_cb (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  Client *self = user_data;
  g_autoptr(GSocketClient) client = g_socket_client_new ();
  g_autoptr(PoshDocument) document = NULL;
  g_autoptr(GError) error = NULL;

  document = posh_verifier_fetch_finish (self->verifier, result, &error);
  if (document != NULL)
    g_print ("POSH document of %s: %u fingerprint(s)\n", self->domain,
             posh_document_get_n_fingerprints (document));
  else  /* Go on: only PKIX can succeed now (RFC 7712 §5.2 fallback). */
    g_print ("no POSH document: %s\n", error->message);

  g_socket_client_connect_to_host_async (client, self->target, 5223, NULL,
                                         connected_cb, self);
}

static gboolean
configure (Client  *self,
           char    *cafile,
           char   **connect_to,
           GError **error)
{
  self->verifier = posh_verifier_new ();
  if (cafile != NULL)
    {
      self->database = g_tls_file_database_new (cafile, error);
      if (self->database == NULL)
        return FALSE;
      posh_verifier_set_tls_database (self->verifier, self->database);
    }
  for (guint i = 0; connect_to != NULL && connect_to[i] != NULL; i++)
    if (!posh_verifier_add_connect_to (self->verifier, connect_to[i], error))
      return FALSE;
  return TRUE;
}

int
main (int    argc,
      char **argv)
{
  g_autofree char *cafile = NULL;
  g_auto(GStrv) connect_to = NULL;
  gboolean pin_only = FALSE;
  const GOptionEntry entries[] = {
    { "cafile", 0, 0, G_OPTION_ARG_FILENAME, &cafile, "Trust store (HTTPS and TLS)", "FILE" },
    { "connect-to", 0, 0, G_OPTION_ARG_STRING_ARRAY, &connect_to, "HTTPS connection override", "H:P:CH:CP" },
    { "pin-only", 0, 0, G_OPTION_ARG_NONE, &pin_only, "POSH pins, PKIX must pass too", NULL },
    { NULL }
  };
  g_autoptr(GOptionContext) context = g_option_context_new ("DOMAIN SERVICE HOST:PORT");
  g_autoptr(GError) error = NULL;
  Client self = { NULL, };

  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error) || argc != 4)
    {
      g_printerr ("%s\n", error != NULL ? error->message : "see --help");
      return 2;
    }
  if (!configure (&self, cafile, connect_to, &error))
    {
      g_printerr ("%s\n", error->message);
      return 2;
    }

  self.domain = argv[1];
  self.service = argv[2];
  self.target = argv[3];
  self.flags = pin_only ? POSH_TLS_FLAGS_PIN_ONLY : POSH_TLS_FLAGS_NONE;
  self.loop = g_main_loop_new (NULL, FALSE);
  posh_verifier_fetch_async (self.verifier, self.domain, self.service, NULL,
                             fetched_cb, &self);
  g_main_loop_run (self.loop);

  g_clear_object (&self.tls);
  g_clear_object (&self.tcp);
  g_clear_object (&self.database);
  g_clear_object (&self.verifier);
  g_main_loop_unref (self.loop);
  return self.status;
}
