/* posh-verifier-verify.c: PoshVerifier's certificate checks
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * A verification is a fetch (posh-verifier-fetch.c) followed by the raw
 * check of the DER leaf (posh-verify.c) at the verifier's wall clock. The
 * GnuTLS face (posh-gnutls.c) calls the _posh_verifier_verify_der*()
 * functions; the GIO face is posh_verifier_verify_certificate*().
 */

#include "config.h"

#include "posh-verifier-private.h"

/* ---- verification ------------------------------------------------------ */

gboolean
_posh_verifier_verify_der (PoshVerifier      *self,
                           const guint8      *der,
                           gsize              der_len,
                           const char        *domain,
                           const char        *service,
                           PoshVerifyFlags    flags,
                           PoshVerifyStatus  *status,
                           GCancellable      *cancellable,
                           GError           **error)
{
  g_autoptr(PoshDocument) document = NULL;

  /* the cache hit first: this runs for every handshake */
  if (!_posh_verifier_lookup_raw (self, domain, service, &document, error))
    document = posh_verifier_fetch (self, domain, service, cancellable, error);
  if (document == NULL)
    return FALSE;
  return _posh_verify_der (document, der, der_len, flags,
                           _posh_verifier_now (self), status, error);
}

typedef struct
{
  GBytes           *der;     /* (owned) */
  PoshVerifyFlags   flags;
  PoshVerifyStatus  status;
} VerifyData;

static void
verify_data_free (VerifyData *data)
{
  g_bytes_unref (data->der);
  g_free (data);
}

static void
verify_fetched_cb (GObject      *source,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  PoshVerifier *self = POSH_VERIFIER (source);
  VerifyData *data = g_task_get_task_data (task);
  g_autoptr(PoshDocument) document = NULL;
  GError *error = NULL;
  gsize len;
  const guint8 *der;

  document = posh_verifier_fetch_finish (self, result, &error);
  if (document == NULL)
    {
      g_task_return_error (task, error);
      return;
    }

  der = g_bytes_get_data (data->der, &len);
  if (!_posh_verify_der (document, der, len, data->flags,
                         _posh_verifier_now (self), &data->status, &error))
    g_task_return_error (task, error);
  else
    g_task_return_boolean (task, TRUE);
}

static void
verifier_verify_async (PoshVerifier        *self,
                       GBytes              *der,
                       const char          *domain,
                       const char          *service,
                       PoshVerifyFlags      flags,
                       GCancellable        *cancellable,
                       GAsyncReadyCallback  callback,
                       gpointer             user_data,
                       gpointer             source_tag)
{
  GTask *task = g_task_new (self, cancellable, callback, user_data);
  VerifyData *data = g_new0 (VerifyData, 1);

  g_task_set_source_tag (task, source_tag);
  data->der = g_bytes_ref (der);
  data->flags = flags;
  g_task_set_task_data (task, data, (GDestroyNotify) verify_data_free);
  posh_verifier_fetch_async (self, domain, service, cancellable,
                             verify_fetched_cb, task);
}

/* Also finishes a task g_task_report_new_error() made: it has no data, but
 * always an error, so the data is never read. */
static gboolean
verifier_verify_finish (PoshVerifier      *self,
                        GAsyncResult      *result,
                        PoshVerifyStatus  *status,
                        GError           **error)
{
  VerifyData *data = g_task_get_task_data (G_TASK (result));

  if (!g_task_propagate_boolean (G_TASK (result), error))
    return FALSE;
  if (status != NULL)
    *status = data->status;
  return TRUE;
}

void
_posh_verifier_verify_der_async (PoshVerifier        *self,
                                 GBytes              *der,
                                 const char          *domain,
                                 const char          *service,
                                 PoshVerifyFlags      flags,
                                 GCancellable        *cancellable,
                                 GAsyncReadyCallback  callback,
                                 gpointer             user_data)
{
  g_return_if_fail (POSH_IS_VERIFIER (self));
  g_return_if_fail (der != NULL);

  verifier_verify_async (self, der, domain, service, flags, cancellable,
                         callback, user_data, _posh_verifier_verify_der_async);
}

gboolean
_posh_verifier_verify_der_finish (PoshVerifier      *self,
                                  GAsyncResult      *result,
                                  PoshVerifyStatus  *status,
                                  GError           **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == _posh_verifier_verify_der_async, FALSE);

  return verifier_verify_finish (self, result, status, error);
}

static GBytes *
certificate_get_der (GTlsCertificate *certificate)
{
  GByteArray *array = NULL;

  g_object_get (certificate, "certificate", &array, NULL);
  if (array == NULL)
    return NULL;
  return g_byte_array_free_to_bytes (array);
}

/**
 * posh_verifier_verify_certificate:
 * @verifier: a [class@Posh.Verifier]
 * @certificate: the certificate the server presented (only this end-entity
 *   certificate is hashed; its issuers are ignored)
 * @domain: the source domain the client wants to reach, e.g. `example.com`
 * @service: the POSH service name, e.g. `xmpp-client`
 * @status: (out) (optional): the verdict, %POSH_VERIFY_STATUS_NONE when the
 *   certificate matched and is within its validity period
 * @cancellable: (nullable): a [class@Gio.Cancellable]
 * @error: return location for a [struct@GLib.Error]
 *
 * Checks @certificate against the POSH document @domain publishes for
 * @service, fetching it (see [method@Posh.Verifier.fetch]) unless a valid
 * cached copy exists. The verification flags are those of
 * [property@Posh.Verifier:verify-flags]; validity is checked at the
 * verifier's clock.
 *
 * As with libdane, the return value says whether the check could be made,
 * and @status gives the verdict: a %TRUE return with a @status other than
 * %POSH_VERIFY_STATUS_NONE means POSH rejected the certificate.
 *
 * This call blocks; it is usable inside a
 * [signal@Gio.TlsConnection::accept-certificate] handler, ideally after a
 * prefetch with [method@Posh.Verifier.fetch_async].
 *
 * Returns: %TRUE if the certificate was checked, %FALSE with @error set if
 *   it could not be
 *
 * Since: 0.1
 */
gboolean
posh_verifier_verify_certificate (PoshVerifier      *verifier,
                                  GTlsCertificate   *certificate,
                                  const char        *domain,
                                  const char        *service,
                                  PoshVerifyStatus  *status,
                                  GCancellable      *cancellable,
                                  GError           **error)
{
  g_autoptr(GBytes) der = NULL;
  const guint8 *data;
  gsize len;

  g_return_val_if_fail (POSH_IS_VERIFIER (verifier), FALSE);
  g_return_val_if_fail (G_IS_TLS_CERTIFICATE (certificate), FALSE);
  g_return_val_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  der = certificate_get_der (certificate);
  if (der == NULL)
    {
      g_set_error_literal (error, POSH_ERROR, POSH_ERROR_NO_CERT,
                           "The certificate has no DER data");
      return FALSE;
    }
  data = g_bytes_get_data (der, &len);
  return _posh_verifier_verify_der (verifier, data, len, domain, service,
                                    verifier->verify_flags, status,
                                    cancellable, error);
}

/**
 * posh_verifier_verify_certificate_async:
 * @verifier: a [class@Posh.Verifier]
 * @certificate: the certificate the server presented
 * @domain: the source domain the client wants to reach
 * @service: the POSH service name
 * @cancellable: (nullable): a [class@Gio.Cancellable]
 * @callback: (scope async): called when the verification is complete
 * @user_data: data for @callback
 *
 * Asynchronously checks @certificate; see
 * [method@Posh.Verifier.verify_certificate]. Concurrent calls for the same
 * domain and service share one HTTP fetch.
 *
 * Since: 0.1
 */
void
posh_verifier_verify_certificate_async (PoshVerifier        *verifier,
                                        GTlsCertificate     *certificate,
                                        const char          *domain,
                                        const char          *service,
                                        GCancellable        *cancellable,
                                        GAsyncReadyCallback  callback,
                                        gpointer             user_data)
{
  g_autoptr(GBytes) der = NULL;

  g_return_if_fail (POSH_IS_VERIFIER (verifier));
  g_return_if_fail (G_IS_TLS_CERTIFICATE (certificate));
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  der = certificate_get_der (certificate);
  if (der == NULL)
    {
      g_task_report_new_error (verifier, callback, user_data,
                               posh_verifier_verify_certificate_async,
                               POSH_ERROR, POSH_ERROR_NO_CERT,
                               "The certificate has no DER data");
      return;
    }
  verifier_verify_async (verifier, der, domain, service, verifier->verify_flags,
                         cancellable, callback, user_data,
                         posh_verifier_verify_certificate_async);
}

/**
 * posh_verifier_verify_certificate_finish:
 * @verifier: a [class@Posh.Verifier]
 * @result: the [iface@Gio.AsyncResult] given to the callback
 * @status: (out) (optional): the verdict
 * @error: return location for a [struct@GLib.Error]
 *
 * Finishes [method@Posh.Verifier.verify_certificate_async].
 *
 * Returns: %TRUE if the certificate was checked (the verdict is in
 *   @status), %FALSE with @error set if it could not be
 *
 * Since: 0.1
 */
gboolean
posh_verifier_verify_certificate_finish (PoshVerifier      *verifier,
                                         GAsyncResult      *result,
                                         PoshVerifyStatus  *status,
                                         GError           **error)
{
  g_return_val_if_fail (POSH_IS_VERIFIER (verifier), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, verifier), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == posh_verifier_verify_certificate_async, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  return verifier_verify_finish (verifier, result, status, error);
}
