// Rule 5 (SPEC section 1): which sessions' reads are downloads that make a
// copy FETCHED.
#pragma once

#include <string>

namespace recall {

// POP3, and IMAP from a client outside recall_webmail_networks. A session
// without a client address is one that a recall or doveadm opened: its
// reads are nobody's downloads; so are the webmail's, and deliveries'.
bool counts_downloads(const std::string &service, bool has_client_address, bool from_webmail);

} // namespace recall
