// Incremental parser of Tor control-port replies (control-spec §2.3, §4.1).
//
// Feed it bytes as they arrive from the socket; it frames them into complete
// replies. Command replies (2xx-5xx) and asynchronous events (6xx) come out
// of separate queues, and an event that arrives between the lines of a
// multi-line command reply is its own reply, not part of the command's.
// "250+" data blocks are collected up to their lone "." with dot-unstuffing.
// CRLF and bare LF both end a line.
//
// Every line, reply and data block is capped (ReplyLimits; defaults in
// tor_control_constants.hpp). A malformed line, a bad status code or a
// passed cap is an error value; after the first error the parser refuses
// all further input, because the stream can no longer be framed and the
// connection must be closed. Errors never quote the input (replies can carry
// onion addresses and keys).
//
// Replies can carry secrets (ADD_ONION returns a private key): the parser
// wipes its own buffers as it goes, and Reply::wipe() lets the owner of a
// reply do the same. Not thread-safe: one parser per connection, used from
// the connection's strand.
#pragma once

#include <cstddef>
#include <deque>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "tenebra/core/bytes.hpp"
#include "tenebra/core/result.hpp"
#include "tenebra/onion/tor_control_constants.hpp"

namespace tenebra::onion::tor {

struct ReplyLine {
  // '-' for a mid line, '+' for a line followed by a data block, ' ' for the
  // final line of the reply.
  char separator = ' ';
  // The text after the status code and separator, without the line ending.
  std::string text;
  // '+' lines only: the data block, dot-unstuffed, every line ending in '\n'.
  std::string data;

  bool has_data() const noexcept { return separator == '+'; }
  // The first word of the text, up to a space or '=' ("AUTH", "ServiceID").
  std::string_view keyword() const noexcept;
};

struct Reply {
  int status = 0;                // 3 digits, the same on every line
  std::vector<ReplyLine> lines;  // at least one; only the last has separator ' '

  bool is_event() const noexcept { return status / 100 == 6; }
  bool is_success() const noexcept { return status / 100 == 2; }
  const ReplyLine& end_line() const { return lines.back(); }
  // Zeroes every string, for replies that carried key material.
  void wipe() noexcept;
};

struct ReplyLimits {
  std::size_t max_line_bytes = kMaxLineBytes;
  std::size_t max_lines_per_reply = kMaxLinesPerReply;
  std::size_t max_reply_bytes = kMaxReplyBytes;
  std::size_t max_data_block_bytes = kMaxDataBlockBytes;
};

class ReplyParser {
 public:
  explicit ReplyParser(ReplyLimits limits = {});
  ~ReplyParser();
  ReplyParser(const ReplyParser&) = delete;
  ReplyParser& operator=(const ReplyParser&) = delete;

  // Consumes all of `bytes`. On error (Errc::malformed for bad syntax,
  // Errc::exhausted for a passed cap) the parser is dead: this and every
  // later call return the same error. Replies completed before the bad line
  // stay available.
  [[nodiscard]] Status feed(ByteView bytes);
  [[nodiscard]] Status feed(std::string_view text) { return feed(as_bytes(text)); }

  // Completed command replies, then events, each in arrival order.
  [[nodiscard]] std::optional<Reply> next_reply();
  [[nodiscard]] std::optional<Reply> next_event();

  bool failed() const noexcept { return m_error.has_value(); }
  // True when no partial line or reply is pending: the stream ended cleanly
  // if it ends now.
  bool idle() const noexcept;

 private:
  struct Pending {
    Reply reply;
    std::size_t bytes = 0;
    std::size_t line_count = 0;
    std::size_t data_bytes = 0;
    bool empty() const noexcept { return reply.lines.empty(); }
  };

  Status take_line(std::string_view line);
  Status take_status_line(std::string_view line);
  Status take_data_line(std::string_view line);
  Status account(Pending& pending, std::size_t line_bytes);
  Status fail(Errc code, std::string message);
  void clear_partial() noexcept;

  ReplyLimits m_limits;
  std::string m_partial;  // bytes of the line not yet ended
  Pending m_command;
  Pending m_event;
  Pending* m_data_owner = nullptr;  // set while inside a "+" data block
  std::deque<Reply> m_replies;
  std::deque<Reply> m_events;
  std::optional<Error> m_error;
};

}  // namespace tenebra::onion::tor
