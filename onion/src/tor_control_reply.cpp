#include "tenebra/onion/tor_control_reply.hpp"

#include <algorithm>
#include <utility>

#include "wipe.hpp"

namespace tenebra::onion::tor {
namespace {

bool is_digit(char c) noexcept {
  return c >= '0' && c <= '9';
}

// Control characters other than tab never appear in a well-formed reply; a
// stray CR or NUL means the framing is off.
bool has_control_character(std::string_view line) noexcept {
  return std::any_of(line.begin(), line.end(), [](char c) {
    const auto byte = static_cast<unsigned char>(c);
    return (byte < 0x20 && c != '\t') || byte == 0x7F;
  });
}

// control-spec uses 2xx, 4xx, 5xx and 6xx only.
bool is_known_status_class(char c) noexcept {
  return c == '2' || c == '4' || c == '5' || c == '6';
}

}  // namespace

std::string_view ReplyLine::keyword() const noexcept {
  const std::string_view view(text);
  return view.substr(0, view.find_first_of(" ="));
}

void Reply::wipe() noexcept {
  for (ReplyLine& line : lines) {
    detail::wipe_string(line.text);
    detail::wipe_string(line.data);
  }
  lines.clear();
}

ReplyParser::ReplyParser(ReplyLimits limits) : m_limits(limits) {
  // Reserved once, so a growing line is never copied into a new buffer and
  // left behind unwiped in freed memory.
  m_partial.reserve(m_limits.max_line_bytes + 2);
}

ReplyParser::~ReplyParser() {
  clear_partial();
  m_command.reply.wipe();
  m_event.reply.wipe();
  for (Reply& reply : m_replies) reply.wipe();
  for (Reply& reply : m_events) reply.wipe();
}

bool ReplyParser::idle() const noexcept {
  return m_partial.empty() && m_command.empty() && m_event.empty() && m_data_owner == nullptr;
}

std::optional<Reply> ReplyParser::next_reply() {
  if (m_replies.empty()) return std::nullopt;
  Reply reply = std::move(m_replies.front());
  m_replies.pop_front();
  return reply;
}

std::optional<Reply> ReplyParser::next_event() {
  if (m_events.empty()) return std::nullopt;
  Reply reply = std::move(m_events.front());
  m_events.pop_front();
  return reply;
}

void ReplyParser::clear_partial() noexcept {
  detail::wipe_string(m_partial);
}

Status ReplyParser::fail(Errc code, std::string message) {
  m_error = make_error(code, "tor control reply: " + std::move(message));
  clear_partial();
  m_command = Pending{};
  m_event = Pending{};
  m_data_owner = nullptr;
  return *m_error;
}

Status ReplyParser::feed(ByteView bytes) {
  if (m_error) return *m_error;
  const std::string_view input(reinterpret_cast<const char*>(bytes.data()), bytes.size());
  std::size_t pos = 0;
  while (pos < input.size()) {
    const std::size_t newline = input.find('\n', pos);
    const std::size_t end = newline == std::string_view::npos ? input.size() : newline;
    // One byte of slack for the CR of a CRLF ending. Checked before appending
    // so the buffer never grows past its reservation.
    if (m_partial.size() + (end - pos) > m_limits.max_line_bytes + 1) {
      return fail(Errc::exhausted, "line longer than the cap");
    }
    m_partial.append(input.substr(pos, end - pos));
    if (newline == std::string_view::npos) break;
    std::string_view line(m_partial);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.size() > m_limits.max_line_bytes) return fail(Errc::exhausted, "line longer than the cap");
    if (auto status = take_line(line); !status) return status;
    clear_partial();
    pos = newline + 1;
  }
  return {};
}

Status ReplyParser::take_line(std::string_view line) {
  if (has_control_character(line)) return fail(Errc::malformed, "control character inside a line");
  if (m_data_owner != nullptr) return take_data_line(line);
  return take_status_line(line);
}

Status ReplyParser::take_status_line(std::string_view line) {
  if (line.size() < 4) return fail(Errc::malformed, "line too short for a status code and separator");
  if (!is_known_status_class(line[0]) || !is_digit(line[1]) || !is_digit(line[2])) {
    return fail(Errc::malformed, "bad status code");
  }
  const char separator = line[3];
  if (separator != '-' && separator != '+' && separator != ' ') {
    return fail(Errc::malformed, "bad separator after the status code");
  }
  const int status = (line[0] - '0') * 100 + (line[1] - '0') * 10 + (line[2] - '0');
  Pending& pending = status / 100 == 6 ? m_event : m_command;
  if (!pending.empty() && pending.reply.status != status) {
    return fail(Errc::malformed, "status code changed within one reply");
  }
  if (auto status_ok = account(pending, line.size()); !status_ok) return status_ok;

  pending.reply.status = status;
  ReplyLine parsed;
  parsed.separator = separator;
  parsed.text.assign(line.substr(4));
  pending.reply.lines.push_back(std::move(parsed));

  if (separator == '+') {
    m_data_owner = &pending;
    pending.data_bytes = 0;
  } else if (separator == ' ') {
    (status / 100 == 6 ? m_events : m_replies).push_back(std::move(pending.reply));
    pending = Pending{};
  }
  return {};
}

Status ReplyParser::take_data_line(std::string_view line) {
  Pending& pending = *m_data_owner;
  if (line == ".") {
    m_data_owner = nullptr;
    return account(pending, line.size());
  }
  if (!line.empty() && line.front() == '.') line.remove_prefix(1);  // dot-unstuffing
  if (auto status = account(pending, line.size()); !status) return status;
  pending.data_bytes += line.size() + 1;
  if (pending.data_bytes > m_limits.max_data_block_bytes)
    return fail(Errc::exhausted, "data block larger than the cap");
  std::string& data = pending.reply.lines.back().data;
  data.append(line);
  data.push_back('\n');
  return {};
}

Status ReplyParser::account(Pending& pending, std::size_t line_bytes) {
  // Each line counts with its line ending, so empty lines still cost something.
  pending.bytes += line_bytes + 1;
  if (pending.bytes > m_limits.max_reply_bytes) return fail(Errc::exhausted, "reply larger than the cap");
  if (++pending.line_count > m_limits.max_lines_per_reply) return fail(Errc::exhausted, "reply has too many lines");
  return {};
}

}  // namespace tenebra::onion::tor
