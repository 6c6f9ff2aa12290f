/* posh-tool-srv.h: finding and reaching the XMPP service for posh-tool
 * check (never installed)
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * A module of its own, built as a static library like posh-tool-xmpp.c, so
 * that tests/test-posh-tool-srv.c drives the same objects with a fake
 * GResolver installed by g_resolver_set_default(): SRV lookups and host
 * name resolution both go through the default resolver, and no test ever
 * queries real DNS.
 */

#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* RFC 6120 §3.2.2: the port used when there is no SRV record. */
#define POSH_TOOL_XMPP_CLIENT_PORT 5222
#define POSH_TOOL_XMPP_SERVER_PORT 5269

/* Where the service of a domain may be reached. */
typedef struct
{
  char       *host;    /* (owned) */
  guint16     port;
  const char *source;  /* "option", "srv" or "default" (static) */
} PoshToolTarget;

PoshToolTarget *_posh_tool_target_new  (const char     *host,
                                        guint16         port,
                                        const char     *source);
PoshToolTarget *_posh_tool_target_copy (const PoshToolTarget *target);
void            _posh_tool_target_free (PoshToolTarget *target);

/* The targets for @domain, in the order they are to be tried:
 *
 *   - @host and/or @port given (@port 0: not given): that one target,
 *     source "option" (@host defaults to @domain, @port to the default
 *     port of @server);
 *   - else the SRV records _xmpp-client._tcp.DOMAIN (@server:
 *     _xmpp-server._tcp; @direct_tls: the _xmpps- twins of XEP-0368) in
 *     the order the resolver returned them, source "srv"; a single "."
 *     target (RFC 2782: no such service) is G_RESOLVER_ERROR_NOT_FOUND;
 *   - else (no record) DOMAIN on the default port, source "default"; for
 *     direct TLS, which has no default port, G_RESOLVER_ERROR_NOT_FOUND.
 *
 * (element-type PoshToolTarget) (transfer full) */
GPtrArray      *_posh_tool_find_targets (const char    *domain,
                                         gboolean       server,
                                         gboolean       direct_tls,
                                         const char    *host,
                                         int            port,
                                         GCancellable  *cancellable,
                                         GError       **error);

/* Connect to the first of @targets that answers, each in turn, with a
 * @timeout in seconds per attempt. @index: (out) the target connected to.
 * On failure, the last target's error, prefixed with "Cannot connect to
 * the service of DOMAIN: ". */
GSocketConnection *_posh_tool_connect_targets (GPtrArray     *targets,
                                               const char    *domain,
                                               guint          timeout,
                                               guint         *index,
                                               GCancellable  *cancellable,
                                               GError       **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (PoshToolTarget, _posh_tool_target_free)

G_END_DECLS
