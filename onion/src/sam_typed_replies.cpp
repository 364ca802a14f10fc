// Typed readers of the SAM replies Tenebra acts on.
#include <utility>

#include "tenebra/onion/i2p_destination.hpp"
#include "tenebra/onion/sam_reply.hpp"
#include "wipe.hpp"

namespace tenebra::onion::sam {
namespace {

Error malformed(const char* what, const char* problem) {
  return make_error(Errc::malformed, std::string(what) + ": " + problem);
}

bool is(const Reply& reply, std::string_view topic, std::string_view subtopic) {
  return reply.topic == topic && reply.subtopic == subtopic;
}

std::string message_of(const Reply& reply) {
  const std::string* message = reply.find("MESSAGE");
  return message == nullptr ? std::string() : *message;
}

}  // namespace

Result<HelloReply> parse_hello_reply(const Reply& reply) {
  constexpr const char* kWhat = "SAM HELLO REPLY";
  if (!is(reply, "HELLO", "REPLY")) return malformed(kWhat, "not a HELLO REPLY");
  const std::string* result = reply.find("RESULT");
  if (result == nullptr) return malformed(kWhat, "no RESULT");
  if (*result == "NOVERSION") return make_error(Errc::unsupported, "SAM bridge speaks no version we offered");
  if (*result == "I2P_ERROR") return make_error(Errc::io, "SAM bridge failed the handshake");
  if (*result != "OK") return malformed(kWhat, "unknown RESULT");
  const std::string* version = reply.find("VERSION");
  if (version == nullptr) return malformed(kWhat, "no VERSION");
  if (*version != kVersion && *version != kOldestAcceptedVersion) {
    return make_error(Errc::unsupported, "SAM bridge chose a version other than 3.0 or 3.1");
  }
  return HelloReply{*version};
}

void SessionStatus::wipe() noexcept {
  if (destination) detail::wipe_string(*destination);
  destination.reset();
}

Result<SessionStatus> parse_session_status(const Reply& reply) {
  constexpr const char* kWhat = "SAM SESSION STATUS";
  if (!is(reply, "SESSION", "STATUS")) return malformed(kWhat, "not a SESSION STATUS");
  const std::string* result = reply.find("RESULT");
  if (result == nullptr) return malformed(kWhat, "no RESULT");
  SessionStatus status;
  if (*result == "OK")
    status.result = SessionResult::ok;
  else if (*result == "DUPLICATED_ID")
    status.result = SessionResult::duplicated_id;
  else if (*result == "DUPLICATED_DEST")
    status.result = SessionResult::duplicated_dest;
  else if (*result == "INVALID_ID")
    status.result = SessionResult::invalid_id;
  else if (*result == "INVALID_KEY")
    status.result = SessionResult::invalid_key;
  else if (*result == "I2P_ERROR")
    status.result = SessionResult::i2p_error;
  else
    return malformed(kWhat, "unknown RESULT");
  status.message = message_of(reply);
  if (status.result == SessionResult::ok) {
    if (const std::string* destination = reply.find("DESTINATION")) {
      if (auto valid = check_private_destination(*destination); !valid) return std::move(valid).error();
      status.destination = *destination;
    }
  }
  return status;
}

bool StreamStatus::retry_later() const noexcept {
  return result == StreamResult::cant_reach_peer || result == StreamResult::timeout ||
         result == StreamResult::i2p_error;
}

Result<StreamStatus> parse_stream_status(const Reply& reply) {
  constexpr const char* kWhat = "SAM STREAM STATUS";
  const std::string* result = reply.find("RESULT");
  StreamStatus status;
  if (is(reply, "SESSION", "STATUS") && result != nullptr && *result == "I2P_ERROR") {
    status.result = StreamResult::i2p_error;
    status.message = message_of(reply);
    return status;
  }
  if (!is(reply, "STREAM", "STATUS")) return malformed(kWhat, "not a STREAM STATUS");
  if (result == nullptr) return malformed(kWhat, "no RESULT");
  if (*result == "OK")
    status.result = StreamResult::ok;
  else if (*result == "CANT_REACH_PEER")
    status.result = StreamResult::cant_reach_peer;
  else if (*result == "I2P_ERROR")
    status.result = StreamResult::i2p_error;
  else if (*result == "INVALID_KEY")
    status.result = StreamResult::invalid_key;
  else if (*result == "INVALID_ID")
    status.result = StreamResult::invalid_id;
  else if (*result == "TIMEOUT")
    status.result = StreamResult::timeout;
  else
    return malformed(kWhat, "unknown RESULT");
  status.message = message_of(reply);
  return status;
}

void DestReply::wipe() noexcept {
  detail::wipe_string(pub);
  detail::wipe_string(priv);
}

Result<DestReply> parse_dest_reply(const Reply& reply) {
  constexpr const char* kWhat = "SAM DEST REPLY";
  if (!is(reply, "DEST", "REPLY")) return malformed(kWhat, "not a DEST REPLY");
  if (const std::string* result = reply.find("RESULT"); result != nullptr && *result != "OK") {
    if (*result == "I2P_ERROR") return make_error(Errc::io, "SAM bridge failed to generate a destination");
    return malformed(kWhat, "unknown RESULT");
  }
  const std::string* pub = reply.find("PUB");
  const std::string* priv = reply.find("PRIV");
  if (pub == nullptr || priv == nullptr) return malformed(kWhat, "PUB or PRIV missing");
  if (auto status = check_public_destination(*pub); !status) return std::move(status).error();
  if (auto status = check_private_destination(*priv); !status) return std::move(status).error();
  // The private destination starts with the public one: their base64 agrees
  // up to PUB's padded last group, which PRIV fills with key bytes.
  const std::size_t same_chars = pub->back() == '=' ? pub->size() - 4 : pub->size();
  if (priv->compare(0, same_chars, *pub, 0, same_chars) != 0) {
    return malformed(kWhat, "PRIV does not start with PUB");
  }
  return DestReply{*pub, *priv};
}

Result<NamingReply> parse_naming_reply(const Reply& reply) {
  constexpr const char* kWhat = "SAM NAMING REPLY";
  if (!is(reply, "NAMING", "REPLY")) return malformed(kWhat, "not a NAMING REPLY");
  const std::string* result = reply.find("RESULT");
  if (result == nullptr) return malformed(kWhat, "no RESULT");
  NamingReply naming;
  if (*result == "OK")
    naming.result = NamingResult::ok;
  else if (*result == "INVALID_KEY")
    naming.result = NamingResult::invalid_key;
  else if (*result == "KEY_NOT_FOUND")
    naming.result = NamingResult::key_not_found;
  else
    return malformed(kWhat, "unknown RESULT");
  if (const std::string* name = reply.find("NAME")) naming.name = *name;
  naming.message = message_of(reply);
  if (naming.result == NamingResult::ok) {
    const std::string* value = reply.find("VALUE");
    if (value == nullptr) return malformed(kWhat, "OK without VALUE");
    if (auto status = check_public_destination(*value); !status) return std::move(status).error();
    naming.value = *value;
  }
  return naming;
}

}  // namespace tenebra::onion::sam
