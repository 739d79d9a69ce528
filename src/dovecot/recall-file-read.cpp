#include "recall-file-read.h"

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <unistd.h>

bool recall_read_file(const std::string &path, std::string &text, std::string &error)
{
    int fd = open(path.c_str(), O_RDONLY);
    if (fd == -1) {
        error = strerror(errno);
        return false;
    }
    text.clear();
    char buf[8192];
    ssize_t got;
    while ((got = read(fd, buf, sizeof(buf))) > 0)
        text.append(buf, (size_t)got);
    if (got < 0)
        error = strerror(errno);
    close(fd);
    return got == 0;
}
