/* test-posh-tool-srv.c: how posh-tool check finds and reaches the XMPP
 * service (posh-gnutls/posh-tool-srv.c), with a fake resolver
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * A FakeResolver, installed with g_resolver_set_default(), answers every
 * lookup the tool makes: the SRV lookup of _posh_tool_find_targets(), and
 * the host names GSocketClient resolves through GNetworkAddress in
 * _posh_tool_connect_targets(). It knows only the records a test gives it
 * (everything else is G_RESOLVER_ERROR_NOT_FOUND) and maps host names to
 * 127.0.0.1, so no test ever queries real DNS. The services reached are
 * the in-process loopback services of test-posh-tool-service.c.
 *
 * The /tool/srv/check/ tests run the check command itself in process
 * (_posh_tool_check, in a g_test_trap_subprocess() child, as it prints its
 * result and the parent matches it), with the POSH document served by an
 * in-process HTTPS host reached through --connect-to.
 */

#include "config.h"

#include <string.h>

#include "posh-tool.h"
#include "posh-tool-srv.h"
#include "posh-tool-xmpp.h"
#include "files/fingerprints.h"
#include "posh-test-server.h"
#include "posh-test-utils.h"
#include "test-posh-tool-service.h"

/* ---- the fake resolver -------------------------------------------------- */

#define FAKE_TYPE_RESOLVER (fake_resolver_get_type ())
G_DECLARE_FINAL_TYPE (FakeResolver, fake_resolver, FAKE, RESOLVER, GResolver)

struct _FakeResolver
{
  GResolver   parent_instance;
  GMutex      mutex;          /* protects all below */
  GHashTable *srv;            /* rrname → GList of GSrvTarget (owned) */
  GHashTable *hosts;          /* host name → address text */
  GPtrArray  *srv_queries;    /* rrnames asked, in order */
  GPtrArray  *name_queries;   /* host names asked, in order */
};

G_DEFINE_TYPE (FakeResolver, fake_resolver, G_TYPE_RESOLVER)

static void
srv_list_free (gpointer data)
{
  g_list_free_full (data, (GDestroyNotify) g_srv_target_free);
}

static GList *
fake_lookup_service (GResolver     *resolver,
                     const char    *rrname,
                     GCancellable  *cancellable,
                     GError       **error)
{
  FakeResolver *self = FAKE_RESOLVER (resolver);
  GList *records;
  GList *copy = NULL;

  g_mutex_lock (&self->mutex);
  g_ptr_array_add (self->srv_queries, g_strdup (rrname));
  records = g_hash_table_lookup (self->srv, rrname);
  for (GList *l = records; l; l = l->next)
    copy = g_list_prepend (copy, g_srv_target_copy (l->data));
  g_mutex_unlock (&self->mutex);
  if (!copy)
    g_set_error (error, G_RESOLVER_ERROR, G_RESOLVER_ERROR_NOT_FOUND,
                 "No SRV record for %s (fake resolver)", rrname);
  return g_list_reverse (copy);
}

static GList *
fake_lookup_by_name (GResolver     *resolver,
                     const char    *hostname,
                     GCancellable  *cancellable,
                     GError       **error)
{
  FakeResolver *self = FAKE_RESOLVER (resolver);
  const char *address;
  GList *result = NULL;

  g_mutex_lock (&self->mutex);
  g_ptr_array_add (self->name_queries, g_strdup (hostname));
  address = g_hash_table_lookup (self->hosts, hostname);
  if (address)
    result = g_list_prepend (NULL, g_inet_address_new_from_string (address));
  g_mutex_unlock (&self->mutex);
  if (!result)
    g_set_error (error, G_RESOLVER_ERROR, G_RESOLVER_ERROR_NOT_FOUND,
                 "No address for %s (fake resolver)", hostname);
  return result;
}

static GList *
fake_lookup_by_name_with_flags (GResolver                 *resolver,
                                const char                *hostname,
                                GResolverNameLookupFlags   flags,
                                GCancellable              *cancellable,
                                GError                   **error)
{
  return fake_lookup_by_name (resolver, hostname, cancellable, error);
}

/* The asynchronous forms answer at once, from the same tables. */
static void
return_list (gpointer             source,
             GList               *list,
             GError              *error,
             GDestroyNotify       free_list,
             GCancellable        *cancellable,
             GAsyncReadyCallback  callback,
             gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (source, cancellable, callback, user_data);

  if (error)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, list, free_list);
}

static void
fake_lookup_by_name_async (GResolver           *resolver,
                           const char          *hostname,
                           GCancellable        *cancellable,
                           GAsyncReadyCallback  callback,
                           gpointer             user_data)
{
  GError *error = NULL;
  GList *list = fake_lookup_by_name (resolver, hostname, cancellable, &error);

  return_list (resolver, list, error, (GDestroyNotify) g_resolver_free_addresses,
               cancellable, callback, user_data);
}

static void
fake_lookup_by_name_with_flags_async (GResolver                *resolver,
                                      const char               *hostname,
                                      GResolverNameLookupFlags  flags,
                                      GCancellable             *cancellable,
                                      GAsyncReadyCallback       callback,
                                      gpointer                  user_data)
{
  fake_lookup_by_name_async (resolver, hostname, cancellable, callback, user_data);
}

static void
fake_lookup_service_async (GResolver           *resolver,
                           const char          *rrname,
                           GCancellable        *cancellable,
                           GAsyncReadyCallback  callback,
                           gpointer             user_data)
{
  GError *error = NULL;
  GList *list = fake_lookup_service (resolver, rrname, cancellable, &error);

  return_list (resolver, list, error, srv_list_free, cancellable, callback, user_data);
}

static GList *
fake_lookup_finish (GResolver     *resolver,
                    GAsyncResult  *result,
                    GError       **error)
{
  return g_task_propagate_pointer (G_TASK (result), error);
}

static char *
fake_lookup_by_address (GResolver     *resolver,
                        GInetAddress  *address,
                        GCancellable  *cancellable,
                        GError       **error)
{
  g_set_error_literal (error, G_RESOLVER_ERROR, G_RESOLVER_ERROR_NOT_FOUND,
                       "No reverse lookups (fake resolver)");
  return NULL;
}

static GList *
fake_lookup_records (GResolver            *resolver,
                     const char           *rrname,
                     GResolverRecordType   record_type,
                     GCancellable         *cancellable,
                     GError              **error)
{
  g_set_error_literal (error, G_RESOLVER_ERROR, G_RESOLVER_ERROR_NOT_FOUND,
                       "No records (fake resolver)");
  return NULL;
}

static void
fake_resolver_finalize (GObject *object)
{
  FakeResolver *self = FAKE_RESOLVER (object);

  g_hash_table_unref (self->srv);
  g_hash_table_unref (self->hosts);
  g_ptr_array_unref (self->srv_queries);
  g_ptr_array_unref (self->name_queries);
  g_mutex_clear (&self->mutex);
  G_OBJECT_CLASS (fake_resolver_parent_class)->finalize (object);
}

static void
fake_resolver_class_init (FakeResolverClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GResolverClass *resolver_class = G_RESOLVER_CLASS (klass);

  object_class->finalize = fake_resolver_finalize;
  resolver_class->lookup_by_name = fake_lookup_by_name;
  resolver_class->lookup_by_name_async = fake_lookup_by_name_async;
  resolver_class->lookup_by_name_finish = fake_lookup_finish;
  resolver_class->lookup_by_name_with_flags = fake_lookup_by_name_with_flags;
  resolver_class->lookup_by_name_with_flags_async = fake_lookup_by_name_with_flags_async;
  resolver_class->lookup_by_name_with_flags_finish = fake_lookup_finish;
  resolver_class->lookup_by_address = fake_lookup_by_address;
  resolver_class->lookup_service = fake_lookup_service;
  resolver_class->lookup_service_async = fake_lookup_service_async;
  resolver_class->lookup_service_finish = fake_lookup_finish;
  resolver_class->lookup_records = fake_lookup_records;
}

static void
fake_resolver_init (FakeResolver *self)
{
  g_mutex_init (&self->mutex);
  self->srv = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, srv_list_free);
  self->hosts = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  self->srv_queries = g_ptr_array_new_with_free_func (g_free);
  self->name_queries = g_ptr_array_new_with_free_func (g_free);
}

/* Add an SRV record (appended: the fake returns them in the order added,
 * as a real resolver returns them sorted by RFC 2782). */
static void
fake_add_srv (FakeResolver *self,
              const char   *rrname,
              const char   *target,
              guint16       port,
              guint16       priority)
{
  GList *records;

  g_mutex_lock (&self->mutex);
  records = g_hash_table_lookup (self->srv, rrname);
  if (records)
    records = g_list_append (records, g_srv_target_new (target, port, priority, 0));
  else
    g_hash_table_insert (self->srv, g_strdup (rrname),
                         g_list_append (NULL, g_srv_target_new (target, port, priority, 0)));
  g_mutex_unlock (&self->mutex);
}

/* Map @hostname to 127.0.0.1. */
static void
fake_add_host (FakeResolver *self,
               const char   *hostname)
{
  g_mutex_lock (&self->mutex);
  g_hash_table_replace (self->hosts, g_strdup (hostname), g_strdup ("127.0.0.1"));
  g_mutex_unlock (&self->mutex);
}

/* The queries so far, joined with " " (transfer full). */
static char *
joined (FakeResolver *self,
        GPtrArray    *queries)
{
  GString *text = g_string_new (NULL);

  g_mutex_lock (&self->mutex);
  for (guint i = 0; i < queries->len; i++)
    g_string_append_printf (text, "%s%s", i ? " " : "", (char *) queries->pdata[i]);
  g_mutex_unlock (&self->mutex);
  return g_string_free (text, FALSE);
}

/* ---- fixture ------------------------------------------------------------ */

typedef struct
{
  FakeResolver *resolver;   /* (owned) */
  GResolver    *original;   /* (owned) */
} Fixture;

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  f->original = g_resolver_get_default ();
  f->resolver = g_object_new (FAKE_TYPE_RESOLVER, NULL);
  g_resolver_set_default (G_RESOLVER (f->resolver));
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  g_resolver_set_default (f->original);
  g_object_unref (f->original);
  g_object_unref (f->resolver);
}

static char *
srv_queries (Fixture *f)
{
  return joined (f->resolver, f->resolver->srv_queries);
}

static char *
name_queries (Fixture *f)
{
  return joined (f->resolver, f->resolver->name_queries);
}

static void
assert_target (GPtrArray  *targets,
               guint       i,
               const char *host,
               guint16     port,
               const char *source)
{
  PoshToolTarget *target;

  g_assert_cmpuint (i, <, targets->len);
  target = g_ptr_array_index (targets, i);
  g_assert_cmpstr (target->host, ==, host);
  g_assert_cmpuint (target->port, ==, port);
  g_assert_cmpstr (target->source, ==, source);
}

static guint16
remote_port (GSocketConnection *connection)
{
  g_autoptr(GSocketAddress) address = NULL;
  g_autoptr(GError) error = NULL;

  address = g_socket_connection_get_remote_address (connection, &error);
  g_assert_no_error (error);
  return g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (address));
}

#define CLIENT_RR "_xmpp-client._tcp.example.com"
#define TIMEOUT 10

/* The targets of example.com's xmpp-client service, found without error. */
static GPtrArray *
find_client_targets (void)
{
  g_autoptr(GError) error = NULL;
  GPtrArray *targets;

  targets = _posh_tool_find_targets ("example.com", FALSE, FALSE, NULL, 0, NULL, &error);
  g_assert_no_error (error);
  return targets;
}

/* Connects to the first of @targets that answers and asserts that it was
 * the one at @expected_index, reached on @expected_port. */
static GSocketConnection *
assert_connects (GPtrArray *targets,
                 guint      expected_index,
                 guint16    expected_port)
{
  g_autoptr(GError) error = NULL;
  GSocketConnection *connection;
  guint index = G_MAXUINT;

  connection = _posh_tool_connect_targets (targets, "example.com", TIMEOUT, &index, NULL,
                                           &error);
  g_assert_no_error (error);
  g_assert_cmpuint (index, ==, expected_index);
  g_assert_cmpuint (remote_port (connection), ==, expected_port);
  return connection;
}

/* ---- (1) SRV order and port --------------------------------------------- */

/* R47 (hosting moves by SRV), RFC 6120 §3.2.1: the SRV targets are tried in
 * the resolver's order, each on the port of its record, by the name in the
 * record. Then what check does on that connection: XMPP STARTTLS with the
 * stream `to` = the source domain (R56), which the service reached through
 * SRV receives, with no trace of the SRV target's name. */
static void
test_srv_order (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(PoshToolTestService) first = posh_tool_test_service_new (POSH_TOOL_TEST_SERVICE_XMPP);
  g_autoptr(PoshToolTestService) second = posh_tool_test_service_new (POSH_TOOL_TEST_SERVICE_XMPP);
  guint16 first_port = posh_tool_test_service_get_port (first);
  guint16 second_port = posh_tool_test_service_get_port (second);
  g_autoptr(GPtrArray) targets = NULL;
  g_autoptr(GSocketConnection) connection = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *srv = NULL;
  g_autofree char *names = NULL;
  g_autofree char *received = NULL;
  PoshToolXmppInfo info = { 0 };

  fake_add_srv (f->resolver, CLIENT_RR, "xmpp1.hosting.test", first_port, 0);
  fake_add_srv (f->resolver, CLIENT_RR, "xmpp2.hosting.test", second_port, 10);
  fake_add_host (f->resolver, "xmpp1.hosting.test");
  fake_add_host (f->resolver, "xmpp2.hosting.test");
  fake_add_host (f->resolver, "example.com");

  targets = find_client_targets ();
  g_assert_cmpuint (targets->len, ==, 2);
  assert_target (targets, 0, "xmpp1.hosting.test", first_port, "srv");
  assert_target (targets, 1, "xmpp2.hosting.test", second_port, "srv");

  connection = assert_connects (targets, 0, first_port);
  srv = srv_queries (f);
  g_assert_cmpstr (srv, ==, CLIENT_RR);
  names = name_queries (f);
  g_assert_cmpstr (names, ==, "xmpp1.hosting.test");

  /* The service reached by SRV negotiates STARTTLS for the source domain. */
  g_assert_true (_posh_tool_xmpp_starttls (G_IO_STREAM (connection), "example.com", FALSE,
                                           NULL, &info, &error));
  g_assert_no_error (error);
  g_io_stream_close (G_IO_STREAM (connection), NULL, NULL);
  posh_tool_test_service_wait_served (first, 1);
  received = posh_tool_test_service_get_received (first);
  g_assert_nonnull (strstr (received, "to='example.com'"));
  g_assert_null (strstr (received, "hosting.test"));
  _posh_tool_xmpp_info_clear (&info);
}

/* The same two services, the resolver now returning them the other way
 * round: the tool follows the resolver, it does not reorder. */
static void
test_srv_order_reversed (Fixture       *f,
                         gconstpointer  data)
{
  g_autoptr(PoshToolTestService) first = posh_tool_test_service_new (POSH_TOOL_TEST_SERVICE_XMPP);
  g_autoptr(PoshToolTestService) second = posh_tool_test_service_new (POSH_TOOL_TEST_SERVICE_XMPP);
  guint16 first_port = posh_tool_test_service_get_port (first);
  guint16 second_port = posh_tool_test_service_get_port (second);
  g_autoptr(GPtrArray) targets = NULL;
  g_autoptr(GSocketConnection) connection = NULL;
  g_autofree char *names = NULL;

  fake_add_srv (f->resolver, CLIENT_RR, "xmpp2.hosting.test", second_port, 0);
  fake_add_srv (f->resolver, CLIENT_RR, "xmpp1.hosting.test", first_port, 10);
  fake_add_host (f->resolver, "xmpp1.hosting.test");
  fake_add_host (f->resolver, "xmpp2.hosting.test");

  targets = find_client_targets ();
  g_assert_cmpuint (targets->len, ==, 2);
  assert_target (targets, 0, "xmpp2.hosting.test", second_port, "srv");
  assert_target (targets, 1, "xmpp1.hosting.test", first_port, "srv");

  connection = assert_connects (targets, 0, second_port);
  names = name_queries (f);
  g_assert_cmpstr (names, ==, "xmpp2.hosting.test");
}

/* ---- (2) the next target when one fails --------------------------------- */

/* RFC 6120 §3.2.1 step 7 / RFC 2782: a target that cannot be reached
 * (connection refused, or a name that does not resolve) is skipped for
 * the next one, in order. */
static void
test_srv_next_target (Fixture       *f,
                      gconstpointer  data)
{
  g_autoptr(PoshToolTestService) live = posh_tool_test_service_new (POSH_TOOL_TEST_SERVICE_XMPP);
  guint16 live_port = posh_tool_test_service_get_port (live);
  guint16 dead_port = posh_tool_test_free_port ();
  g_autoptr(GPtrArray) targets = NULL;
  g_autoptr(GSocketConnection) connection = NULL;
  g_autofree char *names = NULL;

  fake_add_srv (f->resolver, CLIENT_RR, "dead.hosting.test", dead_port, 0);
  fake_add_srv (f->resolver, CLIENT_RR, "unknown.hosting.test", live_port, 5);
  fake_add_srv (f->resolver, CLIENT_RR, "live.hosting.test", live_port, 10);
  fake_add_host (f->resolver, "dead.hosting.test");
  fake_add_host (f->resolver, "live.hosting.test");

  targets = find_client_targets ();
  g_assert_cmpuint (targets->len, ==, 3);

  connection = assert_connects (targets, 2, live_port);
  names = name_queries (f);
  g_assert_cmpstr (names, ==, "dead.hosting.test unknown.hosting.test live.hosting.test");
}

/* When every target fails, the error is the last target's, prefixed. */
static void
test_srv_all_fail (Fixture       *f,
                   gconstpointer  data)
{
  guint16 dead_port = posh_tool_test_free_port ();
  g_autoptr(GPtrArray) targets = NULL;
  g_autoptr(GSocketConnection) connection = NULL;
  g_autoptr(GError) error = NULL;
  guint index = G_MAXUINT;

  fake_add_srv (f->resolver, CLIENT_RR, "unknown.hosting.test", dead_port, 0);
  fake_add_srv (f->resolver, CLIENT_RR, "dead.hosting.test", dead_port, 10);
  fake_add_host (f->resolver, "dead.hosting.test");

  targets = find_client_targets ();
  connection = _posh_tool_connect_targets (targets, "example.com", TIMEOUT, &index, NULL,
                                           &error);
  g_assert_null (connection);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CONNECTION_REFUSED);
  g_assert_true (g_str_has_prefix (error->message,
                                   "Cannot connect to the service of example.com: "));
  g_assert_cmpuint (index, ==, G_MAXUINT);
  g_clear_error (&error);

  /* Reversed: now the unresolvable name is last, and its error is the one. */
  g_clear_pointer (&targets, g_ptr_array_unref);
  g_hash_table_remove (f->resolver->srv, CLIENT_RR);
  fake_add_srv (f->resolver, CLIENT_RR, "dead.hosting.test", dead_port, 0);
  fake_add_srv (f->resolver, CLIENT_RR, "unknown.hosting.test", dead_port, 10);
  targets = find_client_targets ();
  connection = _posh_tool_connect_targets (targets, "example.com", TIMEOUT, &index, NULL,
                                           &error);
  g_assert_null (connection);
  g_assert_error (error, G_RESOLVER_ERROR, G_RESOLVER_ERROR_NOT_FOUND);
  g_assert_nonnull (strstr (error->message, "unknown.hosting.test"));
}

/* ---- (3) the "." target ------------------------------------------------- */

/* RFC 2782 (RFC 6120 §3.2.1 step 4): a single SRV record whose target is
 * "." says the service is decidedly not available: no fallback to the
 * domain, no connection. */
static void
test_srv_dot (Fixture       *f,
              gconstpointer  data)
{
  g_autoptr(GPtrArray) targets = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *names = NULL;

  fake_add_srv (f->resolver, CLIENT_RR, ".", 0, 0);
  fake_add_host (f->resolver, "example.com");

  targets = _posh_tool_find_targets ("example.com", FALSE, FALSE, NULL, 0, NULL, &error);
  g_assert_null (targets);
  g_assert_error (error, G_RESOLVER_ERROR, G_RESOLVER_ERROR_NOT_FOUND);
  g_assert_cmpstr (error->message, ==,
                   "_xmpp-client._tcp.example.com has the SRV target \".\": the domain "
                   "says it offers no such service (RFC 2782)");
  names = name_queries (f);
  g_assert_cmpstr (names, ==, "");
}

/* ---- (4) no SRV record: the domain on the default port ------------------ */

typedef struct
{
  gboolean    server;
  const char *rrname;
  guint16     port;
} FallbackCase;

static const FallbackCase fallback_client = { FALSE, CLIENT_RR, 5222 };
static const FallbackCase fallback_server = { TRUE, "_xmpp-server._tcp.example.com", 5269 };

/* RFC 6120 §3.2.2: without an SRV record, the domain itself on 5222
 * (c2s) or 5269 (s2s). The fake maps example.com to 127.0.0.1; the live
 * connection needs that well-known port free on loopback. */
static void
test_fallback (Fixture       *f,
               gconstpointer  data)
{
  const FallbackCase *c = data;
  g_autoptr(GPtrArray) targets = NULL;
  g_autoptr(GSocketListener) listener = g_socket_listener_new ();
  g_autoptr(GSocketAddress) address = NULL;
  g_autoptr(GSocketConnection) connection = NULL;
  g_autoptr(GSocketConnection) accepted = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *srv = NULL;
  g_autofree char *names = NULL;

  fake_add_host (f->resolver, "example.com");

  targets = _posh_tool_find_targets ("example.com", c->server, FALSE, NULL, 0, NULL,
                                     &error);
  g_assert_no_error (error);
  g_assert_cmpuint (targets->len, ==, 1);
  assert_target (targets, 0, "example.com", c->port, "default");
  srv = srv_queries (f);
  g_assert_cmpstr (srv, ==, c->rrname);

  address = g_inet_socket_address_new_from_string ("127.0.0.1", c->port);
  if (!g_socket_listener_add_address (listener, address, G_SOCKET_TYPE_STREAM,
                                      G_SOCKET_PROTOCOL_TCP, NULL, NULL, &error))
    {
      g_autofree char *why = g_strdup_printf ("127.0.0.1:%u is taken (%s): the fallback "
                                              "target was checked, not the live "
                                              "connection", c->port, error->message);

      g_test_skip (why);
      return;
    }
  connection = assert_connects (targets, 0, c->port);
  accepted = g_socket_listener_accept (listener, NULL, NULL, &error);
  g_assert_no_error (error);
  names = name_queries (f);
  g_assert_cmpstr (names, ==, "example.com");
}

/* XEP-0368: direct TLS has no default port, so no SRV record is an error. */
static void
test_fallback_direct_tls (Fixture       *f,
                          gconstpointer  data)
{
  g_autoptr(GPtrArray) targets = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *names = NULL;

  fake_add_host (f->resolver, "example.com");
  targets = _posh_tool_find_targets ("example.com", FALSE, TRUE, NULL, 0, NULL, &error);
  g_assert_null (targets);
  g_assert_error (error, G_RESOLVER_ERROR, G_RESOLVER_ERROR_NOT_FOUND);
  g_assert_true (g_str_has_prefix (error->message,
                                   "No _xmpps-client._tcp.example.com SRV record ("));
  g_assert_true (g_str_has_suffix (error->message,
                                   ") and no --port: direct TLS has no default port "
                                   "(XEP-0368)"));
  names = name_queries (f);
  g_assert_cmpstr (names, ==, "");
}

/* ---- (5) the SRV service names ------------------------------------------ */

typedef struct
{
  gboolean    server;
  gboolean    direct_tls;
  const char *rrname;
} ServiceCase;

static const ServiceCase service_cases[] = {
  { FALSE, FALSE, "_xmpp-client._tcp.example.com" },   /* RFC 6120 §3.2.1 */
  { TRUE,  FALSE, "_xmpp-server._tcp.example.com" },
  { FALSE, TRUE,  "_xmpps-client._tcp.example.com" },  /* XEP-0368 */
  { TRUE,  TRUE,  "_xmpps-server._tcp.example.com" },
};

/* R57: xmpp-client / xmpp-server is both the POSH service name and the SRV
 * service label; direct TLS uses the _xmpps- twins. All four records
 * exist, each with its own port: only the one asked for is used. */
static void
test_service_name (Fixture       *f,
                   gconstpointer  data)
{
  const ServiceCase *c = data;
  g_autoptr(GPtrArray) targets = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *srv = NULL;
  g_autofree char *expected_host = NULL;
  guint16 expected_port = 0;

  for (guint i = 0; i < G_N_ELEMENTS (service_cases); i++)
    {
      g_autofree char *host = g_strdup_printf ("t%u.hosting.test", i);

      fake_add_srv (f->resolver, service_cases[i].rrname, host, 6000 + i, 0);
      if (&service_cases[i] == c)
        {
          expected_host = g_steal_pointer (&host);
          expected_port = 6000 + i;
        }
    }
  targets = _posh_tool_find_targets ("example.com", c->server, c->direct_tls, NULL, 0,
                                     NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (targets->len, ==, 1);
  assert_target (targets, 0, expected_host, expected_port, "srv");
  srv = srv_queries (f);
  g_assert_cmpstr (srv, ==, c->rrname);
}

/* --host / --port skip SRV altogether. */
static void
test_option_skips_srv (Fixture       *f,
                       gconstpointer  data)
{
  g_autoptr(GPtrArray) both = NULL;
  g_autoptr(GPtrArray) host_only = NULL;
  g_autoptr(GPtrArray) port_only = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *srv = NULL;

  fake_add_srv (f->resolver, CLIENT_RR, "xmpp1.hosting.test", 6000, 0);
  both = _posh_tool_find_targets ("example.com", FALSE, FALSE, "127.0.0.1", 7000, NULL,
                                  &error);
  g_assert_no_error (error);
  g_assert_cmpuint (both->len, ==, 1);
  assert_target (both, 0, "127.0.0.1", 7000, "option");
  host_only = _posh_tool_find_targets ("example.com", TRUE, FALSE, "xmpp.example.net", 0,
                                       NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (host_only->len, ==, 1);
  assert_target (host_only, 0, "xmpp.example.net", 5269, "option");
  port_only = _posh_tool_find_targets ("example.com", FALSE, TRUE, NULL, 5223, NULL,
                                       &error);
  g_assert_no_error (error);
  g_assert_cmpuint (port_only->len, ==, 1);
  assert_target (port_only, 0, "example.com", 5223, "option");
  srv = srv_queries (f);
  g_assert_cmpstr (srv, ==, "");
}

/* ---- the check command, in process ------------------------------------- */

#define WK_CLIENT "/.well-known/posh/xmpp-client.json"
#define WK_SERVER "/.well-known/posh/xmpp-server.json"
#define DOC_HOSTING "{\"fingerprints\":[{\"sha-256\":\"" FP_HOSTING_EXAMPLE_NET_SHA256 "\"}]," \
                    "\"expires\":86400}"

/* Runs `posh-tool check example.com --service SERVICE --json [EXTRA]`
 * with the document DOC_HOSTING at example.com's @wk_path (in the child). */
static int
run_check (PoshTestServer *example,
           const char     *service,
           const char     *wk_path,
           const char     *extra)
{
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  g_autofree char *ca = posh_test_file ("ca.pem");
  g_autofree char *spec = posh_test_server_connect_to_spec (example, "example.com");
  g_auto(GStrv) argv = NULL;

  g_strv_builder_add_many (builder, "check", "--cafile", ca, "--connect-to", spec,
                           "example.com", "--service", service, "--json", extra, NULL);
  argv = g_strv_builder_end (builder);
  posh_test_server_set_json (example, wk_path, DOC_HOSTING);
  return _posh_tool_check ((int) g_strv_length (argv), argv);
}

/* R47, R56: check finds the service by SRV, skips the first target (its
 * connection is refused) for the second, on the port of its record; the
 * stream `to` and the TLS identity stay the source domain, and POSH vouches
 * for the hosting provider's certificate (R37: the document came first). */
static void
test_check_srv (Fixture       *f,
                gconstpointer  data)
{
  if (g_test_subprocess ())
    {
      g_autoptr(PoshTestServer) example = posh_test_server_new ("example.com");
      g_autoptr(PoshToolTestService) live =
        posh_tool_test_service_new (POSH_TOOL_TEST_SERVICE_XMPP);
      g_autofree char *srv = NULL;
      g_autofree char *names = NULL;
      g_autofree char *received = NULL;

      fake_add_srv (f->resolver, CLIENT_RR, "dead.hosting.test",
                    posh_tool_test_free_port (), 0);
      fake_add_srv (f->resolver, CLIENT_RR, "xmpp.hosting.test",
                    posh_tool_test_service_get_port (live), 10);
      fake_add_host (f->resolver, "dead.hosting.test");
      fake_add_host (f->resolver, "xmpp.hosting.test");

      g_assert_cmpint (run_check (example, "xmpp-client", WK_CLIENT, NULL), ==,
                       POSH_TOOL_EXIT_OK);
      posh_tool_test_service_wait_served (live, 1);
      g_assert_cmpuint (posh_tool_test_service_get_handshakes (live), ==, 1);
      g_assert_cmpuint (posh_tool_test_service_get_app_bytes (live), ==, 0);
      received = posh_tool_test_service_get_received (live);
      g_assert_nonnull (strstr (received, "to='example.com'"));
      g_assert_null (strstr (received, "hosting.test"));
      g_assert_cmpuint (posh_test_server_get_request_count (example, WK_CLIENT), ==, 1);
      srv = srv_queries (f);
      g_assert_cmpstr (srv, ==, CLIENT_RR);
      names = name_queries (f);
      g_assert_cmpstr (names, ==, "dead.hosting.test xmpp.hosting.test");
      return;
    }
  POSH_TEST_SKIP_IF_NO_TLS ();
  g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
  g_test_trap_assert_passed ();
  g_test_trap_assert_stdout ("*\"connection\" : {*\"host\" : \"xmpp.hosting.test\",*"
                             "\"source\" : \"srv\",*\"starttls\" : \"xmpp\"*");
  g_test_trap_assert_stdout ("*\"result\" : \"verified\"*");
  g_test_trap_assert_stdout_unmatched ("*dead.hosting.test*");
}

/* R57 and XEP-0368: --service xmpp-server --starttls none looks up
 * _xmpps-server._tcp, and the direct-TLS service it names is verified
 * against /.well-known/posh/xmpp-server.json. */
static void
test_check_srv_direct_tls_server (Fixture       *f,
                                  gconstpointer  data)
{
  if (g_test_subprocess ())
    {
      g_autoptr(PoshTestServer) example = posh_test_server_new ("example.com");
      g_autoptr(PoshToolTestService) live = posh_tool_test_service_new (POSH_TOOL_TEST_SERVICE_TLS);
      g_autofree char *srv = NULL;

      fake_add_srv (f->resolver, "_xmpps-server._tcp.example.com", "s2s.hosting.test",
                    posh_tool_test_service_get_port (live), 0);
      fake_add_host (f->resolver, "s2s.hosting.test");

      g_assert_cmpint (run_check (example, "xmpp-server", WK_SERVER, "--starttls=none"), ==,
                       POSH_TOOL_EXIT_OK);
      posh_tool_test_service_wait_served (live, 1);
      g_assert_cmpuint (posh_tool_test_service_get_handshakes (live), ==, 1);
      g_assert_cmpuint (posh_test_server_get_request_count (example, WK_SERVER), ==, 1);
      srv = srv_queries (f);
      g_assert_cmpstr (srv, ==, "_xmpps-server._tcp.example.com");
      return;
    }
  POSH_TEST_SKIP_IF_NO_TLS ();
  g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
  g_test_trap_assert_passed ();
  g_test_trap_assert_stdout ("*\"host\" : \"s2s.hosting.test\",*\"source\" : \"srv\",*"
                             "\"starttls\" : \"none\"*");
  g_test_trap_assert_stdout ("*\"result\" : \"verified\"*");
}

/* RFC 2782: the lone "." target: check cannot check (exit 2), says why
 * and points at the SRV records; nothing is connected to. */
static void
test_check_srv_dot (Fixture       *f,
                    gconstpointer  data)
{
  if (g_test_subprocess ())
    {
      g_autoptr(PoshTestServer) example = posh_test_server_new ("example.com");
      g_autofree char *names = NULL;

      fake_add_srv (f->resolver, CLIENT_RR, ".", 0, 0);
      fake_add_host (f->resolver, "example.com");
      g_assert_cmpint (run_check (example, "xmpp-client", WK_CLIENT, NULL), ==,
                       POSH_TOOL_EXIT_ERROR);
      names = name_queries (f);
      g_assert_cmpstr (names, ==, "");
      return;
    }
  POSH_TEST_SKIP_IF_NO_TLS ();
  g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
  g_test_trap_assert_passed ();
  g_test_trap_assert_stdout ("*\"domain\" : \"g-resolver-error-quark\",*"
                             "\"name\" : \"not-found\",*");
  g_test_trap_assert_stdout ("*_xmpp-client._tcp.example.com has the SRV target \\\".\\\": "
                             "the domain says it offers no such service (RFC 2782)*");
  g_test_trap_assert_stdout ("*\"hint\" : \"check the SRV records of the domain, or give "
                             "--host and --port\"*");
  g_test_trap_assert_stdout ("*\"result\" : \"error\"*");
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, func, data) \
  g_test_add (path, Fixture, data, fixture_setup, func, fixture_teardown)

  ADD ("/tool/srv/R47/order-and-port", test_srv_order, NULL);
  ADD ("/tool/srv/R47/resolver-order-kept", test_srv_order_reversed, NULL);
  ADD ("/tool/srv/next-target/after-failure", test_srv_next_target, NULL);
  ADD ("/tool/srv/next-target/all-fail-last-error", test_srv_all_fail, NULL);
  ADD ("/tool/srv/dot-target/no-service", test_srv_dot, NULL);
  ADD ("/tool/srv/fallback/client-5222", test_fallback, &fallback_client);
  ADD ("/tool/srv/fallback/server-5269", test_fallback, &fallback_server);
  ADD ("/tool/srv/fallback/direct-tls-none", test_fallback_direct_tls, NULL);
  ADD ("/tool/srv/R57/service/xmpp-client", test_service_name, &service_cases[0]);
  ADD ("/tool/srv/R57/service/xmpp-server", test_service_name, &service_cases[1]);
  ADD ("/tool/srv/R57/service/xmpps-client", test_service_name, &service_cases[2]);
  ADD ("/tool/srv/R57/service/xmpps-server", test_service_name, &service_cases[3]);
  ADD ("/tool/srv/option/skips-srv", test_option_skips_srv, NULL);
  ADD ("/tool/srv/check/R56/next-target-verified", test_check_srv, NULL);
  ADD ("/tool/srv/check/R57/xmpps-server", test_check_srv_direct_tls_server, NULL);
  ADD ("/tool/srv/check/dot-target", test_check_srv_dot, NULL);

#undef ADD

  return g_test_run ();
}
