// StreamFix service worker (Chrome) / event page (Firefox): registers the listeners and
// forwards every message and event to the Rust browser layer (src/browser/worker.rs),
// which decides and acts. JavaScript because MV3 delivers the events that wake a stopped
// worker only to listeners registered synchronously at the script's top level, before any
// wasm can have loaded.
import init, { on_message, on_event } from './pkg/streamfix.js';

const api = globalThis.browser ?? globalThis.chrome;
const ready = init({ module_or_path: new URL('./pkg/streamfix_bg.wasm', import.meta.url) });
// The watched hosts: the build derives them from data/services.toml into the manifest.
const HOSTS = api.runtime.getManifest().host_permissions;
const forward = (name) => (details) => {
  ready.then(() => on_event(name, details)).catch((err) => console.warn('StreamFix:', name, err));
};

api.runtime.onMessage.addListener((msg, sender, sendResponse) => {
  ready.then(() => on_message(msg, sender)).then(sendResponse, (err) =>
    sendResponse({ type: 'Error', error: `StreamFix could not handle the message: ${err?.message ?? err}` }),
  );
  return true;
});

api.webRequest.onBeforeRequest.addListener(forward('before-request'), { urls: HOSTS, types: ['main_frame'] });
api.webRequest.onCompleted.addListener(forward('completed'), { urls: HOSTS, types: ['main_frame', 'xmlhttprequest'] });
api.webRequest.onErrorOccurred.addListener(forward('error-occurred'), { urls: HOSTS, types: ['main_frame'] });
api.tabs.onRemoved.addListener(forward('tab-removed'));
api.commands?.onCommand.addListener((name, tab) => forward('command')({ name, tab: tab ? { id: tab.id } : null }));

// `management` is optional: absent until the user grants it, so its listeners are added
// again when it is (and a restarted worker, which then has it, adds them here).
const changed = forward('extensions-changed');
const watchExtensions = () => {
  for (const name of ['onEnabled', 'onDisabled', 'onInstalled', 'onUninstalled']) {
    if (!api.management?.[name]?.hasListener(changed)) api.management?.[name]?.addListener(changed);
  }
};
watchExtensions();
api.permissions?.onAdded?.addListener(watchExtensions);
