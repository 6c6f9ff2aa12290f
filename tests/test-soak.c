/* test-soak.c: thousands of concurrent verifications on one main loop
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * POSH_SOAK_N verifications (default 1000; 300 under AddressSanitizer)
 * start at
 * once on one PoshVerifier and one main loop, each for its own domain
 * dNNNNN.example.com (the test certificate covers *.example.com). Each
 * domain is sent, with connect_to, to one of six loopback servers
 * (HostileServer, one thread per connection) chosen
 * at random (seeded with POSH_SOAK_SEED, printed, so a failure can be
 * replayed): a good document, a document with another fingerprint, 404,
 * 500, a stall after the headers (the timeout), or a reset after the
 * request. Every verification must end exactly once with the verdict its
 * server deserves; afterwards every file descriptor must be closed again,
 * and the peak memory is reported.
 *
 * Not run under valgrind (suite 'no-valgrind'): valgrind runs one thread at
 * a time and a TLS handshake takes about a second there, so even 50
 * verifications outlast any sensible timeout. test-cancel and test-hostile
 * cover the same code paths under valgrind one connection at a time.
 */

#include "config.h"

#include <string.h>
#include <sys/resource.h>

#include "posh-private.h"
#include "posh-test-utils.h"
#include "hostile-server.h"
#include "files/fingerprints.h"

#define SERVICE    "xmpp-client"

#define DEFAULT_N          1000
#define DEFAULT_N_ASAN     300
/* Main-loop time per verification when a thousand run at once: 15 to
 * 45 ms measured on 2 cores (glib-networking parses the system trust store
 * for every new TLS connection, and the main loop polls every socket).
 * The timeout must let the last good one finish with room to spare, since
 * the stalled ones only end with it. */
#define MS_PER_VERIFICATION 90
#define DEFAULT_SEED       20261128

typedef enum
{
  KIND_GOOD,
  KIND_WRONG_FINGERPRINT,
  KIND_NOT_FOUND,
  KIND_SERVER_ERROR,
  KIND_STALL,
  KIND_RESET,
  N_KINDS
} Kind;

static const char *const kind_names[N_KINDS] = {
  "good", "wrong fingerprint", "404", "500", "stall", "reset",
};

typedef struct
{
  Kind    kind;
  guint   calls;
  gint64  ended;        /* monotonic, us */
  gboolean ok;
  PoshVerifyStatus status;
  GError *error;        /* (owned) (nullable) */
} Job;

typedef struct
{
  guint n_done;
} Soak;

static Soak soak;

static void
verify_done_cb (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  Job *job = user_data;

  job->calls++;
  job->ended = g_get_monotonic_time ();
  g_clear_error (&job->error);
  job->ok = posh_verifier_verify_certificate_finish (POSH_VERIFIER (source), result,
                                                     &job->status, &job->error);
  soak.n_done++;
}

static guint
env_uint (const char *name,
          guint       fallback)
{
  const char *value = g_getenv (name);

  return value != NULL && *value != '\0' ? (guint) g_ascii_strtoull (value, NULL, 10)
                                         : fallback;
}

/* Two descriptors per connection (client and server side) live here. */
static void
raise_fd_limit (void)
{
  struct rlimit limit;

  g_assert_cmpint (getrlimit (RLIMIT_NOFILE, &limit), ==, 0);
  limit.rlim_cur = limit.rlim_max;
  g_assert_cmpint (setrlimit (RLIMIT_NOFILE, &limit), ==, 0);
  g_test_message ("RLIMIT_NOFILE %lu", (unsigned long) limit.rlim_cur);
}

/* The verdict each kind of server deserves. */
static void
check_job (const Job *job)
{
  g_assert_cmpuint (job->calls, ==, 1);
  switch (job->kind)
    {
    case KIND_GOOD:
      g_assert_no_error (job->error);
      g_assert_true (job->ok);
      g_assert_cmpuint (job->status, ==, POSH_VERIFY_STATUS_NONE);
      break;
    case KIND_WRONG_FINGERPRINT:
      g_assert_no_error (job->error);
      g_assert_true (job->ok);
      g_assert_cmpuint (job->status, ==, POSH_VERIFY_STATUS_CERT_DIFFERS);
      break;
    case KIND_NOT_FOUND:
      g_assert_error (job->error, POSH_ERROR, POSH_ERROR_NO_POSH_DATA);
      break;
    case KIND_SERVER_ERROR:
    case KIND_RESET:
      g_assert_error (job->error, POSH_ERROR, POSH_ERROR_FETCH);
      break;
    case KIND_STALL:
      g_assert_error (job->error, POSH_ERROR, POSH_ERROR_TIMEOUT);
      break;
    case N_KINDS:
    default:
      g_assert_not_reached ();
    }
}

/* The whole response, then close: each server thread does the TLS
 * handshake itself (SoupServer would do it in GIO's shared thread pool,
 * where thousands of server handshakes queue behind the client's own). */
static void
set_response (HostileServer *server,
              const char    *status,
              const char    *body)
{
  g_autofree char *response = g_strdup_printf ("HTTP/1.1 %s\r\n"
                                               "Content-Type: application/json\r\n"
                                               "Content-Length: %" G_GSIZE_FORMAT "\r\n"
                                               "Connection: close\r\n"
                                               "\r\n%s",
                                               status, strlen (body), body);

  hostile_server_set_raw (server, response, strlen (response));
}

static gboolean
all_done_cb (gpointer user_data)
{
  return soak.n_done >= GPOINTER_TO_UINT (user_data);
}

static void
test_soak (void)
{
  guint n = env_uint ("POSH_SOAK_N", hardening_under_asan () ? DEFAULT_N_ASAN : DEFAULT_N);
  guint seed = env_uint ("POSH_SOAK_SEED", DEFAULT_SEED);
  guint timeout_ms = env_uint ("POSH_SOAK_TIMEOUT_MS",
                               hardening_timeout_ms (MAX (5000, n * MS_PER_VERIFICATION) *
                                                     (hardening_under_asan () ? 3 : 1)));
  gint64 last_answer = 0;
  guint counts[N_KINDS] = { 0 };
  HardeningUsage usage;
  gint64 start;

  POSH_TEST_SKIP_IF_NO_TLS ();

  g_test_message ("POSH_SOAK_N=%u POSH_SOAK_SEED=%u timeout %u ms", n, seed, timeout_ms);
  raise_fd_limit ();

  hardening_usage_begin (&usage);
  {
    HostileServer *servers[N_KINDS] = {
      hostile_server_new ("example.com", HOSTILE_RAW),
      hostile_server_new ("example.com", HOSTILE_RAW),
      hostile_server_new ("example.com", HOSTILE_RAW),
      hostile_server_new ("example.com", HOSTILE_RAW),
      hostile_server_new ("example.com", HOSTILE_SILENCE_AFTER_HEADERS),
      hostile_server_new ("example.com", HOSTILE_RESET_AFTER_REQUEST),
    };
    g_autoptr(GTlsDatabase) database = posh_test_tls_database ();
    g_autoptr(PoshVerifier) verifier = posh_verifier_new ();
    g_autoptr(GTlsCertificate) certificate = NULL;
    g_autoptr(GRand) rand = g_rand_new_with_seed (seed);
    g_autofree char *good_json = posh_test_fingerprints_json (FP_HOSTING_EXAMPLE_NET_SHA256, 3600);
    g_autofree char *wrong_json = posh_test_fingerprints_json (FP_XMPP_OTHER_SHA256, 3600);
    g_autofree char *cert_path = posh_test_file ("hosting.example.net.pem");
    g_autofree Job *jobs = g_new0 (Job, n);
    g_autoptr(GError) error = NULL;

    certificate = g_tls_certificate_new_from_file (cert_path, &error);
    g_assert_no_error (error);
    set_response (servers[KIND_GOOD], "200 OK", good_json);
    set_response (servers[KIND_WRONG_FINGERPRINT], "200 OK", wrong_json);
    set_response (servers[KIND_NOT_FOUND], "404 Not Found", "");
    set_response (servers[KIND_SERVER_ERROR], "500 Internal Server Error", "oops");

    posh_verifier_set_tls_database (verifier, database);
    posh_verifier_set_timeout (verifier, timeout_ms);
    for (guint i = 0; i < n; i++)
      {
        g_autofree char *spec = NULL;

        jobs[i].kind = (Kind) g_rand_int_range (rand, 0, N_KINDS);
        counts[jobs[i].kind]++;
        spec = g_strdup_printf ("d%05u.example.com:443:127.0.0.1:%u", i,
                                hostile_server_get_port (servers[jobs[i].kind]));
        posh_test_verifier_add_connect_to (verifier, spec);
      }
    for (guint k = 0; k < N_KINDS; k++)
      g_test_message ("%s: %u", kind_names[k], counts[k]);

    soak.n_done = 0;
    start = g_get_monotonic_time ();
    for (guint i = 0; i < n; i++)
      {
        g_autofree char *domain = g_strdup_printf ("d%05u.example.com", i);

        posh_verifier_verify_certificate_async (verifier, certificate, domain, SERVICE,
                                                NULL, verify_done_cb, &jobs[i]);
      }
    g_test_message ("%u started, %u fds open", n, hardening_count_fds ());

    g_assert_true (hardening_iterate_until (all_done_cb, GUINT_TO_POINTER (n),
                                            timeout_ms + 120000));
    g_test_message ("all %u ended after %.1f s", n,
                    (g_get_monotonic_time () - start) / 1e6);
    /* Late second callbacks would show up here. */
    hardening_iterate (100);
    g_assert_cmpuint (soak.n_done, ==, n);

    for (guint i = 0; i < n; i++)
      if (jobs[i].kind != KIND_STALL)
        last_answer = MAX (last_answer, jobs[i].ended);
    g_test_message ("the last answer that was not a timeout came after %.1f s "
                    "(timeout %.1f s)", (last_answer - start) / 1e6, timeout_ms / 1e3);
    for (guint i = 0; i < n; i++)
      {
        if (jobs[i].calls != 1 || (jobs[i].error != NULL) != (jobs[i].kind >= KIND_NOT_FOUND))
          g_test_message ("d%05u.example.com (%s): %u calls, %s", i,
                          kind_names[jobs[i].kind], jobs[i].calls,
                          jobs[i].error != NULL ? jobs[i].error->message : "no error");
        check_job (&jobs[i]);
        g_clear_error (&jobs[i].error);
      }
    g_object_unref (verifier);
    verifier = NULL;
    for (guint k = 0; k < N_KINDS; k++)
      {
        /* the client closed every connection: no request left running */
        g_assert_cmpuint (hostile_server_wait_idle (servers[k], 5000), ==, 0);
        g_assert_cmpuint (hostile_server_get_n_accepted (servers[k]), ==, counts[k]);
        hostile_server_free (servers[k]);
      }
  }
  /* The peak holds n sessions, connections and TLS states at once: about
   * 210 KiB each measured, on both sides of the loopback. */
  hardening_usage_end (&usage, "soak", (guint64) n * 512);
}

int
main (int    argc,
      char **argv)
{
  posh_test_init (&argc, &argv);

  g_test_add_func ("/soak/concurrent-mixed", test_soak);

  if (posh_test_have_tls ())
    hardening_warm_up ();
  return g_test_run ();
}
