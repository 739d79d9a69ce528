#include "recall-access.hpp"

namespace recall {

bool counts_downloads(const std::string &service, bool has_client_address, bool from_webmail)
{
    if (service == "pop3")
        return true;
    return service == "imap" && has_client_address && !from_webmail;
}

} // namespace recall
