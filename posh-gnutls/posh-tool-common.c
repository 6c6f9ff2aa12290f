/* posh-tool-common.c: what every posh-tool command shares: the common
 * options, usage errors, the verifier and trust store they configure
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Apart from main (posh-tool.c), so that a test can run a command in
 * process (tests/test-posh-tool-srv.c runs check with a fake resolver).
 */

#include "config.h"

#include "posh-tool.h"

#include <string.h>

/* ---- common options ----------------------------------------------------- */

void
_posh_tool_options_init (PoshToolOptions *options)
{
  memset (options, 0, sizeof *options);
  options->max_redirects = -1;
  options->timeout = -1;
}

void
_posh_tool_options_clear (PoshToolOptions *options)
{
  g_clear_pointer (&options->cafile, g_free);
  g_clear_pointer (&options->connect_to, g_strfreev);
}

static GOptionContext *
option_context_new (const char         *command,
                    const char         *parameter,
                    const char         *summary,
                    const GOptionEntry *entries,
                    PoshToolOptions    *options)
{
  const GOptionEntry common[] = {
    { "json", 0, 0, G_OPTION_ARG_NONE, &options->json,
      "Print the result as JSON", NULL },
    { "cafile", 0, 0, G_OPTION_ARG_FILENAME, &options->cafile,
      "Trust the CA certificates in FILE (PEM) instead of the system trust store "
      "for the HTTPS servers (and for the PKIX report of check)", "FILE" },
    { "connect-to", 0, 0, G_OPTION_ARG_STRING_ARRAY, &options->connect_to,
      "Connect to CONNECT_HOST:CONNECT_PORT for HOST:PORT; the URL, SNI and "
      "certificate check keep HOST (as curl's option; repeatable)",
      "HOST:PORT:CONNECT_HOST:CONNECT_PORT" },
    { "max-redirects", 0, 0, G_OPTION_ARG_INT, &options->max_redirects,
      "Follow at most N redirects (0 to 10; default 10)", "N" },
    { "timeout", 0, 0, G_OPTION_ARG_INT, &options->timeout,
      "Give up after SECONDS (default 10)", "SECONDS" },
    { NULL }
  };
  g_autofree char *prgname = g_strdup_printf ("posh-tool %s", command);
  GOptionContext *context = g_option_context_new (parameter);

  g_set_prgname (prgname);
  g_option_context_set_summary (context, summary);
  /* One group, so that --help shows the common options too. */
  g_option_context_add_main_entries (context, entries, NULL);
  g_option_context_add_main_entries (context, common, NULL);
  g_option_context_set_description (context,
    "Exit status: 0 verified (or done), 1 checked and the certificate did not "
    "match, 2 could not check.");
  return context;
}

static gboolean
check_common_options (const PoshToolOptions  *options,
                      GError                **error)
{
  if (options->max_redirects != -1 &&
      (options->max_redirects < 0 || options->max_redirects > 10))
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                   "--max-redirects must be between 0 and 10 (RFC 7711 §10, R35)");
      return FALSE;
    }
  if (options->timeout != -1 && (options->timeout <= 0 || options->timeout > 3600))
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                   "--timeout must be between 1 and 3600 seconds");
      return FALSE;
    }
  return TRUE;
}

gboolean
_posh_tool_parse_command (const char          *command,
                          const char          *parameter,
                          const char          *summary,
                          const GOptionEntry  *entries,
                          PoshToolOptions     *options,
                          int                  argc,
                          char               **argv,
                          char              ***rest,
                          GError             **error)
{
  g_autoptr(GOptionContext) context = NULL;
  g_auto(GStrv) args = g_new0 (char *, argc + 1);

  _posh_tool_options_init (options);
  context = option_context_new (command, parameter, summary, entries, options);

  for (int i = 0; i < argc; i++)
    args[i] = g_strdup (argv[i]);
  if (!g_option_context_parse_strv (context, &args, error) ||
      !check_common_options (options, error))
    return FALSE;
  *rest = g_steal_pointer (&args);
  return TRUE;
}

PoshToolExit
_posh_tool_usage_error (const char            *command,
                        const PoshToolOptions *options,
                        const GError          *error)
{
  g_autoptr(JsonBuilder) builder = _posh_tool_result_begin (command);

  _posh_tool_add_error (builder, error, NULL, NULL);
  return _posh_tool_result_end (builder, options, "error", POSH_TOOL_EXIT_ERROR);
}

guint
_posh_tool_timeout (const PoshToolOptions *options)
{
  return options->timeout > 0 ? (guint) options->timeout : POSH_TOOL_DEFAULT_TIMEOUT;
}

/* The trust store of --cafile, or NULL when none was given. */
static GTlsDatabase *
database_new (const PoshToolOptions  *options,
              GError                **error)
{
  g_autoptr(GError) local_error = NULL;
  g_autofree char *path = NULL;
  GTlsDatabase *database;

  if (!options->cafile)
    return NULL;
  /* GTlsFileDatabase wants an absolute path. */
  path = g_canonicalize_filename (options->cafile, NULL);
  database = g_tls_file_database_new (path, &local_error);
  if (!database)
    g_set_error (error, POSH_ERROR, POSH_ERROR_INITIALIZATION,
                 "Cannot use %s as trust store: %s", options->cafile,
                 local_error->message);
  return database;
}

PoshVerifier *
_posh_tool_verifier_new (const PoshToolOptions  *options,
                         GError                **error)
{
  g_autoptr(PoshVerifier) verifier = posh_verifier_new ();
  g_autoptr(GTlsDatabase) database = NULL;
  g_autoptr(GError) local_error = NULL;

  if (options->cafile)
    {
      database = database_new (options, error);
      if (!database)
        return NULL;
      posh_verifier_set_tls_database (verifier, database);
    }
  for (guint i = 0; options->connect_to && options->connect_to[i]; i++)
    {
      if (!posh_verifier_add_connect_to (verifier, options->connect_to[i], &local_error))
        {
          g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                       "--connect-to %s: %s (the form is HOST:PORT:CONNECT_HOST:CONNECT_PORT)",
                       options->connect_to[i], local_error->message);
          return NULL;
        }
    }
  if (options->max_redirects >= 0)
    posh_verifier_set_max_redirects (verifier, (guint) options->max_redirects);
  posh_verifier_set_timeout (verifier, _posh_tool_timeout (options) * 1000);
  if (options->allow_sha1)
    posh_verifier_set_verify_flags (verifier, POSH_VERIFY_FLAGS_ALLOW_SHA1);
  return g_steal_pointer (&verifier);
}
