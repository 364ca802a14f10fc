#include "tenebra/onion/tor_control_messages.hpp"

#include <algorithm>
#include <utility>

#include "encoding.hpp"
#include "tenebra/core/bytes.hpp"
#include "tenebra/onion/service_id.hpp"
#include "tenebra/onion/tor_control_fields.hpp"
#include "wipe.hpp"

namespace tenebra::onion::tor {
namespace {

constexpr std::size_t kMaxPathBytes = 4096;

struct StatusMeaning {
  int status;
  Errc code;
  const char* meaning;
};

constexpr StatusMeaning kStatusMeanings[] = {
    {451, Errc::exhausted, "resource exhausted"},
    {500, Errc::malformed, "protocol syntax error"},
    {510, Errc::unsupported, "unrecognized command"},
    {511, Errc::unsupported, "unimplemented command"},
    {512, Errc::invalid_argument, "syntax error in command argument"},
    {513, Errc::invalid_argument, "unrecognized command argument"},
    {514, Errc::crypto, "authentication required"},
    {515, Errc::crypto, "bad authentication"},
    {550, Errc::internal, "unspecified tor error"},
    {551, Errc::internal, "internal error"},
    {552, Errc::not_found, "unrecognized entity"},
    {553, Errc::invalid_argument, "invalid configuration value"},
    {554, Errc::invalid_argument, "invalid descriptor"},
    {555, Errc::not_found, "unmanaged entity"},
};

Status require_ok_end(const Reply& reply, const char* what) {
  if (auto status = check_success(reply); !status) return status;
  if (reply.lines.empty()) return make_error(Errc::malformed, std::string(what) + ": empty reply");
  return {};
}

Error malformed(const char* what, const char* problem) {
  return make_error(Errc::malformed, std::string(what) + ": " + problem);
}

unsigned parse_auth_methods(std::string_view list) {
  unsigned methods = 0;
  while (!list.empty()) {
    const std::size_t comma = list.find(',');
    const std::string_view name = list.substr(0, comma);
    if (name == "NULL")
      methods |= static_cast<unsigned>(AuthMethod::null);
    else if (name == "HASHEDPASSWORD")
      methods |= static_cast<unsigned>(AuthMethod::hashed_password);
    else if (name == "COOKIE")
      methods |= static_cast<unsigned>(AuthMethod::cookie);
    else if (name == "SAFECOOKIE")
      methods |= static_cast<unsigned>(AuthMethod::safecookie);
    if (comma == std::string_view::npos) break;
    list.remove_prefix(comma + 1);
  }
  return methods;
}

bool is_getinfo_key_char(char c) noexcept {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '/' || c == '-' ||
         c == '_' || c == '.' || c == ':' || c == '@';
}

}  // namespace

Status check_success(const Reply& reply) {
  if (reply.status == kStatusOk || reply.status == kStatusOperationUnnecessary) return {};
  const std::string code = std::to_string(reply.status);
  for (const StatusMeaning& m : kStatusMeanings) {
    if (m.status == reply.status) return make_error(m.code, "tor answered " + code + " (" + m.meaning + ")");
  }
  return make_error(Errc::internal, "tor answered unexpected status " + code);
}

Result<ProtocolInfo> parse_protocolinfo(const Reply& reply) {
  constexpr const char* kWhat = "PROTOCOLINFO";
  if (auto status = require_ok_end(reply, kWhat); !status) return std::move(status).error();
  ProtocolInfo info;
  bool seen_header = false;
  bool seen_auth = false;
  bool seen_version = false;
  for (const ReplyLine& line : reply.lines) {
    const std::string_view keyword = line.keyword();
    if (keyword != "PROTOCOLINFO" && keyword != "AUTH" && keyword != "VERSION") continue;
    auto fields = parse_fields(line.text);
    if (!fields) return std::move(fields).error();
    if (keyword == "PROTOCOLINFO") {
      if (seen_header) return malformed(kWhat, "PROTOCOLINFO line given twice");
      seen_header = true;
      if (fields->words.size() < 2 || fields->words[1] != "1") {
        return make_error(Errc::unsupported, "PROTOCOLINFO: protocol version other than 1");
      }
    } else if (keyword == "AUTH") {
      if (seen_auth) return malformed(kWhat, "AUTH line given twice");
      seen_auth = true;
      const std::string* methods = fields->find("METHODS");
      if (methods == nullptr) return malformed(kWhat, "AUTH line without METHODS");
      info.auth_methods = parse_auth_methods(*methods);
      if (const std::string* path = fields->find("COOKIEFILE")) {
        if (path->empty() || path->front() != '/' || path->size() > kMaxPathBytes) {
          return malformed(kWhat, "COOKIEFILE is not an absolute path of sane length");
        }
        info.cookie_file = *path;
      }
    } else {
      if (seen_version) return malformed(kWhat, "VERSION line given twice");
      seen_version = true;
      if (const std::string* version = fields->find("Tor")) info.tor_version = *version;
    }
  }
  if (!seen_header) return malformed(kWhat, "no PROTOCOLINFO line");
  if (!seen_auth) return malformed(kWhat, "no AUTH line");
  return info;
}

Result<AuthChallenge> parse_authchallenge(const Reply& reply) {
  constexpr const char* kWhat = "AUTHCHALLENGE";
  if (auto status = require_ok_end(reply, kWhat); !status) return std::move(status).error();
  const ReplyLine& line = reply.end_line();
  if (line.keyword() != "AUTHCHALLENGE") return malformed(kWhat, "reply is not an AUTHCHALLENGE line");
  auto fields = parse_fields(line.text);
  if (!fields) return std::move(fields).error();
  const std::string* hash = fields->find("SERVERHASH");
  const std::string* nonce = fields->find("SERVERNONCE");
  if (hash == nullptr || nonce == nullptr) return malformed(kWhat, "SERVERHASH or SERVERNONCE missing");
  auto hash_bytes = array_from_hex<kSafecookieHashBytes>(*hash);
  if (!hash_bytes) return malformed(kWhat, "SERVERHASH is not 32 bytes of hex");
  auto nonce_bytes = array_from_hex<kSafecookieNonceBytes>(*nonce);
  if (!nonce_bytes) return malformed(kWhat, "SERVERNONCE is not 32 bytes of hex");
  AuthChallenge challenge;
  challenge.server_hash = *hash_bytes;
  challenge.server_nonce = *nonce_bytes;
  return challenge;
}

namespace {

Result<SecretArray<kEd25519V3SecretKeyBytes>> decode_private_key(std::string_view value) {
  if (value.substr(0, kEd25519V3KeyPrefix.size()) != kEd25519V3KeyPrefix) {
    return make_error(Errc::unsupported, "ADD_ONION: private key is not ED25519-V3");
  }
  auto decoded = detail::base64_decode(value.substr(kEd25519V3KeyPrefix.size()));
  if (!decoded) return malformed("ADD_ONION", "private key is not base64");
  if (decoded->size() != kEd25519V3SecretKeyBytes) {
    sodium_memzero(decoded->data(), decoded->size());
    return malformed("ADD_ONION", "private key does not decode to 64 bytes");
  }
  SecretArray<kEd25519V3SecretKeyBytes> key(
      std::span<const std::uint8_t, kEd25519V3SecretKeyBytes>(decoded->data(), kEd25519V3SecretKeyBytes));
  sodium_memzero(decoded->data(), decoded->size());
  return key;
}

}  // namespace

Result<AddOnionResult> parse_add_onion(const Reply& reply) {
  constexpr const char* kWhat = "ADD_ONION";
  if (auto status = require_ok_end(reply, kWhat); !status) return std::move(status).error();
  AddOnionResult result;
  bool seen_id = false;
  for (const ReplyLine& line : reply.lines) {
    const std::string_view keyword = line.keyword();
    if (keyword != "ServiceID" && keyword != "PrivateKey") continue;
    auto fields = parse_fields(line.text);
    if (!fields) return std::move(fields).error();
    if (const std::string* id = fields->find("ServiceID")) {
      if (seen_id) return malformed(kWhat, "ServiceID given twice");
      seen_id = true;
      if (!is_valid_service_id(*id)) return malformed(kWhat, "ServiceID is not a v3 service id");
      result.service_id = *id;
    } else if (const std::string* key = fields->find("PrivateKey")) {
      if (result.private_key) {
        fields->wipe();
        return malformed(kWhat, "PrivateKey given twice");
      }
      auto decoded = decode_private_key(*key);
      fields->wipe();
      if (!decoded) return std::move(decoded).error();
      result.private_key = std::move(*decoded);
    } else {
      return malformed(kWhat, "ServiceID or PrivateKey line without its value");
    }
  }
  if (!seen_id) return malformed(kWhat, "no ServiceID");
  return result;
}

Result<std::vector<GetinfoEntry>> parse_getinfo(const Reply& reply) {
  constexpr const char* kWhat = "GETINFO";
  if (auto status = require_ok_end(reply, kWhat); !status) return std::move(status).error();
  if (reply.end_line().text != "OK") return malformed(kWhat, "reply does not end with OK");
  std::vector<GetinfoEntry> entries;
  for (std::size_t i = 0; i + 1 < reply.lines.size(); ++i) {
    const ReplyLine& line = reply.lines[i];
    const std::size_t equals = line.text.find('=');
    if (equals == std::string::npos || equals == 0) return malformed(kWhat, "line is not key=value");
    GetinfoEntry entry;
    entry.key = line.text.substr(0, equals);
    if (!std::all_of(entry.key.begin(), entry.key.end(), is_getinfo_key_char)) {
      return malformed(kWhat, "key has a character outside the GETINFO key alphabet");
    }
    if (find_getinfo(entries, entry.key) != nullptr) return malformed(kWhat, "key given twice");
    if (line.has_data()) {
      if (equals + 1 != line.text.size()) return malformed(kWhat, "text after '=' on a data line");
      entry.value = line.data;
      if (!entry.value.empty()) entry.value.pop_back();  // the data block's last '\n'
    } else {
      entry.value = line.text.substr(equals + 1);
    }
    entries.push_back(std::move(entry));
  }
  return entries;
}

const GetinfoEntry* find_getinfo(const std::vector<GetinfoEntry>& entries, std::string_view key) noexcept {
  const auto it = std::find_if(entries.begin(), entries.end(), [key](const GetinfoEntry& e) { return e.key == key; });
  return it == entries.end() ? nullptr : &*it;
}

}  // namespace tenebra::onion::tor
