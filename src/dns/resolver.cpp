#include "weft/dns/resolver.h"

namespace weft::dns {
namespace {

ResolverFactory& default_factory() {
  static ResolverFactory factory = ares_resolver();
  return factory;
}

}  // namespace

void set_default_resolver(ResolverFactory factory) {
  default_factory() = factory ? std::move(factory) : ares_resolver();
}

const ResolverFactory& default_resolver() {
  return default_factory();
}

}  // namespace weft::dns
