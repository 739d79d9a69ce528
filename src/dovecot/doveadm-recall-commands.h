/* The doveadm recall commands that live in files of their own, each
   registered by lib10_doveadm_recall_plugin's init. */
#pragma once

void doveadm_recall_prune_register(void);   /* doveadm-recall-prune.cpp */
void doveadm_recall_history_register(void); /* doveadm-recall-history.cpp */
