/* Where recall logs: events of the "recall" category, so that
   log_debug=category=recall (and metric and event_exporter filters) select
   them, with the "recall: " prefix set once. A user's event is its child
   (recall_user_event()); code without a user uses one of its own. */
#pragma once

struct event;

extern struct event_category event_category_recall;

/* A new event under parent (NULL: none) in the recall category, with the
   recall prefix. */
struct event *recall_event_create(struct event *parent) noexcept;
