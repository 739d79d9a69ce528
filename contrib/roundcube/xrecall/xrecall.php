<?php

/**
 * xrecall: "Recall" for messages in the Sent folder, through the XRECALL
 * IMAP command of the dovecot-recall plugin.
 *
 * The button appears only when the IMAP server advertises XRECALL. Clicking
 * it asks the server what a recall would do (XRECALL CHECK), shows that, and
 * after confirmation runs the recall (XRECALL) and shows the result. All
 * decisions are the server's: this plugin only relays and words them.
 *
 * Licence: the dovecot-recall project's (see the repository).
 */
class xrecall extends rcube_plugin
{
    public $task = 'mail';

    /** Tagged response codes of XRECALL refusals that have their own text. */
    private const REFUSALS = [
        'RECALL-EXPIRED', 'RECALL-UPGRADE', 'RECALL-UNAVAILABLE', 'RECALL-NOT-SENT',
        'RECALL-WEBMAIL-ONLY', 'NONEXISTENT',
    ];

    public function init()
    {
        $rcmail = rcmail::get_instance();
        $this->register_action('plugin.xrecall', [$this, 'request_action']);
        // The list is loaded by its own request: mark recalled rows there.
        $this->add_hook('messages_list', [$this, 'mark_list']);

        if (in_array($rcmail->action, ['', 'show', 'preview'])) {
            $this->add_hook('message_load', [$this, 'mark_message']);
            if ($this->server_supports_recall()) {
                $this->add_ui($rcmail);
            }
        }
    }

    /** Roundcube keeps capabilities in the session: one IMAP question per login. */
    private function server_supports_recall()
    {
        return (bool) rcmail::get_instance()->get_storage()->get_capability('XRECALL');
    }

    private function add_ui($rcmail)
    {
        $this->add_texts('localization/', true);
        $this->include_script('xrecall.js');
        $this->include_stylesheet('xrecall.css');
        // Core does not give the Sent folder to scripts.
        $rcmail->output->set_env('xrecall_sent_mailbox', (string) $rcmail->config->get('sent_mbox'));
        if ($rcmail->action != 'preview') {
            $this->add_button([
                'command'    => 'plugin.xrecall',
                'type'       => 'link',
                'class'      => 'button xrecall disabled',
                'classact'   => 'button xrecall',
                'classsel'   => 'button xrecall pressed',
                'title'      => 'xrecall.buttontitle',
                'innerclass' => 'inner',
                'label'      => 'xrecall.recall',
            ], 'toolbar');
        }
    }

    /** messages_list hook: $Recalled reaches the script as an extra flag. */
    public function mark_list($args)
    {
        foreach ((array) $args['messages'] as $header) {
            if (!empty($header->flags['RECALLED'])) {
                $header->list_flags['extra_flags']['xrecall_recalled'] = true;
            }
        }
        return $args;
    }

    /** message_load hook: tells the message view that it was recalled. */
    public function mark_message($args)
    {
        $message = $args['object'];
        if (!empty($message->headers->flags['RECALLED'])) {
            rcmail::get_instance()->output->set_env('xrecall_recalled', true);
        }
        return $args;
    }

    /**
     * plugin.xrecall: POST _uid, _mbox, _mode (check|recall). Replies with
     * the plugin.xrecall_result command; every path replies, so the page is
     * never left busy.
     */
    public function request_action()
    {
        $rcmail = rcmail::get_instance();
        $uid    = rcube_utils::get_input_string('_uid', rcube_utils::INPUT_POST);
        $mbox   = rcube_utils::get_input_string('_mbox', rcube_utils::INPUT_POST, true);
        $mode   = rcube_utils::get_input_string('_mode', rcube_utils::INPUT_POST) === 'recall' ? 'recall' : 'check';

        $reply = ['mode' => $mode, 'uid' => $uid];
        if (!preg_match('/^[1-9][0-9]{0,9}$/', $uid) || $mbox !== (string) $rcmail->config->get('sent_mbox')) {
            $reply['status'] = 'refused';
            $reply['code']   = 'NOT-IN-SENT';
        }
        else {
            $reply = array_merge($reply, $this->run_xrecall($uid, $mbox, $mode == 'check'));
        }

        $rcmail->output->command('plugin.xrecall_result', $reply);
        $rcmail->output->send();
    }

    /** Runs [UID] XRECALL [CHECK] and turns the answer into the reply fields. */
    private function run_xrecall($uid, $mbox, $check)
    {
        $storage = rcmail::get_instance()->get_storage();
        if (!$storage->check_connection() || !$storage->get_capability('XRECALL')
            || !$storage->conn->select($mbox)
        ) {
            return ['status' => 'error', 'code' => 'CONNECTION'];
        }

        $conn = $storage->conn;
        $conn->resultcode = null;
        list($code, $untagged) = $conn->execute('UID XRECALL', $check ? ['CHECK', $uid] : [$uid],
            0, '/^\* XRECALL /i');
        $parsed = $this->parse_untagged((string) $untagged);

        if ($parsed['result'] !== null && ($code == rcube_imap_generic::ERROR_OK || $conn->resultcode == 'RECALL-FAILURE')) {
            return ['status' => 'done'] + $parsed;
        }
        if (in_array($conn->resultcode, self::REFUSALS)) {
            $reply = ['status' => 'refused', 'code' => $conn->resultcode];
            if ($conn->resultcode == 'RECALL-UPGRADE') {
                $reply['upgrade_url'] = $this->upgrade_url((string) $conn->result);
            }
            return $reply;
        }
        rcube::raise_error(['code' => 500, 'file' => __FILE__, 'line' => __LINE__,
            'message' => 'XRECALL failed: ' . $conn->error], true, false);
        return ['status' => 'error', 'code' => $conn->resultcode ?: 'SERVER'];
    }

    /**
     * The "* XRECALL <uid> RECIPIENT <address> <state>" and
     * "* XRECALL <uid> RESULT <result> INTERNAL n RECALLED n EXPIRES s" lines.
     */
    private function parse_untagged($untagged)
    {
        $parsed = ['recipients' => [], 'result' => null];
        foreach (preg_split('/\r\n(?=\* XRECALL )/i', $untagged) as $line) {
            $tokens = rcube_imap_generic::tokenizeResponse($line);
            if (count($tokens) >= 6 && strtoupper($tokens[3]) == 'RECIPIENT') {
                $parsed['recipients'][] = ['address' => (string) $tokens[4],
                                           'state'   => strtoupper((string) $tokens[5])];
            }
            else if (count($tokens) >= 5 && strtoupper($tokens[3]) == 'RESULT') {
                $parsed['result'] = strtoupper((string) $tokens[4]);
                for ($i = 5; $i + 1 < count($tokens); $i += 2) {
                    $parsed[strtolower($tokens[$i])] = (int) $tokens[$i + 1];
                }
            }
        }
        return $parsed;
    }

    /**
     * The recall_upgrade_url in a RECALL-UPGRADE text; only http(s), else
     * none. Not anchored at the end: Dovecot appends its command timing.
     */
    private function upgrade_url($text)
    {
        if (preg_match('~(https?://[^\s"<>]+)~i', $text, $m)) {
            return $m[1];
        }
        return null;
    }
}
