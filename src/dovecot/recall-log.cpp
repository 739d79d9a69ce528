#include "recall-log.h"

extern "C" {
#include "lib.h"
}

struct event_category event_category_recall = {NULL, "recall", NULL};

struct event *recall_event_create(struct event *parent) noexcept
{
    struct event *event = event_create(parent);
    event_add_category(event, &event_category_recall);
    event_set_append_log_prefix(event, "recall: ");
    return event;
}
