#include "weft/http/static_files.h"

#include <dirent.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <climits>
#include <cstdlib>
#include <cstring>
#include <stdexcept>
#include <utility>
#include <vector>

#include "http/conditional.h"
#include "http/date_cache.h"
#include "http/token.h"
#include "weft/http/request.h"
#include "weft/http/response.h"

namespace weft::http {
namespace {

// Closes the fd it holds unless it was handed on.
class Fd {
 public:
  explicit Fd(int fd = -1) : fd_(fd) {}
  ~Fd() {
    if (fd_ >= 0) ::close(fd_);
  }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  int get() const { return fd_; }
  int release() { return std::exchange(fd_, -1); }
  void reset(int fd) {
    if (fd_ >= 0) ::close(fd_);
    fd_ = fd;
  }

 private:
  int fd_;
};

// Opens path beneath dir: the kernel refuses any resolution that leaves it (a "..", an
// absolute symbolic link, one that climbs out), with EXDEV. Where openat2 is missing
// (before Linux 5.6), the resolved path is checked against the root instead.
int open_beneath(int dir, const std::string& path, const std::string& root_real) {
  open_how how{};
  how.flags = O_RDONLY | O_CLOEXEC | O_NOCTTY;
  how.resolve = RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS;
  const long fd = ::syscall(SYS_openat2, dir, path.c_str(), &how, sizeof how);
  if (fd >= 0 || errno != ENOSYS) return static_cast<int>(fd);
  char resolved[PATH_MAX];
  if (::realpath((root_real + "/" + path).c_str(), resolved) == nullptr) return -1;
  const std::string_view r(resolved);
  if (r != root_real && !(r.starts_with(root_real) && r[root_real.size()] == '/')) {
    errno = EXDEV;
    return -1;
  }
  return ::open(resolved, O_RDONLY | O_CLOEXEC | O_NOCTTY);
}

// The status for a failed open.
int open_error_status(int error) {
  return error == EACCES || error == EPERM ? 403 : 404;
}

std::string html_escape(std::string_view s) {
  std::string out;
  for (char c : s) {
    switch (c) {
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '&': out += "&amp;"; break;
      case '"': out += "&quot;"; break;
      default: out += c;
    }
  }
  return out;
}

std::string url_escape(std::string_view s) {
  static const char* hex = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : s) {
    if (std::isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~') {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += hex[c >> 4];
      out += hex[c & 15];
    }
  }
  return out;
}

void send_listing(Response& res, int dir_fd, std::string_view url) {
  Fd copy(::dup(dir_fd));
  DIR* dir = copy.get() >= 0 ? ::fdopendir(copy.get()) : nullptr;
  if (dir == nullptr) {
    res.send(500, "cannot list the directory\n");
    return;
  }
  copy.release();
  std::vector<std::string> names;
  while (dirent* e = ::readdir(dir)) {
    const std::string_view name = e->d_name;
    if (name == "." || name == "..") continue;
    names.emplace_back(name);
    if (e->d_type == DT_DIR) names.back() += '/';
  }
  ::closedir(dir);
  std::sort(names.begin(), names.end());
  std::string body =
      "<!DOCTYPE html>\n<title>" + html_escape(url) + "</title>\n<h1>" + html_escape(url) + "</h1>\n<ul>\n";
  for (const std::string& n : names) {
    const bool is_dir = n.back() == '/';
    body += "<li><a href=\"" + url_escape(std::string_view(n).substr(0, n.size() - (is_dir ? 1 : 0))) +
            (is_dir ? "/" : "") + "\">" + html_escape(n) + "</a>\n";
  }
  body += "</ul>\n";
  res.content_type("text/html; charset=utf-8").send(200, body);
}

}  // namespace

StaticFiles::StaticFiles(std::string root) : StaticFiles(std::move(root), Options{}) {}

StaticFiles::StaticFiles(std::string root, Options options) : options_(std::move(options)) {
  char resolved[PATH_MAX];
  if (::realpath(root.c_str(), resolved) == nullptr) {
    throw std::invalid_argument("StaticFiles: root " + root + ": " + std::strerror(errno));
  }
  root_ = resolved;
  root_fd_ = ::open(root_.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (root_fd_ < 0) throw std::invalid_argument("StaticFiles: root " + root_ + ": " + std::strerror(errno));
}

StaticFiles::StaticFiles(const StaticFiles& other)
    : root_(other.root_), root_fd_(::fcntl(other.root_fd_, F_DUPFD_CLOEXEC, 0)), options_(other.options_) {}

StaticFiles::~StaticFiles() {
  if (root_fd_ >= 0) ::close(root_fd_);
}

void StaticFiles::operator()(Request& req, Response& res) const {
  // A wildcard route ("/static/*path") names the file; otherwise the whole path does.
  serve(req, res, req.has_param("path") ? req.param("path") : req.path().substr(1));
}

void StaticFiles::serve(Request& req, Response& res, std::string_view url_path) const {
  if (req.method() != Method::get && req.method() != Method::head) {
    res.header("Allow", "GET, HEAD").send(405, "405 Method Not Allowed\n");
    return;
  }
  // Refused before anything is opened: an encoded slash, a bad escape, a NUL, and any
  // segment that is empty, "." or "..".
  for (size_t at = url_path.find('%'); at != std::string_view::npos; at = url_path.find('%', at + 1)) {
    if (at + 2 < url_path.size() && url_path[at + 1] == '2' && detail::ascii_lower(url_path[at + 2]) == 'f') {
      res.send(400, "400 Bad Request\n");
      return;
    }
  }
  std::string relative;
  if (!percent_decode(url_path, relative) || relative.find('\0') != std::string::npos) {
    res.send(400, "400 Bad Request\n");
    return;
  }
  const bool directory_url = relative.empty() || relative.back() == '/';
  std::string_view rest = relative;
  if (directory_url && !rest.empty()) rest.remove_suffix(1);
  while (!rest.empty()) {
    const size_t slash = rest.find('/');
    const std::string_view segment = rest.substr(0, slash);
    if (segment.empty() || segment == "." || segment == "..") {
      res.send(400, "400 Bad Request\n");
      return;
    }
    rest = slash == std::string_view::npos ? std::string_view() : rest.substr(slash + 1);
  }
  const std::string target = relative.empty() ? std::string(".") : relative;
  Fd fd(open_beneath(root_fd_, target, root_));
  if (fd.get() < 0) {
    res.send(open_error_status(errno), open_error_status(errno) == 403 ? "403 Forbidden\n" : "404 Not Found\n");
    return;
  }
  struct stat st;
  if (::fstat(fd.get(), &st) != 0) {
    res.send(404, "404 Not Found\n");
    return;
  }
  std::string_view type_name = relative;
  if (S_ISDIR(st.st_mode)) {
    if (!directory_url) {
      std::string location(req.path());
      location += '/';
      if (!req.query().empty()) location += "?" + std::string(req.query());
      res.header("Location", location).send(301, "301 Moved Permanently\n");
      return;
    }
    Fd index(options_.index_file.empty() ? -1 : open_beneath(fd.get(), options_.index_file, root_ + "/" + relative));
    struct stat index_st;
    if (index.get() < 0 || ::fstat(index.get(), &index_st) != 0 || !S_ISREG(index_st.st_mode)) {
      if (options_.list_directories) {
        send_listing(res, fd.get(), req.path());
      } else {
        res.send(403, "403 Forbidden\n");
      }
      return;
    }
    st = index_st;
    fd.reset(index.release());
    type_name = options_.index_file;
  } else if (!S_ISREG(st.st_mode)) {
    res.send(404, "404 Not Found\n");
    return;
  }

  const uint64_t size = static_cast<uint64_t>(st.st_size);
  const int64_t mtime_ns = static_cast<int64_t>(st.st_mtim.tv_sec) * 1000000000 + st.st_mtim.tv_nsec;
  const std::string etag = detail::file_etag(mtime_ns, size);
  char modified[detail::kHttpDateSize];
  detail::format_http_date(st.st_mtime, modified);
  const std::string_view last_modified(modified, sizeof modified);
  res.header("ETag", etag).header("Last-Modified", last_modified);
  if (!options_.cache_control.empty()) res.header("Cache-Control", options_.cache_control);

  // Conditional requests (RFC 9110 13.2.2): If-None-Match wins over If-Modified-Since.
  bool not_modified = false;
  if (req.has_header("if-none-match")) {
    not_modified = detail::none_match(req.header("if-none-match"), etag);
  } else if (req.has_header("if-modified-since")) {
    time_t since;
    not_modified = detail::parse_http_date(req.header("if-modified-since"), since) && st.st_mtime <= since;
  }
  if (not_modified) {
    res.send(304, {});
    return;
  }

  std::string_view type = content_type_for(type_name);
  const size_t dot = type_name.rfind('.');
  if (dot != std::string_view::npos) {
    std::string ext(type_name.substr(dot + 1));
    for (char& c : ext) c = detail::ascii_lower(c);
    if (auto it = options_.types.find(ext); it != options_.types.end()) type = it->second;
  }
  res.content_type(type).header("Accept-Ranges", "bytes");

  detail::ByteRange range;
  detail::RangeAnswer answer = detail::RangeAnswer::whole;
  if (req.has_header("range")) {
    // If-Range: the range applies only to the representation the client has.
    const std::string_view if_range = detail::trim_ows(req.header("if-range"));
    const bool current = if_range.empty() || if_range == etag || if_range == last_modified;
    if (current) answer = detail::parse_range(req.header("range"), size, range);
  }
  if (answer == detail::RangeAnswer::unsatisfiable) {
    res.header("Content-Range", "bytes */" + std::to_string(size)).send(416, {});
    return;
  }
  if (answer == detail::RangeAnswer::partial) {
    res.status(206).header("Content-Range", "bytes " + std::to_string(range.first) + "-" +
                                                std::to_string(range.first + range.length - 1) + "/" +
                                                std::to_string(size));
  } else {
    range = {0, size};
  }
  if (res.begin(range.length)) return;
  if (range.length > 0) res.write_file(fd.release(), range.first, range.length);
  res.end();
}

}  // namespace weft::http
