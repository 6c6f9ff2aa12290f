/* test-posh-tool-xmpp.c: the XMPP STARTTLS code of posh-tool
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * The reader must find the end of each element exactly (so nothing after
 * <proceed/> slips into TLS), whatever the piece sizes, resolve names by
 * namespace rather than by prefix, and refuse oversized or malformed input
 * with a precise error. The negotiation is run against scripted servers in
 * memory streams. The live counterpart is the Prosody part of
 * test-posh-tool.c.
 */

#include "config.h"

#include <string.h>

#include "posh-tool-xmpp.h"

#define HEADER \
  "<?xml version='1.0'?><stream:stream xmlns='jabber:client' " \
  "xmlns:stream='http://etherx.jabber.org/streams' id='abc123' " \
  "from='example.com' version='1.0' xml:lang='en'>"
#define FEATURES \
  "<stream:features><starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'>" \
  "<required/></starttls><mechanisms xmlns='urn:ietf:params:xml:ns:xmpp-sasl'>" \
  "<mechanism>PLAIN</mechanism></mechanisms></stream:features>"
#define PROCEED "<proceed xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>"

/* Feed all of @text; returns the event and sets *consumed. */
static PoshToolXmppEvent
feed_all (PoshToolXmppReader *reader,
          const char         *text,
          gssize             *consumed,
          GError            **error)
{
  PoshToolXmppEvent event = POSH_TOOL_XMPP_EVENT_NONE;

  *consumed = _posh_tool_xmpp_reader_feed (reader, text, strlen (text), &event, error);
  return event;
}

static void
test_features_whole (void)
{
  PoshToolXmppReader *reader = _posh_tool_xmpp_reader_new ();
  g_autoptr(GError) error = NULL;
  gssize consumed;

  g_assert_cmpint (feed_all (reader, HEADER FEATURES, &consumed, &error), ==,
                   POSH_TOOL_XMPP_EVENT_FEATURES);
  g_assert_no_error (error);
  g_assert_cmpint (consumed, ==, strlen (HEADER FEATURES));
  g_assert_true (_posh_tool_xmpp_reader_has_starttls (reader));
  g_assert_true (_posh_tool_xmpp_reader_starttls_required (reader));
  g_assert_cmpstr (_posh_tool_xmpp_reader_get_stream_from (reader), ==, "example.com");
  g_assert_cmpstr (_posh_tool_xmpp_reader_get_stream_id (reader), ==, "abc123");
  g_assert_cmpstr (_posh_tool_xmpp_reader_get_stream_version (reader), ==, "1.0");
  g_assert_cmpstr (_posh_tool_xmpp_reader_get_stream_ns (reader), ==, "jabber:client");
  _posh_tool_xmpp_reader_free (reader);
}

/* One byte at a time: the event comes with the very last '>' and not
 * before. */
static void
test_features_bytewise (void)
{
  PoshToolXmppReader *reader = _posh_tool_xmpp_reader_new ();
  const char *text = HEADER FEATURES;
  gsize len = strlen (text);

  for (gsize i = 0; i < len; i++)
    {
      g_autoptr(GError) error = NULL;
      PoshToolXmppEvent event;
      gssize n = _posh_tool_xmpp_reader_feed (reader, text + i, 1, &event, &error);

      g_assert_no_error (error);
      g_assert_cmpint (n, ==, 1);
      g_assert_cmpint (event, ==, i + 1 == len ? POSH_TOOL_XMPP_EVENT_FEATURES
                                               : POSH_TOOL_XMPP_EVENT_NONE);
    }
  g_assert_true (_posh_tool_xmpp_reader_has_starttls (reader));
  _posh_tool_xmpp_reader_free (reader);
}

/* Features without <required/>, and bytes after the event stay unread. */
static void
test_features_then_more (void)
{
  PoshToolXmppReader *reader = _posh_tool_xmpp_reader_new ();
  const char *features = "<stream:features><starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>"
                         "</stream:features>";
  g_autofree char *text = g_strconcat (HEADER, features, PROCEED, NULL);
  g_autoptr(GError) error = NULL;
  gssize consumed;

  g_assert_cmpint (feed_all (reader, text, &consumed, &error), ==,
                   POSH_TOOL_XMPP_EVENT_FEATURES);
  g_assert_no_error (error);
  g_assert_cmpint (consumed, ==, strlen (HEADER) + strlen (features));
  g_assert_true (_posh_tool_xmpp_reader_has_starttls (reader));
  g_assert_false (_posh_tool_xmpp_reader_starttls_required (reader));

  g_assert_cmpint (feed_all (reader, text + consumed, &consumed, &error), ==,
                   POSH_TOOL_XMPP_EVENT_PROCEED);
  g_assert_cmpint (consumed, ==, strlen (PROCEED));
  _posh_tool_xmpp_reader_free (reader);
}

/* Names are matched by namespace: other prefixes work, and a <starttls/>
 * in the wrong namespace is not STARTTLS. */
static void
test_namespaces (void)
{
  PoshToolXmppReader *reader = _posh_tool_xmpp_reader_new ();
  g_autoptr(GError) error = NULL;
  gssize consumed;

  g_assert_cmpint (feed_all (reader,
                             "<s:stream xmlns:s='http://etherx.jabber.org/streams' "
                             "xmlns='jabber:server'><s:features><t:starttls "
                             "xmlns:t='urn:ietf:params:xml:ns:xmpp-tls'/></s:features>",
                             &consumed, &error), ==, POSH_TOOL_XMPP_EVENT_FEATURES);
  g_assert_no_error (error);
  g_assert_true (_posh_tool_xmpp_reader_has_starttls (reader));
  g_assert_cmpstr (_posh_tool_xmpp_reader_get_stream_ns (reader), ==, "jabber:server");
  _posh_tool_xmpp_reader_free (reader);

  reader = _posh_tool_xmpp_reader_new ();
  g_assert_cmpint (feed_all (reader, HEADER "<stream:features><starttls xmlns='urn:example'/>"
                             "</stream:features>", &consumed, &error), ==,
                   POSH_TOOL_XMPP_EVENT_FEATURES);
  g_assert_no_error (error);
  g_assert_false (_posh_tool_xmpp_reader_has_starttls (reader));
  _posh_tool_xmpp_reader_free (reader);
}

static void
test_not_a_stream (void)
{
  PoshToolXmppReader *reader = _posh_tool_xmpp_reader_new ();
  g_autoptr(GError) error = NULL;
  gssize consumed;

  feed_all (reader, "<html><body>", &consumed, &error);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA);
  g_assert_cmpint (consumed, ==, -1);
  _posh_tool_xmpp_reader_free (reader);

  /* stream in the wrong namespace */
  reader = _posh_tool_xmpp_reader_new ();
  g_clear_error (&error);
  feed_all (reader, "<stream xmlns='urn:example'>", &consumed, &error);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA);
  _posh_tool_xmpp_reader_free (reader);
}

static void
test_malformed (void)
{
  PoshToolXmppReader *reader = _posh_tool_xmpp_reader_new ();
  g_autoptr(GError) error = NULL;
  gssize consumed;

  feed_all (reader, HEADER "<stream:features></stream:stream>", &consumed, &error);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA);
  _posh_tool_xmpp_reader_free (reader);
}

static void
test_stream_error (void)
{
  PoshToolXmppReader *reader = _posh_tool_xmpp_reader_new ();
  g_autoptr(GError) error = NULL;
  gssize consumed;

  g_assert_cmpint (feed_all (reader, HEADER "<stream:error><host-unknown "
                             "xmlns='urn:ietf:params:xml:ns:xmpp-streams'/><text "
                             "xmlns='urn:ietf:params:xml:ns:xmpp-streams'>This server "
                             "does not serve example.org</text></stream:error>",
                             &consumed, &error), ==, POSH_TOOL_XMPP_EVENT_STREAM_ERROR);
  g_assert_no_error (error);
  g_assert_cmpstr (_posh_tool_xmpp_reader_get_error_condition (reader), ==, "host-unknown");
  g_assert_cmpstr (_posh_tool_xmpp_reader_get_error_text (reader), ==,
                   "This server does not serve example.org");

  g_assert_cmpint (feed_all (reader, "</stream:stream>", &consumed, &error), ==,
                   POSH_TOOL_XMPP_EVENT_STREAM_END);
  _posh_tool_xmpp_reader_free (reader);
}

/* E19-style bound: everything before TLS is capped. */
static void
test_too_large (void)
{
  PoshToolXmppReader *reader = _posh_tool_xmpp_reader_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *filler = g_strnfill (POSH_TOOL_XMPP_MAX_PRE_TLS, ' ');
  gssize consumed;

  g_assert_cmpint (feed_all (reader, HEADER "<stream:features>", &consumed, &error), ==,
                   POSH_TOOL_XMPP_EVENT_NONE);
  g_assert_no_error (error);
  feed_all (reader, filler, &consumed, &error);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_MESSAGE_TOO_LARGE);
  _posh_tool_xmpp_reader_free (reader);
}

static void
test_too_deep (void)
{
  PoshToolXmppReader *reader = _posh_tool_xmpp_reader_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(GString) text = g_string_new (HEADER);
  gssize consumed;

  for (int i = 0; i < POSH_TOOL_XMPP_MAX_DEPTH; i++)
    g_string_append (text, "<a>");
  feed_all (reader, text->str, &consumed, &error);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA);
  g_assert_nonnull (strstr (error->message, "nested"));
  _posh_tool_xmpp_reader_free (reader);
}

/* R56: the stream `to` is the source domain, escaped for XML. */
static void
test_stream_header (void)
{
  g_autofree char *client = _posh_tool_xmpp_stream_header ("example.com", FALSE);
  g_autofree char *server = _posh_tool_xmpp_stream_header ("a'b<c", TRUE);

  g_assert_cmpstr (client, ==,
                   "<?xml version='1.0'?><stream:stream to='example.com' version='1.0' "
                   "xmlns='jabber:client' xmlns:stream='http://etherx.jabber.org/streams'>");
  g_assert_nonnull (strstr (server, "to='a&apos;b&lt;c'"));
  g_assert_nonnull (strstr (server, "xmlns='jabber:server'"));
}

/* ---- negotiation against scripted servers ------------------------------- */

typedef struct
{
  GIOStream    *stream;
  GInputStream *input;
  GOutputStream *output;
} Scripted;

/* A stream whose input is @replies (each added as its own chunk) and whose
 * output is collected. */
static void
scripted_init (Scripted    *scripted,
               const char **replies)
{
  scripted->input = g_memory_input_stream_new ();
  for (guint i = 0; replies[i]; i++)
    g_memory_input_stream_add_data (G_MEMORY_INPUT_STREAM (scripted->input),
                                    replies[i], -1, NULL);
  scripted->output = g_memory_output_stream_new_resizable ();
  scripted->stream = g_simple_io_stream_new (scripted->input, scripted->output);
}

static char *
scripted_sent (Scripted *scripted)
{
  GMemoryOutputStream *out = G_MEMORY_OUTPUT_STREAM (scripted->output);

  return g_strndup (g_memory_output_stream_get_data (out),
                    g_memory_output_stream_get_data_size (out));
}

static void
scripted_clear (Scripted *scripted)
{
  g_clear_object (&scripted->stream);
  g_clear_object (&scripted->input);
  g_clear_object (&scripted->output);
}

static gboolean
run_scripted (const char       **replies,
              gboolean           server,
              char             **sent,
              PoshToolXmppInfo  *info,
              GError           **error)
{
  Scripted scripted;
  gboolean ok;

  scripted_init (&scripted, replies);
  ok = _posh_tool_xmpp_starttls (scripted.stream, "example.com", server, NULL, info, error);
  if (sent)
    *sent = scripted_sent (&scripted);
  scripted_clear (&scripted);
  return ok;
}

static void
test_negotiate_ok (void)
{
  const char *replies[] = { "<?xml version='1.0'?>", &HEADER[21], "<stream:feat",
                            "ures><starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>",
                            "</stream:features>", "<proceed xmlns='urn:ietf:",
                            "params:xml:ns:xmpp-tls'/>", NULL };
  g_autoptr(GError) error = NULL;
  g_autofree char *sent = NULL;
  PoshToolXmppInfo info = { 0 };

  g_assert_true (run_scripted (replies, TRUE, &sent, &info, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (sent, ==,
                   "<?xml version='1.0'?><stream:stream to='example.com' version='1.0' "
                   "xmlns='jabber:server' xmlns:stream='http://etherx.jabber.org/streams'>"
                   "<starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>");
  g_assert_cmpstr (info.stream_from, ==, "example.com");
  g_assert_cmpstr (info.stream_id, ==, "abc123");
  g_assert_false (info.starttls_required);
  _posh_tool_xmpp_info_clear (&info);
}

/* Bytes that arrive with <proceed/> would reach TLS unauthenticated: the
 * STARTTLS injection class of bugs. They are refused. */
static void
test_negotiate_injection (void)
{
  const char *replies[] = { HEADER FEATURES, PROCEED "<message/>", NULL };
  g_autoptr(GError) error = NULL;

  g_assert_false (run_scripted (replies, FALSE, NULL, NULL, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA);
  g_assert_nonnull (strstr (error->message, "after <proceed/>"));
}

static void
test_negotiate_no_starttls (void)
{
  const char *replies[] = { HEADER "<stream:features><mechanisms "
                            "xmlns='urn:ietf:params:xml:ns:xmpp-sasl'/></stream:features>",
                            NULL };
  g_autoptr(GError) error = NULL;
  g_autofree char *sent = NULL;

  g_assert_false (run_scripted (replies, FALSE, &sent, NULL, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED);
  /* <starttls/> was not sent */
  g_assert_null (strstr (sent, "starttls"));
}

static void
test_negotiate_failure (void)
{
  const char *replies[] = { HEADER FEATURES,
                            "<failure xmlns='urn:ietf:params:xml:ns:xmpp-tls'/></stream:stream>",
                            NULL };
  g_autoptr(GError) error = NULL;

  g_assert_false (run_scripted (replies, FALSE, NULL, NULL, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CONNECTION_REFUSED);
  g_assert_nonnull (strstr (error->message, "<failure/>"));
}

static void
test_negotiate_stream_error (void)
{
  const char *replies[] = { HEADER "<stream:error><host-unknown "
                            "xmlns='urn:ietf:params:xml:ns:xmpp-streams'/></stream:error>",
                            NULL };
  g_autoptr(GError) error = NULL;

  g_assert_false (run_scripted (replies, FALSE, NULL, NULL, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CONNECTION_REFUSED);
  g_assert_nonnull (strstr (error->message, "<host-unknown/>"));
}

static void
test_negotiate_closed (void)
{
  const char *replies[] = { HEADER "<stream:features>", NULL };
  g_autoptr(GError) error = NULL;

  g_assert_false (run_scripted (replies, FALSE, NULL, NULL, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CONNECTION_CLOSED);
  g_assert_nonnull (strstr (error->message, "<stream:features/>"));
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/tool/xmpp/reader/features", test_features_whole);
  g_test_add_func ("/tool/xmpp/reader/features-bytewise", test_features_bytewise);
  g_test_add_func ("/tool/xmpp/reader/stops-at-event", test_features_then_more);
  g_test_add_func ("/tool/xmpp/reader/namespaces", test_namespaces);
  g_test_add_func ("/tool/xmpp/reader/not-a-stream", test_not_a_stream);
  g_test_add_func ("/tool/xmpp/reader/malformed", test_malformed);
  g_test_add_func ("/tool/xmpp/reader/stream-error", test_stream_error);
  g_test_add_func ("/tool/xmpp/reader/too-large", test_too_large);
  g_test_add_func ("/tool/xmpp/reader/too-deep", test_too_deep);
  g_test_add_func ("/tool/xmpp/R56/stream-header", test_stream_header);
  g_test_add_func ("/tool/xmpp/starttls/ok", test_negotiate_ok);
  g_test_add_func ("/tool/xmpp/starttls/injection-after-proceed", test_negotiate_injection);
  g_test_add_func ("/tool/xmpp/starttls/not-offered", test_negotiate_no_starttls);
  g_test_add_func ("/tool/xmpp/starttls/failure", test_negotiate_failure);
  g_test_add_func ("/tool/xmpp/starttls/stream-error", test_negotiate_stream_error);
  g_test_add_func ("/tool/xmpp/starttls/closed", test_negotiate_closed);

  return g_test_run ();
}
