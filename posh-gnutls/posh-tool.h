/* posh-tool.h: interfaces between the modules of posh-tool (never installed)
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Module map:
 *
 *   posh-tool.c         main: sub-command dispatch, generate, fetch and verify
 *   posh-tool-common.c  the common options, usage errors, the verifier and
 *                       trust store they configure
 *   posh-tool-output.c  results as JSON (json-glib) or text, operator hints
 *   posh-tool-cert.c    loading a certificate file (PEM or DER, leaf first,
 *                       never a private key)
 *   posh-tool-check.c   the check command: SRV, connect, TLS, POSH verdict
 *   posh-tool-srv.c     finding the service: --host/--port, SRV, default port;
 *                       connecting to the first target that answers
 *   posh-tool-xmpp.c    XMPP STARTTLS: stream header, incremental reader
 *
 * Every command builds its result as a JSON object; --json prints that
 * object, the text output is rendered from the same object, so the two can
 * never disagree.
 */

#pragma once

#include <json-glib/json-glib.h>
#include <posh-gnutls/posh.h>

G_BEGIN_DECLS

/* Exit status (DESIGN.md "The tool"). */
typedef enum
{
  POSH_TOOL_EXIT_OK       = 0,  /* verified, or the command succeeded */
  POSH_TOOL_EXIT_MISMATCH = 1,  /* checked, and the certificate did not match */
  POSH_TOOL_EXIT_ERROR    = 2,  /* could not check: the message says why */
} PoshToolExit;

/* Options every command takes. */
typedef struct
{
  gboolean   json;
  char      *cafile;         /* (owned) (nullable) */
  char     **connect_to;     /* (owned) (nullable) */
  int        max_redirects;  /* -1: the library's default */
  int        timeout;        /* seconds; -1: the library's default */
  gboolean   allow_sha1;
} PoshToolOptions;

#define POSH_TOOL_DEFAULT_TIMEOUT 10

/* ---- posh-tool-common.c ------------------------------------------------- */

/* A verifier configured from @options (trust store, connect-to, limits);
 * NULL with an error for a bad --cafile or --connect-to. */
PoshVerifier *_posh_tool_verifier_new   (const PoshToolOptions *options,
                                         GError               **error);
/* The total timeout in seconds for the operations the tool runs itself. */
guint         _posh_tool_timeout        (const PoshToolOptions *options);

/* ---- posh-tool-output.c ------------------------------------------------- */

/* Begin a result object: {"command": COMMAND, ... (the builder is left
 * inside the object). */
JsonBuilder  *_posh_tool_result_begin   (const char      *command);
/* Add "domain": DOMAIN, "service": SERVICE. */
void          _posh_tool_add_domain_service (JsonBuilder *builder,
                                             const char  *domain,
                                             const char  *service);
/* Add "error": {...} with domain, code, name, message and an operator hint
 * (@domain and @service, both nullable, make the hint concrete). */
void          _posh_tool_add_error      (JsonBuilder     *builder,
                                         const GError    *error,
                                         const char      *domain,
                                         const char      *service);
/* The same with a hint chosen by the caller (nullable). */
void          _posh_tool_add_error_hint (JsonBuilder     *builder,
                                         const GError    *error,
                                         const char      *hint);
/* Add NAME: [nicks of the flags set in @value]. */
void          _posh_tool_add_flags      (JsonBuilder     *builder,
                                         const char      *name,
                                         GType            type,
                                         guint           value);
/* Add "verdict": {"status": N, "flags": [...], "text": "..."} */
void          _posh_tool_add_verdict    (JsonBuilder     *builder,
                                         PoshVerifyStatus status);
/* Add "document": {...}: kind, expires, fingerprints, hops, reference,
 * lifetime, json. */
void          _posh_tool_add_document   (JsonBuilder     *builder,
                                         const char      *member,
                                         PoshDocument    *document);
/* Add "certificate": {...}: file, subject, issuer, validity, sha-256. */
void          _posh_tool_add_certificate (JsonBuilder    *builder,
                                          const char     *member,
                                          GTlsCertificate *certificate);
/* Close the object with "result": RESULT and "exit": EXIT, print it (JSON
 * or text) and return @exit. */
PoshToolExit  _posh_tool_result_end     (JsonBuilder     *builder,
                                         const PoshToolOptions *options,
                                         const char      *result,
                                         PoshToolExit     exit_status);
/* The hint for an error, for an operator (transfer full). */
char         *_posh_tool_error_hint     (const GError    *error,
                                         const char      *domain,
                                         const char      *service);
/* "sha-256" etc. */
const char   *_posh_tool_hash_name      (PoshHash         hash);
/* sha-256 of @der, padded base64 (transfer full). */
char         *_posh_tool_sha256_base64  (GBytes          *der);

#define POSH_TOOL_CERTIFICATE_HINT \
  "give a file with the certificate only: X.509 in PEM (the first CERTIFICATE " \
  "block is the leaf) or DER; posh-tool never reads private keys (R50)"

/* ---- posh-tool-cert.c --------------------------------------------------- */

/* Load the first certificate (the leaf) of a PEM or DER file. Refuses a
 * file that holds a private key (R50). @n_in_file: (out) (optional) how
 * many certificates the file held. */
GTlsCertificate *_posh_tool_load_certificate (const char  *path,
                                              guint       *n_in_file,
                                              GError     **error);
/* The DER of a certificate (transfer full). */
GBytes          *_posh_tool_certificate_der  (GTlsCertificate *certificate);

/* ---- posh-tool-check.c -------------------------------------------------- */

int           _posh_tool_check          (int              argc,
                                         char           **argv);

/* Run @func in a watchdog: @cancellable is cancelled after @seconds. */
typedef struct _PoshToolWatchdog PoshToolWatchdog;
PoshToolWatchdog *_posh_tool_watchdog_start (GCancellable *cancellable,
                                             guint         seconds);
/* Stop it; TRUE if it fired. */
gboolean          _posh_tool_watchdog_stop  (PoshToolWatchdog *watchdog);

/* ---- common option handling (posh-tool-common.c) ------------------------- */

void          _posh_tool_options_init   (PoshToolOptions *options);
void          _posh_tool_options_clear  (PoshToolOptions *options);
/* The start of every sub-command: initialise @options, then parse @argv
 * (argv[0] is the command) with @entries and the common options (one
 * GOptionContext, so that --help shows both; the common ones are bound to
 * @options) and check the common options. The remaining arguments go to
 * @rest (argv[0] first). */
gboolean      _posh_tool_parse_command  (const char          *command,
                                         const char          *parameter,
                                         const char          *summary,
                                         const GOptionEntry  *entries,
                                         PoshToolOptions     *options,
                                         int                  argc,
                                         char               **argv,
                                         char              ***rest,
                                         GError             **error);
/* The --allow-sha1 entry of the commands that verify, bound to
 * @options->allow_sha1. */
#define POSH_TOOL_ALLOW_SHA1_ENTRY(options)                               \
  { "allow-sha1", 0, 0, G_OPTION_ARG_NONE, &(options)->allow_sha1,        \
    "Also check sha-1 fingerprints (off by default, E4)", NULL }
/* Report a usage error (exit 2), as JSON when --json was given. */
PoshToolExit  _posh_tool_usage_error    (const char      *command,
                                         const PoshToolOptions *options,
                                         const GError    *error);

G_END_DECLS
