#pragma once
// AddressWriter: lets a receive call (recvmmsg, recvfrom) write a sender's address straight
// into an Address it keeps, instead of into a sockaddr_storage copied out per datagram.
//
//   Address from;
//   h.msg_name = AddressWriter::buffer(from);
//   h.msg_namelen = AddressWriter::capacity();
//   ... recvmsg ...
//   AddressWriter::set_length(from, h.msg_namelen, true);

#include <sys/socket.h>

#include "weft/core/address.h"

namespace weft::detail {

struct AddressWriter {
  static sockaddr* buffer(Address& a) { return &a.storage_.base; }
  static constexpr socklen_t capacity() { return sizeof(Address::Storage); }
  // The length the kernel reported; 0 (an unnamed sender) leaves an invalid Address.
  static void set_length(Address& a, socklen_t length, bool datagram) {
    a.datagram_ = datagram;
    a.length_ = length <= capacity() ? length : capacity();
    if (length == 0) a.storage_.base.sa_family = AF_UNSPEC;
  }
};

}  // namespace weft::detail
