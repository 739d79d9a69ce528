// Drives Debian's Chromium through Roundcube and the xrecall plugin for one
// scenario of test_roundcube.py, and prints what the user saw as JSON. It
// decides nothing: the Python test asserts on the observations.
//
//   node browser.mjs '<plan as JSON>'
// plan: url, user, password, uid (of the message in Sent), shots (dir),
//   name (screenshot prefix), then = "proceed" | "editagain" | "upgrade" | "close",
//   reload (look again after a fresh login).
import { chromium } from 'playwright-core';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';

const plan = JSON.parse(process.argv[2]);
const seen = { steps: [] };
let shot = 0;

async function screenshot(page, step) {
    shot += 1;
    const file = join(plan.shots, `${plan.name}-${String(shot).padStart(2, '0')}-${step}.png`);
    await page.screenshot({ path: file });
    seen.steps.push({ step, file });
}

async function idle(page) {
    await page.waitForFunction(() => window.rcmail && rcmail.busy === false, null, { timeout: 20000 });
}

async function login(page) {
    await page.goto(plan.url);
    await page.fill('#rcmloginuser', plan.user);
    await page.fill('#rcmloginpwd', plan.password);
    await Promise.all([page.waitForNavigation(), page.click('#rcmloginsubmit')]);
    await page.waitForSelector('#mailboxlist');
    await idle(page);
}

async function openFolder(page, selector, mailbox) {
    await page.click(`#mailboxlist ${selector} > a`);
    await page.waitForFunction((mbox) => rcmail.env.mailbox === mbox && rcmail.busy === false
        && rcmail.message_list && rcmail.message_list.rowcount > 0, mailbox, { timeout: 20000 });
}

function rowId(uid) {
    return 'rcmrow' + Buffer.from(String(uid)).toString('base64').replace(/=+$/, '');
}

async function selectMessage(page) {
    await page.click(`#${rowId(plan.uid)} td.subject`);
    await page.waitForFunction((uid) => {
        const frame = document.querySelector('#messagecontframe');
        const win = frame && frame.contentWindow;
        return win && win.rcmail && String(win.rcmail.env.uid) === String(uid)
            && win.document.querySelector('h2.subject');
    }, plan.uid, { timeout: 20000 }).catch(async (e) => {
        seen.frame_debug = await page.evaluate(() => {
            const win = document.querySelector('#messagecontframe').contentWindow;
            return { href: win.location.href, uid: win.rcmail && win.rcmail.env.uid, busy: win.rcmail && win.rcmail.busy,
                     h2: !!win.document.querySelector('h2.subject') };
        });
        throw e;
    });
    await idle(page);
}

async function button(page) {
    return page.evaluate(() => {
        const a = document.querySelector('a.button.xrecall');
        if (!a) return { present: false };
        return { present: true, visible: a.offsetParent !== null, enabled: !a.classList.contains('disabled'),
                 text: a.textContent.trim() };
    });
}

// The open dialog (title, summary, recipient rows, buttons) or the toast.
async function waitForAnswer(page) {
    await page.waitForFunction(() => rcmail.busy === false && (
        document.querySelector('.ui-dialog:not([style*="display: none"]) .ui-dialog-content')
        || document.querySelector('#messagestack > div:not(.loading)')), null, { timeout: 20000 });
    return page.evaluate(() => {
        const dialog = [...document.querySelectorAll('.ui-dialog')].find((d) => d.style.display !== 'none');
        const toast = document.querySelector('#messagestack > div:not(.loading)');
        if (!dialog) return { toast: toast ? toast.textContent.trim() : null, toastClass: toast && toast.className };
        return {
            title: dialog.querySelector('.ui-dialog-title').textContent.trim(),
            summary: (dialog.querySelector('.xrecall-summary, .xrecall-upgrade') || {}).textContent || '',
            rows: [...dialog.querySelectorAll('.xrecall-recipients tr')].map((tr) => ({
                address: tr.querySelector('.xrecall-address').textContent,
                words: tr.querySelector('.xrecall-state').textContent,
                state: tr.className.replace('xrecall-state-', '').toUpperCase(),
            })),
            buttons: [...dialog.querySelectorAll('.ui-dialog-buttonpane button')].map((b) => b.textContent.trim()),
        };
    });
}

async function clickDialogButton(page, cls) {
    await page.click(`.ui-dialog .ui-dialog-buttonpane button.${cls}`);
}

async function labels(page) {
    return page.evaluate((id) => {
        const row = document.getElementById(id);
        const frame = document.querySelector('#messagecontframe');
        const doc = frame && frame.contentDocument;
        const view = doc && doc.querySelector('h2.subject .xrecall-label');
        const rowLabel = row && row.querySelector('.xrecall-label');
        return { list: rowLabel ? rowLabel.textContent : null, view: view ? view.textContent : null };
    }, rowId(plan.uid));
}

// What the compose screen holds: recipients, subject, body, attachments.
async function composed(page) {
    await page.waitForSelector('#compose-subject');
    await idle(page);
    await page.waitForFunction(() => document.querySelectorAll('#attachment-list li').length > 0
        || rcmail.env.compose_mode, null, { timeout: 20000 });
    return page.evaluate(() => ({
        mode: rcmail.env.compose_mode || null,
        to: document.querySelector('#_to').value,
        subject: document.querySelector('#compose-subject').value,
        body: document.querySelector('#composebody').value,
        attachments: [...document.querySelectorAll('#attachment-list li')].map(
            (li) => (li.querySelector('.attachment-name') || li).textContent.trim()),
    }));
}

async function scenario(page) {
    await login(page);
    seen.inbox_button = await button(page);
    await screenshot(page, 'inbox');
    await openFolder(page, 'li.mailbox.sent', 'Sent');
    await selectMessage(page);
    seen.sent_button = await button(page);
    await screenshot(page, 'sent-selected');
    if (!seen.sent_button.present || !seen.sent_button.enabled) return;

    await page.evaluate(() => document.querySelectorAll('#messagestack > div').forEach((d) => d.remove()));
    await page.click('a.button.xrecall');
    seen.first = await waitForAnswer(page);
    // Set only if a hostile address ran as HTML (test_hostile_address_is_text).
    seen.injected = await page.evaluate(() => window.xrecall_injected || null);
    await screenshot(page, 'after-recall-click');

    const proceed = plan.then === 'proceed' || plan.then === 'editagain';
    if (proceed && seen.first.buttons && seen.first.buttons.length > 1) {
        await clickDialogButton(page, 'xrecall-proceed');
        seen.result = await waitForAnswer(page);
        await screenshot(page, 'result');
        if (plan.then === 'editagain') {
            seen.labels_now = await labels(page);
            await Promise.all([page.waitForNavigation(), clickDialogButton(page, 'xrecall-editagain')]);
            seen.compose = await composed(page);
            await screenshot(page, 'compose');
        } else {
            await clickDialogButton(page, 'cancel');
            seen.labels_now = await labels(page);
            await screenshot(page, 'labelled');
        }
    } else if (plan.then === 'upgrade' && seen.first.buttons) {
        // The link opens with noopener: the new page is the context's, not a popup of this one.
        const [popup] = await Promise.all([page.context().waitForEvent('page'), clickDialogButton(page, 'xrecall-upgrade')]);
        await popup.waitForLoadState();
        seen.upgrade_opened = popup.url();
    }
    seen.busy_after = await page.evaluate(() => rcmail.busy);
}

async function lookAgain(page) {
    await login(page);
    await openFolder(page, 'li.mailbox.sent', 'Sent');
    await selectMessage(page);
    seen.labels_after_login = await labels(page);
    seen.button_after_login = await button(page);
    await screenshot(page, 'fresh-login');
    // The full message view (what a double click opens) has its own toolbar.
    await page.goto(`${plan.url}?_task=mail&_mbox=Sent&_uid=${plan.uid}&_action=show`);
    await idle(page);
    seen.show_view = await page.evaluate(() => {
        const label = document.querySelector('h2.subject .xrecall-label');
        return { label: label ? label.textContent : null };
    });
    seen.show_view.button = await button(page);
    await screenshot(page, 'message-view');
}

// A page in a fresh context (no cookies). Anything outside loopback (the
// upgrade link) gets a stub page: the test machine has no network.
async function newPage() {
    const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    page.setDefaultTimeout(20000);
    page.on('pageerror', (e) => { (seen.page_errors ||= []).push(String(e)); });
    await page.context().route(/^https?:\/\/(?!127\.0\.0\.1[:\/])/, (route) => route.fulfill(
        { status: 200, contentType: 'text/html', body: '<p>Outside page, stubbed by the test</p>' }));
    return page;
}

mkdirSync(plan.shots, { recursive: true });
const browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
           '--disable-component-update', '--disable-sync', '--no-first-run'],
});
let failure = null;
let page = null;
try {
    page = await newPage();
    await scenario(page);
    if (plan.reload) {
        page = await newPage();
        await lookAgain(page);
    }
} catch (e) {
    failure = String(e && e.stack || e);
    seen.error = failure;
    if (page) await screenshot(page, 'failure').catch(() => {});
} finally {
    await browser.close();
}
process.stdout.write(JSON.stringify(seen) + '\n');
process.exit(failure ? 1 : 0);
