#pragma once
// StaticFiles: serves the files under a directory.
//
//   http::StaticFiles files("/srv/www");
//   router.get("/static/*path", files);        // /static/css/a.css -> /srv/www/css/a.css
//   router.get("/*path", files);               // or the whole site
//
// A handler for GET and HEAD routes whose pattern ends in a wildcard (the file's path
// relative to the root is the wildcard's value; without one, the request's path).
//   - Bodies go out with sendfile (Response::write_file): no copy through user space.
//   - Content-Type from the file's extension (Options::types adds or overrides).
//   - ETag ("mtime-size") and Last-Modified; If-None-Match and If-Modified-Since answer
//     304 Not Modified.
//   - A single byte range (Range: bytes=a-b, a-, -n) answers 206 with Content-Range; an
//     unsatisfiable one 416 with "Content-Range: bytes */size"; If-Range that does not
//     match the ETag (or date) serves the whole file. Several ranges serve the whole file.
//   - A directory URL without its trailing slash is redirected (301) to it; a directory
//     is served by its index file if there is one, else listed only when
//     list_directories is on (403 otherwise).
//   - Nothing outside the root: the path is percent-decoded once; "..", "." and empty
//     segments, an encoded slash (%2F), a NUL or a malformed escape answer 400; the file is
//     opened beneath the root (openat2 RESOLVE_BENEATH), so a symbolic link that leads out
//     of it answers 404, as does anything missing or not a regular file.
//
// Threads: a StaticFiles is immutable once built and may serve any number of loops. Files
// are opened on the loop thread (a local disk's page cache makes that cheap).

#include <map>
#include <string>
#include <string_view>

namespace weft::http {

class Request;
class Response;

class StaticFiles {
 public:
  struct Options {
    // Served for a directory's URL when the directory holds it; empty: none.
    std::string index_file = "index.html";
    // An HTML listing of a directory without an index file.
    bool list_directories = false;
    // A Cache-Control value for every file; empty: none.
    std::string cache_control;
    // Extension (without the dot, lower case) -> Content-Type, over the built-in table.
    std::map<std::string, std::string, std::less<>> types;
  };

  // Throws std::invalid_argument if root is not a readable directory.
  explicit StaticFiles(std::string root);
  StaticFiles(std::string root, Options options);
  ~StaticFiles();
  StaticFiles(const StaticFiles& other);
  StaticFiles& operator=(const StaticFiles&) = delete;

  // As a route's handler.
  void operator()(Request& req, Response& res) const;
  // Serves url_path (percent-encoded, relative to the root: no leading slash) for req.
  void serve(Request& req, Response& res, std::string_view url_path) const;

  const std::string& root() const { return root_; }

 private:
  std::string root_;
  int root_fd_ = -1;
  Options options_;
};

// The Content-Type for a file name by its extension, from the built-in table
// ("application/octet-stream" when unknown).
std::string_view content_type_for(std::string_view file_name);

}  // namespace weft::http
