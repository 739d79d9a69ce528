/* A whole small file (a template, a spool file) read into memory without
   iostreams, which the modules do not link. */
#pragma once

#include <string>

/* false with error (errno's text) when it cannot be read. */
bool recall_read_file(const std::string &path, std::string &text, std::string &error);
