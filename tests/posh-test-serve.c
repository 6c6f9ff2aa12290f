/* posh-test-serve.c: run loopback HTTPS POSH hosts for out-of-process tests
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * The binding tests (Python, GJS, Vala), the examples and the tool tests
 * need the loopback server of posh-test-server.h in another process. This
 * program starts one server per host, scripts their answers, prints one
 * connect-to spec per host on stdout ("HOST:443:127.0.0.1:PORT", curl's
 * --connect-to syntax, as posh_verifier_add_connect_to() takes it), then
 * an empty line, and serves until stdin reaches end of file or it gets
 * SIGINT / SIGTERM.
 *
 *   posh-test-serve [--host HOST[=IDENTITY]]... [--json HOST/PATH=FILE]...
 *                   [--redirect HOST/PATH=STATUS,URL]... [--status HOST/PATH=STATUS]...
 *
 * IDENTITY is a certificate identity of posh-test-server.h (default: HOST).
 * FILE is a path, relative ones are taken in tests/files. Hosts named only
 * in --json, --redirect or --status are started with their own identity.
 *
 * Without any option it runs the default scenario (RFC 7711 §3.1 and §3.2,
 * the hosting provider's certificate tests/files/hosting.example.net.pem):
 *
 *   example.com         /.well-known/posh/xmpp-client.json  hosting.json
 *                       /.well-known/posh/xmpp-server.json  reference.json
 *   hosting.example.net /.well-known/posh/xmpp-client.json  hosting.json
 *
 * Clients trust the servers through tests/files/ca.pem.
 */

#include "config.h"

#include <glib-unix.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "posh-test-server.h"
#include "posh-test-utils.h"

typedef struct
{
  GHashTable *servers;  /* host -> PoshTestServer (owned) */
  GPtrArray  *hosts;    /* host names in order of creation (owned) */
  GMainLoop  *loop;
} Serve;

static PoshTestServer *
serve_get_server (Serve      *serve,
                  const char *host,
                  const char *identity)
{
  PoshTestServer *server = g_hash_table_lookup (serve->servers, host);

  if (server != NULL)
    return server;

  server = posh_test_server_new (identity != NULL ? identity : host);
  g_hash_table_insert (serve->servers, g_strdup (host), server);
  g_ptr_array_add (serve->hosts, g_strdup (host));
  return server;
}

/* "HOST/PATH=VALUE" -> host, "/PATH", value */
static gboolean
split_target (const char  *arg,
              char       **host,
              char       **path,
              char       **value)
{
  const char *slash = strchr (arg, '/');
  const char *eq = slash != NULL ? strchr (slash, '=') : NULL;

  if (slash == NULL || slash == arg || eq == NULL)
    return FALSE;

  *host = g_strndup (arg, slash - arg);
  *path = g_strndup (slash, eq - slash);
  *value = g_strdup (eq + 1);
  return TRUE;
}

static char *
read_fixture (const char *file)
{
  g_autofree char *path = NULL;
  g_autoptr(GError) error = NULL;
  char *contents = NULL;

  path = g_path_is_absolute (file) ? g_strdup (file) : posh_test_file (file);
  if (!g_file_get_contents (path, &contents, NULL, &error))
    {
      g_printerr ("posh-test-serve: %s\n", error->message);
      exit (2);
    }
  return contents;
}

static void
add_host (Serve      *serve,
          const char *arg)
{
  g_auto(GStrv) parts = g_strsplit (arg, "=", 2);

  serve_get_server (serve, parts[0], parts[1]);
}

static void
add_json (Serve      *serve,
          const char *host,
          const char *path,
          const char *value)
{
  g_autofree char *body = read_fixture (value);

  posh_test_server_set_json (serve_get_server (serve, host, NULL), path, body);
}

static gboolean
add_redirect (Serve      *serve,
              const char *host,
              const char *path,
              const char *value)
{
  g_auto(GStrv) parts = g_strsplit (value, ",", 2);
  guint64 status = 0;

  if (parts[0] == NULL || parts[1] == NULL
      || !g_ascii_string_to_unsigned (parts[0], 10, 300, 399, &status, NULL))
    return FALSE;

  posh_test_server_set_redirect (serve_get_server (serve, host, NULL), path,
                                 (guint) status, parts[1]);
  return TRUE;
}

static gboolean
add_status (Serve      *serve,
            const char *host,
            const char *path,
            const char *value)
{
  guint64 status = 0;

  if (!g_ascii_string_to_unsigned (value, 10, 100, 599, &status, NULL))
    return FALSE;

  posh_test_server_set_response (serve_get_server (serve, host, NULL), path,
                                 (guint) status, NULL, NULL, NULL);
  return TRUE;
}

static gboolean
add_target (Serve      *serve,
            const char *kind,
            const char *arg)
{
  g_autofree char *host = NULL;
  g_autofree char *path = NULL;
  g_autofree char *value = NULL;

  if (!split_target (arg, &host, &path, &value))
    return FALSE;

  if (g_str_equal (kind, "json"))
    add_json (serve, host, path, value);
  else if (g_str_equal (kind, "redirect"))
    return add_redirect (serve, host, path, value);
  else
    return add_status (serve, host, path, value);
  return TRUE;
}

static void
default_scenario (Serve *serve)
{
  add_json (serve, "example.com", "/.well-known/posh/xmpp-client.json",
            "hosting.json");
  add_json (serve, "example.com", "/.well-known/posh/xmpp-server.json",
            "reference.json");
  add_json (serve, "hosting.example.net",
            "/.well-known/posh/xmpp-client.json", "hosting.json");
}

static gboolean
stdin_cb (int          fd,
          GIOCondition condition,
          gpointer     user_data)
{
  Serve *serve = user_data;
  char buf[256];
  gssize n = read (fd, buf, sizeof buf);

  if (n > 0)
    return G_SOURCE_CONTINUE;

  g_main_loop_quit (serve->loop);
  return G_SOURCE_REMOVE;
}

static gboolean
signal_cb (gpointer user_data)
{
  Serve *serve = user_data;

  g_main_loop_quit (serve->loop);
  return G_SOURCE_CONTINUE;
}

static void
print_specs (Serve *serve,
             FILE  *out)
{
  for (guint i = 0; i < serve->hosts->len; i++)
    {
      const char *host = g_ptr_array_index (serve->hosts, i);
      PoshTestServer *server = g_hash_table_lookup (serve->servers, host);
      g_autofree char *spec = posh_test_server_connect_to_spec (server, host);

      fprintf (out, "%s\n", spec);
    }
  fprintf (out, "\n");
  fflush (out);
}

/* posh-test-server.c finds its certificates with g_test_build_filename(),
 * which needs g_test_init() and G_TEST_SRCDIR. */
static void
init_test_paths (const char *argv0)
{
  char *args[] = { (char *) argv0, NULL };
  char **argv = args;
  int argc = 1;

  g_setenv ("G_TEST_SRCDIR", POSH_TEST_SRCDIR, FALSE);
  g_test_init (&argc, &argv, NULL);
}

static int
parse_options (Serve  *serve,
               int    *argc,
               char ***argv)
{
  g_auto(GStrv) hosts = NULL;
  g_auto(GStrv) json = NULL;
  g_auto(GStrv) redirects = NULL;
  g_auto(GStrv) statuses = NULL;
  const GOptionEntry entries[] = {
    { "host", 0, 0, G_OPTION_ARG_STRING_ARRAY, &hosts, "Serve HOST with IDENTITY's certificate", "HOST[=IDENTITY]" },
    { "json", 0, 0, G_OPTION_ARG_STRING_ARRAY, &json, "Answer 200 with FILE (application/json)", "HOST/PATH=FILE" },
    { "redirect", 0, 0, G_OPTION_ARG_STRING_ARRAY, &redirects, "Answer a redirect", "HOST/PATH=STATUS,URL" },
    { "status", 0, 0, G_OPTION_ARG_STRING_ARRAY, &statuses, "Answer STATUS with an empty body", "HOST/PATH=STATUS" },
    { NULL }
  };
  g_autoptr(GOptionContext) context = g_option_context_new ("- loopback HTTPS POSH hosts");
  g_autoptr(GError) error = NULL;
  gboolean any;

  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, argc, argv, &error))
    {
      g_printerr ("posh-test-serve: %s\n", error->message);
      return 2;
    }

  init_test_paths ((*argv)[0]);
  any = hosts != NULL || json != NULL || redirects != NULL || statuses != NULL;
  for (guint i = 0; hosts != NULL && hosts[i] != NULL; i++)
    add_host (serve, hosts[i]);
  for (guint i = 0; json != NULL && json[i] != NULL; i++)
    if (!add_target (serve, "json", json[i]))
      return 2;
  for (guint i = 0; redirects != NULL && redirects[i] != NULL; i++)
    if (!add_target (serve, "redirect", redirects[i]))
      return 2;
  for (guint i = 0; statuses != NULL && statuses[i] != NULL; i++)
    if (!add_target (serve, "status", statuses[i]))
      return 2;
  if (!any)
    default_scenario (serve);
  return 0;
}

int
main (int    argc,
      char **argv)
{
  Serve serve = { NULL, };
  FILE *out;
  int status;

  /* stdout carries only the specs: g_test_init() and GLib's test log
   * handler print "# ..." lines there, so send them to stderr. */
  out = fdopen (dup (STDOUT_FILENO), "w");
  dup2 (STDERR_FILENO, STDOUT_FILENO);

  serve.servers = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                         (GDestroyNotify) posh_test_server_free);
  serve.hosts = g_ptr_array_new_with_free_func (g_free);
  serve.loop = g_main_loop_new (NULL, FALSE);

  status = parse_options (&serve, &argc, &argv);
  if (status == 0)
    {
      print_specs (&serve, out);
      g_unix_fd_add (0, G_IO_IN | G_IO_HUP | G_IO_ERR, stdin_cb, &serve);
      g_unix_signal_add (SIGINT, signal_cb, &serve);
      g_unix_signal_add (SIGTERM, signal_cb, &serve);
      g_main_loop_run (serve.loop);
    }
  else
    g_printerr ("posh-test-serve: bad argument (see --help)\n");

  g_hash_table_unref (serve.servers);
  g_ptr_array_unref (serve.hosts);
  g_main_loop_unref (serve.loop);
  fclose (out);
  return status;
}
