#include "recall-delivery-spool.h"
#include "recall-file-read.h"
#include "recall-privileges.h"

extern "C" {
#include "lib.h"
#include "hex-binary.h"
#include "sha2.h"
}

#include <cerrno>
#include <csignal>
#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace {

bool process_is_gone(const std::string &name)
{
    long pid = strtol(name.c_str(), NULL, 10);
    return pid > 0 && kill((pid_t)pid, 0) < 0 && errno == ESRCH;
}

} // namespace

/* One directory per ledger: a file's records go back to their own. */
DeliverySpool::DeliverySpool(const std::string &base_dir, const std::string &ledger_uri)
    : top_(base_dir + "/recall-spool")
{
    unsigned char digest[SHA256_RESULTLEN];
    sha256_get_digest(ledger_uri.data(), ledger_uri.size(), digest);
    dir_ = top_ + "/" + binary_to_hex(digest, 16);
}

DeliverySpool::~DeliverySpool()
{
    if (fd_ != -1)
        i_close_fd(&fd_);
}

/* The directory and each file are created as root where the process may
   switch (lmtp writes while it works as the recipient): 0700, root's. */
bool DeliverySpool::append(const std::vector<recall::Delivery> &records, std::string &error)
{
    if (fd_ == -1) {
        path_ = next_path();
        recall_as_root([&] {
            if ((mkdir(top_.c_str(), 0700) < 0 && errno != EEXIST) ||
                (mkdir(dir_.c_str(), 0700) < 0 && errno != EEXIST))
                return false;
            fd_ = open(path_.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_TRUNC, 0600);
            return fd_ != -1;
        });
        if (fd_ == -1) {
            error = path_ + ": " + strerror(errno);
            return false;
        }
    }
    std::string lines;
    for (const recall::Delivery &delivery : records)
        lines += recall::encode_delivery(delivery) + "\n";
    /* One write: a process killed in it leaves at most one cut line. */
    ssize_t written = write(fd_, lines.data(), lines.size());
    if (written != (ssize_t)lines.size()) {
        error = path_ + ": " + (written < 0 ? strerror(errno) : "short write");
        return false;
    }
    return true;
}

std::string DeliverySpool::close_current()
{
    if (fd_ == -1)
        return "";
    i_close_fd(&fd_);
    return path_;
}

std::string DeliverySpool::next_path()
{
    static unsigned int sequence = 0; /* unique in the process */
    return dir_ + "/" + std::to_string(getpid()) + "." + std::to_string(++sequence);
}

std::vector<std::string> DeliverySpool::claim_orphans()
{
    std::vector<std::string> claimed;
    recall_as_root([&] {
        DIR *dir = opendir(dir_.c_str());
        if (dir == NULL)
            return false;
        while (struct dirent *entry = readdir(dir)) {
            if (entry->d_name[0] == '.' || !process_is_gone(entry->d_name))
                continue;
            std::string mine = next_path();
            if (rename((dir_ + "/" + entry->d_name).c_str(), mine.c_str()) == 0)
                claimed.push_back(mine);
        }
        closedir(dir);
        return true;
    });
    return claimed;
}

std::vector<recall::Delivery> recall_spool_read(const std::string &path, struct event *event)
{
    std::vector<recall::Delivery> records;
    std::string text, error;
    if (!recall_as_root([&] { return recall_read_file(path, text, error); })) {
        e_error(event, "%s: %s", path.c_str(), error.c_str());
        return records;
    }
    size_t start = 0, end;
    for (; (end = text.find('\n', start)) != std::string::npos; start = end + 1) {
        std::optional<recall::Delivery> delivery =
            recall::decode_delivery(std::string_view(text).substr(start, end - start));
        if (delivery)
            records.push_back(*delivery);
        else
            e_warning(event, "%s: unreadable delivery record left out", path.c_str());
    }
    if (start < text.size()) /* a process killed in its write */
        e_warning(event, "%s: a cut delivery record left out", path.c_str());
    return records;
}

void recall_spool_remove(const std::string &path)
{
    recall_as_root([&] { return unlink(path.c_str()) == 0 || errno == ENOENT; });
}
