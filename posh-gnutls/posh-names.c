/* posh-names.c: normalise (domain, service) and build the well-known URLs
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Everything a caller names is checked here, before any I/O:
 *
 * - Domains (spec E3): surrounding input must be a bare DNS host name. One
 *   trailing dot is stripped, IDNs become A-labels (g_hostname_to_ascii),
 *   the result is lowercased and must be LDH: labels of 1-63 characters from
 *   [a-z0-9-] without a leading or trailing '-', at most 253 characters in
 *   all. IP literals (IPv4 in any inet_aton spelling, IPv6, bracketed),
 *   ports, userinfo, paths, percent-escapes, whitespace and empty labels are
 *   rejected, as is a name whose last label is all digits (no TLD is).
 *
 * - Services (spec R2, R3, E2): "_xmpp-server._tcp" (the SRV form, with a
 *   "_tcp", "_udp" or "_sctp" protocol label), "_xmpp-server" and
 *   "xmpp-server" all give "xmpp-server". ASCII letters are lowercased
 *   (service names are case-insensitive, RFC 6335 §5.1) rather than
 *   rejected. The result must be 1-63 characters of [a-z0-9-] without a
 *   leading or trailing '-', so it is always one safe path segment:
 *   '/', '.', '%', '?', '#', whitespace and non-ASCII are rejected.
 */

#include "config.h"

#include "posh-private.h"

#include <arpa/inet.h>
#include <string.h>

#define MAX_NAME_LEN  253
#define MAX_LABEL_LEN 63

static gpointer
invalid_domain (GError    **error,
                const char *domain,
                const char *why)
{
  g_autofree char *escaped = g_strescape (domain, NULL);

  g_set_error (error, POSH_ERROR, POSH_ERROR_INVALID_REQUEST,
               "Invalid domain “%s”: %s", escaped, why);
  return NULL;
}

/* Characters that mark a URL, an address or junk rather than a host name. */
static gboolean
has_forbidden_char (const char *s)
{
  const char *p;

  for (p = s; *p != '\0'; p++)
    {
      if (g_ascii_isspace (*p) || g_ascii_iscntrl (*p))
        return TRUE;
      if (strchr (":@/\\%[]?#", *p) != NULL)
        return TRUE;
    }
  return FALSE;
}

static gboolean
is_ip_literal (const char *s)
{
  struct in_addr addr;

  /* inet_aton also takes "127.1", "0x7f000001" and "017700000001" */
  return g_hostname_is_ip_address (s) || inet_aton (s, &addr) != 0;
}

static gboolean
is_ldh_label (const char *label,
              gsize       len)
{
  gsize i;

  if (len == 0 || len > MAX_LABEL_LEN)
    return FALSE;
  if (label[0] == '-' || label[len - 1] == '-')
    return FALSE;
  for (i = 0; i < len; i++)
    {
      if (!g_ascii_islower (label[i]) && !g_ascii_isdigit (label[i]) && label[i] != '-')
        return FALSE;
    }
  return TRUE;
}

static gboolean
is_all_digits (const char *s,
               gsize       len)
{
  gsize i;

  for (i = 0; i < len; i++)
    {
      if (!g_ascii_isdigit (s[i]))
        return FALSE;
    }
  return TRUE;
}

static const char *
label_problem (const char *label,
               gsize       len)
{
  if (len == 0)
    return "empty label";
  if (len > MAX_LABEL_LEN)
    return "label longer than 63 characters";
  if (!is_ldh_label (label, len))
    return "not a host name (letters, digits and inner hyphens only)";
  return NULL;
}

/* name: lowercase ASCII, no trailing dot. Returns the problem or NULL. */
static const char *
host_name_problem (const char *name)
{
  const char *label = name;
  const char *problem;
  const char *dot;
  gsize len;

  if (strlen (name) > MAX_NAME_LEN)
    return "longer than 253 characters";
  for (;;)
    {
      dot = strchr (label, '.');
      len = dot != NULL ? (gsize) (dot - label) : strlen (label);
      problem = label_problem (label, len);
      if (problem != NULL)
        return problem;
      if (dot == NULL)
        break;
      label = dot + 1;
    }
  if (is_all_digits (label, len))
    return "numeric top-level label";
  return NULL;
}

char *
_posh_normalize_domain (const char  *domain,
                        GError     **error)
{
  g_autofree char *stripped = NULL;
  g_autofree char *ascii = NULL;
  g_autofree char *lower = NULL;
  const char *problem;
  gsize len;

  if (domain == NULL || *domain == '\0')
    {
      g_set_error_literal (error, POSH_ERROR, POSH_ERROR_INVALID_REQUEST,
                           "No domain given");
      return NULL;
    }
  if (!g_utf8_validate (domain, -1, NULL))
    return invalid_domain (error, domain, "not UTF-8");
  if (has_forbidden_char (domain))
    return invalid_domain (error, domain,
                           "not a bare host name (no URL, port, userinfo or spaces)");
  if (is_ip_literal (domain))
    return invalid_domain (error, domain, "an IP address, not a domain");

  stripped = g_strdup (domain);
  len = strlen (stripped);
  if (stripped[len - 1] == '.')
    stripped[len - 1] = '\0';

  ascii = g_hostname_to_ascii (stripped);
  if (ascii == NULL)
    return invalid_domain (error, domain, "not a valid internationalised name");
  lower = g_ascii_strdown (ascii, -1);

  if (has_forbidden_char (lower) || is_ip_literal (lower))
    return invalid_domain (error, domain, "not a host name after IDN conversion");
  problem = host_name_problem (lower);
  if (problem != NULL)
    return invalid_domain (error, domain, problem);

  return g_steal_pointer (&lower);
}

static gpointer
invalid_service (GError    **error,
                 const char *service,
                 const char *why)
{
  g_autofree char *escaped = g_strescape (service, NULL);

  g_set_error (error, POSH_ERROR, POSH_ERROR_INVALID_REQUEST,
               "Invalid service name “%s”: %s", escaped, why);
  return NULL;
}

/* "_name._tcp" -> "name"; "_name" -> "name"; "name" -> "name"; NULL when
 * the SRV form is malformed. */
static char *
strip_srv_form (const char *service)
{
  static const char * const protos[] = { "._tcp", "._udp", "._sctp" };
  const char *dot;
  guint i;

  if (service[0] != '_')
    return g_strdup (service);

  dot = strchr (service, '.');
  if (dot == NULL)
    return g_strdup (service + 1);
  for (i = 0; i < G_N_ELEMENTS (protos); i++)
    {
      if (g_ascii_strcasecmp (dot, protos[i]) == 0)
        return g_strndup (service + 1, dot - service - 1);
    }
  return NULL;
}

char *
_posh_normalize_service (const char  *service,
                         GError     **error)
{
  g_autofree char *name = NULL;
  g_autofree char *lower = NULL;

  if (service == NULL || *service == '\0')
    {
      g_set_error_literal (error, POSH_ERROR, POSH_ERROR_INVALID_REQUEST,
                           "No service name given");
      return NULL;
    }

  name = strip_srv_form (service);
  if (name == NULL)
    return invalid_service (error, service,
                            "expected “_service._tcp”, “_service” or “service”");
  lower = g_ascii_strdown (name, -1);
  if (!is_ldh_label (lower, strlen (lower)))
    return invalid_service (error, service,
                            "1 to 63 letters, digits and inner hyphens expected");

  return g_steal_pointer (&lower);
}

char *
_posh_well_known_url (const char *domain,
                      const char *service,
                      gboolean    legacy)
{
  g_return_val_if_fail (domain != NULL, NULL);
  g_return_val_if_fail (service != NULL, NULL);

  if (legacy)
    return g_strdup_printf ("https://%s/.well-known/posh._%s._tcp.json", domain, service);
  return g_strdup_printf ("https://%s/.well-known/posh/%s.json", domain, service);
}
