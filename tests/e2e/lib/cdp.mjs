// Small CDP helpers shared by browser.mjs: a session to a target that Playwright
// does not expose (e.g. the toolbar popup), and a DOM query that pierces closed
// shadow roots and iframes.

/**
 * A session to another target, tunnelled through `parent` (a Playwright CDPSession)
 * with non-flat Target.attachToTarget + Target.sendMessageToTarget, because
 * Playwright's CDPSession cannot address flat child sessions.
 */
export class TargetSession {
  #parent;
  #sessionId;
  #nextId = 1;
  #pending = new Map();
  #listeners = new Map();
  #onMessage;
  #onDetach;
  detached = false;

  constructor(parent, sessionId, targetInfo) {
    this.#parent = parent;
    this.#sessionId = sessionId;
    this.targetInfo = targetInfo;
    this.#onMessage = ({ sessionId: sid, message }) => {
      if (sid === this.#sessionId) this.#dispatch(JSON.parse(message));
    };
    this.#onDetach = ({ sessionId: sid }) => {
      if (sid === this.#sessionId) this.#markDetached();
    };
    parent.on('Target.receivedMessageFromTarget', this.#onMessage);
    parent.on('Target.detachedFromTarget', this.#onDetach);
  }

  static async attach(parent, targetInfo) {
    const { sessionId } = await parent.send('Target.attachToTarget', { targetId: targetInfo.targetId, flatten: false });
    return new TargetSession(parent, sessionId, targetInfo);
  }

  send(method, params = {}) {
    if (this.detached) return Promise.reject(new Error(`${method}: target ${this.targetInfo.url} is closed`));
    const id = this.#nextId++;
    const message = JSON.stringify({ id, method, params });
    return new Promise((resolve, reject) => {
      this.#pending.set(id, { resolve, reject, method });
      this.#parent.send('Target.sendMessageToTarget', { sessionId: this.#sessionId, message }).catch((err) => {
        this.#pending.delete(id);
        reject(err);
      });
    });
  }

  on(event, fn) {
    if (!this.#listeners.has(event)) this.#listeners.set(event, new Set());
    this.#listeners.get(event).add(fn);
  }

  off(event, fn) {
    this.#listeners.get(event)?.delete(fn);
  }

  async detach() {
    if (this.detached) return;
    await this.#parent.send('Target.detachFromTarget', { sessionId: this.#sessionId }).catch(() => {});
    this.#markDetached();
  }

  #dispatch(msg) {
    if (msg.id !== undefined) {
      const p = this.#pending.get(msg.id);
      if (!p) return;
      this.#pending.delete(msg.id);
      if (msg.error) p.reject(new Error(`${p.method}: ${msg.error.message}`));
      else p.resolve(msg.result);
    } else {
      for (const fn of this.#listeners.get(msg.method) ?? []) fn(msg.params);
    }
  }

  #markDetached() {
    if (this.detached) return;
    this.detached = true;
    this.#parent.off('Target.receivedMessageFromTarget', this.#onMessage);
    this.#parent.off('Target.detachedFromTarget', this.#onDetach);
    for (const p of this.#pending.values()) p.reject(new Error(`${p.method}: target ${this.targetInfo.url} detached`));
    this.#pending.clear();
  }
}

/** Runtime.evaluate returning the value (promises awaited); throws on exceptions. */
export async function evaluateIn(session, expression) {
  const { result, exceptionDetails } = await session.send('Runtime.evaluate', {
    expression, returnByValue: true, awaitPromise: true, userGesture: true,
  });
  if (exceptionDetails) {
    const text = exceptionDetails.exception?.description ?? exceptionDetails.text;
    throw new Error(`evaluate failed: ${text}`);
  }
  return result.value;
}

const attrsToObject = (list = []) => {
  const out = {};
  for (let i = 0; i < list.length; i += 2) out[list[i]] = list[i + 1];
  return out;
};

/**
 * Walks a DOM.getDocument({pierce:true}) tree and returns
 * - roots: nodeIds of the document, every shadow root (open or closed) and every
 *   in-process iframe document, to run querySelectorAll on;
 * - remoteOwners: iframe elements whose document lives in another process
 *   (e.g. chrome-extension:// frames), keyed by their frameId.
 */
function collectRoots(root) {
  const roots = [];
  const remoteOwners = new Map();
  const nodesById = new Map();
  // <template> content (node.templateContent) is inert and deliberately not walked.
  const walk = (node) => {
    nodesById.set(node.nodeId, node);
    if (node.nodeType === 9 || node.nodeType === 11) roots.push(node.nodeId);
    if (node.frameId && node.nodeType === 1 && !node.contentDocument) remoteOwners.set(node.frameId, node);
    for (const child of node.children ?? []) walk(child);
    for (const sr of node.shadowRoots ?? []) walk(sr);
    if (node.contentDocument) walk(node.contentDocument);
  };
  walk(root);
  return { roots, remoteOwners, nodesById };
}

/**
 * querySelectorAll across the whole pierced tree of one CDP session.
 * Returns { matches: [{nodeId, backendNodeId, nodeName, attributes}], remoteOwners }.
 */
export async function pierceQuerySession(session, selector) {
  const { root } = await session.send('DOM.getDocument', { depth: -1, pierce: true });
  const { roots, remoteOwners, nodesById } = collectRoots(root);
  const seen = new Set();
  const matches = [];
  for (const nodeId of roots) {
    let found;
    try {
      ({ nodeIds: found } = await session.send('DOM.querySelectorAll', { nodeId, selector }));
    } catch {
      continue; // root vanished between getDocument and the query
    }
    for (const id of found) {
      if (seen.has(id)) continue;
      seen.add(id);
      const node = nodesById.get(id);
      matches.push({
        nodeId: id,
        backendNodeId: node?.backendNodeId,
        nodeName: node?.nodeName?.toLowerCase(),
        attributes: attrsToObject(node?.attributes),
      });
    }
  }
  return { matches, remoteOwners };
}

/** Top-left of a node's content box and its centre, in the session's viewport coordinates. */
export async function contentBox(session, backendNodeId) {
  const { model } = await session.send('DOM.getBoxModel', { backendNodeId });
  const q = model.content;
  const xs = [q[0], q[2], q[4], q[6]];
  const ys = [q[1], q[3], q[5], q[7]];
  const left = Math.min(...xs);
  const top = Math.min(...ys);
  const width = Math.max(...xs) - left;
  const height = Math.max(...ys) - top;
  return { x: left, y: top, width, height, centerX: left + width / 2, centerY: top + height / 2 };
}

/** Trusted mouse click through Input.dispatchMouseEvent on a raw session. */
export async function dispatchClick(session, x, y) {
  const base = { x, y, button: 'left', clickCount: 1 };
  await session.send('Input.dispatchMouseEvent', { ...base, type: 'mouseMoved', button: 'none' });
  await session.send('Input.dispatchMouseEvent', { ...base, type: 'mousePressed' });
  await session.send('Input.dispatchMouseEvent', { ...base, type: 'mouseReleased' });
}
