#include "tenebra/router/passphrase.hpp"

#include <fcntl.h>
#include <sodium.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <string>
#include <system_error>

namespace tenebra::router {
namespace {

std::string errno_text(int error) {
  return std::generic_category().message(error);
}

// Closes the descriptor on every return path.
class FileDescriptor {
 public:
  explicit FileDescriptor(int fd) noexcept : m_fd(fd) {}
  ~FileDescriptor() {
    if (m_fd >= 0) ::close(m_fd);
  }
  FileDescriptor(const FileDescriptor&) = delete;
  FileDescriptor& operator=(const FileDescriptor&) = delete;
  int get() const noexcept { return m_fd; }

 private:
  int m_fd;
};

void strip_one_newline(SecretString& text) {
  std::string_view view = text.view();
  if (view.empty() || view.back() != '\n') return;
  view.remove_suffix(1);
  if (!view.empty() && view.back() == '\r') view.remove_suffix(1);
  text.set_size(view.size());
}

}  // namespace

Result<SecretString> SecretString::with_capacity(std::size_t capacity) {
  SecretString out;
  // sodium_malloc(0) is allowed but gives nothing to point at; keep one byte.
  const std::size_t bytes = capacity == 0 ? 1 : capacity;
  out.m_data = static_cast<char*>(sodium_malloc(bytes));
  if (out.m_data == nullptr) return make_error(Errc::exhausted, "no locked memory for a secret");
  sodium_memzero(out.m_data, bytes);
  out.m_capacity = capacity;
  return out;
}

Result<SecretString> SecretString::copy_of(std::string_view text) {
  auto out = with_capacity(text.size());
  if (!out) return out;
  if (!text.empty()) std::memcpy(out->m_data, text.data(), text.size());
  out->m_size = text.size();
  return out;
}

SecretString::~SecretString() {
  release();
}

SecretString::SecretString(SecretString&& other) noexcept
    : m_data(other.m_data), m_size(other.m_size), m_capacity(other.m_capacity) {
  other.m_data = nullptr;
  other.m_size = 0;
  other.m_capacity = 0;
}

SecretString& SecretString::operator=(SecretString&& other) noexcept {
  if (this != &other) {
    release();
    m_data = other.m_data;
    m_size = other.m_size;
    m_capacity = other.m_capacity;
    other.m_data = nullptr;
    other.m_size = 0;
    other.m_capacity = 0;
  }
  return *this;
}

void SecretString::set_size(std::size_t size) noexcept {
  if (size > m_capacity) size = m_capacity;
  if (m_data != nullptr && size < m_capacity) sodium_memzero(m_data + size, m_capacity - size);
  m_size = size;
}

void SecretString::release() noexcept {
  // sodium_free wipes before it frees.
  if (m_data != nullptr) sodium_free(m_data);
  m_data = nullptr;
  m_size = 0;
  m_capacity = 0;
}

Result<SecretString> read_passphrase_file(const std::filesystem::path& file) {
  const std::string name = file.string();
  FileDescriptor fd(::open(file.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC));
  if (fd.get() < 0) {
    const int error = errno;
    return make_error(error == ENOENT ? Errc::not_found : Errc::io,
                      "passphrase: cannot open " + name + ": " + errno_text(error));
  }
  struct stat info {};
  if (::fstat(fd.get(), &info) != 0 || !S_ISREG(info.st_mode)) {
    return make_error(Errc::invalid_argument, "passphrase: " + name + " is not a regular file");
  }
  if ((info.st_mode & 077) != 0) {
    return make_error(Errc::invalid_argument,
                      "passphrase: " + name + " is accessible by group or others; run: chmod 600 " + name);
  }
  // One byte more than allowed, to tell "exactly at the cap" from "over it".
  auto secret = SecretString::with_capacity(kMaxPassphraseBytes + 1);
  if (!secret) return secret;
  std::size_t used = 0;
  while (used < secret->capacity()) {
    const ssize_t got = ::read(fd.get(), secret->data() + used, secret->capacity() - used);
    if (got < 0 && errno == EINTR) continue;
    if (got < 0) {
      const int error = errno;
      return make_error(Errc::io, "passphrase: cannot read " + name + ": " + errno_text(error));
    }
    if (got == 0) break;
    used += static_cast<std::size_t>(got);
  }
  secret->set_size(used);
  if (used > kMaxPassphraseBytes) {
    return make_error(Errc::invalid_argument,
                      "passphrase: " + name + " is larger than " + std::to_string(kMaxPassphraseBytes) + " bytes");
  }
  strip_one_newline(*secret);
  if (secret->empty()) return make_error(Errc::invalid_argument, "passphrase: " + name + " holds an empty passphrase");
  return secret;
}

Result<SecretString> read_passphrase_env(const std::string& variable) {
  const char* value = std::getenv(variable.c_str());  // NOLINT(concurrency-mt-unsafe): read once at startup
  if (value == nullptr) {
    return make_error(Errc::invalid_argument, "passphrase: environment variable " + variable + " is not set");
  }
  const std::string_view text(value);
  if (text.empty()) {
    return make_error(Errc::invalid_argument, "passphrase: environment variable " + variable + " is empty");
  }
  if (text.size() > kMaxPassphraseBytes) {
    return make_error(Errc::invalid_argument, "passphrase: environment variable " + variable + " is longer than " +
                                                  std::to_string(kMaxPassphraseBytes) + " bytes");
  }
  return SecretString::copy_of(text);
}

Result<SecretString> read_passphrase(const NodeConfig& config) {
  if (config.passphrase_file && config.passphrase_env) {
    return make_error(Errc::invalid_argument, "passphrase: the config names both a file and an environment variable");
  }
  if (config.passphrase_file) return read_passphrase_file(*config.passphrase_file);
  if (config.passphrase_env) return read_passphrase_env(*config.passphrase_env);
  return make_error(Errc::invalid_argument, "passphrase: the config names no passphrase source");
}

}  // namespace tenebra::router
