/* posh-tool.c: publish and check POSH documents (RFC 7711), as danetool
 * does for DANE
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 *   posh-tool generate --load-certificate CERT [...] [--hash H,...] --expires N
 *   posh-tool generate --url https://... --expires N
 *   posh-tool fetch DOMAIN --service S
 *   posh-tool verify DOMAIN --service S --load-certificate CERT
 *   posh-tool verify --document FILE.json --load-certificate CERT
 *   posh-tool check DOMAIN --service xmpp-client|xmpp-server [--host H] [--port P]
 *
 * Exit status: 0 verified or done, 1 checked and the certificate did not
 * match, 2 could not check (the message says why). Uses the public API of
 * the library only.
 */

#include "config.h"

#include "posh-tool.h"

#include <locale.h>
#include <stdio.h>
#include <string.h>

/* Bigger than any document the library accepts (its cap is 64 KiB), so the
 * library reports the size problem itself. */
#define MAX_DOCUMENT_FILE_SIZE (1024 * 1024)

/* The options every command takes: posh-tool-common.c. */

/* ---- generate ----------------------------------------------------------- */

typedef struct
{
  PoshToolOptions options;
  char          **certificates;
  char           *hashes;
  char           *expires;
  char           *url;
} GenerateArgs;

static void
generate_args_clear (GenerateArgs *args)
{
  _posh_tool_options_clear (&args->options);
  g_strfreev (args->certificates);
  g_free (args->hashes);
  g_free (args->expires);
  g_free (args->url);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (GenerateArgs, generate_args_clear)

static gboolean
parse_expires (const char  *text,
               guint64     *expires,
               GError     **error)
{
  g_autoptr(GError) local_error = NULL;

  if (!text)
    {
      g_set_error_literal (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                           "--expires is required: how many seconds clients may keep "
                           "the document (RFC 7711 §3.1, R19; e.g. 86400 for a day)");
      return FALSE;
    }
  if (!g_ascii_string_to_unsigned (text, 10, 0, G_MAXINT64, expires, &local_error))
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                   "--expires must be a number of seconds: %s", local_error->message);
      return FALSE;
    }
  if (*expires == 0)
    {
      g_set_error_literal (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                           "--expires must be positive: a document with expires 0 "
                           "is invalid for every client (RFC 7711 §3.1, R20, E26)");
      return FALSE;
    }
  return TRUE;
}

static gboolean
parse_hashes (const char  *text,
              PoshHash    *hashes,
              GError     **error)
{
  static const struct { const char *name; PoshHash hash; } names[] = {
    { "sha-256", POSH_HASH_SHA_256 },
    { "sha-384", POSH_HASH_SHA_384 },
    { "sha-512", POSH_HASH_SHA_512 },
    { "sha-1", POSH_HASH_SHA_1 },
  };
  g_auto(GStrv) parts = g_strsplit (text ? text : "sha-256", ",", -1);

  *hashes = POSH_HASH_NONE;
  for (guint i = 0; parts[i]; i++)
    {
      PoshHash hash = POSH_HASH_NONE;

      for (guint j = 0; j < G_N_ELEMENTS (names); j++)
        if (strcmp (g_strstrip (parts[i]), names[j].name) == 0)
          hash = names[j].hash;
      if (hash == POSH_HASH_NONE)
        {
          g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                       "Unknown hash \"%s\" in --hash: use sha-256, sha-384 or sha-512 "
                       "(IANA names, lowercase; E4, E6)", parts[i]);
          return FALSE;
        }
      *hashes |= hash;
    }
  if (*hashes & POSH_HASH_SHA_1)
    g_printerr ("posh-tool generate: warning: sha-1 is weak; clients check it only "
                "when asked to (E4)\n");
  return TRUE;
}

static PoshDocument *
generate_fingerprints (GenerateArgs  *args,
                       guint64        expires,
                       GError       **error)
{
  g_autoptr(GPtrArray) certificates = g_ptr_array_new_with_free_func (g_object_unref);
  PoshHash hashes;

  if (!parse_hashes (args->hashes, &hashes, error))
    return NULL;
  for (guint i = 0; args->certificates[i]; i++)
    {
      guint n = 0;
      GTlsCertificate *certificate = _posh_tool_load_certificate (args->certificates[i],
                                                                  &n, error);

      if (!certificate)
        return NULL;
      if (n > 1 && !args->options.json)
        g_printerr ("posh-tool generate: %s holds %u certificates; using the first "
                    "(the leaf)\n", args->certificates[i], n);
      g_ptr_array_add (certificates, certificate);
    }
  return posh_document_new_from_certificates ((GTlsCertificate **) certificates->pdata,
                                              certificates->len, hashes, expires, error);
}

static gboolean
check_generate_args (GenerateArgs  *args,
                     char         **rest,
                     guint64       *expires,
                     GError       **error)
{
  gboolean have_certs = args->certificates && args->certificates[0];

  if (g_strv_length (rest) > 1)
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                   "Unexpected argument \"%s\"", rest[1]);
      return FALSE;
    }
  if ((have_certs && args->url) || (!have_certs && !args->url))
    {
      g_set_error_literal (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                           "Give either --load-certificate (a fingerprints document) "
                           "or --url (a reference document)");
      return FALSE;
    }
  if (args->url && args->hashes)
    {
      g_set_error_literal (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                           "--hash applies to --load-certificate, not to --url");
      return FALSE;
    }
  return parse_expires (args->expires, expires, error);
}

static int
cmd_generate (int    argc,
              char **argv)
{
  g_auto(GenerateArgs) args = { 0 };
  const GOptionEntry entries[] = {
    { "load-certificate", 0, 0, G_OPTION_ARG_FILENAME_ARRAY, &args.certificates,
      "The certificate the service presents (PEM or DER; repeat for roll-over, the "
      "most relevant first, R46). Never a private key", "CERT" },
    { "hash", 0, 0, G_OPTION_ARG_STRING, &args.hashes,
      "Hash functions, comma-separated (default sha-256)", "sha-256,sha-512" },
    { "expires", 0, 0, G_OPTION_ARG_STRING, &args.expires,
      "Seconds clients may keep the document (required, positive)", "N" },
    { "url", 0, 0, G_OPTION_ARG_STRING, &args.url,
      "Generate a reference document pointing at URL (https only)", "URL" },
    { NULL }
  };
  g_auto(GStrv) rest = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(PoshDocument) document = NULL;
  g_autoptr(JsonBuilder) builder = NULL;
  guint64 expires = 0;

  if (!_posh_tool_parse_command ("generate", "",
    "Print the POSH document to publish at "
    "https://DOMAIN/.well-known/posh/SERVICE.json: the fingerprints of the "
    "certificate(s) the service presents, or a reference to another URL.",
    entries, &args.options, argc, argv, &rest, &error) ||
      !check_generate_args (&args, rest, &expires, &error))
    return _posh_tool_usage_error ("generate", &args.options, error);

  if (args.url)
    document = posh_document_new_reference (args.url, expires, &error);
  else
    document = generate_fingerprints (&args, expires, &error);

  builder = _posh_tool_result_begin ("generate");
  if (!document)
    {
      _posh_tool_add_error_hint (builder, error, args.url
        ? "a reference document's url must be an absolute https URL (RFC 7711 §3.2, R27)"
        : POSH_TOOL_CERTIFICATE_HINT);
      return _posh_tool_result_end (builder, &args.options, "error", POSH_TOOL_EXIT_ERROR);
    }
  _posh_tool_add_document (builder, "document", document);
  return _posh_tool_result_end (builder, &args.options, "ok", POSH_TOOL_EXIT_OK);
}

/* ---- fetch -------------------------------------------------------------- */

typedef struct
{
  PoshToolOptions options;
  char           *service;
  char           *certificate;
  char           *document;
} CommandArgs;

static void
command_args_clear (CommandArgs *args)
{
  _posh_tool_options_clear (&args->options);
  g_free (args->service);
  g_free (args->certificate);
  g_free (args->document);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (CommandArgs, command_args_clear)

/* Exactly one DOMAIN, and --service. */
static gboolean
check_domain_args (CommandArgs  *args,
                   char        **rest,
                   GError      **error)
{
  guint n = g_strv_length (rest);

  if (n < 2)
    {
      g_set_error_literal (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                           "Give the DOMAIN to check");
      return FALSE;
    }
  if (n > 2)
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                   "Unexpected argument \"%s\"", rest[2]);
      return FALSE;
    }
  if (!args->service)
    {
      g_set_error_literal (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                           "--service is required (e.g. xmpp-client or xmpp-server)");
      return FALSE;
    }
  return TRUE;
}

static int
cmd_fetch (int    argc,
           char **argv)
{
  g_auto(CommandArgs) args = { 0 };
  const GOptionEntry entries[] = {
    { "service", 0, 0, G_OPTION_ARG_STRING, &args.service,
      "The POSH service name (e.g. xmpp-client, xmpp-server)", "SERVICE" },
    { NULL }
  };
  g_auto(GStrv) rest = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(PoshVerifier) verifier = NULL;
  g_autoptr(PoshDocument) document = NULL;
  g_autoptr(JsonBuilder) builder = NULL;

  if (!_posh_tool_parse_command ("fetch", "DOMAIN",
    "Fetch what DOMAIN publishes for SERVICE over HTTPS and show every hop, the "
    "reference if any, the fingerprints and the effective lifetime.",
    entries, &args.options, argc, argv, &rest, &error) ||
      !check_domain_args (&args, rest, &error))
    return _posh_tool_usage_error ("fetch", &args.options, error);

  builder = _posh_tool_result_begin ("fetch");
  _posh_tool_add_domain_service (builder, rest[1], args.service);
  verifier = _posh_tool_verifier_new (&args.options, &error);
  if (verifier)
    document = posh_verifier_fetch (verifier, rest[1], args.service, NULL, &error);
  if (!document)
    {
      _posh_tool_add_error (builder, error, rest[1], args.service);
      return _posh_tool_result_end (builder, &args.options, "error", POSH_TOOL_EXIT_ERROR);
    }
  _posh_tool_add_document (builder, "document", document);
  return _posh_tool_result_end (builder, &args.options, "ok", POSH_TOOL_EXIT_OK);
}

/* ---- verify ------------------------------------------------------------- */

static PoshDocument *
load_document (const char  *path,
               GError     **error)
{
  g_autoptr(GFile) file = g_file_new_for_commandline_arg (path);
  g_autoptr(GFileInfo) info = NULL;
  g_autoptr(GBytes) bytes = NULL;

  info = g_file_query_info (file, G_FILE_ATTRIBUTE_STANDARD_SIZE,
                            G_FILE_QUERY_INFO_NONE, NULL, error);
  if (!info)
    return NULL;
  if (g_file_info_get_size (info) > MAX_DOCUMENT_FILE_SIZE)
    {
      g_set_error (error, POSH_ERROR, POSH_ERROR_TOO_LARGE,
                   "%s is larger than %d bytes: not a POSH document", path,
                   MAX_DOCUMENT_FILE_SIZE);
      return NULL;
    }
  bytes = g_file_load_bytes (file, NULL, NULL, error);
  if (!bytes)
    return NULL;
  return posh_document_new_from_bytes (bytes, error);
}

static gboolean
check_verify_args (CommandArgs  *args,
                   char        **rest,
                   GError      **error)
{
  if (!args->certificate)
    {
      g_set_error_literal (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                           "--load-certificate is required: the certificate to verify");
      return FALSE;
    }
  if (!args->document)
    return check_domain_args (args, rest, error);
  if (g_strv_length (rest) > 1 || args->service)
    {
      g_set_error_literal (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                           "Give either DOMAIN --service S (fetch the document) or "
                           "--document FILE (offline), not both");
      return FALSE;
    }
  return TRUE;
}

/* Verify @certificate; FALSE with @error when it could not be checked. The
 * document used is returned in @used (nullable). */
static gboolean
run_verify (CommandArgs       *args,
            const char        *domain,
            GTlsCertificate   *certificate,
            PoshDocument     **used,
            PoshVerifyStatus  *status,
            GError           **error)
{
  g_autoptr(PoshVerifier) verifier = NULL;

  if (args->document)
    {
      PoshVerifyFlags flags = args->options.allow_sha1 ? POSH_VERIFY_FLAGS_ALLOW_SHA1
                                                       : POSH_VERIFY_FLAGS_NONE;

      *used = load_document (args->document, error);
      return *used &&
             posh_document_verify_certificate (*used, certificate, flags, status, error);
    }

  verifier = _posh_tool_verifier_new (&args->options, error);
  if (!verifier ||
      !posh_verifier_verify_certificate (verifier, certificate, domain, args->service,
                                         status, NULL, error))
    return FALSE;
  *used = posh_verifier_lookup_cached (verifier, domain, args->service);
  return TRUE;
}

/* Load the certificate, verify it and print the result. */
static int
verify_and_report (CommandArgs *args,
                   const char  *domain)
{
  g_autoptr(JsonBuilder) builder = _posh_tool_result_begin ("verify");
  g_autoptr(GError) error = NULL;
  g_autoptr(GTlsCertificate) certificate = NULL;
  g_autoptr(PoshDocument) document = NULL;
  PoshVerifyStatus status = POSH_VERIFY_STATUS_NONE;
  gboolean checked;

  if (domain)
    _posh_tool_add_domain_service (builder, domain, args->service);
  certificate = _posh_tool_load_certificate (args->certificate, NULL, &error);
  if (!certificate)
    {
      _posh_tool_add_error_hint (builder, error, POSH_TOOL_CERTIFICATE_HINT);
      return _posh_tool_result_end (builder, &args->options, "error", POSH_TOOL_EXIT_ERROR);
    }
  _posh_tool_add_certificate (builder, "certificate", certificate);
  checked = run_verify (args, domain, certificate, &document, &status, &error);
  if (document)
    _posh_tool_add_document (builder, "document", document);
  if (!checked)
    {
      _posh_tool_add_error (builder, error, domain, args->service);
      return _posh_tool_result_end (builder, &args->options, "error", POSH_TOOL_EXIT_ERROR);
    }
  _posh_tool_add_verdict (builder, status);
  if (status != POSH_VERIFY_STATUS_NONE)
    return _posh_tool_result_end (builder, &args->options, "mismatch",
                                  POSH_TOOL_EXIT_MISMATCH);
  return _posh_tool_result_end (builder, &args->options, "verified", POSH_TOOL_EXIT_OK);
}

static int
cmd_verify (int    argc,
            char **argv)
{
  g_auto(CommandArgs) args = { 0 };
  const GOptionEntry entries[] = {
    { "service", 0, 0, G_OPTION_ARG_STRING, &args.service,
      "The POSH service name (e.g. xmpp-client, xmpp-server)", "SERVICE" },
    { "load-certificate", 0, 0, G_OPTION_ARG_FILENAME, &args.certificate,
      "The certificate to verify (PEM or DER; the first of a chain)", "CERT" },
    { "document", 0, 0, G_OPTION_ARG_FILENAME, &args.document,
      "Verify against this POSH document instead of fetching one (offline)", "FILE" },
    POSH_TOOL_ALLOW_SHA1_ENTRY (&args.options),
    { NULL }
  };
  g_auto(GStrv) rest = NULL;
  g_autoptr(GError) error = NULL;

  if (!_posh_tool_parse_command ("verify", "[DOMAIN]",
    "Verify a certificate by POSH: against what DOMAIN publishes for SERVICE, "
    "or offline against a document file.",
    entries, &args.options, argc, argv, &rest, &error) ||
      !check_verify_args (&args, rest, &error))
    return _posh_tool_usage_error ("verify", &args.options, error);

  return verify_and_report (&args, !args.document ? rest[1] : NULL);
}

/* ---- main --------------------------------------------------------------- */

typedef struct
{
  const char *name;
  int       (*run) (int argc, char **argv);
  const char *summary;
} Command;

static const Command commands[] = {
  { "generate", cmd_generate, "print the POSH document to publish for a certificate or URL" },
  { "fetch", cmd_fetch, "show what DOMAIN publishes: each hop, documents, expiry" },
  { "verify", cmd_verify, "verify a certificate against DOMAIN's document or a file" },
  { "check", _posh_tool_check, "connect to the XMPP service and verify its certificate" },
};

static void
print_usage (FILE *out)
{
  fprintf (out, "Usage: posh-tool COMMAND [OPTION…]\n\n"
                "POSH (RFC 7711, PKIX over Secure HTTP) publishing and checking tool.\n\n"
                "Commands:\n");
  for (guint i = 0; i < G_N_ELEMENTS (commands); i++)
    fprintf (out, "  %-10s %s\n", commands[i].name, commands[i].summary);
  fprintf (out, "\nRun `posh-tool COMMAND --help` for the options of a command.\n"
                "Exit status: 0 verified (or done), 1 checked and the certificate did "
                "not match, 2 could not check.\n");
}

int
main (int    argc,
      char **argv)
{
  setlocale (LC_ALL, "");

  if (argc < 2)
    {
      print_usage (stderr);
      return POSH_TOOL_EXIT_ERROR;
    }
  if (strcmp (argv[1], "--help") == 0 || strcmp (argv[1], "-h") == 0 ||
      strcmp (argv[1], "help") == 0)
    {
      print_usage (stdout);
      return POSH_TOOL_EXIT_OK;
    }
  if (strcmp (argv[1], "--version") == 0)
    {
      printf ("posh-tool %s\n", PACKAGE_VERSION);
      return POSH_TOOL_EXIT_OK;
    }

  for (guint i = 0; i < G_N_ELEMENTS (commands); i++)
    if (strcmp (argv[1], commands[i].name) == 0)
      return commands[i].run (argc - 1, argv + 1);

  fprintf (stderr, "posh-tool: unknown command \"%s\"\n\n", argv[1]);
  print_usage (stderr);
  return POSH_TOOL_EXIT_ERROR;
}
