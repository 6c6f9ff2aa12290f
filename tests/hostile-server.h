/* hostile-server.h: raw-socket servers that misbehave, for the hardening tests
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * A HostileServer listens on 127.0.0.1 (port chosen by the kernel) and
 * treats every connection it accepts the same way, as its behaviour says:
 * the things SoupServer will not do (resets at every stage, a TLS handshake
 * that stops half-way, one byte per 100 ms, bodies that never end, lies in
 * Content-Length, gzip bombs, malformed HTTP). Each connection runs in its
 * own thread with blocking I/O; hostile_server_free() wakes them all, joins
 * them and closes every socket, so a test can check that its file
 * descriptors come back to where they started.
 *
 * The TLS identity is one of tests/files (see posh-test-server.h), and the
 * client reaches it curl --connect-to style:
 *
 *   g_autoptr(HostileServer) server = hostile_server_new ("example.com",
 *                                                         HOSTILE_SLOWLORIS);
 *   g_autofree char *spec = hostile_server_connect_to_spec (server, "example.com");
 *   posh_verifier_add_connect_to (verifier, spec, &error);
 *
 * Responses carry the body set with hostile_server_set_body() (a valid
 * fingerprints document by default); RAW and PLAINTEXT send the bytes set
 * with hostile_server_set_raw() instead of a response of their own.
 */

#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

typedef enum
{
  /* before TLS */
  HOSTILE_RESET_ON_ACCEPT,        /* TCP RST as soon as accepted */
  HOSTILE_STALL_ON_ACCEPT,        /* accept, then never say anything */
  HOSTILE_PLAINTEXT,              /* answer the ClientHello with the raw bytes, no TLS */
  /* during the handshake: read the ClientHello, send the first bytes of a
   * ServerHello record that announces more, then... */
  HOSTILE_STALL_MID_HANDSHAKE,    /* ...nothing, ever */
  HOSTILE_RESET_MID_HANDSHAKE,    /* ...TCP RST */
  /* after a real handshake */
  HOSTILE_RESET_AFTER_REQUEST,    /* read the request head, then RST */
  HOSTILE_RESET_MID_HEADERS,      /* half a header block, then RST */
  HOSTILE_RESET_MID_BODY,         /* headers, half the body, then RST */
  HOSTILE_SILENCE_AFTER_HEADERS,  /* headers (with Content-Length), then nothing */
  HOSTILE_SLOWLORIS,              /* the whole response, one byte per interval */
  HOSTILE_ENDLESS_CHUNKED,        /* chunked, 1 KiB chunks until the client leaves */
  HOSTILE_HUGE_CONTENT_LENGTH,    /* Content-Length: 2 GiB, and bytes until the client leaves */
  HOSTILE_GZIP_BOMB,              /* Content-Encoding: gzip of the body + 64 MiB of spaces */
  HOSTILE_RAW,                    /* the raw bytes as the whole response, then close */
  /* R10: a well-behaved server that speaks only one protocol version */
  HOSTILE_TLS_1_0_ONLY,           /* only TLS 1.0, then the document */
  HOSTILE_TLS_1_2_ONLY,           /* only TLS 1.2, then the document (the control) */
} HostileBehaviour;

typedef struct _HostileServer HostileServer;

/* Asserts on failure (call POSH_TEST_SKIP_IF_NO_TLS first). */
HostileServer *hostile_server_new             (const char       *identity,
                                               HostileBehaviour  behaviour);
void           hostile_server_free            (HostileServer    *server);

/* The document sent as the body of a response (copied). */
void           hostile_server_set_body        (HostileServer    *server,
                                               const char       *body);
/* The bytes RAW and PLAINTEXT send (copied). */
void           hostile_server_set_raw         (HostileServer    *server,
                                               const void       *data,
                                               gsize             len);
/* SLOWLORIS: the pause between two bytes (default 100 ms). */
void           hostile_server_set_interval    (HostileServer    *server,
                                               guint             interval_ms);

guint16        hostile_server_get_port        (HostileServer    *server);
/* "HOST:443:127.0.0.1:PORT" (transfer full) */
char          *hostile_server_connect_to_spec (HostileServer    *server,
                                               const char       *host);

/* Connections accepted so far; request heads read completely so far;
 * response bytes written so far (body and headers, before any TLS). */
guint          hostile_server_get_n_accepted  (HostileServer    *server);
guint          hostile_server_get_n_requests  (HostileServer    *server);
guint64        hostile_server_get_bytes_sent  (HostileServer    *server);

/* Waits until no connection is open on the server side any more (each
 * connection thread has seen the client leave, or finished its script), or
 * until timeout_ms passed; returns the number still open (0: idle). A
 * condition wait, not a sleep: it returns as soon as the last one closes. */
guint          hostile_server_wait_idle       (HostileServer    *server,
                                               guint             timeout_ms);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (HostileServer, hostile_server_free)

/* ---- resource accounting for the hardening tests ------------------------ *
 *
 *   HardeningUsage usage;
 *   hardening_usage_begin (&usage);
 *   ... create servers and verifiers, run the case, free them all ...
 *   hardening_usage_end (&usage, "slowloris", 16 * 1024);
 *
 * _end lets pending main-context work finish (up to 2 s, returning as soon
 * as the count is back), asserts that the number of open file descriptors
 * is what it was at _begin, and reports (g_test_message) and bounds the
 * peak resident memory growth in between. The bound is skipped under
 * valgrind and AddressSanitizer, whose own memory use swamps the figure.
 */

typedef struct
{
  guint   fds;
  guint64 rss_kb;
  gint64  start_us;
} HardeningUsage;

/* Entries of /proc/self/fd, not counting the one used to read it. */
guint    hardening_count_fds         (void);
/* A field of /proc/self/status in kB (VmRSS, VmHWM...). */
guint64  hardening_status_kb         (const char *field);
gboolean hardening_under_valgrind    (void);
gboolean hardening_under_asan        (void);
/* A client timeout scaled for valgrind (x10). */
guint    hardening_timeout_ms        (guint ms);

/* Runs the thread-default main context for ms milliseconds (a wait that
 * keeps async work moving, not a sleep). */
void     hardening_iterate           (guint           ms);
/* Runs it until cond (user_data) is TRUE or timeout_ms passed; returns
 * whether cond became TRUE. */
gboolean hardening_iterate_until     (gboolean      (*cond) (gpointer user_data),
                                      gpointer        user_data,
                                      guint           timeout_ms);

/* One good fetch from a loopback PoshTestServer, so that what GIO, GnuTLS
 * and p11-kit set up once per process (modules, trust, thread pools) is in
 * place before the first count. Call from main () when TLS is available. */
void     hardening_warm_up           (void);

void     hardening_usage_begin       (HardeningUsage *usage);
/* Returns the peak growth in kB. */
guint64  hardening_usage_end         (HardeningUsage *usage,
                                      const char     *what,
                                      guint64         max_growth_kb);

G_END_DECLS
