/* The engine's clock: Dovecot's ioloop time (the server's clock). */
#pragma once

extern "C" {
#include "lib.h"
#include "ioloop.h"
}

#include "../core/recall-ports.hpp"

class IoloopClock : public recall::Clock {
public:
    int64_t now() const override { return ioloop_time; }
};
