/* bench-plain.h: the baseline, a plain libsoup GET with the library's
 * session settings
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * What posh-fetch.c does for one hop, minus POSH: a new SoupSession per
 * request (the fetcher makes one per operation and aborts it at the end,
 * so every fetch opens a new connection and does a TLS handshake), the
 * same "remote-connectable" connect-to mechanism (a GNetworkAddress whose
 * host name is the URL's, so SNI and the certificate check keep it, and
 * whose enumeration goes to CONNECT_HOST:CONNECT_PORT), no proxy for a
 * connect-to host, the same TLS database, timeout, idle-timeout and
 * user agent, no content decoder, SOUP_MESSAGE_NO_REDIRECT. Rules are
 * found through a hash table on the host.
 */

#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

typedef struct _BenchPlain BenchPlain;

/* specs: NULL-terminated HOST:PORT:CONNECT_HOST:CONNECT_PORT rules
 * (IPv4 CONNECT_HOST only) */
BenchPlain *bench_plain_new          (GTlsDatabase       *database,
                                      const char * const *specs);
void        bench_plain_free         (BenchPlain         *plain);
void        bench_plain_set_timeout  (BenchPlain         *plain,
                                      guint               timeout_ms);
/* GET url; TRUE on a 200 with a non-empty body. */
gboolean    bench_plain_get          (BenchPlain         *plain,
                                      const char         *url);
void        bench_plain_get_async    (BenchPlain         *plain,
                                      const char         *url,
                                      GAsyncReadyCallback callback,
                                      gpointer            user_data);
gboolean    bench_plain_get_finish   (GAsyncResult       *result);

G_END_DECLS
