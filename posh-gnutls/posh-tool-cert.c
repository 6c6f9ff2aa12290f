/* posh-tool-cert.c: loading a certificate file for posh-tool
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * A file holds one certificate in DER, or one or more PEM certificates (a
 * chain as servers use it: leaf first). POSH hashes the end-entity
 * certificate only (spec E20), so the tool takes the first certificate of
 * the file and says how many it skipped. A file that holds a private key is
 * refused before anything is parsed: POSH publishes hashes, never keys
 * (R50), and the tool must not become a way to copy a key around. Only the
 * leaf is handed to GIO, re-encoded from its DER, so GIO never sees the
 * rest of the file either.
 */

#include "config.h"

#include "posh-tool.h"

#include <string.h>

#include <gnutls/x509.h>

/* Certificates are small; anything bigger is not one. */
#define MAX_CERT_FILE_SIZE (1024 * 1024)

static gboolean
read_file (const char  *path,
           GBytes     **contents,
           GError     **error)
{
  g_autoptr(GFile) file = g_file_new_for_commandline_arg (path);
  g_autoptr(GFileInfo) info = NULL;
  char *data = NULL;
  gsize len = 0;

  info = g_file_query_info (file, G_FILE_ATTRIBUTE_STANDARD_SIZE,
                            G_FILE_QUERY_INFO_NONE, NULL, error);
  if (!info)
    return FALSE;
  if (g_file_info_get_size (info) > MAX_CERT_FILE_SIZE)
    {
      g_set_error (error, POSH_ERROR, POSH_ERROR_CERT,
                   "%s is larger than %d bytes: not a certificate file",
                   path, MAX_CERT_FILE_SIZE);
      return FALSE;
    }
  if (!g_file_load_contents (file, NULL, &data, &len, NULL, error))
    return FALSE;
  *contents = g_bytes_new_take (data, len);
  return TRUE;
}

/* "-----BEGIN ... PRIVATE KEY-----" in any of its forms (RSA, EC,
 * ENCRYPTED, plain PKCS #8, OpenSSH ...). */
static gboolean
holds_private_key (GBytes *contents)
{
  gsize len;
  const char *data = g_bytes_get_data (contents, &len);
  const char *p = data;
  const char *end = data + len;

  while (p < end)
    {
      const char *begin = memmem (p, end - p, "-----BEGIN ", 11);
      const char *line_end;

      if (!begin)
        return FALSE;
      line_end = memchr (begin, '\n', end - begin);
      if (!line_end)
        line_end = end;
      if (memmem (begin, line_end - begin, "PRIVATE KEY", 11))
        return TRUE;
      p = line_end;
    }
  return FALSE;
}

static gboolean
looks_like_pem (GBytes *contents)
{
  gsize len;
  const char *data = g_bytes_get_data (contents, &len);

  return memmem (data, len, "-----BEGIN CERTIFICATE-----", 27) ||
         memmem (data, len, "-----BEGIN X509 CERTIFICATE-----", 32);
}

/* The leaf as a gnutls certificate; *n: certificates in the file. */
static gnutls_x509_crt_t
import_leaf (const char  *path,
             GBytes      *contents,
             guint       *n,
             GError     **error)
{
  gnutls_datum_t datum;
  gnutls_x509_crt_t *list = NULL;
  unsigned int count = 0;
  gnutls_x509_crt_t leaf;
  gsize len;
  int ret;

  datum.data = (unsigned char *) g_bytes_get_data (contents, &len);
  datum.size = (unsigned int) len;

  if (looks_like_pem (contents))
    ret = gnutls_x509_crt_list_import2 (&list, &count, &datum, GNUTLS_X509_FMT_PEM, 0);
  else
    ret = gnutls_x509_crt_list_import2 (&list, &count, &datum, GNUTLS_X509_FMT_DER, 0);
  if (ret < 0 || count == 0)
    {
      g_set_error (error, POSH_ERROR, POSH_ERROR_CERT,
                   "%s does not hold an X.509 certificate in PEM or DER (%s)",
                   path, ret < 0 ? gnutls_strerror (ret) : "no certificate found");
      return NULL;
    }

  leaf = list[0];
  for (unsigned int i = 1; i < count; i++)
    gnutls_x509_crt_deinit (list[i]);
  gnutls_free (list);
  *n = count;
  return leaf;
}

static GTlsCertificate *
leaf_to_gio (const char         *path,
             gnutls_x509_crt_t   leaf,
             GError            **error)
{
  gnutls_datum_t pem = { NULL, 0 };
  GTlsCertificate *certificate;
  int ret;

  ret = gnutls_x509_crt_export2 (leaf, GNUTLS_X509_FMT_PEM, &pem);
  if (ret < 0)
    {
      g_set_error (error, POSH_ERROR, POSH_ERROR_CERT,
                   "The certificate in %s cannot be encoded: %s",
                   path, gnutls_strerror (ret));
      return NULL;
    }
  certificate = g_tls_certificate_new_from_pem ((const char *) pem.data, pem.size, error);
  gnutls_free (pem.data);
  return certificate;
}

GTlsCertificate *
_posh_tool_load_certificate (const char  *path,
                             guint       *n_in_file,
                             GError     **error)
{
  g_autoptr(GBytes) contents = NULL;
  gnutls_x509_crt_t leaf;
  GTlsCertificate *certificate;
  guint n = 0;

  g_return_val_if_fail (path, NULL);

  if (!read_file (path, &contents, error))
    return NULL;

  if (holds_private_key (contents))
    {
      g_set_error (error, POSH_ERROR, POSH_ERROR_INVALID_REQUEST,
                   "%s contains a private key: posh-tool never reads private "
                   "keys (POSH publishes hashes of certificates, RFC 7711 §10, "
                   "R50); give it a file with the certificate only", path);
      return NULL;
    }

  leaf = import_leaf (path, contents, &n, error);
  if (!leaf)
    return NULL;
  certificate = leaf_to_gio (path, leaf, error);
  gnutls_x509_crt_deinit (leaf);

  if (certificate && n_in_file)
    *n_in_file = n;
  return certificate;
}

GBytes *
_posh_tool_certificate_der (GTlsCertificate *certificate)
{
  g_autoptr(GByteArray) der = NULL;

  g_object_get (certificate, "certificate", &der, NULL);
  if (!der)
    return g_bytes_new (NULL, 0);
  return g_byte_array_free_to_bytes (g_steal_pointer (&der));
}
