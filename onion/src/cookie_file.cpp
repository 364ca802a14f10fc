#include "cookie_file.hpp"

#include <fcntl.h>
#include <sodium.h>
#include <sys/stat.h>
#include <unistd.h>

#include <array>
#include <cerrno>

namespace tenebra::onion::tor::detail {
namespace {

class FileDescriptor {
 public:
  explicit FileDescriptor(int fd) : m_fd(fd) {}
  ~FileDescriptor() {
    if (m_fd >= 0) ::close(m_fd);
  }
  FileDescriptor(const FileDescriptor&) = delete;
  FileDescriptor& operator=(const FileDescriptor&) = delete;
  int get() const noexcept { return m_fd; }

 private:
  int m_fd;
};

}  // namespace

Result<Cookie> read_cookie_file(const std::string& path) {
  const FileDescriptor fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NOCTTY));
  if (fd.get() < 0) return make_error(Errc::io, "cannot open tor's cookie file");
  struct stat info {};
  if (::fstat(fd.get(), &info) != 0 || !S_ISREG(info.st_mode)) {
    return make_error(Errc::io, "tor's cookie file is not a regular file");
  }
  // One byte more than a cookie, so a longer file is seen as such.
  std::array<std::uint8_t, kCookieBytes + 1> buffer{};
  std::size_t total = 0;
  while (total < buffer.size()) {
    const ssize_t got = ::read(fd.get(), buffer.data() + total, buffer.size() - total);
    if (got < 0 && errno == EINTR) continue;
    if (got < 0) {
      sodium_memzero(buffer.data(), buffer.size());
      return make_error(Errc::io, "cannot read tor's cookie file");
    }
    if (got == 0) break;
    total += static_cast<std::size_t>(got);
  }
  auto cookie = cookie_from_file_bytes(ByteView(buffer.data(), total));
  sodium_memzero(buffer.data(), buffer.size());
  return cookie;
}

}  // namespace tenebra::onion::tor::detail
