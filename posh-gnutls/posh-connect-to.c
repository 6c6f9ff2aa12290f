/* posh-connect-to.c: curl-style --connect-to rules for the fetcher
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * A rule HOST:PORT:CONNECT_HOST:CONNECT_PORT sends the TCP connection for
 * https://HOST:PORT/ to CONNECT_HOST:CONNECT_PORT while the URL, the Host
 * header, SNI and the certificate check keep HOST.
 *
 * libsoup 3.2 takes the TLS server identity from its "remote-connectable"
 * (ENVIRONMENT.md §3), so the connectable is a GNetworkAddress whose
 * hostname and port are HOST:PORT and whose enumeration yields the
 * addresses of CONNECT_HOST:CONNECT_PORT. posh-fetch.c gives each rule its
 * own session with that connectable.
 */

#include "config.h"

#include "posh-fetch-private.h"

#include <string.h>

/* ---- PoshConnectAddress: HOST:PORT for TLS, CONNECT_HOST:PORT for TCP ---- */

typedef struct
{
  GNetworkAddress     parent_instance;
  GSocketConnectable *target;   /* (owned) */
} PoshConnectAddress;

typedef struct
{
  GNetworkAddressClass parent_class;
} PoshConnectAddressClass;

static GType posh_connect_address_get_type (void);
static void posh_connect_address_iface_init (GSocketConnectableIface *iface);

G_DEFINE_TYPE_WITH_CODE (PoshConnectAddress, posh_connect_address, G_TYPE_NETWORK_ADDRESS,
                         G_IMPLEMENT_INTERFACE (G_TYPE_SOCKET_CONNECTABLE,
                                                posh_connect_address_iface_init))

static GSocketAddressEnumerator *
posh_connect_address_enumerate (GSocketConnectable *connectable)
{
  PoshConnectAddress *self = (PoshConnectAddress *) connectable;

  return g_socket_connectable_enumerate (self->target);
}

static void
posh_connect_address_iface_init (GSocketConnectableIface *iface)
{
  iface->enumerate = posh_connect_address_enumerate;
  iface->proxy_enumerate = posh_connect_address_enumerate;
}

static void
posh_connect_address_finalize (GObject *object)
{
  PoshConnectAddress *self = (PoshConnectAddress *) object;

  g_clear_object (&self->target);
  G_OBJECT_CLASS (posh_connect_address_parent_class)->finalize (object);
}

static void
posh_connect_address_class_init (PoshConnectAddressClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = posh_connect_address_finalize;
}

static void
posh_connect_address_init (PoshConnectAddress *self)
{
}

GSocketConnectable *
_posh_connect_to_new_connectable (const PoshConnectTo *rule)
{
  PoshConnectAddress *self;

  self = g_object_new (posh_connect_address_get_type (),
                       "hostname", rule->host,
                       "port", (guint) rule->port,
                       NULL);
  self->target = g_network_address_new (rule->connect_host, rule->connect_port);
  return G_SOCKET_CONNECTABLE (self);
}


void
_posh_connect_to_free (PoshConnectTo *rule)
{
  g_free (rule->host);
  g_free (rule->connect_host);
  g_free (rule);
}

PoshConnectTo *
_posh_connect_to_copy (const PoshConnectTo *rule)
{
  PoshConnectTo *copy = g_new0 (PoshConnectTo, 1);

  *copy = *rule;
  copy->host = g_strdup (rule->host);
  copy->connect_host = g_strdup (rule->connect_host);
  return copy;
}

/* ---- PoshConnectToSet ------------------------------------------------------ */

struct _PoshConnectToSet
{
  gatomicrefcount  ref_count;
  GHashTable      *rules;     /* (owned) PoshConnectTo * -> itself */
};

static guint
rule_hash (gconstpointer key)
{
  const PoshConnectTo *rule = key;
  guint hash = 5381 + rule->port;
  const char *p;

  for (p = rule->host; *p != '\0'; p++)
    hash = hash * 33 + (guchar) g_ascii_tolower (*p);
  return hash;
}

static gboolean
rule_equal (gconstpointer a,
            gconstpointer b)
{
  const PoshConnectTo *ra = a;
  const PoshConnectTo *rb = b;

  return ra->port == rb->port && g_ascii_strcasecmp (ra->host, rb->host) == 0;
}

PoshConnectToSet *
_posh_connect_to_set_new (void)
{
  PoshConnectToSet *set = g_new0 (PoshConnectToSet, 1);

  g_atomic_ref_count_init (&set->ref_count);
  set->rules = g_hash_table_new_full (rule_hash, rule_equal,
                                      (GDestroyNotify) _posh_connect_to_free, NULL);
  return set;
}

PoshConnectToSet *
_posh_connect_to_set_ref (PoshConnectToSet *set)
{
  g_atomic_ref_count_inc (&set->ref_count);
  return set;
}

void
_posh_connect_to_set_unref (PoshConnectToSet *set)
{
  if (!g_atomic_ref_count_dec (&set->ref_count))
    return;
  g_hash_table_unref (set->rules);
  g_free (set);
}

static PoshConnectToSet *
connect_to_set_copy (const PoshConnectToSet *set)
{
  PoshConnectToSet *copy = _posh_connect_to_set_new ();
  GHashTableIter iter;
  gpointer rule;

  g_hash_table_iter_init (&iter, set->rules);
  while (g_hash_table_iter_next (&iter, &rule, NULL))
    g_hash_table_add (copy->rules, _posh_connect_to_copy (rule));
  return copy;
}

PoshConnectToSet *
_posh_connect_to_set_add (PoshConnectToSet *set,
                          PoshConnectTo    *rule)
{
  /* Only the caller holds set, and nobody can take a new reference
   * meanwhile: no operation can see the change. */
  if (!g_atomic_ref_count_compare (&set->ref_count, 1))
    {
      PoshConnectToSet *copy = connect_to_set_copy (set);

      _posh_connect_to_set_unref (set);
      set = copy;
    }
  /* g_hash_table_add would keep the old key: replace it as a whole */
  g_hash_table_remove (set->rules, rule);
  g_hash_table_add (set->rules, rule);
  return set;
}

const PoshConnectTo *
_posh_connect_to_set_lookup (const PoshConnectToSet *set,
                             const char             *host,
                             int                     port)
{
  PoshConnectTo key = { 0 };

  if (host == NULL || port < 1 || port > G_MAXUINT16)
    return NULL;
  key.host = (char *) host;
  key.port = (guint16) port;
  return g_hash_table_lookup (set->rules, &key);
}

/* ---- parsing -------------------------------------------------------------- */

static gboolean
parse_port (const char *s,
            gsize       len,
            guint16    *port)
{
  guint value = 0;
  gsize i;

  if (len == 0 || len > 5)
    return FALSE;
  for (i = 0; i < len; i++)
    {
      if (!g_ascii_isdigit (s[i]))
        return FALSE;
      value = value * 10 + (guint) (s[i] - '0');
    }
  if (value == 0 || value > 65535)
    return FALSE;
  *port = (guint16) value;
  return TRUE;
}

/* CONNECT_HOST: a host name, an IPv4 address or a bracketed IPv6 address. */
static char *
parse_connect_host (const char *s,
                    gsize       len)
{
  g_autofree char *host = NULL;
  g_autofree char *normalised = NULL;

  if (len >= 2 && s[0] == '[' && s[len - 1] == ']')
    {
      host = g_strndup (s + 1, len - 2);
      if (!g_hostname_is_ip_address (host) || strchr (host, ':') == NULL)
        return NULL;
      return g_steal_pointer (&host);
    }
  host = g_strndup (s, len);
  if (g_hostname_is_ip_address (host))
    return strchr (host, ':') == NULL ? g_steal_pointer (&host) : NULL;
  normalised = _posh_normalize_domain (host, NULL);
  return g_steal_pointer (&normalised);
}

static gpointer
invalid_connect_to (GError    **error,
                    const char *spec,
                    const char *why)
{
  g_autofree char *escaped = g_strescape (spec, NULL);

  g_set_error (error, POSH_ERROR, POSH_ERROR_INVALID_REQUEST,
               "Invalid connect-to “%s”: %s (expected HOST:PORT:CONNECT_HOST:CONNECT_PORT)",
               escaped, why);
  return NULL;
}

PoshConnectTo *
_posh_connect_to_parse (const char  *spec,
                  GError     **error)
{
  g_autofree char *host = NULL;
  const char *p1, *p2, *p3;
  PoshConnectTo rule = { 0 };

  if (spec == NULL)
    return invalid_connect_to (error, "", "no value");

  p1 = strchr (spec, ':');
  p2 = p1 != NULL ? strchr (p1 + 1, ':') : NULL;
  p3 = p2 != NULL ? strrchr (p2 + 1, ':') : NULL;
  if (p3 == NULL || p3 == p2 + 1)
    return invalid_connect_to (error, spec, "four fields needed");

  host = g_strndup (spec, p1 - spec);
  rule.host = _posh_normalize_domain (host, NULL);
  if (rule.host == NULL)
    return invalid_connect_to (error, spec, "HOST is not a domain name");
  if (!parse_port (p1 + 1, p2 - p1 - 1, &rule.port))
    {
      g_free (rule.host);
      return invalid_connect_to (error, spec, "PORT is not 1-65535");
    }
  rule.connect_host = parse_connect_host (p2 + 1, p3 - p2 - 1);
  if (rule.connect_host == NULL || !parse_port (p3 + 1, strlen (p3 + 1), &rule.connect_port))
    {
      g_free (rule.host);
      g_free (rule.connect_host);
      return invalid_connect_to (error, spec, "bad CONNECT_HOST or CONNECT_PORT");
    }
  return g_memdup2 (&rule, sizeof rule);
}
