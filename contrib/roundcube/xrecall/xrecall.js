/**
 * xrecall: the "Recall" button, the status and confirmation dialog, the
 * result, and the "Recalled" label in the list and the message view.
 * Every text from the server (addresses) is inserted as text, never as HTML.
 */

function xrecall_label(name) {
    return rcmail.get_label('xrecall.' + name);
}

// The one message the button acts on: the open one, or the one selected row.
rcube_webmail.prototype.xrecall_uid = function() {
    if (this.env.uid)
        return this.env.uid;
    var selection = this.message_list ? this.message_list.get_selection(false) : [];
    return selection.length == 1 ? selection[0] : null;
};

rcube_webmail.prototype.xrecall_in_sent = function() {
    return !!this.env.xrecall_sent_mailbox && this.env.mailbox == this.env.xrecall_sent_mailbox
        && !this.is_multifolder_listing();
};

rcube_webmail.prototype.xrecall_update_button = function() {
    var in_sent = this.xrecall_in_sent();
    $('a.button.xrecall').closest('li').add('a.button.xrecall').toggle(in_sent);
    this.enable_command('plugin.xrecall', in_sent && !!this.xrecall_uid());
};

rcube_webmail.prototype.xrecall_request = function(uid, mode) {
    var lock = this.set_busy(true, mode == 'check' ? 'xrecall.checking' : 'xrecall.recalling');
    this.http_post('plugin.xrecall', {_uid: uid, _mbox: this.env.mailbox, _mode: mode}, lock);
};

// "29 min 10 s" from seconds.
function xrecall_time_left(seconds) {
    var minutes = Math.floor(seconds / 60);
    return xrecall_label('timeleft').replace('$time',
        (minutes ? minutes + ' min ' : '') + (seconds % 60) + ' s');
}

// A table of recipients and their states in words.
function xrecall_recipients_table(reply) {
    var table = $('<table class="xrecall-recipients table">'),
        checked = reply.mode == 'check';
    $.each(reply.recipients || [], function(i, row) {
        var state = row.state == 'RECALLED' && checked ? 'RECALLED_BEFORE' : row.state,
            words = rcmail.labels['xrecall.state_' + state] ? xrecall_label('state_' + state) : row.state;
        $('<tr>').addClass('xrecall-state-' + row.state.toLowerCase())
            .append($('<td class="xrecall-address">').text(row.address))
            .append($('<td class="xrecall-state">').text(words))
            .appendTo(table);
    });
    return table;
}

function xrecall_dialog_body(summary, reply) {
    var body = $('<div class="xrecall-dialog">');
    $('<p class="xrecall-summary">').text(summary).appendTo(body);
    body.append(xrecall_recipients_table(reply));
    return body;
}

rcube_webmail.prototype.xrecall_show_check = function(reply) {
    var ref = this,
        recallable = reply.result == 'RECALLABLE',
        summary = (recallable ? xrecall_label('confirm') : xrecall_label('nothingtorecall'))
            + ' ' + xrecall_time_left(reply.expires || 0),
        body = xrecall_dialog_body(summary, reply);

    if (!recallable) {
        this.simple_dialog(body, 'xrecall.statustitle', null, {cancel_button: 'close'});
        return;
    }
    this.simple_dialog(body, 'xrecall.statustitle', function() {
        ref.xrecall_request(reply.uid, 'recall');
        return true;
    }, {button: 'xrecall.proceed', button_class: 'xrecall-proceed', cancel_button: 'cancel'});
};

// After a recall that took copies away, "Edit and send again" opens the
// recalled message as a new draft (Roundcube's "edit as new": recipients,
// subject, body and attachments), as Outlook's recall and replace does.
rcube_webmail.prototype.xrecall_show_result = function(reply) {
    var ref = this,
        result = reply.result || 'FAILURE',
        recalled = result == 'COMPLETE' || result == 'PARTIAL',
        summary = xrecall_label('result_' + result) + ' '
            + xrecall_label('counts').replace('$recalled', reply.recalled || 0)
                .replace('$internal', reply.internal || 0),
        body = xrecall_dialog_body(summary, reply);

    if (!recalled) {
        this.simple_dialog(body, 'xrecall.resulttitle', null, {cancel_button: 'close'});
        return;
    }
    this.simple_dialog(body, 'xrecall.resulttitle', function() {
        ref.open_compose_step({_uid: reply.uid, _mbox: ref.env.mailbox});
        return true;
    }, {button: 'xrecall.editagain', button_class: 'xrecall-editagain', cancel_button: 'close'});
    this.xrecall_mark_recalled(reply.uid);
};

rcube_webmail.prototype.xrecall_show_refusal = function(reply) {
    var text = rcmail.labels['xrecall.refused_' + reply.code]
        ? xrecall_label('refused_' + reply.code) : xrecall_label('servererror');

    if (reply.code != 'RECALL-UPGRADE') {
        this.display_message(text, reply.status == 'error' ? 'error' : 'warning');
        return;
    }
    var url = reply.upgrade_url;
    this.simple_dialog($('<p class="xrecall-upgrade">').text(text), 'xrecall.upgradetitle',
        url ? function() { window.open(url, '_blank', 'noopener'); return true; } : null,
        {button: 'xrecall.upgrade', button_class: 'xrecall-upgrade', cancel_button: 'close'});
};

// The "Recalled" label: on the list row and in the open message.
rcube_webmail.prototype.xrecall_mark_recalled = function(uid) {
    if (this.env.messages && this.env.messages[uid]) {
        var message = this.env.messages[uid];
        message.flags = $.extend(message.flags || {}, {xrecall_recalled: true});
    }
    if (this.message_list)
        xrecall_label_row(this.message_list.rows[uid]);
    if (this.env.uid == uid)
        xrecall_label_message(window);
    var frame = this.env.contentframe && this.get_frame_window(this.env.contentframe);
    if (frame && frame.rcmail && frame.rcmail.env.uid == uid)
        xrecall_label_message(frame);
};

function xrecall_badge() {
    return $('<span class="xrecall-label">').text(xrecall_label('recalledlabel'));
}

function xrecall_label_row(row) {
    if (row && row.obj && !$(row.obj).find('.xrecall-label').length)
        $(row.obj).addClass('xrecall-recalled').find('td.subject span.subject').first().append(xrecall_badge());
}

function xrecall_label_message(win) {
    var subject = win.$('h2.subject').first();
    if (subject.length && !subject.find('.xrecall-label').length)
        subject.append(xrecall_badge());
}

if (window.rcmail) {
    rcmail.addEventListener('init', function() {
        rcmail.register_command('plugin.xrecall', function() {
            var uid = rcmail.xrecall_uid();
            if (uid && rcmail.xrecall_in_sent())
                rcmail.xrecall_request(uid, 'check');
        }, false);

        if (rcmail.message_list)
            rcmail.message_list.addEventListener('select', function() { rcmail.xrecall_update_button(); });
        rcmail.xrecall_update_button();
        if (rcmail.env.xrecall_recalled)
            xrecall_label_message(window);
    });

    rcmail.addEventListener('listupdate', function() { rcmail.xrecall_update_button(); });

    rcmail.addEventListener('insertrow', function(evt) {
        if (evt.row && evt.row.flags && evt.row.flags.xrecall_recalled)
            xrecall_label_row(evt.row);
    });

    rcmail.addEventListener('plugin.xrecall_result', function(reply) {
        if (reply.status == 'done' && reply.mode == 'check')
            rcmail.xrecall_show_check(reply);
        else if (reply.status == 'done')
            rcmail.xrecall_show_result(reply);
        else
            rcmail.xrecall_show_refusal(reply);
    });
}
