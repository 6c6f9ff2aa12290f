/* bench-plain.c: the baseline, a plain libsoup GET with the library's
 * session settings
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include "bench-plain.h"

#include <libsoup/soup.h>
#include <string.h>

/* ---- BenchConnectAddress: HOST:PORT for TLS, the target for TCP -------- */

typedef struct
{
  GNetworkAddress     parent_instance;
  GSocketConnectable *target;   /* (owned) */
} BenchConnectAddress;

typedef struct
{
  GNetworkAddressClass parent_class;
} BenchConnectAddressClass;

static GType bench_connect_address_get_type (void);
static void bench_connect_address_iface_init (GSocketConnectableIface *iface);

G_DEFINE_TYPE_WITH_CODE (BenchConnectAddress, bench_connect_address, G_TYPE_NETWORK_ADDRESS,
                         G_IMPLEMENT_INTERFACE (G_TYPE_SOCKET_CONNECTABLE,
                                                bench_connect_address_iface_init))

static GSocketAddressEnumerator *
bench_connect_address_enumerate (GSocketConnectable *connectable)
{
  BenchConnectAddress *self = (BenchConnectAddress *) connectable;

  return g_socket_connectable_enumerate (self->target);
}

static void
bench_connect_address_iface_init (GSocketConnectableIface *iface)
{
  iface->enumerate = bench_connect_address_enumerate;
  iface->proxy_enumerate = bench_connect_address_enumerate;
}

static void
bench_connect_address_finalize (GObject *object)
{
  BenchConnectAddress *self = (BenchConnectAddress *) object;

  g_clear_object (&self->target);
  G_OBJECT_CLASS (bench_connect_address_parent_class)->finalize (object);
}

static void
bench_connect_address_class_init (BenchConnectAddressClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = bench_connect_address_finalize;
}

static void
bench_connect_address_init (BenchConnectAddress *self)
{
}

/* ---- BenchPlain ---------------------------------------------------------- */

typedef struct
{
  char    *connect_host;
  guint16  connect_port;
} Rule;

struct _BenchPlain
{
  GTlsDatabase *database;   /* (owned) */
  GHashTable   *rules;      /* (owned) "host:port" -> Rule */
  guint         timeout_ms;
};

static void
rule_free (Rule *rule)
{
  g_free (rule->connect_host);
  g_free (rule);
}

BenchPlain *
bench_plain_new (GTlsDatabase       *database,
                 const char * const *specs)
{
  BenchPlain *plain = g_new0 (BenchPlain, 1);

  plain->database = g_object_ref (database);
  plain->timeout_ms = 10000;
  plain->rules = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                        (GDestroyNotify) rule_free);
  for (guint i = 0; specs != NULL && specs[i] != NULL; i++)
    {
      g_auto(GStrv) parts = g_strsplit (specs[i], ":", 4);
      Rule *rule = g_new0 (Rule, 1);

      g_assert (g_strv_length (parts) == 4);
      rule->connect_host = g_strdup (parts[2]);
      rule->connect_port = (guint16) g_ascii_strtoull (parts[3], NULL, 10);
      g_hash_table_replace (plain->rules,
                            g_strconcat (parts[0], ":", parts[1], NULL), rule);
    }
  return plain;
}

void
bench_plain_free (BenchPlain *plain)
{
  g_object_unref (plain->database);
  g_hash_table_unref (plain->rules);
  g_free (plain);
}

void
bench_plain_set_timeout (BenchPlain *plain,
                         guint       timeout_ms)
{
  plain->timeout_ms = timeout_ms;
}

/* A new session for one request to uri, as posh-fetch.c makes them. */
static SoupSession *
plain_session_new (BenchPlain *plain,
                   GUri       *uri)
{
  int port = g_uri_get_port (uri) > 0 ? g_uri_get_port (uri) : 443;
  g_autofree char *key = g_strdup_printf ("%s:%d", g_uri_get_host (uri), port);
  const Rule *rule = g_hash_table_lookup (plain->rules, key);
  guint timeout_s = (plain->timeout_ms + 999) / 1000;
  SoupSession *session;

  if (rule != NULL)
    {
      BenchConnectAddress *address;

      address = g_object_new (bench_connect_address_get_type (),
                              "hostname", g_uri_get_host (uri),
                              "port", (guint) port,
                              NULL);
      address->target = g_network_address_new (rule->connect_host, rule->connect_port);
      session = soup_session_new_with_options ("remote-connectable", address,
                                               "proxy-resolver", NULL,
                                               NULL);
      g_object_unref (address);
    }
  else
    session = soup_session_new ();
  g_object_set (session,
                "tls-database", plain->database,
                "timeout", timeout_s,
                "idle-timeout", timeout_s,
                "user-agent", "posh-gnutls/" PACKAGE_VERSION,
                NULL);
  soup_session_remove_feature_by_type (session, SOUP_TYPE_CONTENT_DECODER);
  return session;
}

static SoupMessage *
plain_message_new (const char *url,
                   GUri      **uri)
{
  SoupMessage *msg;

  *uri = g_uri_parse (url, SOUP_HTTP_URI_FLAGS, NULL);
  g_assert (*uri != NULL);
  msg = soup_message_new_from_uri ("GET", *uri);
  soup_message_add_flags (msg, SOUP_MESSAGE_NO_REDIRECT);
  return msg;
}

static gboolean
response_ok (SoupMessage *msg,
             GBytes      *body)
{
  return body != NULL && g_bytes_get_size (body) > 0
         && soup_message_get_status (msg) == SOUP_STATUS_OK;
}

static void
got_cb (GObject      *source,
        GAsyncResult *result,
        gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  SoupSession *session = SOUP_SESSION (source);
  SoupMessage *msg = soup_session_get_async_result_message (session, result);
  g_autoptr(GBytes) body = NULL;
  g_autoptr(GError) error = NULL;

  body = soup_session_send_and_read_finish (session, result, &error);
  if (error != NULL)
    g_printerr ("plain GET: %s\n", error->message);
  g_task_return_boolean (task, response_ok (msg, body));
  soup_session_abort (session);
}

void
bench_plain_get_async (BenchPlain         *plain,
                       const char         *url,
                       GAsyncReadyCallback callback,
                       gpointer            user_data)
{
  g_autoptr(GUri) uri = NULL;
  g_autoptr(SoupMessage) msg = plain_message_new (url, &uri);
  g_autoptr(SoupSession) session = plain_session_new (plain, uri);
  GTask *task = g_task_new (NULL, NULL, callback, user_data);

  /* the pending request holds the session until got_cb */
  soup_session_send_and_read_async (session, msg, G_PRIORITY_DEFAULT, NULL,
                                    got_cb, task);
}

gboolean
bench_plain_get_finish (GAsyncResult *result)
{
  return g_task_propagate_boolean (G_TASK (result), NULL);
}

static void
store_result_cb (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  GAsyncResult **slot = user_data;

  *slot = g_object_ref (result);
}

/* As the fetcher's sync call does: the async request on a private main
 * context, iterated until it completes. */
gboolean
bench_plain_get (BenchPlain *plain,
                 const char *url)
{
  GMainContext *context = g_main_context_new ();
  g_autoptr(GAsyncResult) result = NULL;
  gboolean ok;

  g_main_context_push_thread_default (context);
  bench_plain_get_async (plain, url, store_result_cb, &result);
  while (result == NULL)
    g_main_context_iteration (context, TRUE);
  ok = bench_plain_get_finish (result);
  while (g_main_context_iteration (context, FALSE))
    ;
  g_main_context_pop_thread_default (context);
  g_main_context_unref (context);
  return ok;
}
