/* test-posh-tool.c: the posh-tool command line, end to end
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Runs the built posh-tool (POSH_TOOL_PATH) with GSubprocess and checks its
 * exit status, its text output and its --json output, parsed. The HTTPS
 * side is the loopback POSH host of posh-test-server.h, in this process,
 * reached through --cafile tests/files/ca.pem and --connect-to, so URLs,
 * SNI and certificate checks keep the real names. `check` runs against
 * in-process TLS and XMPP-STARTTLS services and against a real Prosody
 * started on loopback in a temporary directory (skipped only when prosody
 * is not installed). Nothing but 127.0.0.1 is ever contacted.
 */

#include "config.h"

#include <signal.h>
#include <string.h>
#include <sys/prctl.h>

#include <json-glib/json-glib.h>

#include "posh-test-server.h"
#include "posh-test-utils.h"
#include "test-posh-tool-service.h"
#include "files/fingerprints.h"
#include "prosody/posh-test-prosody.h"

#define WK_CLIENT   "/.well-known/posh/xmpp-client.json"
#define WK_SERVER   "/.well-known/posh/xmpp-server.json"
#define HOSTING_URL "https://hosting.example.net/.well-known/posh/xmpp-client.json"

#define DOC_HOSTING "{\"fingerprints\":[{\"sha-256\":\"" FP_HOSTING_EXAMPLE_NET_SHA256 "\"}]," \
                    "\"expires\":86400}"
#define DOC_OTHER   "{\"fingerprints\":[{\"sha-256\":\"" FP_XMPP_OTHER_SHA256 "\"}]," \
                    "\"expires\":86400}"

/* ---- running the tool --------------------------------------------------- */

typedef struct
{
  int         status;
  char       *out;
  char       *err;
  JsonParser *parser;
  JsonObject *json;    /* (unowned) the root, when --json was given */
} Run;

static void
run_clear (Run *run)
{
  g_clear_pointer (&run->out, g_free);
  g_clear_pointer (&run->err, g_free);
  g_clear_object (&run->parser);
  run->json = NULL;
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Run, run_clear)

/* The loopback POSH hosts: example.com (source) and hosting.example.net. */
typedef struct
{
  PoshTestServer *example;
  PoshTestServer *hosting;
} Net;

static void
net_clear (Net *net)
{
  g_clear_pointer (&net->example, posh_test_server_free);
  g_clear_pointer (&net->hosting, posh_test_server_free);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Net, net_clear)

static void
net_init (Net *net)
{
  net->example = posh_test_server_new ("example.com");
  net->hosting = posh_test_server_new ("hosting.example.net");
}

static void
add_net_args (GPtrArray *args,
              Net       *net)
{
  g_ptr_array_add (args, g_strdup ("--cafile"));
  g_ptr_array_add (args, posh_test_file ("ca.pem"));
  g_ptr_array_add (args, g_strdup ("--connect-to"));
  g_ptr_array_add (args, posh_test_server_connect_to_spec (net->example, "example.com"));
  g_ptr_array_add (args, g_strdup ("--connect-to"));
  g_ptr_array_add (args, posh_test_server_connect_to_spec (net->hosting,
                                                           "hosting.example.net"));
}

/* posh-tool COMMAND [network options] (transfer full) */
static GPtrArray *
tool_args_new (const char *command,
               Net        *net)
{
  GPtrArray *args = g_ptr_array_new_with_free_func (g_free);

  g_ptr_array_add (args, g_strdup (POSH_TOOL_PATH));
  g_ptr_array_add (args, g_strdup (command));
  if (net)
    add_net_args (args, net);
  return args;
}

/* Runs @args followed by the arguments of @ap up to NULL. */
static void
run_args (Run       *run,
          GPtrArray *args,
          va_list    ap)
{
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *line = NULL;
  gboolean json = FALSE;
  const char *arg;

  while ((arg = va_arg (ap, const char *)))
    g_ptr_array_add (args, g_strdup (arg));
  for (guint i = 0; i < args->len; i++)
    json |= g_strcmp0 (g_ptr_array_index (args, i), "--json") == 0;
  g_ptr_array_add (args, NULL);
  line = g_strjoinv (" ", (char **) args->pdata);
  g_test_message ("$ %s", line);

  process = g_subprocess_newv ((const char * const *) args->pdata,
                               G_SUBPROCESS_FLAGS_STDOUT_PIPE |
                               G_SUBPROCESS_FLAGS_STDERR_PIPE, &error);
  g_assert_no_error (error);
  g_subprocess_communicate_utf8 (process, NULL, NULL, &run->out, &run->err, &error);
  g_assert_no_error (error);
  g_test_message ("stdout: %s\nstderr: %s", run->out, run->err);
  /* A crash is never an acceptable answer. */
  g_assert_true (g_subprocess_get_if_exited (process));
  run->status = g_subprocess_get_exit_status (process);

  if (json)
    {
      run->parser = json_parser_new ();
      json_parser_load_from_data (run->parser, run->out, -1, &error);
      g_assert_no_error (error);
      g_assert_true (JSON_NODE_HOLDS_OBJECT (json_parser_get_root (run->parser)));
      run->json = json_node_get_object (json_parser_get_root (run->parser));
      g_assert_cmpint (json_object_get_int_member (run->json, "exit"), ==, run->status);
    }
}

/* posh-tool COMMAND [network options] ARGS... NULL */
static void
tool (Run        *run,
      Net        *net,
      const char *command,
      ...)
{
  g_autoptr(GPtrArray) args = tool_args_new (command, net);
  va_list ap;

  va_start (ap, command);
  run_args (run, args, ap);
  va_end (ap);
}

/* Member access by a dotted path, "document.fingerprints.0.digest". */
static JsonNode *
json_path (JsonObject *root,
           const char *path)
{
  g_auto(GStrv) parts = g_strsplit (path, ".", -1);
  JsonNode *node = NULL;
  JsonObject *object = root;
  JsonArray *array = NULL;

  for (guint i = 0; parts[i]; i++)
    {
      if (array)
        node = json_array_get_element (array, (guint) g_ascii_strtoull (parts[i], NULL, 10));
      else
        {
          g_assert_nonnull (object);
          node = json_object_get_member (object, parts[i]);
        }
      g_assert_nonnull (node);
      object = JSON_NODE_HOLDS_OBJECT (node) ? json_node_get_object (node) : NULL;
      array = JSON_NODE_HOLDS_ARRAY (node) ? json_node_get_array (node) : NULL;
    }
  return node;
}

static const char *
json_str (Run        *run,
          const char *path)
{
  JsonNode *node = json_path (run->json, path);

  return JSON_NODE_HOLDS_NULL (node) ? NULL : json_node_get_string (node);
}

static gint64
json_int (Run        *run,
          const char *path)
{
  return json_node_get_int (json_path (run->json, path));
}

static gboolean
json_array_has (Run        *run,
                const char *path,
                const char *value)
{
  JsonArray *array = json_node_get_array (json_path (run->json, path));

  for (guint i = 0; i < json_array_get_length (array); i++)
    if (g_strcmp0 (json_array_get_string_element (array, i), value) == 0)
      return TRUE;
  return FALSE;
}

static char *
file_contents (const char *name)
{
  g_autoptr(GBytes) bytes = posh_test_file_bytes (name);

  return g_strndup (g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes));
}

/* A file in the test's temporary directory (G_TEST_OPTION_ISOLATE_DIRS). */
static char *
write_temp (const char *name,
            const void *data,
            gssize      len)
{
  g_autoptr(GError) error = NULL;
  char *path = g_build_filename (g_get_user_cache_dir (), name, NULL);

  g_mkdir_with_parents (g_get_user_cache_dir (), 0700);
  g_file_set_contents (path, data, len, &error);
  g_assert_no_error (error);
  return path;
}

/* ---- generate ----------------------------------------------------------- */

static void
test_generate_hosting (void)
{
  g_auto(Run) run = { 0 };
  g_autofree char *cert = posh_test_file ("hosting.example.net.pem");
  g_autofree char *expected = file_contents ("hosting.json");

  tool (&run, NULL, "generate", "--load-certificate", cert, "--expires", "86400", NULL);
  g_assert_cmpint (run.status, ==, 0);
  /* byte for byte the fixture, which create-files.sh derives from the cert */
  g_assert_cmpstr (run.out, ==, expected);
  g_assert_cmpstr (run.out, ==, DOC_HOSTING "\n");
}

/* R45/R46: one descriptor per certificate, in the order given; every
 * requested hash in each (E26: canonical padded base64). */
static void
test_generate_rollover (void)
{
  g_auto(Run) run = { 0 };
  g_autofree char *next = posh_test_file ("hosting-rollover.pem");
  g_autofree char *current = posh_test_file ("hosting.example.net.pem");

  tool (&run, NULL, "generate", "--load-certificate", next, "--load-certificate", current,
        "--hash", "sha-256,sha-512", "--expires", "604800", NULL);
  g_assert_cmpint (run.status, ==, 0);
  g_assert_cmpstr (run.out, ==,
                   "{\"fingerprints\":["
                   "{\"sha-256\":\"" FP_HOSTING_ROLLOVER_SHA256 "\","
                   "\"sha-512\":\"" FP_HOSTING_ROLLOVER_SHA512 "\"},"
                   "{\"sha-256\":\"" FP_HOSTING_EXAMPLE_NET_SHA256 "\","
                   "\"sha-512\":\"" FP_HOSTING_EXAMPLE_NET_SHA512 "\"}],"
                   "\"expires\":604800}\n");
}

/* generate --hash hash --expires 60 for tests/files/cert_name: exit 0 and
 * exactly the one-fingerprint document {"fingerprints":[{hash:fingerprint}],...}. */
static void
assert_generate_hash (Run        *run,
                      const char *cert_name,
                      const char *hash,
                      const char *fingerprint)
{
  g_autofree char *cert = posh_test_file (cert_name);
  g_autofree char *expected = g_strdup_printf ("{\"fingerprints\":[{\"%s\":\"%s\"}],"
                                               "\"expires\":60}\n", hash, fingerprint);

  tool (run, NULL, "generate", "--load-certificate", cert, "--hash", hash,
        "--expires", "60", NULL);
  g_assert_cmpint (run->status, ==, 0);
  g_assert_cmpstr (run->out, ==, expected);
}

/* R48: a publisher can move its document to a stronger hash (the verifier
 * side: sha-384 or sha-512 alone is enough, test-verify.c E5 rows). */
static void
test_generate_sha384 (void)
{
  g_auto(Run) run = { 0 };

  assert_generate_hash (&run, "example.com.pem", "sha-384", FP_EXAMPLE_COM_SHA384);
}

/* E4: sha-1 only when asked for, and then with a warning. */
static void
test_generate_sha1 (void)
{
  g_auto(Run) run = { 0 };

  assert_generate_hash (&run, "hosting.example.net.pem", "sha-1", FP_HOSTING_EXAMPLE_NET_SHA1);
  g_assert_nonnull (strstr (run.err, "warning: sha-1"));
}

/* E20: of a chain file, the leaf (the first certificate) is hashed. */
static void
test_generate_chain_leaf (void)
{
  g_auto(Run) run = { 0 };
  g_autofree char *chain = posh_test_file ("hosting.example.net-chain.pem");

  tool (&run, NULL, "generate", "--load-certificate", chain, "--expires", "86400", NULL);
  g_assert_cmpint (run.status, ==, 0);
  g_assert_cmpstr (run.out, ==, DOC_HOSTING "\n");
  g_assert_nonnull (strstr (run.err, "using the first"));
}

static void
test_generate_der (void)
{
  g_auto(Run) run = { 0 };
  g_autofree char *pem_path = posh_test_file ("hosting.example.net.pem");
  g_autoptr(GTlsCertificate) cert = NULL;
  g_autoptr(GByteArray) der = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *der_path = NULL;

  POSH_TEST_SKIP_IF_NO_TLS ();
  cert = g_tls_certificate_new_from_file (pem_path, &error);
  g_assert_no_error (error);
  g_object_get (cert, "certificate", &der, NULL);
  der_path = write_temp ("hosting.der", der->data, der->len);

  tool (&run, NULL, "generate", "--load-certificate", der_path, "--expires", "86400", NULL);
  g_assert_cmpint (run.status, ==, 0);
  g_assert_cmpstr (run.out, ==, DOC_HOSTING "\n");
}

static void
test_generate_reference (void)
{
  g_auto(Run) run = { 0 };
  g_autofree char *expected = file_contents ("reference.json");

  tool (&run, NULL, "generate", "--url", HOSTING_URL, "--expires", "3600", NULL);
  g_assert_cmpint (run.status, ==, 0);
  g_assert_cmpstr (run.out, ==, expected);
}

static void
test_generate_json (void)
{
  g_auto(Run) run = { 0 };
  g_autofree char *cert = posh_test_file ("hosting.example.net.pem");

  tool (&run, NULL, "generate", "--load-certificate", cert, "--expires", "86400",
        "--json", NULL);
  g_assert_cmpint (run.status, ==, 0);
  g_assert_cmpstr (json_str (&run, "command"), ==, "generate");
  g_assert_cmpstr (json_str (&run, "result"), ==, "ok");
  g_assert_cmpstr (json_str (&run, "document.kind"), ==, "fingerprints");
  g_assert_cmpstr (json_str (&run, "document.json"), ==, DOC_HOSTING);
  g_assert_cmpint (json_int (&run, "document.expires"), ==, 86400);
  g_assert_cmpstr (json_str (&run, "document.fingerprints.0.hash"), ==, "sha-256");
  g_assert_cmpstr (json_str (&run, "document.fingerprints.0.digest"), ==,
                   FP_HOSTING_EXAMPLE_NET_SHA256);
}

/* Every bad invocation: exit 2, nothing on stdout but the JSON error. */
static void
assert_generate_error (const char *error_domain,
                       const char *message_part,
                       ...)
{
  g_autoptr(GPtrArray) args = tool_args_new ("generate", NULL);
  g_auto(Run) run = { 0 };
  va_list ap;

  g_ptr_array_add (args, g_strdup ("--json"));
  va_start (ap, message_part);
  run_args (&run, args, ap);
  va_end (ap);

  g_assert_cmpint (run.status, ==, 2);
  g_assert_cmpstr (json_str (&run, "result"), ==, "error");
  g_assert_cmpstr (json_str (&run, "error.domain"), ==, error_domain);
  g_assert_nonnull (strstr (json_str (&run, "error.message"), message_part));
  g_assert_false (json_object_has_member (run.json, "document"));
}

/* R19, E26: expires is required and positive. */
static void
test_generate_expires_errors (void)
{
  g_autofree char *cert = posh_test_file ("hosting.example.net.pem");

  assert_generate_error ("g-option-context-error-quark", "--expires is required",
                         "--load-certificate", cert, NULL);
  assert_generate_error ("g-option-context-error-quark", "must be positive",
                         "--load-certificate", cert, "--expires", "0", NULL);
  assert_generate_error ("g-option-context-error-quark", "number of seconds",
                         "--load-certificate", cert, "--expires", "-5", NULL);
  assert_generate_error ("g-option-context-error-quark", "number of seconds",
                         "--load-certificate", cert, "--expires", "1d", NULL);
}

/* R27: a reference points at https only. */
static void
test_generate_http_url (void)
{
  g_auto(Run) run = { 0 };

  tool (&run, NULL, "generate", "--url", "http://hosting.example.net/x.json",
        "--expires", "3600", "--json", NULL);
  g_assert_cmpint (run.status, ==, 2);
  g_assert_cmpstr (json_str (&run, "error.domain"), ==, "posh-error-quark");
  g_assert_cmpstr (json_str (&run, "error.name"), ==, "invalid-request");
  g_assert_nonnull (strstr (json_str (&run, "error.hint"), "R27"));
}

/* R50: a private key is never read, whether alone or next to the
 * certificate, and never printed. */
static void
test_generate_private_key (void)
{
  g_autofree char *key = posh_test_file ("hosting.example.net.key");
  g_autofree char *cert_text = file_contents ("hosting.example.net.pem");
  g_autofree char *key_text = file_contents ("hosting.example.net.key");
  g_autofree char *both_text = g_strconcat (cert_text, key_text, NULL);
  g_autofree char *both = write_temp ("cert-and-key.pem", both_text, -1);
  const char *files[] = { key, both };

  for (guint i = 0; i < G_N_ELEMENTS (files); i++)
    {
      g_auto(Run) run = { 0 };

      tool (&run, NULL, "generate", "--load-certificate", files[i], "--expires", "60",
            "--json", NULL);
      g_assert_cmpint (run.status, ==, 2);
      g_assert_cmpstr (json_str (&run, "error.name"), ==, "invalid-request");
      g_assert_nonnull (strstr (json_str (&run, "error.message"), "private key"));
      g_assert_null (strstr (run.out, "PRIVATE"));
      g_assert_false (json_object_has_member (run.json, "document"));
    }
}

static void
test_generate_usage_errors (void)
{
  g_autofree char *cert = posh_test_file ("hosting.example.net.pem");
  g_autofree char *ca_key = posh_test_file ("ca.key");
  g_autofree char *not_cert = posh_test_file ("hosting.json");
  g_autofree char *missing = posh_test_file ("no-such-file.pem");

  assert_generate_error ("g-option-context-error-quark", "Unknown hash",
                         "--load-certificate", cert, "--hash", "SHA-256", "--expires", "60",
                         NULL);
  assert_generate_error ("g-option-context-error-quark", "either",
                         "--load-certificate", cert, "--url", HOSTING_URL,
                         "--expires", "60", NULL);
  assert_generate_error ("g-option-context-error-quark", "either", "--expires", "60", NULL);
  assert_generate_error ("posh-error-quark", "private key",
                         "--load-certificate", ca_key, "--expires", "60", NULL);
  assert_generate_error ("posh-error-quark", "X.509",
                         "--load-certificate", not_cert, "--expires", "60", NULL);
  assert_generate_error ("g-io-error-quark", "no-such-file",
                         "--load-certificate", missing, "--expires", "60", NULL);
}

/* ---- fetch -------------------------------------------------------------- */

static void
test_fetch_good (void)
{
  g_auto(Net) net = { 0 };
  g_auto(Run) run = { 0 };
  g_auto(Run) text = { 0 };

  POSH_TEST_SKIP_IF_NO_TLS ();
  net_init (&net);
  posh_test_server_set_json (net.example, WK_CLIENT, DOC_HOSTING);

  tool (&run, &net, "fetch", "example.com", "--service", "xmpp-client", "--json", NULL);
  g_assert_cmpint (run.status, ==, 0);
  g_assert_cmpstr (json_str (&run, "result"), ==, "ok");
  g_assert_cmpstr (json_str (&run, "domain"), ==, "example.com");
  g_assert_cmpstr (json_str (&run, "document.kind"), ==, "fingerprints");
  g_assert_cmpint (json_int (&run, "document.descriptors"), ==, 1);
  g_assert_cmpint (json_int (&run, "document.fingerprints.0.descriptor"), ==, 0);
  g_assert_cmpstr (json_str (&run, "document.fingerprints.0.digest"), ==,
                   FP_HOSTING_EXAMPLE_NET_SHA256);
  g_assert_cmpstr (json_str (&run, "document.hops.0.url"), ==,
                   "https://example.com" WK_CLIENT);
  g_assert_cmpint (json_int (&run, "document.hops.0.status"), ==, 200);
  g_assert_null (json_str (&run, "document.reference"));
  g_assert_cmpint (json_int (&run, "document.lifetime"), ==, 86400);

  tool (&text, &net, "fetch", "example.com", "--service", "xmpp-client", NULL);
  g_assert_cmpint (text.status, ==, 0);
  g_assert_nonnull (strstr (text.out, "hop 1: 200 https://example.com" WK_CLIENT));
  g_assert_nonnull (strstr (text.out, "sha-256 " FP_HOSTING_EXAMPLE_NET_SHA256));
  g_assert_nonnull (strstr (text.out, "effective lifetime: 86400 s"));
}

/* R13: 404 is "no POSH material": could not check. */
static void
test_fetch_404 (void)
{
  g_auto(Net) net = { 0 };
  g_auto(Run) run = { 0 };
  g_auto(Run) text = { 0 };

  POSH_TEST_SKIP_IF_NO_TLS ();
  net_init (&net);

  tool (&run, &net, "fetch", "example.com", "--service", "xmpp-client", "--json", NULL);
  g_assert_cmpint (run.status, ==, 2);
  g_assert_cmpstr (json_str (&run, "error.name"), ==, "no-posh-data");
  g_assert_nonnull (strstr (json_str (&run, "error.hint"), "posh-tool generate"));

  tool (&text, &net, "fetch", "example.com", "--service", "xmpp-client", NULL);
  g_assert_cmpint (text.status, ==, 2);
  g_assert_nonnull (strstr (text.err, "error:"));
  g_assert_nonnull (strstr (text.err, "hint:"));
}

/* R31: delegation by HTTPS redirect; every hop is shown. */
static void
test_fetch_redirect (void)
{
  g_auto(Net) net = { 0 };
  g_auto(Run) run = { 0 };

  POSH_TEST_SKIP_IF_NO_TLS ();
  net_init (&net);
  posh_test_server_set_redirect (net.example, WK_CLIENT, 302, HOSTING_URL);
  posh_test_server_set_json (net.hosting, WK_CLIENT, DOC_HOSTING);

  tool (&run, &net, "fetch", "example.com", "--service", "xmpp-client", "--json", NULL);
  g_assert_cmpint (run.status, ==, 0);
  g_assert_cmpint (json_int (&run, "document.hops.0.status"), ==, 302);
  g_assert_cmpstr (json_str (&run, "document.hops.1.url"), ==, HOSTING_URL);
  g_assert_cmpint (json_int (&run, "document.hops.1.status"), ==, 200);
  g_assert_cmpstr (json_str (&run, "document.fingerprints.0.digest"), ==,
                   FP_HOSTING_EXAMPLE_NET_SHA256);
}

/* R28, R40: a reference is shown, and the lifetime is the smaller expires. */
static void
test_fetch_reference (void)
{
  g_auto(Net) net = { 0 };
  g_auto(Run) run = { 0 };
  g_auto(Run) text = { 0 };
  g_autofree char *reference = file_contents ("reference.json");

  POSH_TEST_SKIP_IF_NO_TLS ();
  net_init (&net);
  posh_test_server_set_json (net.example, WK_SERVER, reference);
  posh_test_server_set_json (net.hosting, WK_CLIENT, DOC_HOSTING);

  tool (&run, &net, "fetch", "example.com", "--service", "xmpp-server", "--json", NULL);
  g_assert_cmpint (run.status, ==, 0);
  g_assert_cmpstr (json_str (&run, "document.reference.kind"), ==, "reference");
  g_assert_cmpstr (json_str (&run, "document.reference.url"), ==, HOSTING_URL);
  g_assert_cmpint (json_int (&run, "document.reference.expires"), ==, 3600);
  g_assert_cmpint (json_int (&run, "document.expires"), ==, 86400);
  g_assert_cmpint (json_int (&run, "document.lifetime"), ==, 3600);

  tool (&text, &net, "fetch", "example.com", "--service", "xmpp-server", NULL);
  g_assert_cmpint (text.status, ==, 0);
  g_assert_nonnull (strstr (text.out, "reference document: url " HOSTING_URL));
}

/* R32: an http: redirect is refused before it is followed, and the hint
 * says what to change. */
static void
test_fetch_insecure_redirect (void)
{
  g_auto(Net) net = { 0 };
  g_auto(Run) run = { 0 };

  POSH_TEST_SKIP_IF_NO_TLS ();
  net_init (&net);
  posh_test_server_set_redirect (net.example, WK_CLIENT, 302,
                                 "http://hosting.example.net/.well-known/posh/xmpp-client.json");
  posh_test_server_set_json (net.hosting, WK_CLIENT, DOC_HOSTING);

  tool (&run, &net, "fetch", "example.com", "--service", "xmpp-client", "--json", NULL);
  g_assert_cmpint (run.status, ==, 2);
  g_assert_cmpstr (json_str (&run, "error.name"), ==, "insecure-url");
  g_assert_nonnull (strstr (json_str (&run, "error.hint"), "R32"));
  /* the advice names the exact URL to change, and its https twin */
  g_assert_nonnull (strstr (json_str (&run, "error.hint"),
                            "change http://hosting.example.net" WK_CLIENT
                            " to https://hosting.example.net" WK_CLIENT));
  g_assert_cmpuint (posh_test_server_get_total_request_count (net.hosting), ==, 0);
}

/* R7: without --cafile the test CA is not trusted: no insecure fallback. */
static void
test_fetch_untrusted (void)
{
  g_auto(Net) net = { 0 };
  g_auto(Run) run = { 0 };
  g_autofree char *spec = NULL;

  POSH_TEST_SKIP_IF_NO_TLS ();
  net_init (&net);
  posh_test_server_set_json (net.example, WK_CLIENT, DOC_HOSTING);
  spec = posh_test_server_connect_to_spec (net.example, "example.com");

  tool (&run, NULL, "fetch", "example.com", "--service", "xmpp-client",
        "--connect-to", spec, "--json", NULL);
  g_assert_cmpint (run.status, ==, 2);
  g_assert_cmpstr (json_str (&run, "error.name"), ==, "https");
}

/* R35: --max-redirects lowers the limit. */
static void
test_fetch_max_redirects (void)
{
  g_auto(Net) net = { 0 };
  g_auto(Run) run = { 0 };
  g_auto(Run) usage = { 0 };

  POSH_TEST_SKIP_IF_NO_TLS ();
  net_init (&net);
  posh_test_server_set_redirect (net.example, WK_CLIENT, 302, HOSTING_URL);
  posh_test_server_set_json (net.hosting, WK_CLIENT, DOC_HOSTING);

  tool (&run, &net, "fetch", "example.com", "--service", "xmpp-client",
        "--max-redirects", "0", "--json", NULL);
  g_assert_cmpint (run.status, ==, 2);
  g_assert_cmpstr (json_str (&run, "error.name"), ==, "too-many-redirects");

  tool (&usage, &net, "fetch", "example.com", "--service", "xmpp-client",
        "--max-redirects", "11", "--json", NULL);
  g_assert_cmpint (usage.status, ==, 2);
  g_assert_cmpstr (json_str (&usage, "error.domain"), ==, "g-option-context-error-quark");
}

static void
test_fetch_bad_cafile (void)
{
  g_auto(Run) run = { 0 };
  g_autofree char *not_ca = posh_test_file ("no-such-ca.pem");

  tool (&run, NULL, "fetch", "example.com", "--service", "xmpp-client", "--cafile", not_ca,
        "--json", NULL);
  g_assert_cmpint (run.status, ==, 2);
  g_assert_cmpstr (json_str (&run, "error.name"), ==, "initialization");
  g_assert_nonnull (strstr (json_str (&run, "error.hint"), "--cafile"));
}

static void
test_fetch_bad_connect_to (void)
{
  g_auto(Run) run = { 0 };

  tool (&run, NULL, "fetch", "example.com", "--service", "xmpp-client",
        "--connect-to", "example.com:443", "--json", NULL);
  g_assert_cmpint (run.status, ==, 2);
  g_assert_cmpstr (json_str (&run, "error.domain"), ==, "g-option-context-error-quark");
  g_assert_nonnull (strstr (json_str (&run, "error.message"), "--connect-to example.com:443"));
}

static void
test_fetch_usage (void)
{
  g_auto(Run) no_service = { 0 };
  g_auto(Run) no_domain = { 0 };
  g_auto(Run) bad_domain = { 0 };

  tool (&no_service, NULL, "fetch", "example.com", "--json", NULL);
  g_assert_cmpint (no_service.status, ==, 2);
  g_assert_nonnull (strstr (json_str (&no_service, "error.message"), "--service"));

  tool (&no_domain, NULL, "fetch", "--service", "xmpp-client", NULL);
  g_assert_cmpint (no_domain.status, ==, 2);

  /* E3: no network for a domain that cannot be one */
  tool (&bad_domain, NULL, "fetch", "https://example.com/", "--service", "xmpp-client",
        "--json", NULL);
  g_assert_cmpint (bad_domain.status, ==, 2);
  g_assert_cmpstr (json_str (&bad_domain, "error.name"), ==, "invalid-request");
}

/* ---- verify ------------------------------------------------------------- */

static void
test_verify_live_match (void)
{
  g_auto(Net) net = { 0 };
  g_auto(Run) run = { 0 };
  g_auto(Run) text = { 0 };
  g_autofree char *cert = posh_test_file ("hosting.example.net-chain.pem");

  POSH_TEST_SKIP_IF_NO_TLS ();
  net_init (&net);
  posh_test_server_set_json (net.example, WK_CLIENT, DOC_HOSTING);

  tool (&run, &net, "verify", "example.com", "--service", "xmpp-client",
        "--load-certificate", cert, "--json", NULL);
  g_assert_cmpint (run.status, ==, 0);
  g_assert_cmpstr (json_str (&run, "result"), ==, "verified");
  g_assert_cmpint (json_int (&run, "verdict.status"), ==, 0);
  g_assert_cmpstr (json_str (&run, "certificate.sha-256"), ==, FP_HOSTING_EXAMPLE_NET_SHA256);
  g_assert_cmpstr (json_str (&run, "document.json"), ==, DOC_HOSTING);

  tool (&text, &net, "verify", "example.com", "--service", "xmpp-client",
        "--load-certificate", cert, NULL);
  g_assert_cmpint (text.status, ==, 0);
  g_assert_nonnull (strstr (text.out, "verdict: "));
}

static void
test_verify_live_mismatch (void)
{
  g_auto(Net) net = { 0 };
  g_auto(Run) run = { 0 };
  g_autofree char *cert = posh_test_file ("xmpp-other.pem");

  POSH_TEST_SKIP_IF_NO_TLS ();
  net_init (&net);
  posh_test_server_set_json (net.example, WK_CLIENT, DOC_HOSTING);

  tool (&run, &net, "verify", "example.com", "--service", "xmpp-client",
        "--load-certificate", cert, "--json", NULL);
  g_assert_cmpint (run.status, ==, 1);
  g_assert_cmpstr (json_str (&run, "result"), ==, "mismatch");
  g_assert_true (json_array_has (&run, "verdict.flags", "cert-differs"));
}

/* A closed port: could not check, never a match (fail closed). */
static void
test_verify_live_unreachable (void)
{
  g_auto(Run) run = { 0 };
  g_autofree char *cert = posh_test_file ("hosting.example.net.pem");
  g_autofree char *ca = posh_test_file ("ca.pem");
  g_autofree char *spec = g_strdup_printf ("example.com:443:127.0.0.1:%u", posh_tool_test_free_port ());

  POSH_TEST_SKIP_IF_NO_TLS ();
  tool (&run, NULL, "verify", "example.com", "--service", "xmpp-client",
        "--load-certificate", cert, "--cafile", ca, "--connect-to", spec, "--json", NULL);
  g_assert_cmpint (run.status, ==, 2);
  g_assert_cmpstr (json_str (&run, "error.name"), ==, "fetch");
  g_assert_false (json_object_has_member (run.json, "verdict"));
}

static void
test_verify_offline (void)
{
  g_autofree char *doc = posh_test_file ("hosting.json");
  g_autofree char *rollover = posh_test_file ("hosting-rollover.json");
  g_autofree char *hosting = posh_test_file ("hosting.example.net.pem");
  g_autofree char *next = posh_test_file ("hosting-rollover.pem");
  g_autofree char *other = posh_test_file ("xmpp-other.pem");
  g_auto(Run) match = { 0 };
  g_auto(Run) mismatch = { 0 };
  g_auto(Run) second = { 0 };

  tool (&match, NULL, "verify", "--document", doc, "--load-certificate", hosting,
        "--json", NULL);
  g_assert_cmpint (match.status, ==, 0);
  g_assert_cmpstr (json_str (&match, "result"), ==, "verified");
  g_assert_false (json_object_has_member (match.json, "domain"));

  tool (&mismatch, NULL, "verify", "--document", doc, "--load-certificate", other, NULL);
  g_assert_cmpint (mismatch.status, ==, 1);

  /* R22: any descriptor may match */
  tool (&second, NULL, "verify", "--document", rollover, "--load-certificate", next, NULL);
  g_assert_cmpint (second.status, ==, 0);
}

/* R24: a matching hash does not make an expired certificate acceptable. */
static void
test_verify_offline_expired (void)
{
  g_auto(Run) run = { 0 };
  g_autofree char *cert = posh_test_file ("xmpp-expired.pem");
  g_autofree char *doc = write_temp ("expired.json",
                                     "{\"fingerprints\":[{\"sha-256\":\""
                                     FP_XMPP_EXPIRED_SHA256 "\"}],\"expires\":60}", -1);

  tool (&run, NULL, "verify", "--document", doc, "--load-certificate", cert, "--json", NULL);
  g_assert_cmpint (run.status, ==, 1);
  g_assert_true (json_array_has (&run, "verdict.flags", "cert-expired"));
}

/* E4: sha-1 is checked only when asked for. */
static void
test_verify_offline_sha1 (void)
{
  g_autofree char *cert = posh_test_file ("hosting.example.net.pem");
  g_autofree char *doc = write_temp ("sha1.json",
                                     "{\"fingerprints\":[{\"sha-1\":\""
                                     FP_HOSTING_EXAMPLE_NET_SHA1 "\"}],\"expires\":60}", -1);
  g_auto(Run) plain = { 0 };
  g_auto(Run) allowed = { 0 };

  tool (&plain, NULL, "verify", "--document", doc, "--load-certificate", cert, "--json", NULL);
  g_assert_cmpint (plain.status, ==, 1);
  g_assert_true (json_array_has (&plain, "verdict.flags", "no-usable-fingerprint"));

  tool (&allowed, NULL, "verify", "--document", doc, "--load-certificate", cert,
        "--allow-sha1", "--json", NULL);
  g_assert_cmpint (allowed.status, ==, 0);
}

static void
test_verify_offline_errors (void)
{
  g_autofree char *cert = posh_test_file ("hosting.example.net.pem");
  g_autofree char *reference = posh_test_file ("reference.json");
  g_autofree char *empty = write_temp ("empty.json", "{\"fingerprints\":[],\"expires\":60}", -1);
  g_autofree char *key = posh_test_file ("hosting.example.net.key");
  g_autofree char *doc = posh_test_file ("hosting.json");
  g_auto(Run) ref = { 0 };
  g_auto(Run) bad = { 0 };
  g_auto(Run) with_key = { 0 };
  g_auto(Run) both = { 0 };
  g_auto(Run) no_cert = { 0 };

  /* a reference holds nothing to verify against offline */
  tool (&ref, NULL, "verify", "--document", reference, "--load-certificate", cert,
        "--json", NULL);
  g_assert_cmpint (ref.status, ==, 2);
  g_assert_cmpstr (json_str (&ref, "error.name"), ==, "requested-data-not-available");

  /* R14 */
  tool (&bad, NULL, "verify", "--document", empty, "--load-certificate", cert, "--json", NULL);
  g_assert_cmpint (bad.status, ==, 2);
  g_assert_cmpstr (json_str (&bad, "error.domain"), ==, "posh-document-error-quark");
  g_assert_cmpstr (json_str (&bad, "error.name"), ==, "fingerprints-empty");

  /* R50 */
  tool (&with_key, NULL, "verify", "--document", doc, "--load-certificate", key,
        "--json", NULL);
  g_assert_cmpint (with_key.status, ==, 2);
  g_assert_cmpstr (json_str (&with_key, "error.name"), ==, "invalid-request");

  tool (&both, NULL, "verify", "example.com", "--document", doc, "--load-certificate", cert,
        NULL);
  g_assert_cmpint (both.status, ==, 2);

  tool (&no_cert, NULL, "verify", "--document", doc, NULL);
  g_assert_cmpint (no_cert.status, ==, 2);
}

/* ---- check against in-process services -------------------------------- */

static void
check_service (Run                 *run,
               Net                 *net,
               PoshToolTestService *service,
               const char *service_name,
               ...)
{
  g_autoptr(GPtrArray) args = tool_args_new ("check", net);
  va_list ap;

  g_ptr_array_add (args, g_strdup ("example.com"));
  g_ptr_array_add (args, g_strdup ("--service"));
  g_ptr_array_add (args, g_strdup (service_name));
  g_ptr_array_add (args, g_strdup ("--host"));
  g_ptr_array_add (args, g_strdup ("127.0.0.1"));
  g_ptr_array_add (args, g_strdup ("--port"));
  g_ptr_array_add (args, g_strdup_printf ("%u", posh_tool_test_service_get_port (service)));
  va_start (ap, service_name);
  run_args (run, args, ap);
  va_end (ap);
}

/* Publishes DOC_HOSTING at example.com's wk_path, runs check --json for
 * service_name against service (its first connection) and asserts that it
 * verified (exit 0); waits until service has finished with the connection,
 * so that its counters are final, and returns what it received.
 * (transfer full) */
static char *
check_service_verified (Run                 *run,
                        Net                 *net,
                        PoshToolTestService *service,
                        const char          *service_name,
                        const char          *wk_path)
{
  posh_test_server_set_json (net->example, wk_path, DOC_HOSTING);
  check_service (run, net, service, service_name, "--json", NULL);
  g_assert_cmpint (run->status, ==, 0);
  posh_tool_test_service_wait_served (service, 1);
  return posh_tool_test_service_get_received (service);
}

/* R56: the stream `to` and the TLS identity are DOMAIN, whatever host is
 * connected to; R36: nothing is sent after the handshake. R57: a
 * client-to-server stream (jabber:client) takes its material from
 * /.well-known/posh/xmpp-client.json. R54, the POSH prooftype: the service
 * presents a PKIX certificate, checked by the RFC 6125 rules (it fails them:
 * bad-identity), and accepted because its hash was fetched over HTTPS from
 * the well-known URI; no DNS, let alone DNSSEC, is involved. */
static void
test_check_xmpp_stream_to (void)
{
  g_auto(Net) net = { 0 };
  g_auto(Run) run = { 0 };
  g_autoptr(PoshToolTestService) service = NULL;
  g_autofree char *received = NULL;

  POSH_TEST_SKIP_IF_NO_TLS ();
  net_init (&net);
  service = posh_tool_test_service_new (POSH_TOOL_TEST_SERVICE_XMPP);
  received = check_service_verified (&run, &net, service, "xmpp-client", WK_CLIENT);
  g_assert_cmpstr (json_str (&run, "result"), ==, "verified");
  g_assert_nonnull (strstr (received, "to='example.com'"));
  g_assert_nonnull (strstr (received, "xmlns='jabber:client'"));
  g_assert_nonnull (strstr (received,
                            "<starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>"));
  g_assert_cmpuint (posh_tool_test_service_get_handshakes (service), ==, 1);
  g_assert_cmpuint (posh_tool_test_service_get_app_bytes (service), ==, 0);
  g_assert_cmpstr (json_str (&run, "xmpp.stream_from"), ==, "example.com");
  g_assert_true (json_node_get_boolean (json_path (run.json, "xmpp.starttls_required")));
  /* the provider's certificate does not name example.com: POSH's job */
  g_assert_true (json_array_has (&run, "pkix.errors", "bad-identity"));
  g_assert_true (json_node_get_boolean (json_path (run.json, "pkix.tls_accepted")));
  /* R37: the document was fetched (before connecting) */
  g_assert_cmpuint (posh_test_server_get_request_count (net.example, WK_CLIENT), ==, 1);
}

/* R57: a server-to-server stream (jabber:server) takes its material from
 * /.well-known/posh/xmpp-server.json. */
static void
test_check_xmpp_server_ns (void)
{
  g_auto(Net) net = { 0 };
  g_auto(Run) run = { 0 };
  g_autoptr(PoshToolTestService) service = NULL;
  g_autofree char *received = NULL;

  POSH_TEST_SKIP_IF_NO_TLS ();
  net_init (&net);
  service = posh_tool_test_service_new (POSH_TOOL_TEST_SERVICE_XMPP);
  received = check_service_verified (&run, &net, service, "xmpp-server", WK_SERVER);
  g_assert_nonnull (strstr (received, "xmlns='jabber:server'"));
  g_assert_cmpuint (posh_test_server_get_request_count (net.example, WK_SERVER), ==, 1);
}

static void
test_check_direct_tls (void)
{
  g_auto(Net) net = { 0 };
  g_auto(Run) match = { 0 };
  g_auto(Run) mismatch = { 0 };
  g_auto(Run) text = { 0 };
  g_autoptr(PoshToolTestService) service = NULL;

  POSH_TEST_SKIP_IF_NO_TLS ();
  net_init (&net);
  service = posh_tool_test_service_new (POSH_TOOL_TEST_SERVICE_TLS);
  posh_test_server_set_json (net.example, WK_CLIENT, DOC_HOSTING);

  check_service (&match, &net, service, "xmpp-client", "--json", "--starttls", "none",
                 NULL);
  g_assert_cmpint (match.status, ==, 0);
  g_assert_cmpstr (json_str (&match, "connection.starttls"), ==, "none");
  g_assert_cmpstr (json_str (&match, "certificate.sha-256"), ==, FP_HOSTING_EXAMPLE_NET_SHA256);
  /* the tool may exit before the service has seen its Finished or EOF */
  posh_tool_test_service_wait_served (service, 1);
  g_assert_cmpuint (posh_tool_test_service_get_handshakes (service), ==, 1);
  g_assert_cmpuint (posh_tool_test_service_get_app_bytes (service), ==, 0);

  posh_test_server_set_json (net.example, WK_CLIENT, DOC_OTHER);
  check_service (&mismatch, &net, service, "xmpp-client", "--json", "--starttls", "none",
                 NULL);
  g_assert_cmpint (mismatch.status, ==, 1);
  g_assert_cmpstr (json_str (&mismatch, "result"), ==, "mismatch");
  g_assert_true (json_array_has (&mismatch, "verdict.flags", "cert-differs"));
  /* the TLS handshake itself was refused by POSH */
  g_assert_false (json_node_get_boolean (json_path (mismatch.json, "pkix.tls_accepted")));
  g_assert_cmpstr (json_str (&mismatch, "suggested_document"), ==, DOC_HOSTING);
  /* ... so the service never completed a second handshake */
  posh_tool_test_service_wait_served (service, 2);
  g_assert_cmpuint (posh_tool_test_service_get_handshakes (service), ==, 1);

  check_service (&text, &net, service, "xmpp-client", "--starttls", "none", NULL);
  g_assert_cmpint (text.status, ==, 1);
  g_assert_nonnull (strstr (text.out, "pkix: not valid for the domain: bad-identity; "
                                      "TLS refused the certificate"));
  g_assert_nonnull (strstr (text.out, "publish at https://example.com" WK_CLIENT ": "
                                      DOC_HOSTING));
}

/* R55: no POSH document: could not check, but what the service presents
 * is still reported. */
static void
test_check_no_document (void)
{
  g_auto(Net) net = { 0 };
  g_auto(Run) run = { 0 };
  g_autoptr(PoshToolTestService) service = NULL;

  POSH_TEST_SKIP_IF_NO_TLS ();
  net_init (&net);
  service = posh_tool_test_service_new (POSH_TOOL_TEST_SERVICE_XMPP);

  check_service (&run, &net, service, "xmpp-client", "--json", NULL);
  g_assert_cmpint (run.status, ==, 2);
  g_assert_cmpstr (json_str (&run, "error.name"), ==, "no-posh-data");
  g_assert_cmpstr (json_str (&run, "certificate.sha-256"), ==, FP_HOSTING_EXAMPLE_NET_SHA256);
  g_assert_false (json_node_get_boolean (json_path (run.json, "pkix.tls_accepted")));
  g_assert_false (json_object_has_member (run.json, "verdict"));
}

/* E16: a service that never answers ends in a timeout, not a hang. */
static void
test_check_timeout (void)
{
  g_auto(Net) net = { 0 };
  g_auto(Run) run = { 0 };
  g_autoptr(PoshToolTestService) service = NULL;

  POSH_TEST_SKIP_IF_NO_TLS ();
  net_init (&net);
  service = posh_tool_test_service_new (POSH_TOOL_TEST_SERVICE_SILENT);
  posh_test_server_set_json (net.example, WK_CLIENT, DOC_HOSTING);

  check_service (&run, &net, service, "xmpp-client", "--json", "--timeout", "1", NULL);
  g_assert_cmpint (run.status, ==, 2);
  g_assert_cmpstr (json_str (&run, "error.name"), ==, "timed-out");
}

static void
test_check_refused (void)
{
  g_auto(Net) net = { 0 };
  g_auto(Run) run = { 0 };
  g_autofree char *port = g_strdup_printf ("%u", posh_tool_test_free_port ());

  POSH_TEST_SKIP_IF_NO_TLS ();
  net_init (&net);
  posh_test_server_set_json (net.example, WK_CLIENT, DOC_HOSTING);

  tool (&run, &net, "check", "example.com", "--service", "xmpp-client", "--host", "127.0.0.1",
        "--port", port, "--json", NULL);
  g_assert_cmpint (run.status, ==, 2);
  g_assert_cmpstr (json_str (&run, "error.name"), ==, "connection-refused");
}

static void
test_check_usage (void)
{
  g_auto(Run) no_port = { 0 };
  g_auto(Run) bad_service = { 0 };
  g_auto(Run) bad_starttls = { 0 };

  /* XEP-0368: direct TLS has no default port */
  tool (&no_port, NULL, "check", "example.com", "--service", "xmpp-client", "--host",
        "127.0.0.1", "--starttls", "none", "--json", NULL);
  g_assert_cmpint (no_port.status, ==, 2);
  g_assert_nonnull (strstr (json_str (&no_port, "error.message"), "--port"));

  tool (&bad_service, NULL, "check", "example.com", "--service", "spice", "--json", NULL);
  g_assert_cmpint (bad_service.status, ==, 2);

  tool (&bad_starttls, NULL, "check", "example.com", "--service", "xmpp-client",
        "--starttls", "ssl", "--json", NULL);
  g_assert_cmpint (bad_starttls.status, ==, 2);
}

/* ---- check against Prosody --------------------------------------------- */

/* One Prosody for all the tests that need it, started on first use. */
static PoshTestProsody *prosody;
static gboolean prosody_tried;

static gboolean
prosody_ensure (void)
{
  g_autofree char *program = posh_test_prosody_find ();
  g_autofree char *template = NULL;
  g_autofree char *cert = NULL;
  g_autofree char *key = NULL;
  g_autoptr(GError) error = NULL;

  if (!program)
    {
      g_test_skip ("prosody is not installed: the live XMPP part of `check` is not "
                   "tested (apt-get install prosody)");
      return FALSE;
    }
  if (!posh_test_have_tls ())
    {
      g_test_skip ("TLS is not available (glib-networking)");
      return FALSE;
    }
  if (!prosody_tried)
    {
      prosody_tried = TRUE;
      template = g_test_build_filename (G_TEST_DIST, "prosody", "prosody.cfg.lua.in", NULL);
      cert = posh_test_file ("hosting.example.net-chain.pem");
      key = posh_test_file ("hosting.example.net.key");
      prosody = posh_test_prosody_start (program, template, cert, key, &error);
      if (!prosody)
        g_test_message ("%s", error->message);
    }
  if (!prosody)
    {
      g_test_fail_printf ("prosody (%s) did not start", program);
      return FALSE;
    }
  return TRUE;
}

typedef struct
{
  const char *service;     /* xmpp-client or xmpp-server */
  const char *path;
  gboolean    listed;      /* does the document list the server's cert? */
} ProsodyCase;

/* Against a real Prosody, c2s and s2s; R57: each fetches its own
 * well-known document (xmpp-client.json, xmpp-server.json). */
static void
test_check_prosody (gconstpointer data)
{
  const ProsodyCase *c = data;
  g_auto(Net) net = { 0 };
  g_auto(Run) run = { 0 };
  g_autofree char *port = NULL;
  guint16 port_number;

  if (!prosody_ensure ())
    return;
  port_number = strcmp (c->service, "xmpp-server") == 0
                ? posh_test_prosody_get_s2s_port (prosody)
                : posh_test_prosody_get_c2s_port (prosody);
  net_init (&net);
  posh_test_server_set_json (net.example, c->path, c->listed ? DOC_HOSTING : DOC_OTHER);
  port = g_strdup_printf ("%u", port_number);

  tool (&run, &net, "check", "example.com", "--service", c->service, "--host", "127.0.0.1",
        "--port", port, "--json", NULL);
  g_assert_cmpint (run.status, ==, c->listed ? 0 : 1);
  g_assert_cmpstr (json_str (&run, "result"), ==, c->listed ? "verified" : "mismatch");
  g_assert_cmpint (json_int (&run, "connection.port"), ==, port_number);
  /* Prosody answered for the stream `to` domain (R56) */
  g_assert_cmpstr (json_str (&run, "xmpp.stream_from"), ==, "example.com");
  /* and presented the hosting provider's certificate */
  g_assert_cmpstr (json_str (&run, "certificate.sha-256"), ==, FP_HOSTING_EXAMPLE_NET_SHA256);
  g_assert_true (json_array_has (&run, "pkix.errors", "bad-identity"));
  g_assert_cmpint (json_int (&run, "verdict.status"), ==, c->listed ? 0 : 1);
  g_assert_cmpuint (posh_test_server_get_request_count (net.example, c->path), ==, 1);
}

/* R56: the stream `to` is what the server answers for: a domain it does
 * not host gets <host-unknown/>, reported with a hint. */
static void
test_check_prosody_host_unknown (void)
{
  g_auto(Net) net = { 0 };
  g_auto(Run) run = { 0 };
  g_autofree char *port = NULL;
  g_autofree char *spec = NULL;
  g_autofree char *ca = posh_test_file ("ca.pem");

  if (!prosody_ensure ())
    return;
  net_init (&net);
  spec = posh_test_server_connect_to_spec (net.example, "example.org");
  port = g_strdup_printf ("%u", posh_test_prosody_get_c2s_port (prosody));

  tool (&run, NULL, "check", "example.org", "--service", "xmpp-client", "--cafile", ca,
        "--connect-to", spec, "--host", "127.0.0.1", "--port", port, "--json", NULL);
  g_assert_cmpint (run.status, ==, 2);
  g_assert_nonnull (strstr (json_str (&run, "error.message"), "host-unknown"));
  g_assert_nonnull (strstr (json_str (&run, "error.hint"), "virtual host"));
}

static const ProsodyCase prosody_cases[] = {
  { "xmpp-client", WK_CLIENT, TRUE },
  { "xmpp-client", WK_CLIENT, FALSE },
  { "xmpp-server", WK_SERVER, TRUE },
  { "xmpp-server", WK_SERVER, FALSE },
};

/* ---- main --------------------------------------------------------------- */

static void
test_help (void)
{
  const char *commands[] = { "generate", "fetch", "verify", "check" };
  g_auto(Run) top = { 0 };
  g_auto(Run) unknown = { 0 };

  tool (&top, NULL, "--help", NULL);
  g_assert_cmpint (top.status, ==, 0);
  for (guint i = 0; i < G_N_ELEMENTS (commands); i++)
    {
      g_auto(Run) run = { 0 };

      g_assert_nonnull (strstr (top.out, commands[i]));
      tool (&run, NULL, commands[i], "--help", NULL);
      g_assert_cmpint (run.status, ==, 0);
      g_assert_nonnull (strstr (run.out, "--json"));
      g_assert_nonnull (strstr (run.out, "--connect-to"));
    }
  tool (&unknown, NULL, "frobnicate", NULL);
  g_assert_cmpint (unknown.status, ==, 2);
}

int
main (int    argc,
      char **argv)
{
  int ret;

  posh_test_init (&argc, &argv);

  g_test_add_func ("/tool/help", test_help);
  g_test_add_func ("/tool/generate/E26/hosting", test_generate_hosting);
  g_test_add_func ("/tool/generate/R45/rollover", test_generate_rollover);
  g_test_add_func ("/tool/generate/sha-384", test_generate_sha384);
  g_test_add_func ("/tool/generate/E4/sha-1", test_generate_sha1);
  g_test_add_func ("/tool/generate/E20/chain-leaf", test_generate_chain_leaf);
  g_test_add_func ("/tool/generate/der", test_generate_der);
  g_test_add_func ("/tool/generate/R26/reference", test_generate_reference);
  g_test_add_func ("/tool/generate/json", test_generate_json);
  g_test_add_func ("/tool/generate/R19/expires-errors", test_generate_expires_errors);
  g_test_add_func ("/tool/generate/R27/http-url", test_generate_http_url);
  g_test_add_func ("/tool/generate/R50/private-key", test_generate_private_key);
  g_test_add_func ("/tool/generate/usage-errors", test_generate_usage_errors);
  g_test_add_func ("/tool/fetch/good", test_fetch_good);
  g_test_add_func ("/tool/fetch/R13/404", test_fetch_404);
  g_test_add_func ("/tool/fetch/R31/redirect", test_fetch_redirect);
  g_test_add_func ("/tool/fetch/R40/reference", test_fetch_reference);
  g_test_add_func ("/tool/fetch/R32/insecure-redirect", test_fetch_insecure_redirect);
  g_test_add_func ("/tool/fetch/R7/untrusted", test_fetch_untrusted);
  g_test_add_func ("/tool/fetch/R35/max-redirects", test_fetch_max_redirects);
  g_test_add_func ("/tool/fetch/bad-cafile", test_fetch_bad_cafile);
  g_test_add_func ("/tool/fetch/bad-connect-to", test_fetch_bad_connect_to);
  g_test_add_func ("/tool/fetch/usage", test_fetch_usage);
  g_test_add_func ("/tool/verify/live-match", test_verify_live_match);
  g_test_add_func ("/tool/verify/live-mismatch", test_verify_live_mismatch);
  g_test_add_func ("/tool/verify/live-unreachable", test_verify_live_unreachable);
  g_test_add_func ("/tool/verify/offline", test_verify_offline);
  g_test_add_func ("/tool/verify/R24/offline-expired", test_verify_offline_expired);
  g_test_add_func ("/tool/verify/E4/offline-sha1", test_verify_offline_sha1);
  g_test_add_func ("/tool/verify/offline-errors", test_verify_offline_errors);
  g_test_add_func ("/tool/check/R56/stream-to", test_check_xmpp_stream_to);
  g_test_add_func ("/tool/check/jabber-server", test_check_xmpp_server_ns);
  g_test_add_func ("/tool/check/direct-tls", test_check_direct_tls);
  g_test_add_func ("/tool/check/R55/no-document", test_check_no_document);
  g_test_add_func ("/tool/check/E16/timeout", test_check_timeout);
  g_test_add_func ("/tool/check/refused", test_check_refused);
  g_test_add_func ("/tool/check/usage", test_check_usage);
  g_test_add_data_func ("/tool/check/prosody/c2s-match", &prosody_cases[0], test_check_prosody);
  g_test_add_data_func ("/tool/check/prosody/c2s-mismatch", &prosody_cases[1],
                        test_check_prosody);
  g_test_add_data_func ("/tool/check/prosody/s2s-match", &prosody_cases[2], test_check_prosody);
  g_test_add_data_func ("/tool/check/prosody/s2s-mismatch", &prosody_cases[3],
                        test_check_prosody);
  g_test_add_func ("/tool/check/prosody/R56/host-unknown", test_check_prosody_host_unknown);

  ret = g_test_run ();
  posh_test_prosody_stop (prosody);
  return ret;
}
