/* posh-test-prosody.h: a real Prosody on loopback for the posh-tool tests
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Starts `prosody --config FILE -F` (ENVIRONMENT.md §5) in a temporary
 * directory, from tests/prosody/prosody.cfg.lua.in, with c2s and s2s on
 * free 127.0.0.1 ports and VirtualHost "example.com" presenting the given
 * certificate. It is ready when its log says both services are active (no
 * polling, no sleeps; at most 60 s). The child gets SIGTERM if the test
 * process dies, and posh_test_prosody_stop() terminates it and removes the
 * directory.
 *
 *   g_autofree char *program = posh_test_prosody_find ();   // NULL: skip
 *   PoshTestProsody *p = posh_test_prosody_start (program, template, cert, key, &error);
 *   ... posh_test_prosody_get_c2s_port (p) ...
 *   posh_test_prosody_stop (p);
 */

#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

typedef struct _PoshTestProsody PoshTestProsody;

/* The prosody program, or NULL when it is not installed. (transfer full) */
char            *posh_test_prosody_find         (void);

/* NULL with an error holding Prosody's log when it did not come up. */
PoshTestProsody *posh_test_prosody_start        (const char   *program,
                                                 const char   *config_template,
                                                 const char   *certificate,
                                                 const char   *key,
                                                 GError      **error);
guint16          posh_test_prosody_get_c2s_port (PoshTestProsody *prosody);
guint16          posh_test_prosody_get_s2s_port (PoshTestProsody *prosody);
void             posh_test_prosody_stop         (PoshTestProsody *prosody);

G_END_DECLS
