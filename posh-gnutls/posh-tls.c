/* posh-tls.c: GIO TLS integration (accept-certificate helpers)
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * A GIO TLS client (an XMPP client such as Dino, a server doing s2s) uses
 * POSH in two steps:
 *
 *   1. before or while it connects, it fetches the document for
 *      (domain, service) into the verifier's cache:
 *      posh_verifier_prefetch() or posh_verifier_fetch_async();
 *   2. inside GTlsConnection::accept-certificate, which must answer at once,
 *      it decides from the cache alone: posh_verifier_accept_certificate(),
 *      or posh_verifier_attach_to_connection() which connects that handler.
 *
 * GIO emits accept-certificate only for certificates that fail PKIX
 * validation, so pinning a PKIX-valid certificate is done after the
 * handshake with posh_verifier_check_connection().
 */

#include "config.h"

#include "posh-tls.h"

#include "posh-document-private.h"

static void
prefetch_cb (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr(PoshDocument) document = NULL;
  g_autoptr(GError) error = NULL;

  document = posh_verifier_fetch_finish (POSH_VERIFIER (source), result, &error);
  if (document == NULL)
    g_debug ("POSH prefetch failed: %s", error->message);
}

/**
 * posh_verifier_prefetch:
 * @verifier: a [class@Posh.Verifier]
 * @domain: the source domain, e.g. `example.com`
 * @service: the POSH service name, e.g. `xmpp-client`
 * @cancellable: (nullable): a [class@Gio.Cancellable]
 *
 * Starts fetching the POSH document of @domain for @service into the
 * verifier's cache and returns at once, so that a later
 * [method@Posh.Verifier.accept_certificate] (which never does I/O) finds
 * it. Call it before or while opening the connection to the service, as
 * RFC 7711 §5 asks (R37, R38); to know when the document is there, or why
 * it could not be fetched, use [method@Posh.Verifier.fetch_async] instead.
 *
 * Concurrent requests for the same (domain, service) share one fetch. With
 * %POSH_VERIFIER_FLAGS_NO_CACHE nothing is kept, so a prefetch is useless.
 *
 * Since: 0.1
 */
void
posh_verifier_prefetch (PoshVerifier *verifier,
                        const char   *domain,
                        const char   *service,
                        GCancellable *cancellable)
{
  g_return_if_fail (POSH_IS_VERIFIER (verifier));
  g_return_if_fail (domain != NULL);
  g_return_if_fail (service != NULL);
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  posh_verifier_fetch_async (verifier, domain, service, cancellable,
                             prefetch_cb, NULL);
}

/* The GTlsCertificateFlags a POSH match may not override under @flags. */
static gboolean
check_tls_errors (GTlsCertificateFlags   errors,
                  PoshTlsFlags           flags,
                  GError               **error)
{
  GTlsCertificateFlags forbidden;
  g_autofree char *names = NULL;

  if (flags & POSH_TLS_FLAGS_PIN_ONLY)
    forbidden = errors;
  else
    forbidden = errors & ~POSH_TLS_ACCEPTABLE_ERRORS;

  if (forbidden == 0)
    return TRUE;

  names = g_flags_to_string (G_TYPE_TLS_CERTIFICATE_FLAGS, forbidden);
  g_set_error (error, G_TLS_ERROR, G_TLS_ERROR_BAD_CERTIFICATE,
               "The certificate failed validation (%s), which POSH %s",
               names,
               (flags & POSH_TLS_FLAGS_PIN_ONLY)
               ? "does not override when it only pins"
               : "never overrides");
  return FALSE;
}

/* Raw verify of the leaf's DER with the verifier's clock and flags. */
static gboolean
verify_leaf (PoshVerifier     *verifier,
             PoshDocument     *document,
             GTlsCertificate  *certificate,
             PoshVerifyStatus *status,
             GError          **error)
{
  g_autoptr(GBytes) der = _posh_certificate_der (certificate, error);
  const guint8 *data;
  gsize len;

  if (der == NULL)
    return FALSE;

  data = g_bytes_get_data (der, &len);
  return _posh_verify_der (document, data, len,
                           posh_verifier_get_verify_flags (verifier),
                           _posh_verifier_now (verifier), status, error);
}

/**
 * posh_verifier_accept_certificate:
 * @verifier: a [class@Posh.Verifier]
 * @peer_certificate: the certificate the peer presented
 * @errors: the problems GIO found with it, as given to
 *   [signal@Gio.TlsConnection::accept-certificate]
 * @domain: the source domain the connection is for (for XMPP, the `to` of
 *   the stream, RFC 7712 §5.2)
 * @service: the POSH service name, e.g. `xmpp-client` or `xmpp-server`
 * @flags: what a POSH match means: delegation (%POSH_TLS_FLAGS_NONE) or
 *   pinning (%POSH_TLS_FLAGS_PIN_ONLY)
 * @status: (out) (optional): the verdict of the POSH check, or
 *   %POSH_VERIFY_STATUS_CERT_DIFFERS when no check ran (fail closed)
 * @error: return location for a [struct@GLib.Error]
 *
 * Decides, synchronously and without any I/O, whether @peer_certificate
 * is acceptable for @domain by POSH: the function to call from a
 * [signal@Gio.TlsConnection::accept-certificate] or
 * `SoupMessage::accept-certificate` handler. The document must already be
 * in the verifier's cache (see [method@Posh.Verifier.prefetch]); this
 * function never fetches.
 *
 * It returns %TRUE only when all of these hold:
 *
 * - @errors holds nothing but %G_TLS_CERTIFICATE_UNKNOWN_CA and
 *   %G_TLS_CERTIFICATE_BAD_IDENTITY (delegation), or nothing at all
 *   (%POSH_TLS_FLAGS_PIN_ONLY). An expired, not yet valid, revoked or
 *   insecure certificate is never acceptable;
 * - a POSH document for (@domain, @service) is cached. A document with
 *   `expires` 0 is never cached, and a failed fetch leaves nothing cached
 *   either, so "POSH unavailable" never counts as success;
 * - a fingerprint in it matches the DER of @peer_certificate, and the
 *   certificate is within its validity period at the verifier's clock.
 *
 * Otherwise it returns %FALSE and sets @error: %G_TLS_ERROR_BAD_CERTIFICATE
 * when @errors cannot be overridden or when POSH rejected the certificate
 * (then @status says why), %POSH_ERROR_REQUESTED_DATA_NOT_AVAILABLE when no
 * document is cached, or another %POSH_ERROR code when the check could not
 * run (for example %POSH_ERROR_CERT).
 *
 * Returns: %TRUE if POSH did not reject the certificate for @domain
 *
 * Since: 0.1
 */
gboolean
posh_verifier_accept_certificate (PoshVerifier          *verifier,
                                  GTlsCertificate       *peer_certificate,
                                  GTlsCertificateFlags   errors,
                                  const char            *domain,
                                  const char            *service,
                                  PoshTlsFlags           flags,
                                  PoshVerifyStatus      *status,
                                  GError               **error)
{
  g_autoptr(PoshDocument) document = NULL;
  PoshVerifyStatus verdict = POSH_VERIFY_STATUS_NONE;

  g_return_val_if_fail (POSH_IS_VERIFIER (verifier), FALSE);
  g_return_val_if_fail (G_IS_TLS_CERTIFICATE (peer_certificate), FALSE);
  g_return_val_if_fail (domain != NULL, FALSE);
  g_return_val_if_fail (service != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (status != NULL)
    *status = POSH_VERIFY_STATUS_CERT_DIFFERS;

  if (!check_tls_errors (errors, flags, error))
    return FALSE;

  document = posh_verifier_lookup_cached (verifier, domain, service);
  if (document == NULL)
    {
      g_set_error (error, POSH_ERROR, POSH_ERROR_REQUESTED_DATA_NOT_AVAILABLE,
                   "No POSH document for %s (%s) is cached: fetch it before "
                   "the handshake", domain, service);
      return FALSE;
    }

  if (!verify_leaf (verifier, document, peer_certificate, &verdict, error))
    return FALSE;

  if (status != NULL)
    *status = verdict;

  if (verdict != POSH_VERIFY_STATUS_NONE)
    {
      g_autofree char *text = posh_verify_status_to_string (verdict);

      g_set_error (error, G_TLS_ERROR, G_TLS_ERROR_BAD_CERTIFICATE,
                   "POSH rejected the certificate for %s: %s", domain, text);
      return FALSE;
    }

  return TRUE;
}

/**
 * posh_verifier_check_connection:
 * @verifier: a [class@Posh.Verifier]
 * @connection: a [class@Gio.TlsConnection] whose handshake has completed
 * @domain: the source domain the connection is for
 * @service: the POSH service name, e.g. `xmpp-client` or `xmpp-server`
 * @flags: what a POSH match means, as for
 *   [method@Posh.Verifier.accept_certificate]
 * @status: (out) (optional): the verdict of the POSH check, or
 *   %POSH_VERIFY_STATUS_CERT_DIFFERS when no check ran (fail closed)
 * @error: return location for a [struct@GLib.Error]
 *
 * Checks the certificate of a connection after its handshake, from the
 * verifier's cache, exactly as [method@Posh.Verifier.accept_certificate]
 * does with the connection's peer certificate and
 * [property@Gio.TlsConnection:peer-certificate-errors].
 *
 * This is how to pin (%POSH_TLS_FLAGS_PIN_ONLY): GIO emits
 * [signal@Gio.TlsConnection::accept-certificate] only for certificates
 * that fail PKIX validation, so a PKIX-valid certificate is never seen by
 * a handler. Call this after the handshake and before sending any
 * application data (RFC 7711 §5, R36); close the connection when it
 * returns %FALSE.
 *
 * Fails with %POSH_ERROR_NO_CERT when the connection has no peer
 * certificate (no handshake yet, or the peer sent none).
 *
 * Returns: %TRUE if POSH did not reject the peer certificate for @domain
 *
 * Since: 0.1
 */
gboolean
posh_verifier_check_connection (PoshVerifier      *verifier,
                                GTlsConnection    *connection,
                                const char        *domain,
                                const char        *service,
                                PoshTlsFlags       flags,
                                PoshVerifyStatus  *status,
                                GError           **error)
{
  GTlsCertificate *peer;

  g_return_val_if_fail (POSH_IS_VERIFIER (verifier), FALSE);
  g_return_val_if_fail (G_IS_TLS_CONNECTION (connection), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (status != NULL)
    *status = POSH_VERIFY_STATUS_CERT_DIFFERS;

  peer = g_tls_connection_get_peer_certificate (connection);
  if (peer == NULL)
    {
      g_set_error_literal (error, POSH_ERROR, POSH_ERROR_NO_CERT,
                           "The connection has no peer certificate");
      return FALSE;
    }

  return posh_verifier_accept_certificate (
    verifier, peer, g_tls_connection_get_peer_certificate_errors (connection),
    domain, service, flags, status, error);
}

typedef struct
{
  PoshVerifier *verifier;  /* (owned) */
  char         *domain;    /* (owned) */
  char         *service;   /* (owned) */
  PoshTlsFlags  flags;
} AcceptClosure;

static void
accept_closure_free (gpointer data,
                     GClosure *closure)
{
  AcceptClosure *self = data;

  g_clear_object (&self->verifier);
  g_free (self->domain);
  g_free (self->service);
  g_free (self);
}

static gboolean
accept_certificate_cb (GTlsConnection       *connection,
                       GTlsCertificate      *peer_certificate,
                       GTlsCertificateFlags  errors,
                       gpointer              user_data)
{
  AcceptClosure *self = user_data;
  g_autoptr(GError) error = NULL;

  if (posh_verifier_accept_certificate (self->verifier, peer_certificate,
                                        errors, self->domain, self->service,
                                        self->flags, NULL, &error))
    {
      g_debug ("POSH accepted the certificate for %s (%s)",
               self->domain, self->service);
      return TRUE;
    }

  g_debug ("POSH did not accept the certificate for %s (%s): %s",
           self->domain, self->service, error->message);
  return FALSE;
}

/**
 * posh_verifier_attach_to_connection:
 * @verifier: a [class@Posh.Verifier]
 * @connection: a [class@Gio.TlsConnection] (client or server side) before its handshake
 * @domain: the source domain the connection is for
 * @service: the POSH service name, e.g. `xmpp-client` or `xmpp-server`
 * @flags: what a POSH match means, as for
 *   [method@Posh.Verifier.accept_certificate]
 *
 * Connects a [signal@Gio.TlsConnection::accept-certificate] handler to
 * @connection that answers with
 * [method@Posh.Verifier.accept_certificate] for (@domain, @service). The
 * handler holds a reference to @verifier for as long as it is connected.
 *
 * The handler only reads the cache: fetch the document first (see
 * [method@Posh.Verifier.prefetch] and [method@Posh.Verifier.fetch_async]),
 * or the handshake fails. For a server-side connection (incoming s2s,
 * RFC 7712), @domain is the domain the peer claims, and the connection must
 * request a client certificate; GIO emits the signal for every client
 * certificate there, PKIX-valid or not, so the certificate is accepted only
 * if the claimed domain's document lists it.
 *
 * With %POSH_TLS_FLAGS_PIN_ONLY the handler rejects every certificate it
 * sees, since GIO asks only about PKIX failures; PKIX-valid certificates
 * still need [method@Posh.Verifier.check_connection] after the handshake.
 *
 * Returns: the handler id, for g_signal_handler_disconnect()
 *
 * Since: 0.1
 */
gulong
posh_verifier_attach_to_connection (PoshVerifier   *verifier,
                                    GTlsConnection *connection,
                                    const char     *domain,
                                    const char     *service,
                                    PoshTlsFlags    flags)
{
  AcceptClosure *self;

  g_return_val_if_fail (POSH_IS_VERIFIER (verifier), 0);
  g_return_val_if_fail (G_IS_TLS_CONNECTION (connection), 0);
  g_return_val_if_fail (domain != NULL, 0);
  g_return_val_if_fail (service != NULL, 0);

  self = g_new0 (AcceptClosure, 1);
  self->verifier = g_object_ref (verifier);
  self->domain = g_strdup (domain);
  self->service = g_strdup (service);
  self->flags = flags;

  return g_signal_connect_data (connection, "accept-certificate",
                                G_CALLBACK (accept_certificate_cb), self,
                                accept_closure_free, 0);
}
