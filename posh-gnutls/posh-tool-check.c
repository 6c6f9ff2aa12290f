/* posh-tool-check.c: posh-tool check, verify a live XMPP service by POSH
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * The order is the one RFC 7711 §5 asks of a client:
 *
 *   1. fetch the POSH document for (DOMAIN, SERVICE) before connecting (R37);
 *   2. find the service: --host/--port, else SRV _xmpp-client._tcp.DOMAIN
 *      (or _xmpp-server, or the _xmpps- twins of XEP-0368 for direct TLS),
 *      else DOMAIN on the default port (RFC 6120 §3.2);
 *   3. connect, negotiate XMPP STARTTLS with the stream `to` = DOMAIN, and do
 *      the TLS handshake with DOMAIN as the server identity (R56);
 *   4. decide in GTlsConnection::accept-certificate from the prefetched
 *      document alone (posh_verifier_accept_certificate), recording the
 *      certificate and the PKIX problems GIO found;
 *   5. report the POSH verdict, then close: no application data is ever
 *      sent (R36).
 *
 * The connection phase runs under a watchdog that cancels it after
 * --timeout seconds; every read is bounded (posh-tool-xmpp.c).
 */

#include "config.h"

#include "posh-tool.h"
#include "posh-tool-srv.h"
#include "posh-tool-xmpp.h"

#include <string.h>

/* ---- watchdog ----------------------------------------------------------- */

struct _PoshToolWatchdog
{
  GMutex        mutex;
  GCond         cond;
  gboolean      done;
  gboolean      fired;
  gint64        deadline;     /* monotonic */
  GCancellable *cancellable;  /* (owned) */
  GThread      *thread;       /* (owned) */
};

static gpointer
watchdog_thread (gpointer data)
{
  PoshToolWatchdog *watchdog = data;

  g_mutex_lock (&watchdog->mutex);
  while (!watchdog->done)
    {
      if (!g_cond_wait_until (&watchdog->cond, &watchdog->mutex, watchdog->deadline) &&
          !watchdog->done)
        {
          watchdog->fired = TRUE;
          g_cancellable_cancel (watchdog->cancellable);
          break;
        }
    }
  g_mutex_unlock (&watchdog->mutex);
  return NULL;
}

PoshToolWatchdog *
_posh_tool_watchdog_start (GCancellable *cancellable,
                           guint         seconds)
{
  PoshToolWatchdog *watchdog = g_new0 (PoshToolWatchdog, 1);

  g_mutex_init (&watchdog->mutex);
  g_cond_init (&watchdog->cond);
  watchdog->cancellable = g_object_ref (cancellable);
  watchdog->deadline = g_get_monotonic_time () + (gint64) seconds * G_TIME_SPAN_SECOND;
  watchdog->thread = g_thread_new ("posh-tool-watchdog", watchdog_thread, watchdog);
  return watchdog;
}

gboolean
_posh_tool_watchdog_stop (PoshToolWatchdog *watchdog)
{
  gboolean fired;

  g_mutex_lock (&watchdog->mutex);
  watchdog->done = TRUE;
  g_cond_signal (&watchdog->cond);
  g_mutex_unlock (&watchdog->mutex);
  g_thread_join (watchdog->thread);

  fired = watchdog->fired;
  g_object_unref (watchdog->cancellable);
  g_mutex_clear (&watchdog->mutex);
  g_cond_clear (&watchdog->cond);
  g_free (watchdog);
  return fired;
}

/* ---- arguments ---------------------------------------------------------- */

typedef struct
{
  PoshToolOptions options;
  char           *service;
  char           *host;
  int             port;       /* 0: not given */
  char           *starttls;   /* "xmpp" (default) or "none" */
} CheckArgs;

static void
check_args_clear (CheckArgs *args)
{
  _posh_tool_options_clear (&args->options);
  g_free (args->service);
  g_free (args->host);
  g_free (args->starttls);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (CheckArgs, check_args_clear)

static gboolean
is_server (const CheckArgs *args)
{
  return strcmp (args->service, "xmpp-server") == 0;
}

static gboolean
is_direct_tls (const CheckArgs *args)
{
  return strcmp (args->starttls, "none") == 0;
}

static gboolean
check_check_args (CheckArgs  *args,
                  char      **rest,
                  GError    **error)
{
  if (g_strv_length (rest) != 2)
    {
      g_set_error_literal (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                           "Give exactly one DOMAIN: the XMPP domain to check");
      return FALSE;
    }
  if (!args->service ||
      (strcmp (args->service, "xmpp-client") != 0 &&
       strcmp (args->service, "xmpp-server") != 0))
    {
      g_set_error_literal (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                           "--service must be xmpp-client or xmpp-server (RFC 7712 §9)");
      return FALSE;
    }
  if (!args->starttls)
    args->starttls = g_strdup ("xmpp");
  if (strcmp (args->starttls, "xmpp") != 0 && strcmp (args->starttls, "none") != 0)
    {
      g_set_error_literal (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                           "--starttls must be xmpp or none (direct TLS)");
      return FALSE;
    }
  if (args->port < 0 || args->port > 65535)
    {
      g_set_error_literal (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                           "--port must be between 1 and 65535");
      return FALSE;
    }
  if (args->host && args->port == 0 && is_direct_tls (args))
    {
      g_set_error_literal (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                           "--starttls none needs --port: direct TLS has no default "
                           "port (XEP-0368 uses SRV _xmpps-client._tcp / "
                           "_xmpps-server._tcp)");
      return FALSE;
    }
  return TRUE;
}

/* ---- TLS ---------------------------------------------------------------- */

typedef struct
{
  PoshVerifier         *verifier;     /* (unowned) */
  const char           *domain;
  const char           *service;
  GTlsCertificate      *certificate;  /* (owned) (nullable) */
  GTlsCertificateFlags  errors;
  gboolean              asked;        /* accept-certificate was emitted */
  gboolean              accepted;
  GError               *accept_error; /* (owned) (nullable) */
} Capture;

static void
capture_clear (Capture *capture)
{
  g_clear_object (&capture->certificate);
  g_clear_error (&capture->accept_error);
}

static gboolean
accept_certificate_cb (GTlsConnection       *connection,
                       GTlsCertificate      *peer_certificate,
                       GTlsCertificateFlags  errors,
                       gpointer              user_data)
{
  Capture *capture = user_data;

  g_set_object (&capture->certificate, peer_certificate);
  capture->errors = errors;
  capture->asked = TRUE;
  g_clear_error (&capture->accept_error);
  /* Decides from the prefetched document only: no I/O in the handler. */
  capture->accepted = posh_verifier_accept_certificate (capture->verifier, peer_certificate,
                                                        errors, capture->domain,
                                                        capture->service,
                                                        POSH_TLS_FLAGS_NONE, NULL,
                                                        &capture->accept_error);
  return capture->accepted;
}

/* Handshake on @base as a client of DOMAIN; records the peer certificate in
 * @capture. TRUE when a certificate was obtained (even if the handshake
 * then failed because it was not acceptable). */
static gboolean
handshake (GIOStream     *base,
           GTlsDatabase  *database,
           const char    *alpn,
           guint16        port,
           Capture       *capture,
           GCancellable  *cancellable,
           GError       **error)
{
  g_autoptr(GSocketConnectable) identity = g_network_address_new (capture->domain, port);
  g_autoptr(GIOStream) tls = NULL;
  g_autoptr(GError) local_error = NULL;
  gboolean ok;

  tls = g_tls_client_connection_new (base, identity, error);
  if (!tls)
    return FALSE;
  if (database)
    g_tls_connection_set_database (G_TLS_CONNECTION (tls), database);
  if (alpn)
    {
      /* XEP-0368: direct TLS names the protocol by ALPN. */
      const char *protocols[] = { alpn, NULL };

      g_tls_connection_set_advertised_protocols (G_TLS_CONNECTION (tls), protocols);
    }
  g_signal_connect (tls, "accept-certificate", G_CALLBACK (accept_certificate_cb), capture);

  ok = g_tls_connection_handshake (G_TLS_CONNECTION (tls), cancellable, &local_error);
  if (ok && !capture->asked)
    {
      /* PKIX-valid: GIO did not ask. */
      g_set_object (&capture->certificate,
                    g_tls_connection_get_peer_certificate (G_TLS_CONNECTION (tls)));
      capture->errors = g_tls_connection_get_peer_certificate_errors (G_TLS_CONNECTION (tls));
      capture->accepted = TRUE;
    }
  /* Nothing is sent on the TLS stream: close it (R36). */
  g_io_stream_close (tls, NULL, NULL);

  /* A failure is a verdict only when it is our own refusal of the
   * certificate; any other failure means the check could not finish. */
  if (!ok && (!capture->certificate || capture->accepted))
    {
      g_propagate_prefixed_error (error, g_steal_pointer (&local_error),
                                  "TLS handshake with the service failed: ");
      return FALSE;
    }
  if (!capture->certificate)
    {
      g_set_error_literal (error, G_TLS_ERROR, G_TLS_ERROR_MISC,
                           "The service presented no certificate");
      return FALSE;
    }
  return TRUE;
}

/* ---- the command -------------------------------------------------------- */

typedef struct
{
  CheckArgs           *args;
  const char          *domain;
  JsonBuilder         *builder;
  PoshVerifier        *verifier;       /* (owned) */
  PoshDocument        *document;       /* (owned) (nullable): prefetched */
  GError              *fetch_error;    /* (owned) (nullable) */
  GCancellable        *cancellable;    /* (owned) */
  Capture              capture;
  PoshToolXmppInfo     xmpp;
  PoshToolTarget      *target;         /* (owned) (nullable): the one connected to */
  const char          *hint;           /* for the error, when set */
} Check;

static void
check_clear (Check *check)
{
  g_clear_object (&check->verifier);
  g_clear_pointer (&check->document, posh_document_unref);
  g_clear_error (&check->fetch_error);
  g_clear_object (&check->cancellable);
  capture_clear (&check->capture);
  _posh_tool_xmpp_info_clear (&check->xmpp);
  g_clear_pointer (&check->target, _posh_tool_target_free);
}

static char *
stage_hint (Check        *check,
            const GError *error)
{
  const char *domain = check->domain;

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT))
    return g_strdup ("the service did not answer in time: check --host/--port, or "
                     "raise --timeout");
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CONNECTION_REFUSED) &&
      strstr (error->message, "host-unknown"))
    return g_strdup_printf ("the server does not serve %s: configure %s as a virtual "
                            "host (the stream `to` is the source domain, RFC 7712 "
                            "§5.2, R56)", domain, domain);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED))
    return g_strdup ("enable TLS on the server: POSH verifies the certificate it "
                     "presents after STARTTLS (RFC 6120 §5)");
  return g_strdup (check->hint);
}

static PoshToolExit
fail (Check    *check,
      GError   *error)
{
  g_autofree char *hint = stage_hint (check, error);

  if (hint)
    _posh_tool_add_error_hint (check->builder, error, hint);
  else
    _posh_tool_add_error (check->builder, error, check->domain, check->args->service);
  g_error_free (error);
  return _posh_tool_result_end (check->builder, &check->args->options, "error",
                                POSH_TOOL_EXIT_ERROR);
}

static void
add_connection (Check *check)
{
  JsonBuilder *builder = check->builder;

  json_builder_set_member_name (builder, "connection");
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "host");
  json_builder_add_string_value (builder, check->target->host);
  json_builder_set_member_name (builder, "port");
  json_builder_add_int_value (builder, check->target->port);
  json_builder_set_member_name (builder, "source");
  json_builder_add_string_value (builder, check->target->source);
  json_builder_set_member_name (builder, "starttls");
  json_builder_add_string_value (builder, check->args->starttls);
  json_builder_end_object (builder);

  if (is_direct_tls (check->args))
    return;
  json_builder_set_member_name (builder, "xmpp");
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "stream_from");
  if (check->xmpp.stream_from)
    json_builder_add_string_value (builder, check->xmpp.stream_from);
  else
    json_builder_add_null_value (builder);
  json_builder_set_member_name (builder, "starttls_required");
  json_builder_add_boolean_value (builder, check->xmpp.starttls_required);
  json_builder_end_object (builder);
}

static void
add_pkix (Check *check)
{
  JsonBuilder *builder = check->builder;

  json_builder_set_member_name (builder, "pkix");
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "valid");
  json_builder_add_boolean_value (builder, check->capture.errors == 0);
  _posh_tool_add_flags (builder, "errors", G_TYPE_TLS_CERTIFICATE_FLAGS,
                        check->capture.errors);
  json_builder_set_member_name (builder, "tls_accepted");
  json_builder_add_boolean_value (builder, check->capture.accepted);
  json_builder_end_object (builder);
}

/* Connect to the first target that answers. */
static GIOStream *
connect_service (Check      *check,
                 GPtrArray  *targets,
                 GError    **error)
{
  GSocketConnection *connection;
  guint index = 0;

  connection = _posh_tool_connect_targets (targets, check->domain,
                                           _posh_tool_timeout (&check->args->options),
                                           &index, check->cancellable, error);
  if (!connection)
    return NULL;
  check->target = _posh_tool_target_copy (g_ptr_array_index (targets, index));
  return G_IO_STREAM (connection);
}

/* Steps 2 and 3 under the watchdog; TRUE when a certificate was captured. */
static gboolean
reach_certificate (Check      *check,
                   GPtrArray  *targets,
                   GError    **error)
{
  g_autoptr(GIOStream) connection = connect_service (check, targets, error);

  if (!connection)
    return FALSE;
  check->hint = "the service did not complete STARTTLS: check that it is an XMPP server "
                "with TLS enabled for the domain";
  if (!is_direct_tls (check->args) &&
      !_posh_tool_xmpp_starttls (connection, check->domain, is_server (check->args),
                                 check->cancellable, &check->xmpp, error))
    return FALSE;
  check->hint = "the TLS handshake failed before the service presented a certificate";
  /* The trust store of --cafile, or NULL for the system's. */
  return handshake (connection, posh_verifier_get_tls_database (check->verifier),
                    is_direct_tls (check->args) ? check->args->service : NULL,
                    check->target->port, &check->capture,
                    check->cancellable, error);
}

static gboolean
run_connection (Check      *check,
                GError    **error)
{
  g_autoptr(GPtrArray) targets = NULL;
  g_autoptr(GError) local_error = NULL;
  PoshToolWatchdog *watchdog;
  gboolean ok;

  check->hint = "check the SRV records of the domain, or give --host and --port";
  watchdog = _posh_tool_watchdog_start (check->cancellable,
                                        _posh_tool_timeout (&check->args->options));
  targets = _posh_tool_find_targets (check->domain, is_server (check->args),
                                     is_direct_tls (check->args), check->args->host,
                                     check->args->port, check->cancellable, &local_error);
  ok = targets && reach_certificate (check, targets, &local_error);
  if (_posh_tool_watchdog_stop (watchdog) && !ok)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT,
                   "No answer from the service of %s within %u seconds (%s)",
                   check->domain, _posh_tool_timeout (&check->args->options),
                   local_error->message);
      return FALSE;
    }
  if (!ok)
    g_propagate_error (error, g_steal_pointer (&local_error));
  return ok;
}

static void
add_suggestion (Check *check)
{
  GTlsCertificate *certificates[1] = { check->capture.certificate };
  g_autoptr(PoshDocument) suggestion = NULL;
  g_autofree char *json = NULL;

  suggestion = posh_document_new_from_certificates (certificates, 1, POSH_HASH_SHA_256,
                                                    86400, NULL);
  if (!suggestion)
    return;
  json = posh_document_to_json (suggestion);
  json_builder_set_member_name (check->builder, "suggested_document");
  json_builder_add_string_value (check->builder, json);
}

/* Step 5: the verdict on the captured certificate. */
static PoshToolExit
report (Check *check)
{
  GError *error = NULL;
  PoshVerifyStatus status = POSH_VERIFY_STATUS_NONE;

  add_connection (check);
  _posh_tool_add_certificate (check->builder, "certificate", check->capture.certificate);
  add_pkix (check);
  if (!check->document)
    {
      check->hint = NULL;
      error = g_steal_pointer (&check->fetch_error);
      return fail (check, error);
    }
  _posh_tool_add_document (check->builder, "document", check->document);
  if (!posh_verifier_verify_certificate (check->verifier, check->capture.certificate,
                                         check->domain, check->args->service, &status,
                                         NULL, &error))
    {
      check->hint = NULL;
      return fail (check, error);
    }
  _posh_tool_add_verdict (check->builder, status);
  if (status != POSH_VERIFY_STATUS_NONE)
    {
      add_suggestion (check);
      return _posh_tool_result_end (check->builder, &check->args->options, "mismatch",
                                    POSH_TOOL_EXIT_MISMATCH);
    }
  if (!check->capture.accepted)
    {
      /* POSH matched, but GIO found problems POSH never overrides. */
      check->hint = "POSH vouches for the certificate, but it fails validation in a way "
                    "POSH does not override (expired, revoked, insecure)";
      error = g_steal_pointer (&check->capture.accept_error);
      if (!error)
        g_set_error_literal (&error, G_TLS_ERROR, G_TLS_ERROR_BAD_CERTIFICATE,
                             "The certificate was not accepted");
      _posh_tool_add_error_hint (check->builder, error, check->hint);
      g_error_free (error);
      return _posh_tool_result_end (check->builder, &check->args->options, "mismatch",
                                    POSH_TOOL_EXIT_MISMATCH);
    }
  return _posh_tool_result_end (check->builder, &check->args->options, "verified",
                                POSH_TOOL_EXIT_OK);
}

static int
run_check (CheckArgs   *args,
           const char  *domain)
{
  g_autoptr(JsonBuilder) builder = _posh_tool_result_begin ("check");
  Check check = { 0 };
  GError *error = NULL;
  int status;

  check.args = args;
  check.domain = domain;
  check.builder = builder;
  check.cancellable = g_cancellable_new ();
  check.capture.domain = domain;
  check.capture.service = args->service;
  _posh_tool_add_domain_service (builder, domain, args->service);

  check.verifier = _posh_tool_verifier_new (&args->options, &error);
  if (!check.verifier)
    status = fail (&check, error);
  else
    {
      /* Step 1 (R37): the document first; its failure is reported after the
       * connection, so the operator also sees what the service presents. */
      check.capture.verifier = check.verifier;
      check.document = posh_verifier_fetch (check.verifier, domain, args->service, NULL,
                                            &check.fetch_error);
      if (!run_connection (&check, &error))
        status = fail (&check, error);
      else
        status = report (&check);
    }
  check_clear (&check);
  return status;
}

int
_posh_tool_check (int    argc,
                  char **argv)
{
  g_auto(CheckArgs) args = { 0 };
  const GOptionEntry entries[] = {
    { "service", 0, 0, G_OPTION_ARG_STRING, &args.service,
      "xmpp-client (c2s) or xmpp-server (s2s)", "SERVICE" },
    { "host", 0, 0, G_OPTION_ARG_STRING, &args.host,
      "Connect to HOST instead of the SRV target (the stream `to` and the TLS "
      "identity stay DOMAIN)", "HOST" },
    { "port", 0, 0, G_OPTION_ARG_INT, &args.port,
      "Connect to PORT (default: SRV, else 5222 for xmpp-client, 5269 for "
      "xmpp-server)", "PORT" },
    { "starttls", 0, 0, G_OPTION_ARG_STRING, &args.starttls,
      "xmpp (default): XMPP STARTTLS; none: direct TLS (XEP-0368)", "xmpp|none" },
    POSH_TOOL_ALLOW_SHA1_ENTRY (&args.options),
    { NULL }
  };
  g_auto(GStrv) rest = NULL;
  g_autoptr(GError) error = NULL;

  if (!_posh_tool_parse_command ("check", "DOMAIN",
    "Connect to the XMPP service of DOMAIN, take the certificate it presents "
    "after STARTTLS and verify it by POSH.",
    entries, &args.options, argc, argv, &rest, &error) ||
      !check_check_args (&args, rest, &error))
    return _posh_tool_usage_error ("check", &args.options, error);

  return run_check (&args, rest[1]);
}
