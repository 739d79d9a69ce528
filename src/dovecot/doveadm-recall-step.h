/* doveadm recall step (recallStep over the HTTP API): see the .cpp. */
#pragma once

void doveadm_recall_step_register(void);
