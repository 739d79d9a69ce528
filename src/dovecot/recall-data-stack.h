/* One recipient step's data-stack frame (Dovecot's T_BEGIN ... T_END),
   popped on every path out of the step: what the step allocates with
   t_*() is freed when it ends, not when the whole recall of hundreds of
   recipients does. Nothing allocated in it may outlive the step: results
   leave it as std::string or in pools. */
#pragma once

extern "C" {
#include "lib.h"
}

class DataStackFrame {
public:
    DataStackFrame() : id_(t_push("recall step")) {}
    ~DataStackFrame()
    {
        if (!t_pop(&id_))
            i_panic("recall: leaked t_pop() in a recipient step");
    }
    DataStackFrame(const DataStackFrame &) = delete;
    DataStackFrame &operator=(const DataStackFrame &) = delete;

private:
    data_stack_frame_t id_;
};
