/* posh-tool-xmpp.c: XMPP STARTTLS for posh-tool
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Just enough XMPP (RFC 6120 §4 and §5.4) to reach the TLS handshake of a
 * real server: send the initial stream header for the source domain (the
 * stream `to` is the reference identifier, RFC 7712 §5.2, spec R56), read
 * <stream:features/> incrementally, send <starttls/> and wait for
 * <proceed/>. The reader is a GMarkupParseContext fed up to one '>' at a
 * time, so that it knows exactly where an element ends: whatever the server
 * sends after <proceed/> and before the TLS handshake is refused, never
 * parsed or handed to TLS. Names are resolved against their namespaces,
 * so any prefix works. Input is bounded in size and depth.
 */

#include "config.h"

#include "posh-tool-xmpp.h"

#include <string.h>

typedef enum
{
  CHILD_NONE,
  CHILD_FEATURES,
  CHILD_PROCEED,
  CHILD_FAILURE,
  CHILD_ERROR,
  CHILD_OTHER,
} ChildKind;

typedef struct
{
  int   depth;    /* the element that declared it */
  char *prefix;   /* (owned) "" for the default namespace */
  char *uri;      /* (owned) */
} NsDecl;

struct _PoshToolXmppReader
{
  GMarkupParseContext *context;     /* (owned) */
  GPtrArray           *ns_decls;    /* (owned) (element-type NsDecl) */
  int                  depth;       /* open elements */
  gsize                total;       /* bytes fed so far */
  PoshToolXmppEvent    event;       /* set by end_element_cb */
  ChildKind            child;       /* the open child of <stream> */

  char                *stream_from;     /* (owned) (nullable) */
  char                *stream_id;       /* (owned) (nullable) */
  char                *stream_version;  /* (owned) (nullable) */
  char                *stream_ns;       /* (owned) (nullable) */
  gboolean             has_starttls;
  gboolean             starttls_required;
  char                *error_condition; /* (owned) (nullable) */
  GString             *error_text;      /* (owned) (nullable) */
  gboolean             in_error_text;
};

static void
ns_decl_free (gpointer data)
{
  NsDecl *decl = data;

  g_free (decl->prefix);
  g_free (decl->uri);
  g_free (decl);
}

static const char *
lookup_ns (PoshToolXmppReader *reader,
           const char         *prefix)
{
  for (guint i = reader->ns_decls->len; i > 0; i--)
    {
      NsDecl *decl = g_ptr_array_index (reader->ns_decls, i - 1);

      if (strcmp (decl->prefix, prefix) == 0)
        return decl->uri;
    }
  return NULL;
}

/* Record the xmlns and xmlns:P attributes of an element at @depth. */
static void
push_ns_decls (PoshToolXmppReader  *reader,
               int                  depth,
               const char         **names,
               const char         **values)
{
  for (int i = 0; names[i]; i++)
    {
      NsDecl *decl;

      if (strcmp (names[i], "xmlns") != 0 && !g_str_has_prefix (names[i], "xmlns:"))
        continue;
      decl = g_new0 (NsDecl, 1);
      decl->depth = depth;
      decl->prefix = g_strdup (names[i][5] == ':' ? names[i] + 6 : "");
      decl->uri = g_strdup (values[i]);
      g_ptr_array_add (reader->ns_decls, decl);
    }
}

static void
pop_ns_decls (PoshToolXmppReader *reader,
              int                 depth)
{
  while (reader->ns_decls->len > 0)
    {
      NsDecl *decl = g_ptr_array_index (reader->ns_decls, reader->ns_decls->len - 1);

      if (decl->depth < depth)
        break;
      g_ptr_array_remove_index (reader->ns_decls, reader->ns_decls->len - 1);
    }
}

/* Split "prefix:local" and resolve the prefix; *ns may be NULL. */
static const char *
resolve_name (PoshToolXmppReader  *reader,
              const char          *name,
              const char         **ns)
{
  const char *colon = strchr (name, ':');
  g_autofree char *prefix = NULL;

  if (!colon)
    {
      *ns = lookup_ns (reader, "");
      return name;
    }
  prefix = g_strndup (name, colon - name);
  *ns = lookup_ns (reader, prefix);
  return colon + 1;
}

static gboolean
is_name (const char *local,
         const char *ns,
         const char *want_local,
         const char *want_ns)
{
  return strcmp (local, want_local) == 0 && g_strcmp0 (ns, want_ns) == 0;
}

static const char *
attribute (const char **names,
           const char **values,
           const char  *name)
{
  for (int i = 0; names[i]; i++)
    if (strcmp (names[i], name) == 0)
      return values[i];
  return NULL;
}

static gboolean
start_stream (PoshToolXmppReader  *reader,
              const char          *local,
              const char          *ns,
              const char         **names,
              const char         **values,
              GError             **error)
{
  if (!is_name (local, ns, "stream", POSH_TOOL_XMPP_NS_STREAMS))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                   "The server did not open an XMPP stream (it sent <%s> in "
                   "namespace '%s')", local, ns ? ns : "");
      return FALSE;
    }
  reader->stream_from = g_strdup (attribute (names, values, "from"));
  reader->stream_id = g_strdup (attribute (names, values, "id"));
  reader->stream_version = g_strdup (attribute (names, values, "version"));
  reader->stream_ns = g_strdup (lookup_ns (reader, ""));
  return TRUE;
}

static ChildKind
classify_child (const char *local,
                const char *ns)
{
  if (is_name (local, ns, "features", POSH_TOOL_XMPP_NS_STREAMS))
    return CHILD_FEATURES;
  if (is_name (local, ns, "error", POSH_TOOL_XMPP_NS_STREAMS))
    return CHILD_ERROR;
  if (is_name (local, ns, "proceed", POSH_TOOL_XMPP_NS_TLS))
    return CHILD_PROCEED;
  if (is_name (local, ns, "failure", POSH_TOOL_XMPP_NS_TLS))
    return CHILD_FAILURE;
  return CHILD_OTHER;
}

/* An element inside a child of <stream> (depth 3 and below). */
static void
start_grandchild (PoshToolXmppReader *reader,
                  int                 depth,
                  const char         *local,
                  const char         *ns)
{
  if (reader->child == CHILD_FEATURES)
    {
      if (depth == 3 && is_name (local, ns, "starttls", POSH_TOOL_XMPP_NS_TLS))
        reader->has_starttls = TRUE;
      else if (depth == 4 && reader->has_starttls &&
               is_name (local, ns, "required", POSH_TOOL_XMPP_NS_TLS))
        reader->starttls_required = TRUE;
    }
  else if (reader->child == CHILD_ERROR && depth == 3 &&
           g_strcmp0 (ns, POSH_TOOL_XMPP_NS_ERRORS) == 0)
    {
      if (strcmp (local, "text") == 0)
        reader->in_error_text = TRUE;
      else if (!reader->error_condition)
        reader->error_condition = g_strdup (local);
    }
}

static void
start_element_cb (GMarkupParseContext  *context,
                  const char           *name,
                  const char          **names,
                  const char          **values,
                  gpointer              user_data,
                  GError              **error)
{
  PoshToolXmppReader *reader = user_data;
  int depth = reader->depth + 1;
  const char *local;
  const char *ns;

  if (depth > POSH_TOOL_XMPP_MAX_DEPTH)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                   "The server's XML is nested deeper than %d levels",
                   POSH_TOOL_XMPP_MAX_DEPTH);
      return;
    }
  reader->depth = depth;
  push_ns_decls (reader, depth, names, values);
  local = resolve_name (reader, name, &ns);

  if (depth == 1)
    start_stream (reader, local, ns, names, values, error);
  else if (depth == 2)
    {
      reader->child = classify_child (local, ns);
      if (reader->child == CHILD_FEATURES)
        reader->has_starttls = reader->starttls_required = FALSE;
      if (reader->child == CHILD_ERROR)
        {
          g_clear_pointer (&reader->error_condition, g_free);
          if (reader->error_text)
            g_string_truncate (reader->error_text, 0);
        }
    }
  else
    start_grandchild (reader, depth, local, ns);
}

static PoshToolXmppEvent
child_event (ChildKind child)
{
  switch (child)
    {
    case CHILD_FEATURES:
      return POSH_TOOL_XMPP_EVENT_FEATURES;
    case CHILD_PROCEED:
      return POSH_TOOL_XMPP_EVENT_PROCEED;
    case CHILD_FAILURE:
      return POSH_TOOL_XMPP_EVENT_FAILURE;
    case CHILD_ERROR:
      return POSH_TOOL_XMPP_EVENT_STREAM_ERROR;
    case CHILD_NONE:
    case CHILD_OTHER:
    default:
      return POSH_TOOL_XMPP_EVENT_NONE;
    }
}

static void
end_element_cb (GMarkupParseContext  *context,
                const char           *name,
                gpointer              user_data,
                GError              **error)
{
  PoshToolXmppReader *reader = user_data;

  if (reader->depth == 1)
    reader->event = POSH_TOOL_XMPP_EVENT_STREAM_END;
  else if (reader->depth == 2)
    {
      reader->event = child_event (reader->child);
      reader->child = CHILD_NONE;
    }
  else if (reader->depth == 3)
    reader->in_error_text = FALSE;

  pop_ns_decls (reader, reader->depth);
  reader->depth--;
}

static void
text_cb (GMarkupParseContext  *context,
         const char           *text,
         gsize                 text_len,
         gpointer              user_data,
         GError              **error)
{
  PoshToolXmppReader *reader = user_data;

  if (!reader->in_error_text)
    return;
  if (!reader->error_text)
    reader->error_text = g_string_new (NULL);
  g_string_append_len (reader->error_text, text, text_len);
}

static const GMarkupParser xmpp_parser = {
  start_element_cb,
  end_element_cb,
  text_cb,
  NULL,
  NULL,
};

PoshToolXmppReader *
_posh_tool_xmpp_reader_new (void)
{
  PoshToolXmppReader *reader = g_new0 (PoshToolXmppReader, 1);

  reader->context = g_markup_parse_context_new (&xmpp_parser, 0, reader, NULL);
  reader->ns_decls = g_ptr_array_new_with_free_func (ns_decl_free);
  return reader;
}

void
_posh_tool_xmpp_reader_free (PoshToolXmppReader *reader)
{
  if (!reader)
    return;
  g_markup_parse_context_free (reader->context);
  g_ptr_array_unref (reader->ns_decls);
  g_free (reader->stream_from);
  g_free (reader->stream_id);
  g_free (reader->stream_version);
  g_free (reader->stream_ns);
  g_free (reader->error_condition);
  if (reader->error_text)
    g_string_free (reader->error_text, TRUE);
  g_free (reader);
}

static gboolean
feed_piece (PoshToolXmppReader  *reader,
            const char          *data,
            gsize                len,
            GError             **error)
{
  g_autoptr(GError) local_error = NULL;

  if (len > POSH_TOOL_XMPP_MAX_PRE_TLS - reader->total)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_MESSAGE_TOO_LARGE,
                   "The server sent more than %d bytes before TLS",
                   POSH_TOOL_XMPP_MAX_PRE_TLS);
      return FALSE;
    }
  reader->total += len;

  if (!g_markup_parse_context_parse (reader->context, data, len, &local_error))
    {
      if (local_error->domain == G_IO_ERROR)
        g_propagate_error (error, g_steal_pointer (&local_error));
      else
        g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                     "The server sent malformed XML: %s", local_error->message);
      return FALSE;
    }
  return TRUE;
}

gssize
_posh_tool_xmpp_reader_feed (PoshToolXmppReader  *reader,
                             const char          *data,
                             gsize                len,
                             PoshToolXmppEvent   *event,
                             GError             **error)
{
  gsize offset = 0;

  g_return_val_if_fail (reader, -1);
  g_return_val_if_fail (data || len == 0, -1);

  reader->event = POSH_TOOL_XMPP_EVENT_NONE;
  *event = POSH_TOOL_XMPP_EVENT_NONE;

  /* One piece per '>': an element can only end there, so an event is
   * known at the exact byte it completes. */
  while (offset < len)
    {
      const char *gt = memchr (data + offset, '>', len - offset);
      gsize piece = gt ? (gsize) (gt - (data + offset)) + 1 : len - offset;

      if (!feed_piece (reader, data + offset, piece, error))
        return -1;
      offset += piece;
      if (reader->event != POSH_TOOL_XMPP_EVENT_NONE)
        break;
    }

  *event = reader->event;
  return (gssize) offset;
}

const char *
_posh_tool_xmpp_reader_get_stream_from (PoshToolXmppReader *reader)
{
  return reader->stream_from;
}

const char *
_posh_tool_xmpp_reader_get_stream_id (PoshToolXmppReader *reader)
{
  return reader->stream_id;
}

const char *
_posh_tool_xmpp_reader_get_stream_version (PoshToolXmppReader *reader)
{
  return reader->stream_version;
}

const char *
_posh_tool_xmpp_reader_get_stream_ns (PoshToolXmppReader *reader)
{
  return reader->stream_ns;
}

gboolean
_posh_tool_xmpp_reader_has_starttls (PoshToolXmppReader *reader)
{
  return reader->has_starttls;
}

gboolean
_posh_tool_xmpp_reader_starttls_required (PoshToolXmppReader *reader)
{
  return reader->starttls_required;
}

const char *
_posh_tool_xmpp_reader_get_error_condition (PoshToolXmppReader *reader)
{
  return reader->error_condition;
}

const char *
_posh_tool_xmpp_reader_get_error_text (PoshToolXmppReader *reader)
{
  return reader->error_text ? reader->error_text->str : NULL;
}

char *
_posh_tool_xmpp_stream_header (const char *domain,
                               gboolean    server)
{
  g_autofree char *to = g_markup_escape_text (domain, -1);

  return g_strdup_printf ("<?xml version='1.0'?>"
                          "<stream:stream to='%s' version='1.0' xmlns='%s' "
                          "xmlns:stream='" POSH_TOOL_XMPP_NS_STREAMS "'>",
                          to, server ? "jabber:server" : "jabber:client");
}

void
_posh_tool_xmpp_info_clear (PoshToolXmppInfo *info)
{
  g_clear_pointer (&info->stream_from, g_free);
  g_clear_pointer (&info->stream_id, g_free);
  info->starttls_required = FALSE;
}

/* Feed what is pending, reading more until an event completes. */
static PoshToolXmppEvent
next_event (PoshToolXmppReader  *reader,
            GInputStream        *input,
            GByteArray          *pending,
            const char          *waiting_for,
            GCancellable        *cancellable,
            GError             **error)
{
  for (;;)
    {
      guint8 buffer[4096];
      gssize n;

      if (pending->len > 0)
        {
          PoshToolXmppEvent event;

          n = _posh_tool_xmpp_reader_feed (reader, (const char *) pending->data,
                                           pending->len, &event, error);
          if (n < 0)
            return POSH_TOOL_XMPP_EVENT_NONE;
          g_byte_array_remove_range (pending, 0, (guint) n);
          if (event != POSH_TOOL_XMPP_EVENT_NONE)
            return event;
        }

      n = g_input_stream_read (input, buffer, sizeof buffer, cancellable, error);
      if (n < 0)
        return POSH_TOOL_XMPP_EVENT_NONE;
      if (n == 0)
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_CONNECTION_CLOSED,
                       "The server closed the connection while the tool was "
                       "waiting for %s", waiting_for);
          return POSH_TOOL_XMPP_EVENT_NONE;
        }
      g_byte_array_append (pending, buffer, (guint) n);
    }
}

static void
set_stream_error (PoshToolXmppReader  *reader,
                  GError             **error)
{
  const char *condition = _posh_tool_xmpp_reader_get_error_condition (reader);
  const char *text = _posh_tool_xmpp_reader_get_error_text (reader);

  g_set_error (error, G_IO_ERROR, G_IO_ERROR_CONNECTION_REFUSED,
               "The server closed the stream with the error <%s/>%s%s%s",
               condition ? condition : "undefined-condition",
               text ? " (\"" : "", text ? text : "",
               text ? "\")" : "");
}

/* An event other than the one awaited: turn it into an error. */
static void
set_unexpected (PoshToolXmppReader  *reader,
                PoshToolXmppEvent    event,
                const char          *waiting_for,
                GError             **error)
{
  if (event == POSH_TOOL_XMPP_EVENT_STREAM_ERROR)
    set_stream_error (reader, error);
  else if (event == POSH_TOOL_XMPP_EVENT_STREAM_END)
    g_set_error (error, G_IO_ERROR, G_IO_ERROR_CONNECTION_CLOSED,
                 "The server closed the stream while the tool was waiting for %s",
                 waiting_for);
  else if (event == POSH_TOOL_XMPP_EVENT_FAILURE)
    g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_CONNECTION_REFUSED,
                         "The server answered <starttls/> with <failure/>: it "
                         "cannot start TLS (RFC 6120 §5.4.2.2)");
  else
    g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                 "The server sent something else while the tool was waiting for %s",
                 waiting_for);
}

static gboolean
wait_for (PoshToolXmppReader  *reader,
          GInputStream        *input,
          GByteArray          *pending,
          PoshToolXmppEvent    wanted,
          const char          *waiting_for,
          GCancellable        *cancellable,
          GError             **error)
{
  PoshToolXmppEvent event;

  event = next_event (reader, input, pending, waiting_for, cancellable, error);
  if (event == POSH_TOOL_XMPP_EVENT_NONE)
    return FALSE;
  if (event != wanted)
    {
      set_unexpected (reader, event, waiting_for, error);
      return FALSE;
    }
  return TRUE;
}

static gboolean
write_string (GOutputStream  *output,
              const char     *text,
              GCancellable   *cancellable,
              GError        **error)
{
  return g_output_stream_write_all (output, text, strlen (text), NULL,
                                    cancellable, error) &&
         g_output_stream_flush (output, cancellable, error);
}

static gboolean
negotiate (PoshToolXmppReader  *reader,
           GIOStream           *stream,
           const char          *domain,
           gboolean             server,
           GCancellable        *cancellable,
           GError             **error)
{
  GInputStream *input = g_io_stream_get_input_stream (stream);
  GOutputStream *output = g_io_stream_get_output_stream (stream);
  g_autoptr(GByteArray) pending = g_byte_array_new ();
  g_autofree char *header = _posh_tool_xmpp_stream_header (domain, server);

  if (!write_string (output, header, cancellable, error) ||
      !wait_for (reader, input, pending, POSH_TOOL_XMPP_EVENT_FEATURES,
                 "<stream:features/>", cancellable, error))
    return FALSE;

  if (!_posh_tool_xmpp_reader_has_starttls (reader))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED,
                   "The server does not offer STARTTLS in its stream features "
                   "for %s", domain);
      return FALSE;
    }

  if (!write_string (output, "<starttls xmlns='" POSH_TOOL_XMPP_NS_TLS "'/>",
                     cancellable, error) ||
      !wait_for (reader, input, pending, POSH_TOOL_XMPP_EVENT_PROCEED,
                 "<proceed/>", cancellable, error))
    return FALSE;

  if (pending->len > 0)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                   "The server sent %u bytes after <proceed/> and before the "
                   "TLS handshake; refusing them (they would be injected "
                   "before TLS)", pending->len);
      return FALSE;
    }
  return TRUE;
}

gboolean
_posh_tool_xmpp_starttls (GIOStream         *stream,
                          const char        *domain,
                          gboolean           server,
                          GCancellable      *cancellable,
                          PoshToolXmppInfo  *info,
                          GError           **error)
{
  PoshToolXmppReader *reader;
  gboolean ok;

  g_return_val_if_fail (G_IS_IO_STREAM (stream), FALSE);
  g_return_val_if_fail (domain, FALSE);

  reader = _posh_tool_xmpp_reader_new ();
  ok = negotiate (reader, stream, domain, server, cancellable, error);
  if (info)
    {
      _posh_tool_xmpp_info_clear (info);
      info->stream_from = g_strdup (reader->stream_from);
      info->stream_id = g_strdup (reader->stream_id);
      info->starttls_required = reader->starttls_required;
    }
  _posh_tool_xmpp_reader_free (reader);
  return ok;
}
