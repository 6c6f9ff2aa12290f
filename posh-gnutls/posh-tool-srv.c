/* posh-tool-srv.c: finding and reaching the XMPP service for posh-tool check
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * --host/--port, else DNS SRV (RFC 6120 §3.2.1; XEP-0368 for direct TLS),
 * else the domain on the default port (RFC 6120 §3.2.2). Every name goes
 * through the default GResolver: the SRV lookup here, the host names in
 * GSocketClient's GNetworkAddress enumeration.
 */

#include "config.h"

#include "posh-tool-srv.h"

#include <string.h>

PoshToolTarget *
_posh_tool_target_new (const char *host,
                       guint16     port,
                       const char *source)
{
  PoshToolTarget *target = g_new0 (PoshToolTarget, 1);

  target->host = g_strdup (host);
  target->port = port;
  target->source = source;
  return target;
}

PoshToolTarget *
_posh_tool_target_copy (const PoshToolTarget *target)
{
  return _posh_tool_target_new (target->host, target->port, target->source);
}

void
_posh_tool_target_free (PoshToolTarget *target)
{
  g_free (target->host);
  g_free (target);
}

static guint16
default_port (gboolean server)
{
  return server ? POSH_TOOL_XMPP_SERVER_PORT : POSH_TOOL_XMPP_CLIENT_PORT;
}

static void
add_target (GPtrArray  *targets,
            const char *host,
            guint16     port,
            const char *source)
{
  g_ptr_array_add (targets, _posh_tool_target_new (host, port, source));
}

/* SRV targets in the order the resolver sorted them (RFC 2782). */
static gboolean
add_srv_targets (GPtrArray        *targets,
                 GList            *srv,
                 const char       *domain,
                 const char       *record,
                 GError          **error)
{
  if (srv && !srv->next &&
      strcmp (g_srv_target_get_hostname (srv->data), ".") == 0)
    {
      g_set_error (error, G_RESOLVER_ERROR, G_RESOLVER_ERROR_NOT_FOUND,
                   "%s.%s has the SRV target \".\": the domain says it offers no such "
                   "service (RFC 2782)", record, domain);
      return FALSE;
    }
  for (GList *l = srv; l; l = l->next)
    add_target (targets, g_srv_target_get_hostname (l->data),
                g_srv_target_get_port (l->data), "srv");
  return TRUE;
}

GPtrArray *
_posh_tool_find_targets (const char    *domain,
                         gboolean       server,
                         gboolean       direct_tls,
                         const char    *host,
                         int            port,
                         GCancellable  *cancellable,
                         GError       **error)
{
  g_autoptr(GPtrArray) targets =
    g_ptr_array_new_with_free_func ((GDestroyNotify) _posh_tool_target_free);
  g_autoptr(GResolver) resolver = NULL;
  g_autoptr(GError) local_error = NULL;
  g_autofree char *srv_service = NULL;
  g_autofree char *record = NULL;
  GList *srv;

  if (host || port != 0)
    {
      add_target (targets, host ? host : domain,
                  port != 0 ? (guint16) port : default_port (server), "option");
      return g_steal_pointer (&targets);
    }

  srv_service = g_strdup_printf ("%s%s", direct_tls ? "xmpps-" : "xmpp-",
                                 server ? "server" : "client");
  record = g_strdup_printf ("_%s._tcp", srv_service);
  resolver = g_resolver_get_default ();
  srv = g_resolver_lookup_service (resolver, srv_service, "tcp", domain, cancellable,
                                   &local_error);
  if (srv)
    {
      gboolean ok = add_srv_targets (targets, srv, domain, record, error);

      g_list_free_full (srv, (GDestroyNotify) g_srv_target_free);
      return ok ? g_steal_pointer (&targets) : NULL;
    }
  if (direct_tls)
    {
      g_set_error (error, G_RESOLVER_ERROR, G_RESOLVER_ERROR_NOT_FOUND,
                   "No %s.%s SRV record (%s) and no --port: direct TLS has no "
                   "default port (XEP-0368)", record, domain, local_error->message);
      return NULL;
    }
  /* RFC 6120 §3.2.2: no SRV, so the domain itself on the default port. */
  add_target (targets, domain, default_port (server), "default");
  return g_steal_pointer (&targets);
}

GSocketConnection *
_posh_tool_connect_targets (GPtrArray     *targets,
                            const char    *domain,
                            guint          timeout,
                            guint         *index,
                            GCancellable  *cancellable,
                            GError       **error)
{
  g_autoptr(GSocketClient) client = g_socket_client_new ();
  g_autoptr(GError) last_error = NULL;

  g_socket_client_set_timeout (client, timeout);
  for (guint i = 0; i < targets->len; i++)
    {
      PoshToolTarget *target = g_ptr_array_index (targets, i);
      g_autoptr(GSocketConnectable) address = g_network_address_new (target->host,
                                                                      target->port);
      GSocketConnection *connection;

      g_clear_error (&last_error);
      connection = g_socket_client_connect (client, address, cancellable, &last_error);
      if (connection)
        {
          *index = i;
          return connection;
        }
    }
  g_propagate_prefixed_error (error, g_steal_pointer (&last_error),
                              "Cannot connect to the service of %s: ", domain);
  return NULL;
}
