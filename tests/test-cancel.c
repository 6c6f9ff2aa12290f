/* test-cancel.c: cancellation at every await point
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * A verification (posh_verifier_verify_certificate_async) or a fetch
 * (posh_verifier_fetch_async) is cancelled while it waits at each place it
 * can wait: before it starts, before the TCP connection, in the middle of
 * the TLS handshake, between the headers and the body, in the middle of the
 * body, and while it fetches the document a reference points to. Each time
 * the callback must run exactly once, with G_IO_ERROR_CANCELLED; the server
 * must see the client leave (no request left running there); and every
 * file descriptor must be closed again.
 */

#include "config.h"

#include <string.h>

#include "posh-private.h"
#include "posh-test-server.h"
#include "posh-test-utils.h"
#include "hostile-server.h"
#include "files/fingerprints.h"

#define HOST       "example.com"
#define SERVICE    "xmpp-client"
#define WELL_KNOWN "/.well-known/posh/" SERVICE ".json"

/* Long: only cancellation may end these operations. */
#define TIMEOUT_MS 20000

#define GOOD_DOCUMENT \
  "{\"fingerprints\":[{\"sha-256\":\"" FP_HOSTING_EXAMPLE_NET_SHA256 "\"}],\"expires\":60}"

typedef enum
{
  OP_VERIFY,
  OP_FETCH,
} Operation;

typedef struct
{
  guint   calls;
  GError *error;       /* (owned) (nullable) */
  gboolean ok;
} Outcome;

static void
verify_done_cb (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  Outcome *outcome = user_data;
  PoshVerifyStatus status = POSH_VERIFY_STATUS_NONE;

  outcome->calls++;
  g_clear_error (&outcome->error);
  outcome->ok = posh_verifier_verify_certificate_finish (POSH_VERIFIER (source), result,
                                                         &status, &outcome->error);
}

static void
fetch_done_cb (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  Outcome *outcome = user_data;
  g_autoptr(PoshDocument) document = NULL;

  outcome->calls++;
  g_clear_error (&outcome->error);
  document = posh_verifier_fetch_finish (POSH_VERIFIER (source), result, &outcome->error);
  outcome->ok = document != NULL;
}

static PoshVerifier *
new_verifier (void)
{
  g_autoptr(GTlsDatabase) database = posh_test_tls_database ();
  PoshVerifier *verifier = posh_verifier_new ();

  posh_verifier_set_tls_database (verifier, database);
  posh_verifier_set_flags (verifier, POSH_VERIFIER_FLAGS_NO_CACHE);
  posh_verifier_set_timeout (verifier, TIMEOUT_MS);
  return verifier;
}

static void
start (PoshVerifier *verifier,
       Operation     op,
       GCancellable *cancellable,
       Outcome      *outcome)
{
  if (op == OP_VERIFY)
    {
      g_autoptr(GTlsCertificate) certificate = posh_test_certificate ("hosting.example.net.pem");

      posh_verifier_verify_certificate_async (verifier, certificate, HOST, SERVICE,
                                              cancellable, verify_done_cb, outcome);
    }
  else
    {
      posh_verifier_fetch_async (verifier, HOST, SERVICE, cancellable,
                                 fetch_done_cb, outcome);
    }
}

static gboolean
called_cb (gpointer user_data)
{
  return ((Outcome *) user_data)->calls > 0;
}

/* Waits for the callback, then a little more to see it is not called a
 * second time, and checks it reported the cancellation. */
static void
assert_cancelled_once (Outcome *outcome)
{
  g_assert_true (hardening_iterate_until (called_cb, outcome, 2 * TIMEOUT_MS));
  hardening_iterate (50);
  g_assert_cmpuint (outcome->calls, ==, 1);
  g_assert_false (outcome->ok);
  g_assert_error (outcome->error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_clear_error (&outcome->error);
}

/* ---- before anything happens -------------------------------------------- */

static void
test_cancelled_before_start (gconstpointer data)
{
  Operation op = GPOINTER_TO_INT (data);
  HardeningUsage usage;

  POSH_TEST_SKIP_IF_NO_TLS ();

  hardening_usage_begin (&usage);
  {
    g_autoptr(HostileServer) server = hostile_server_new (HOST, HOSTILE_STALL_ON_ACCEPT);
    g_autoptr(PoshVerifier) verifier = new_verifier ();
    g_autofree char *spec = hostile_server_connect_to_spec (server, HOST);
    g_autoptr(GCancellable) cancellable = g_cancellable_new ();
    Outcome outcome = { 0 };

    posh_test_verifier_add_connect_to (verifier, spec);
    g_cancellable_cancel (cancellable);
    start (verifier, op, cancellable, &outcome);
    assert_cancelled_once (&outcome);
    /* Already cancelled: not even a connection. */
    g_assert_cmpuint (hostile_server_get_n_accepted (server), ==, 0);
  }
  hardening_usage_end (&usage, "cancelled before the start", 16 * 1024);
}

/* Cancelled right after the call returns, before the main loop ran: the
 * name is normalised and the connection not yet made. */
static void
test_cancel_before_connect (gconstpointer data)
{
  Operation op = GPOINTER_TO_INT (data);
  HardeningUsage usage;

  POSH_TEST_SKIP_IF_NO_TLS ();

  hardening_usage_begin (&usage);
  {
    g_autoptr(HostileServer) server = hostile_server_new (HOST, HOSTILE_STALL_ON_ACCEPT);
    g_autoptr(PoshVerifier) verifier = new_verifier ();
    g_autofree char *spec = hostile_server_connect_to_spec (server, HOST);
    g_autoptr(GCancellable) cancellable = g_cancellable_new ();
    Outcome outcome = { 0 };

    posh_test_verifier_add_connect_to (verifier, spec);
    start (verifier, op, cancellable, &outcome);
    g_assert_cmpuint (outcome.calls, ==, 0);
    g_cancellable_cancel (cancellable);
    assert_cancelled_once (&outcome);
    g_assert_cmpuint (hostile_server_wait_idle (server, 5000), ==, 0);
  }
  hardening_usage_end (&usage, "cancelled before connecting", 16 * 1024);
}

/* ---- at a point the server can see --------------------------------------- */

typedef struct
{
  HostileServer *server;
  guint64        bytes;     /* wait until the server wrote this many */
  guint          requests;  /* ... and read this many request heads */
} Progress;

static gboolean
server_progressed_cb (gpointer user_data)
{
  Progress *p = user_data;

  return hostile_server_get_n_accepted (p->server) > 0 &&
         hostile_server_get_bytes_sent (p->server) >= p->bytes &&
         hostile_server_get_n_requests (p->server) >= p->requests;
}

typedef struct
{
  const char       *path;
  Operation         op;
  HostileBehaviour  behaviour;
  guint64           bytes;
  guint             requests;
} AwaitPoint;

/* The server behaves as behaviour; once it has written `bytes` bytes and
 * read `requests` request heads, the client is waiting at the point under
 * test, and is cancelled there. */
static void
test_cancel_at (gconstpointer data)
{
  const AwaitPoint *point = data;
  HardeningUsage usage;

  POSH_TEST_SKIP_IF_NO_TLS ();

  hardening_usage_begin (&usage);
  {
    g_autoptr(HostileServer) server = hostile_server_new (HOST, point->behaviour);
    g_autoptr(PoshVerifier) verifier = new_verifier ();
    g_autofree char *spec = hostile_server_connect_to_spec (server, HOST);
    g_autoptr(GCancellable) cancellable = g_cancellable_new ();
    Progress progress = { server, point->bytes, point->requests };
    Outcome outcome = { 0 };

    hostile_server_set_body (server, GOOD_DOCUMENT);
    /* SLOWLORIS: 5 ms a byte reaches the body in about half a second */
    hostile_server_set_interval (server, 5);
    posh_test_verifier_add_connect_to (verifier, spec);
    start (verifier, point->op, cancellable, &outcome);
    g_assert_true (hardening_iterate_until (server_progressed_cb, &progress, TIMEOUT_MS));
    g_assert_cmpuint (outcome.calls, ==, 0);

    g_cancellable_cancel (cancellable);
    assert_cancelled_once (&outcome);
    /* The client closed its connection: the server thread saw it go. */
    g_assert_cmpuint (hostile_server_wait_idle (server, 5000), ==, 0);
  }
  hardening_usage_end (&usage, point->path, 16 * 1024);
}

/* Response head: "HTTP/1.1 200 OK" + two headers, about 80 bytes. */
#define HEAD_BYTES 60

static const AwaitPoint await_points[] = {
  /* the server read the ClientHello and sent part of a ServerHello */
  { "/cancel/verify/mid-handshake", OP_VERIFY, HOSTILE_STALL_MID_HANDSHAKE, 1, 0 },
  { "/cancel/fetch/mid-handshake", OP_FETCH, HOSTILE_STALL_MID_HANDSHAKE, 1, 0 },
  /* TLS is up and the request was read; no answer yet */
  { "/cancel/verify/awaiting-response", OP_VERIFY, HOSTILE_SLOWLORIS, 0, 1 },
  /* the headers came, the body does not */
  { "/cancel/verify/after-headers", OP_VERIFY, HOSTILE_SILENCE_AFTER_HEADERS, HEAD_BYTES, 1 },
  { "/cancel/fetch/after-headers", OP_FETCH, HOSTILE_SILENCE_AFTER_HEADERS, HEAD_BYTES, 1 },
  /* part of the body came, one byte at a time */
  { "/cancel/verify/mid-body", OP_VERIFY, HOSTILE_SLOWLORIS, HEAD_BYTES + 40, 1 },
  { "/cancel/fetch/mid-body", OP_FETCH, HOSTILE_SLOWLORIS, HEAD_BYTES + 40, 1 },
};

/* ---- during the fetch of a reference's target (R28) ---------------------- */

static void
test_cancel_during_reference (gconstpointer data)
{
  Operation op = GPOINTER_TO_INT (data);
  HardeningUsage usage;

  POSH_TEST_SKIP_IF_NO_TLS ();

  hardening_usage_begin (&usage);
  {
    g_autoptr(PoshTestServer) source = posh_test_server_new (HOST);
    g_autoptr(HostileServer) target = hostile_server_new ("hosting.example.net",
                                                          HOSTILE_SILENCE_AFTER_HEADERS);
    g_autoptr(PoshVerifier) verifier = new_verifier ();
    g_autofree char *source_spec = posh_test_server_connect_to_spec (source, HOST);
    g_autofree char *target_spec = hostile_server_connect_to_spec (target, "hosting.example.net");
    g_autofree char *reference = posh_test_reference_json ("https://hosting.example.net/posh.json", 3600);
    g_autoptr(GCancellable) cancellable = g_cancellable_new ();
    Progress progress = { target, HEAD_BYTES, 1 };
    Outcome outcome = { 0 };

    posh_test_server_set_json (source, WELL_KNOWN, reference);
    hostile_server_set_body (target, GOOD_DOCUMENT);
    posh_test_verifier_add_connect_to (verifier, source_spec);
    posh_test_verifier_add_connect_to (verifier, target_spec);

    start (verifier, op, cancellable, &outcome);
    g_assert_true (hardening_iterate_until (server_progressed_cb, &progress, TIMEOUT_MS));
    g_assert_cmpuint (posh_test_server_get_request_count (source, WELL_KNOWN), ==, 1);
    g_assert_cmpuint (outcome.calls, ==, 0);

    g_cancellable_cancel (cancellable);
    assert_cancelled_once (&outcome);
    g_assert_cmpuint (hostile_server_wait_idle (target, 5000), ==, 0);
  }
  hardening_usage_end (&usage, "cancelled while fetching the reference's target", 16 * 1024);
}

/* ---- shared fetches ------------------------------------------------------ */

/* Two verifications of the same domain share one fetch: cancelling one
 * ends that one only; the other still gets its verdict. Then cancelling
 * the last waiter stops the fetch itself. */
static void
test_cancel_one_of_two (void)
{
  HardeningUsage usage;

  POSH_TEST_SKIP_IF_NO_TLS ();

  hardening_usage_begin (&usage);
  {
    g_autoptr(HostileServer) server = hostile_server_new (HOST, HOSTILE_SLOWLORIS);
    g_autoptr(PoshVerifier) verifier = new_verifier ();
    g_autofree char *spec = hostile_server_connect_to_spec (server, HOST);
    g_autoptr(GCancellable) first = g_cancellable_new ();
    g_autoptr(GCancellable) second = g_cancellable_new ();
    Progress progress = { server, HEAD_BYTES, 1 };
    Outcome a = { 0 }, b = { 0 };

    /* without NO_CACHE: the two share the in-flight fetch */
    posh_verifier_set_flags (verifier, POSH_VERIFIER_FLAGS_NONE);
    hostile_server_set_body (server, GOOD_DOCUMENT);
    hostile_server_set_interval (server, 1);
    posh_test_verifier_add_connect_to (verifier, spec);

    start (verifier, OP_VERIFY, first, &a);
    start (verifier, OP_VERIFY, second, &b);
    g_assert_true (hardening_iterate_until (server_progressed_cb, &progress, TIMEOUT_MS));
    g_cancellable_cancel (first);
    assert_cancelled_once (&a);

    /* The second one goes on to the end. */
    g_assert_true (hardening_iterate_until (called_cb, &b, TIMEOUT_MS));
    hardening_iterate (50);
    g_assert_cmpuint (b.calls, ==, 1);
    g_assert_no_error (b.error);
    g_assert_true (b.ok);
    g_assert_cmpuint (hostile_server_get_n_accepted (server), ==, 1);
  }
  hardening_usage_end (&usage, "one of two cancelled", 16 * 1024);
}

/* Cancelling after the callback ran changes nothing. */
static void
test_cancel_after_completion (void)
{
  HardeningUsage usage;

  POSH_TEST_SKIP_IF_NO_TLS ();

  hardening_usage_begin (&usage);
  {
    g_autoptr(PoshTestServer) server = posh_test_server_new (HOST);
    g_autoptr(PoshVerifier) verifier = new_verifier ();
    g_autofree char *spec = posh_test_server_connect_to_spec (server, HOST);
    g_autoptr(GCancellable) cancellable = g_cancellable_new ();
    Outcome outcome = { 0 };

    posh_test_server_set_json (server, WELL_KNOWN, GOOD_DOCUMENT);
    posh_test_verifier_add_connect_to (verifier, spec);
    start (verifier, OP_VERIFY, cancellable, &outcome);
    g_assert_true (hardening_iterate_until (called_cb, &outcome, TIMEOUT_MS));
    g_assert_no_error (outcome.error);
    g_assert_true (outcome.ok);

    g_cancellable_cancel (cancellable);
    hardening_iterate (50);
    g_assert_cmpuint (outcome.calls, ==, 1);
  }
  hardening_usage_end (&usage, "cancelled after completion", 16 * 1024);
}

int
main (int    argc,
      char **argv)
{
  posh_test_init (&argc, &argv);

  g_test_add_data_func ("/cancel/verify/before-start", GINT_TO_POINTER (OP_VERIFY),
                        test_cancelled_before_start);
  g_test_add_data_func ("/cancel/fetch/before-start", GINT_TO_POINTER (OP_FETCH),
                        test_cancelled_before_start);
  g_test_add_data_func ("/cancel/verify/before-connect", GINT_TO_POINTER (OP_VERIFY),
                        test_cancel_before_connect);
  g_test_add_data_func ("/cancel/fetch/before-connect", GINT_TO_POINTER (OP_FETCH),
                        test_cancel_before_connect);
  for (gsize i = 0; i < G_N_ELEMENTS (await_points); i++)
    g_test_add_data_func (await_points[i].path, &await_points[i], test_cancel_at);
  g_test_add_data_func ("/cancel/verify/R28/during-reference", GINT_TO_POINTER (OP_VERIFY),
                        test_cancel_during_reference);
  g_test_add_data_func ("/cancel/fetch/R28/during-reference", GINT_TO_POINTER (OP_FETCH),
                        test_cancel_during_reference);
  g_test_add_func ("/cancel/verify/one-of-two-shared", test_cancel_one_of_two);
  g_test_add_func ("/cancel/verify/after-completion", test_cancel_after_completion);

  if (posh_test_have_tls ())
    hardening_warm_up ();
  return g_test_run ();
}
