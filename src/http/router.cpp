#include "weft/http/router.h"

#include <array>
#include <stdexcept>

#include "http/request_access.h"
#include "http/route.h"

namespace weft::http {
namespace detail {

// One node per pattern segment: literal children, one parameter child, one wildcard, and
// the routes that end here, indexed by method (Method::other for any()).
class RouteTree {
 public:
  static constexpr size_t kMaxParams = 16;

  struct Node {
    std::vector<std::pair<std::string, std::unique_ptr<Node>>> literals;
    std::unique_ptr<Node> param;
    std::string param_name;
    std::unique_ptr<Node> wildcard;
    std::string wildcard_name;
    std::array<const Route*, kMethodCount + 1> routes{};
    const Route* upgrade = nullptr;
    // The names of the parameters along the path to this node, in order.
    std::vector<std::string_view> names;

    bool has_routes() const {
      for (const Route* r : routes) {
        if (r != nullptr) return true;
      }
      return upgrade != nullptr;
    }
  };

  Node* insert(std::string_view pattern) {
    if (pattern.empty() || pattern.front() != '/') {
      throw std::invalid_argument("Router: pattern \"" + std::string(pattern) + "\" must start with '/'");
    }
    Node* node = &root_;
    std::vector<std::string_view> names;
    std::string_view rest = pattern.substr(1);
    for (bool last = false; !last;) {
      const size_t slash = rest.find('/');
      last = slash == std::string_view::npos;
      const std::string_view seg = rest.substr(0, slash);
      rest = last ? std::string_view() : rest.substr(slash + 1);
      Node* parent = node;
      if (!seg.empty() && seg.front() == ':') {
        node = child(parent->param, parent->param_name, seg.substr(1), pattern);
        names.push_back(parent->param_name);
      } else if (!seg.empty() && seg.front() == '*') {
        if (!last) {
          throw std::invalid_argument("Router: pattern \"" + std::string(pattern) + "\": a wildcard must come last");
        }
        node = child(parent->wildcard, parent->wildcard_name, seg.substr(1), pattern);
        names.push_back(parent->wildcard_name);
      } else {
        Node* found = nullptr;
        for (auto& [text, next] : node->literals) {
          if (text == seg) found = next.get();
        }
        if (found == nullptr) {
          node->literals.emplace_back(std::string(seg), std::make_unique<Node>());
          found = node->literals.back().second.get();
        }
        node = found;
      }
    }
    if (names.size() > kMaxParams) {
      throw std::invalid_argument("Router: pattern \"" + std::string(pattern) + "\" has more than " +
                                  std::to_string(kMaxParams) + " parameters");
    }
    node->names = std::move(names);
    return node;
  }

  Route* add_route(std::unique_ptr<Route> route) {
    routes_.push_back(std::move(route));
    return routes_.back().get();
  }

  // What parameters and wildcards captured along the path, without allocating.
  struct Captures {
    std::string_view items[kMaxParams];
    size_t size = 0;
    void push_back(std::string_view v) { items[size++] = v; }
    void pop_back() { --size; }
    void clear() { size = 0; }
  };

  // Depth-first, literal before parameter before wildcard. Calls visit(node) for every
  // node whose pattern matches the whole path until visit returns true.
  template <class Visit>
  bool walk(const Node& node, std::string_view rest, bool at_end, Captures& captured, Visit& visit) const {
    if (at_end) return visit(node);
    const size_t slash = rest.find('/');
    const bool last = slash == std::string_view::npos;
    const std::string_view seg = rest.substr(0, slash);
    const std::string_view after = last ? std::string_view() : rest.substr(slash + 1);
    for (const auto& [text, next] : node.literals) {
      if (text == seg && walk(*next, after, last, captured, visit)) return true;
    }
    if (node.param && !seg.empty()) {
      captured.push_back(seg);
      if (walk(*node.param, after, last, captured, visit)) return true;
      captured.pop_back();
    }
    if (node.wildcard) {
      captured.push_back(rest);
      if (visit(*node.wildcard)) return true;
      captured.pop_back();
    }
    return false;
  }

  const Node& root() const { return root_; }

 private:
  static Node* child(std::unique_ptr<Node>& slot, std::string& slot_name, std::string_view name,
                     std::string_view pattern) {
    if (name.empty()) {
      throw std::invalid_argument("Router: pattern \"" + std::string(pattern) + "\" has a parameter without a name");
    }
    if (!slot) {
      slot = std::make_unique<Node>();
      slot_name = std::string(name);
    } else if (slot_name != name) {
      throw std::invalid_argument("Router: pattern \"" + std::string(pattern) + "\" names a parameter \"" +
                                  std::string(name) + "\" where another pattern has \"" + slot_name + "\"");
    }
    return slot.get();
  }

  Node root_;
  std::vector<std::unique_ptr<Route>> routes_;
};

}  // namespace detail

namespace {

using Node = detail::RouteTree::Node;
using RouteTree = detail::RouteTree;

const char* method_label(Method m) {
  return m == Method::other ? "any method" : to_string(m).data();
}

}  // namespace

Router::Router() : tree_(std::make_unique<detail::RouteTree>()) {}
Router::~Router() = default;
Router::Router(Router&&) noexcept = default;
Router& Router::operator=(Router&&) noexcept = default;

Router& Router::add_callback(Method method, std::string_view pattern, Handler handler, RouteOptions options) {
  auto route = std::make_unique<detail::Route>();
  route->handler = std::move(handler);
  route->options = options;
  Node* node = tree_->insert(pattern);
  const detail::Route*& slot = node->routes[static_cast<size_t>(method)];
  if (slot != nullptr) {
    throw std::invalid_argument("Router: " + std::string(method_label(method)) + " " + std::string(pattern) +
                                " is already routed");
  }
  slot = tree_->add_route(std::move(route));
  return *this;
}

Router& Router::add_coro(Method method, std::string_view pattern, CoroHandler handler, RouteOptions options) {
  auto route = std::make_unique<detail::Route>();
  route->coro = std::move(handler);
  route->options = options;
  Node* node = tree_->insert(pattern);
  const detail::Route*& slot = node->routes[static_cast<size_t>(method)];
  if (slot != nullptr) {
    throw std::invalid_argument("Router: " + std::string(method_label(method)) + " " + std::string(pattern) +
                                " is already routed");
  }
  slot = tree_->add_route(std::move(route));
  return *this;
}

Router& Router::add_upgrade(std::string_view pattern, std::shared_ptr<detail::UpgradeHandler> handler) {
  auto route = std::make_unique<detail::Route>();
  route->upgrade = std::move(handler);
  Node* node = tree_->insert(pattern);
  if (node->upgrade != nullptr) {
    throw std::invalid_argument("Router: an upgrade route for " + std::string(pattern) + " already exists");
  }
  node->upgrade = tree_->add_route(std::move(route));
  return *this;
}

namespace {

// Whether pred holds for some route of the tree (method routes and upgrade routes).
template <class Pred>
bool any_route(const detail::RouteTree& tree, Pred pred) {
  std::vector<const Node*> stack{&tree.root()};
  while (!stack.empty()) {
    const Node* n = stack.back();
    stack.pop_back();
    for (const detail::Route* r : n->routes) {
      if (r != nullptr && pred(*r)) return true;
    }
    if (n->upgrade != nullptr && pred(*n->upgrade)) return true;
    for (const auto& [text, next] : n->literals) stack.push_back(next.get());
    if (n->param) stack.push_back(n->param.get());
    if (n->wildcard) stack.push_back(n->wildcard.get());
  }
  return false;
}

}  // namespace

bool Router::has_coroutines() const {
  return any_route(*tree_, [](const detail::Route& r) { return r.coro || (r.upgrade && r.upgrade->coroutine()); });
}

bool Router::has_callback_upgrades() const {
  return any_route(*tree_, [](const detail::Route& r) { return r.upgrade && !r.upgrade->coroutine(); });
}

const detail::Route* Router::match(Request& request, bool upgrade, int* status, std::string* allow) const {
  const std::string_view path = request.path();
  if (path.empty() || path.front() != '/') {  // "*" (OPTIONS *) and authority forms.
    *status = 404;
    return nullptr;
  }
  auto& params = detail::RequestAccess::params(request);
  const char* head = detail::RequestAccess::head(request);
  RouteTree::Captures captured;
  const size_t method = static_cast<size_t>(request.method());
  const detail::Route* found = nullptr;
  const Node* found_node = nullptr;
  auto pick = [&](const Node& node) {
    const bool get = request.method() == Method::get;
    const detail::Route* r = upgrade && get ? node.upgrade : nullptr;
    if (r == nullptr) r = node.routes[method];
    if (r == nullptr && request.method() == Method::head) r = node.routes[static_cast<size_t>(Method::get)];
    if (r == nullptr) r = node.routes[kMethodCount];
    // A plain GET to an upgrade route reaches its handler, which answers 426.
    if (r == nullptr && get) r = node.upgrade;
    if (r == nullptr) return false;
    found = r;
    found_node = &node;
    return true;
  };
  if (tree_->walk(tree_->root(), path.substr(1), false, captured, pick)) {
    params.clear();
    // Parameter names come from the node's pattern; values point into the request's head.
    const Node* n = found_node;
    for (size_t i = 0; i < captured.size && i < n->names.size(); ++i) {
      const std::string_view v = captured.items[i];
      params.push_back({n->names[i], {static_cast<uint32_t>(v.data() - head), static_cast<uint32_t>(v.size())}});
    }
    return found;
  }
  // Nothing for this method: 405 if the path matches some route, else 404.
  std::array<bool, kMethodCount + 1> methods{};
  bool any_node = false;
  captured.clear();
  auto collect = [&](const Node& node) {
    if (!node.has_routes()) return false;
    any_node = true;
    for (size_t m = 0; m < kMethodCount; ++m) {
      if (node.routes[m] != nullptr) methods[m] = true;
    }
    if (node.upgrade != nullptr) methods[static_cast<size_t>(Method::get)] = true;
    return false;
  };
  tree_->walk(tree_->root(), path.substr(1), false, captured, collect);
  if (!any_node) {
    *status = 404;
    return nullptr;
  }
  *status = 405;
  allow->clear();
  if (methods[static_cast<size_t>(Method::get)]) methods[static_cast<size_t>(Method::head)] = true;
  for (size_t m = 0; m < kMethodCount; ++m) {
    if (!methods[m]) continue;
    if (!allow->empty()) allow->append(", ");
    allow->append(to_string(static_cast<Method>(m)));
  }
  return nullptr;
}

}  // namespace weft::http
