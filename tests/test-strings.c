/* test-strings.c: every error code and verdict bit has its own text
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * In the style of GnuTLS's tests/dane-strcodes.c: each POSH_E_* has a
 * unique, non-empty posh_strerror() text, each verdict bit is described,
 * each PoshError / PoshDocumentError value has a nick, and the GError to
 * POSH_E_* mapping is the negation the headers promise.
 */

#include "config.h"

#include <string.h>

#include "posh-private.h"
#include "posh-gnutls.h"
#include "posh-test-utils.h"

#define FIRST_ERROR POSH_E_SUCCESS
#define LAST_ERROR  POSH_E_CANCELLED

static const unsigned int status_bits[] = {
  POSH_VERIFY_CERT_DIFFERS,
  POSH_VERIFY_NO_USABLE_FINGERPRINT,
  POSH_VERIFY_CERT_EXPIRED,
  POSH_VERIFY_CERT_NOT_ACTIVATED,
};

static void
assert_sentence (const char *text)
{
  g_assert_nonnull (text);
  g_assert_cmpuint (strlen (text), >, 8);
  g_assert_true (g_ascii_isupper (text[0]));
  g_assert_true (g_str_has_suffix (text, "."));
}

static void
test_strerror_unique (void)
{
  g_autoptr (GHashTable) seen = g_hash_table_new (g_str_hash, g_str_equal);
  const char *unknown = posh_strerror (LAST_ERROR - 1);

  assert_sentence (unknown);
  g_assert_cmpstr (posh_strerror (1), ==, unknown);
  g_assert_cmpstr (posh_strerror (G_MININT), ==, unknown);
  g_assert_cmpstr (posh_strerror (G_MAXINT), ==, unknown);
  g_hash_table_add (seen, (gpointer) unknown);

  for (int code = FIRST_ERROR; code >= LAST_ERROR; code--)
    {
      const char *text = posh_strerror (code);

      g_test_message ("%d: %s", code, text);
      assert_sentence (text);
      g_assert_false (g_hash_table_contains (seen, text));
      g_hash_table_add (seen, (gpointer) text);
    }
  g_assert_cmpuint (g_hash_table_size (seen), ==, 1 - LAST_ERROR + 1);
}

static char *
print_status (unsigned int status)
{
  gnutls_datum_t out = { NULL, 0 };
  char *text;

  g_assert_cmpint (posh_verification_status_print (status, &out, 0), ==, POSH_E_SUCCESS);
  g_assert_nonnull (out.data);
  g_assert_cmpuint (out.size, ==, strlen ((const char *) out.data));
  text = g_strdup ((const char *) out.data);
  gnutls_free (out.data);
  return text;
}

typedef char *(*StatusTextFunc) (unsigned int status);

static char *
status_to_string (unsigned int status)
{
  return posh_verify_status_to_string ((PoshVerifyStatus) status);
}

/* Each bit has its own sentence, distinct from the others and from the
 * "matched" text, and a combination names every bit it holds. */
static void
check_status_texts (StatusTextFunc func)
{
  g_autoptr (GPtrArray) texts = g_ptr_array_new_with_free_func (g_free);
  g_autofree char *matched = func (0);
  g_autofree char *all = NULL;
  unsigned int all_bits = 0;

  assert_sentence (matched);
  g_assert_nonnull (strstr (matched, "matched"));

  for (gsize i = 0; i < G_N_ELEMENTS (status_bits); i++)
    {
      char *text = func (status_bits[i]);

      g_test_message ("0x%x: %s", status_bits[i], text);
      assert_sentence (text);
      g_assert_cmpstr (text, !=, matched);
      for (guint j = 0; j < texts->len; j++)
        g_assert_cmpstr (text, !=, g_ptr_array_index (texts, j));
      g_ptr_array_add (texts, text);
      all_bits |= status_bits[i];
    }

  all = func (all_bits);
  for (guint j = 0; j < texts->len; j++)
    g_assert_nonnull (strstr (all, g_ptr_array_index (texts, j)));
}

static void
test_status_print (void)
{
  check_status_texts (print_status);
}

static void
test_status_to_string (void)
{
  check_status_texts (status_to_string);
}

/* A bit this version does not know is still reported, by value. */
static void
test_status_unknown_bit (void)
{
  g_autofree char *printed = print_status (1u << 20 | POSH_VERIFY_CERT_DIFFERS);
  g_autofree char *differs = print_status (POSH_VERIFY_CERT_DIFFERS);
  g_autofree char *string = posh_verify_status_to_string (1u << 20);

  g_assert_nonnull (strstr (printed, differs));
  g_assert_nonnull (strstr (printed, "0x100000"));
  g_assert_nonnull (strstr (string, "0x100000"));
}

static void
check_enum (GType type,
            guint expected_values)
{
  GEnumClass *klass = g_type_class_ref (type);
  g_autoptr (GHashTable) nicks = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr (GHashTable) values = g_hash_table_new (NULL, NULL);

  g_assert_cmpuint (klass->n_values, ==, expected_values);
  for (guint i = 0; i < klass->n_values; i++)
    {
      GEnumValue *value = &klass->values[i];

      g_assert_nonnull (value->value_nick);
      g_assert_cmpstr (value->value_nick, !=, "");
      g_assert_false (g_hash_table_contains (nicks, value->value_nick));
      g_assert_false (g_hash_table_contains (values, GINT_TO_POINTER (value->value)));
      g_hash_table_add (nicks, (gpointer) value->value_nick);
      g_hash_table_add (values, GINT_TO_POINTER (value->value));
    }
  g_type_class_unref (klass);
}

static void
test_enums (void)
{
  /* one PoshError per POSH_E_* but SUCCESS */
  check_enum (POSH_TYPE_ERROR, (guint) -LAST_ERROR);
  check_enum (POSH_TYPE_DOCUMENT_ERROR, POSH_DOCUMENT_ERROR_URL_NOT_HTTPS);
}

static void
test_quarks (void)
{
  g_assert_cmpstr (g_quark_to_string (POSH_ERROR), ==, "posh-error-quark");
  g_assert_cmpstr (g_quark_to_string (POSH_DOCUMENT_ERROR), ==, "posh-document-error-quark");
}

static int
code_of (GQuark domain,
         int    code)
{
  g_autoptr (GError) error = g_error_new_literal (domain, code, "test");

  return _posh_error_to_code (error);
}

static void
test_error_to_code_posh (void)
{
  GEnumClass *klass = g_type_class_ref (POSH_TYPE_ERROR);

  for (guint i = 0; i < klass->n_values; i++)
    {
      int n = klass->values[i].value;

      g_assert_cmpint (code_of (POSH_ERROR, n), ==, -n);
      g_assert_cmpstr (posh_strerror (-n), !=, posh_strerror (LAST_ERROR - 1));
    }
  g_type_class_unref (klass);

  /* a code this version does not know is still a failure */
  g_assert_cmpint (code_of (POSH_ERROR, 999), ==, POSH_E_FETCH_ERROR);
  g_assert_cmpint (_posh_error_to_code (NULL), ==, POSH_E_SUCCESS);
}

static void
test_error_to_code_document (void)
{
  GEnumClass *klass = g_type_class_ref (POSH_TYPE_DOCUMENT_ERROR);

  for (guint i = 0; i < klass->n_values; i++)
    {
      int n = klass->values[i].value;
      int expected = n == POSH_DOCUMENT_ERROR_TOO_LARGE ? POSH_E_TOO_LARGE
                                                        : POSH_E_RECEIVED_CORRUPT_DATA;

      g_assert_cmpint (code_of (POSH_DOCUMENT_ERROR, n), ==, expected);
    }
  g_type_class_unref (klass);
}

static void
test_error_to_code_gio (void)
{
  g_assert_cmpint (code_of (G_IO_ERROR, G_IO_ERROR_CANCELLED), ==, POSH_E_CANCELLED);
  g_assert_cmpint (code_of (G_IO_ERROR, G_IO_ERROR_TIMED_OUT), ==, POSH_E_TIMEOUT);
  g_assert_cmpint (code_of (G_TLS_ERROR, G_TLS_ERROR_BAD_CERTIFICATE), ==, POSH_E_HTTPS_ERROR);
  g_assert_cmpint (code_of (G_TLS_ERROR, G_TLS_ERROR_HANDSHAKE), ==, POSH_E_HTTPS_ERROR);
  g_assert_cmpint (code_of (G_IO_ERROR, G_IO_ERROR_CONNECTION_REFUSED), ==, POSH_E_FETCH_ERROR);
  g_assert_cmpint (code_of (G_IO_ERROR, G_IO_ERROR_FAILED), ==, POSH_E_FETCH_ERROR);
  g_assert_cmpint (code_of (G_RESOLVER_ERROR, G_RESOLVER_ERROR_NOT_FOUND), ==, POSH_E_FETCH_ERROR);
}

int
main (int    argc,
      char **argv)
{
  posh_test_init (&argc, &argv);

  g_test_add_func ("/strings/strerror/unique", test_strerror_unique);
  g_test_add_func ("/strings/status/print", test_status_print);
  g_test_add_func ("/strings/status/to-string", test_status_to_string);
  g_test_add_func ("/strings/status/unknown-bit", test_status_unknown_bit);
  g_test_add_func ("/strings/enums", test_enums);
  g_test_add_func ("/strings/quarks", test_quarks);
  g_test_add_func ("/strings/error-to-code/posh", test_error_to_code_posh);
  g_test_add_func ("/strings/error-to-code/document", test_error_to_code_document);
  g_test_add_func ("/strings/error-to-code/gio", test_error_to_code_gio);

  return g_test_run ();
}
