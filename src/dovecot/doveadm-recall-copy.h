/* doveadm recall copy (recallCopy over the HTTP API): see the .cpp. */
#pragma once

void doveadm_recall_copy_register(void);
