//! Typed bindings for the extension APIs StreamFix uses, and the one place that knows
//! Chrome from Firefox: the namespace (`browser` or `chrome`), and what Firefox lacks or
//! names differently. Every call that can fail in the browser returns a `Result`; a
//! namespace the browser lacks (an optional permission not granted) is an `Err` too.

use js_sys::{Array, Function, Object, Promise, Reflect, JSON};
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;

use crate::core::engine::Stored;
use crate::core::json::{self, FromJson, ToJson};
use crate::core::messages::Permission;
use crate::core::sitedata::Browser;
use crate::core::util::Map;

#[wasm_bindgen]
extern "C" {
    /// `globalThis.browser ?? globalThis.chrome`.
    pub type Api;
    #[wasm_bindgen(method, getter)]
    fn runtime(this: &Api) -> Runtime;
    #[wasm_bindgen(method, getter)]
    fn storage(this: &Api) -> Storage;
    #[wasm_bindgen(method, getter)]
    fn tabs(this: &Api) -> Tabs;
    #[wasm_bindgen(method, getter)]
    fn action(this: &Api) -> Action;
    #[wasm_bindgen(method, getter)]
    fn i18n(this: &Api) -> I18n;
    #[wasm_bindgen(method, getter)]
    fn permissions(this: &Api) -> Permissions;
    #[wasm_bindgen(method, getter)]
    fn management(this: &Api) -> JsValue;
    #[wasm_bindgen(method, getter, js_name = browsingData)]
    fn browsing_data(this: &Api) -> JsValue;
    #[wasm_bindgen(method, getter)]
    fn cookies(this: &Api) -> JsValue;
    #[wasm_bindgen(method, getter, js_name = webRequest)]
    fn web_request(this: &Api) -> WebRequest;
    #[wasm_bindgen(method, getter)]
    fn commands(this: &Api) -> JsValue;

    pub type Runtime;
    #[wasm_bindgen(method, getter)]
    fn id(this: &Runtime) -> String;
    #[wasm_bindgen(method, js_name = getURL)]
    fn get_url(this: &Runtime, path: &str) -> String;
    #[wasm_bindgen(method, js_name = getManifest)]
    fn get_manifest(this: &Runtime) -> JsValue;
    #[wasm_bindgen(method, catch, js_name = sendMessage)]
    fn send_message(this: &Runtime, msg: &JsValue) -> Result<Promise, JsValue>;
    #[wasm_bindgen(method, getter, js_name = onMessage)]
    fn on_message(this: &Runtime) -> Event;

    pub type Storage;
    #[wasm_bindgen(method, getter)]
    fn session(this: &Storage) -> StorageArea;
    #[wasm_bindgen(method, getter)]
    fn local(this: &Storage) -> StorageArea;
    #[wasm_bindgen(method, getter, js_name = onChanged)]
    fn on_changed(this: &Storage) -> Event;

    pub type StorageArea;
    #[wasm_bindgen(method, catch)]
    fn get(this: &StorageArea, keys: &JsValue) -> Result<Promise, JsValue>;
    #[wasm_bindgen(method, catch)]
    fn set(this: &StorageArea, items: &JsValue) -> Result<Promise, JsValue>;
    #[wasm_bindgen(method, catch)]
    fn remove(this: &StorageArea, keys: &JsValue) -> Result<Promise, JsValue>;

    pub type Tabs;
    #[wasm_bindgen(method, catch, js_name = sendMessage)]
    fn send_message(this: &Tabs, tab_id: f64, msg: &JsValue) -> Result<Promise, JsValue>;
    #[wasm_bindgen(method, catch)]
    fn reload(this: &Tabs, tab_id: f64) -> Result<Promise, JsValue>;
    #[wasm_bindgen(method, catch, js_name = get)]
    fn get_tab(this: &Tabs, tab_id: f64) -> Result<Promise, JsValue>;
    #[wasm_bindgen(method, catch)]
    fn query(this: &Tabs, query: &JsValue) -> Result<Promise, JsValue>;
    #[wasm_bindgen(method, catch)]
    fn create(this: &Tabs, props: &JsValue) -> Result<Promise, JsValue>;

    pub type Action;
    #[wasm_bindgen(method, catch, js_name = setBadgeText)]
    fn set_badge_text(this: &Action, details: &JsValue) -> Result<Promise, JsValue>;
    #[wasm_bindgen(method, catch, js_name = setBadgeBackgroundColor)]
    fn set_badge_background_color(this: &Action, details: &JsValue) -> Result<Promise, JsValue>;
    #[wasm_bindgen(method, catch, js_name = setTitle)]
    fn set_title(this: &Action, details: &JsValue) -> Result<Promise, JsValue>;

    pub type I18n;
    #[wasm_bindgen(method, js_name = getMessage)]
    fn get_message(this: &I18n, name: &str) -> String;
    #[wasm_bindgen(method, js_name = getMessage)]
    fn get_message_with(this: &I18n, name: &str, subs: &Array) -> String;
    #[wasm_bindgen(method, js_name = getUILanguage)]
    fn get_ui_language(this: &I18n) -> String;

    pub type Permissions;
    #[wasm_bindgen(method, catch, js_name = getAll)]
    fn get_all(this: &Permissions) -> Result<Promise, JsValue>;

    pub type WebRequest;
    #[wasm_bindgen(method, getter, js_name = onErrorOccurred)]
    fn on_error_occurred(this: &WebRequest) -> Event;

    pub type Event;
    #[wasm_bindgen(method, catch, js_name = addListener)]
    fn add_listener(this: &Event, f: &Function, filter: &JsValue) -> Result<(), JsValue>;
    #[wasm_bindgen(method, catch, js_name = addListener)]
    fn add_plain_listener(this: &Event, f: &Function) -> Result<(), JsValue>;
    #[wasm_bindgen(method, js_name = removeListener)]
    fn remove_listener(this: &Event, f: &Function);
}

/// The extension API namespace this browser offers.
fn api() -> Api {
    let global = js_sys::global();
    let browser = Reflect::get(&global, &"browser".into()).unwrap_or(JsValue::UNDEFINED);
    let ns = if browser.is_object() {
        browser
    } else {
        Reflect::get(&global, &"chrome".into()).unwrap_or(JsValue::UNDEFINED)
    };
    ns.unchecked_into()
}

/// A browser call's failure, as text for the worker's console.
pub type Error = String;

fn error(e: JsValue) -> Error {
    e.as_string()
        .or_else(|| {
            Reflect::get(&e, &"message".into())
                .ok()
                .and_then(|m| m.as_string())
        })
        .unwrap_or_else(|| "the browser refused the call".into())
}

async fn done(p: Result<Promise, JsValue>) -> Result<JsValue, Error> {
    JsFuture::from(p.map_err(error)?).await.map_err(error)
}

/// A core value as a JS value (through its JSON: the core's own encoding, tested natively).
pub fn to_js<T: ToJson + ?Sized>(value: &T) -> JsValue {
    JSON::parse(&json::to_string(value)).unwrap_or(JsValue::UNDEFINED)
}

/// A JS value read into a core type (through its JSON: the core's own strict decoding).
pub fn from_js<T: FromJson>(value: &JsValue) -> Result<T, Error> {
    json::from_str(&json_text(value)).map_err(|e| e.to_string())
}

/// A JS value's JSON text ("" when it has none, e.g. `undefined`).
pub fn json_text(value: &JsValue) -> String {
    JSON::stringify(value)
        .ok()
        .and_then(|s| s.as_string())
        .unwrap_or_default()
}

/// `o[key]`, or `undefined`.
pub fn field(o: &JsValue, key: &str) -> JsValue {
    Reflect::get(o, &key.into()).unwrap_or(JsValue::UNDEFINED)
}

/// A plain object of the given fields.
pub fn object(fields: &[(&str, JsValue)]) -> JsValue {
    let o = Object::new();
    for (k, v) in fields {
        let _ = Reflect::set(&o, &(*k).into(), v);
    }
    o.into()
}

fn strings(list: &[String]) -> JsValue {
    list.iter()
        .map(|s| JsValue::from_str(s))
        .collect::<Array>()
        .into()
}

/// `ns[method](...args)` on a namespace the browser may lack (`management`,
/// `browsingData` and `cookies` are there only with their permission).
async fn call(ns: JsValue, method: &str, args: &[JsValue]) -> Result<JsValue, Error> {
    let f: Function = Reflect::get(&ns, &method.into())
        .ok()
        .filter(JsValue::is_function)
        .ok_or_else(|| format!("{method} is not available"))?
        .unchecked_into();
    let this = ns;
    let args: js_sys::Array = args.iter().collect();
    let p = Reflect::apply(&f, &this, &args).map(|v| Promise::resolve(&v));
    done(p).await
}

/// Which browser this is: Firefox has `runtime.getBrowserInfo`.
pub fn browser() -> Browser {
    let info = Reflect::get(&api().runtime(), &"getBrowserInfo".into());
    if info.is_ok_and(|f| f.is_function()) {
        Browser::Firefox
    } else {
        Browser::Chrome
    }
}

pub fn self_id() -> String {
    api().runtime().id()
}

pub fn self_origin() -> String {
    api().runtime().get_url("")
}

/// The language of the locale file the browser picked (what `i18n.getMessage` answers
/// in), so the core's sentences and the UI's strings never mix two languages.
pub fn ui_lang() -> String {
    let i18n = api().i18n();
    let picked = i18n.get_message("uiLocale");
    if picked.is_empty() {
        i18n.get_ui_language()
    } else {
        picked
    }
}

/// The optional permissions the manifest lists and the browser hasn't granted (read at
/// each call: the user can take one back at any time in the browser's settings).
pub async fn missing_permissions() -> Vec<Permission> {
    let names = |v: JsValue| -> Vec<String> {
        Array::from(&v)
            .iter()
            .filter_map(|p| p.as_string())
            .collect()
    };
    let optional = names(field(
        &api().runtime().get_manifest(),
        "optional_permissions",
    ));
    let granted = match done(api().permissions().get_all()).await {
        Ok(v) => names(field(&v, "permissions")),
        Err(_) => Vec::new(),
    };
    [Permission::Management, Permission::BrowsingData]
        .into_iter()
        .filter(|p| optional.contains(&p.name()) && !granted.contains(&p.name()))
        .collect()
}

/// `storage.session` or `storage.local`.
#[derive(Clone, Copy)]
pub enum Area {
    Session,
    Local,
}

fn area(a: Area) -> StorageArea {
    let storage = api().storage();
    match a {
        Area::Session => storage.session(),
        Area::Local => storage.local(),
    }
}

/// Everything stored in `a`, each value as its JSON text.
pub async fn storage_all(a: Area) -> Result<Map<Stored>, Error> {
    let all = done(area(a).get(&JsValue::NULL)).await?;
    let all: Object = all.dyn_into().map_err(error)?;
    Ok(Object::entries(&all)
        .iter()
        .filter_map(|entry| {
            let key = Reflect::get_u32(&entry, 0).ok()?.as_string()?;
            let value = json_text(&Reflect::get_u32(&entry, 1).ok()?);
            Some((key, Stored::from_json_text(value)))
        })
        .collect())
}

pub async fn storage_set(a: Area, items: &Map<Stored>) -> Result<(), Error> {
    let o = Object::new();
    for (k, v) in items {
        let value = JSON::parse(v.get()).map_err(error)?;
        Reflect::set(&o, &k.into(), &value).map_err(error)?;
    }
    done(area(a).set(&o)).await.map(drop)
}

pub async fn storage_remove(a: Area, keys: &[String]) -> Result<(), Error> {
    done(area(a).remove(&strings(keys))).await.map(drop)
}

/// Sends `msg` to the content scripts (and frames) of a tab.
pub async fn send_to_tab(tab_id: i64, msg: &JsValue) -> Result<(), Error> {
    done(api().tabs().send_message(tab_id as f64, msg))
        .await
        .map(drop)
}

pub async fn reload(tab_id: i64) -> Result<(), Error> {
    done(api().tabs().reload(tab_id as f64)).await.map(drop)
}

/// What StreamFix reads of a tab.
pub struct Tab {
    pub status: Option<String>,
    /// Firefox: the container (or the private windows) the tab lives in.
    pub cookie_store_id: Option<String>,
}

pub async fn tab(tab_id: i64) -> Result<Tab, Error> {
    let t = done(api().tabs().get_tab(tab_id as f64)).await?;
    Ok(Tab {
        status: field(&t, "status").as_string(),
        cookie_store_id: field(&t, "cookieStoreId").as_string(),
    })
}

/// The active tab of the current window, if any.
pub async fn active_tab() -> Option<i64> {
    let query = object(&[("active", true.into()), ("currentWindow", true.into())]);
    let found = done(api().tabs().query(&query)).await.ok()?;
    field(&Array::from(&found).get(0), "id")
        .as_f64()
        .map(|id| id as i64)
}

/// The toolbar button's badge and tooltip for one tab.
pub async fn set_badge(tab_id: i64, text: &str, color: &str, title: &str) -> Result<(), Error> {
    let action = api().action();
    let with = |key: &str, value: &str| {
        let o = Object::new();
        let _ = Reflect::set(&o, &"tabId".into(), &JsValue::from_f64(tab_id as f64));
        let _ = Reflect::set(&o, &key.into(), &value.into());
        o.into()
    };
    done(action.set_badge_text(&with("text", text))).await?;
    if !text.is_empty() {
        done(action.set_badge_background_color(&with("color", color))).await?;
    }
    done(action.set_title(&with("title", title)))
        .await
        .map(drop)
}

/// `management.getAll()`, read into `T`.
pub async fn all_extensions<T: FromJson>() -> Result<Vec<T>, Error> {
    from_js(&call(api().management(), "getAll", &[]).await?)
}

pub async fn set_enabled(id: &str, enabled: bool) -> Result<(), Error> {
    let args = [JsValue::from_str(id), JsValue::from_bool(enabled)];
    call(api().management(), "setEnabled", &args)
        .await
        .map(drop)
}

/// Whether this browser can turn other extensions off (`management.setEnabled`).
pub fn can_toggle_extensions() -> bool {
    browser() == Browser::Chrome
}

/// Where `browsingData.remove` may act: the service's origins (Chrome) or hostnames
/// (Firefox), in one cookie store only where given.
pub struct DataFilter<'a> {
    pub origins: &'a [String],
    pub hostnames: &'a [String],
    pub cookie_store_id: Option<&'a str>,
}

/// `browsingData.remove(filter, {type: true, ...})`.
pub async fn remove_data(filter: &DataFilter<'_>, types: &[String]) -> Result<(), Error> {
    let mut fields = Vec::new();
    if !filter.origins.is_empty() {
        fields.push(("origins", strings(filter.origins)));
    }
    if !filter.hostnames.is_empty() {
        fields.push(("hostnames", strings(filter.hostnames)));
    }
    if let Some(store) = filter.cookie_store_id {
        fields.push(("cookieStoreId", store.into()));
    }
    let kinds = Object::new();
    for t in types {
        let _ = Reflect::set(&kinds, &t.into(), &true.into());
    }
    let args = [object(&fields), kinds.into()];
    call(api().browsing_data(), "remove", &args).await.map(drop)
}

/// One cookie as `cookies.getAll` gives it.
pub struct Cookie {
    pub name: String,
    pub domain: String,
    pub path: String,
    pub secure: bool,
    pub store_id: String,
}

pub async fn cookies_of(domain: &str, store: Option<&str>) -> Result<Vec<Cookie>, Error> {
    let mut query = vec![("domain", JsValue::from_str(domain))];
    if let Some(store) = store {
        query.push(("storeId", store.into()));
    }
    let found = call(api().cookies(), "getAll", &[object(&query)]).await?;
    let text = |c: &JsValue, k: &str| field(c, k).as_string().unwrap_or_default();
    Ok(Array::from(&found)
        .iter()
        .map(|c| Cookie {
            name: text(&c, "name"),
            domain: text(&c, "domain"),
            path: text(&c, "path"),
            secure: field(&c, "secure").as_bool().unwrap_or(false),
            store_id: text(&c, "storeId"),
        })
        .collect())
}

pub async fn remove_cookie(url: &str, c: &Cookie) -> Result<(), Error> {
    let details = object(&[
        ("url", url.into()),
        ("name", c.name.as_str().into()),
        ("storeId", c.store_id.as_str().into()),
    ]);
    call(api().cookies(), "remove", &[details]).await.map(drop)
}

/// A `webRequest.onErrorOccurred` listener for exactly one URL, removed when dropped:
/// the browser's own name of a network error (`net::ERR_…`) for a request StreamFix
/// made itself.
pub struct NetErrorWatch {
    listener: Closure<dyn FnMut(JsValue)>,
    pub error: std::rc::Rc<std::cell::RefCell<Option<String>>>,
}

impl NetErrorWatch {
    pub fn new(url: &str) -> Self {
        let error = std::rc::Rc::new(std::cell::RefCell::new(None));
        let seen = error.clone();
        let listener = Closure::<dyn FnMut(JsValue)>::new(move |d: JsValue| {
            *seen.borrow_mut() = field(&d, "error").as_string();
        });
        let filter = object(&[("urls", strings(&[url.to_string()]))]);
        let _ = api()
            .web_request()
            .on_error_occurred()
            .add_listener(listener.as_ref().unchecked_ref(), &filter);
        NetErrorWatch { listener, error }
    }
}

impl Drop for NetErrorWatch {
    fn drop(&mut self) {
        api()
            .web_request()
            .on_error_occurred()
            .remove_listener(self.listener.as_ref().unchecked_ref());
    }
}

// ---- for the extension pages

/// A UI string from the locale file the browser picked, if it has one.
pub fn message(key: &str) -> Option<String> {
    Some(api().i18n().get_message(key)).filter(|m| !m.is_empty())
}

/// A UI string from the locale file the browser picked, with its substitutions; the key
/// itself when there is none (a missing string shows, rather than an empty line).
pub fn t(key: &str, subs: &[&str]) -> String {
    let subs: Array = subs.iter().map(|s| JsValue::from_str(s)).collect();
    let text = api().i18n().get_message_with(key, &subs);
    if text.is_empty() {
        key.to_string()
    } else {
        text
    }
}

/// `runtime.sendMessage`'s promise (the call itself may throw: the extension reloaded).
pub fn send_to_worker_raw(msg: &JsValue) -> Result<Promise, JsValue> {
    api().runtime().send_message(msg)
}

/// `permissions.request` for one permission: called in the click's own turn (the
/// browser asks the user only then); `None` where the browser has no such call here.
pub fn request_permission(name: &str) -> Option<Promise> {
    let perms: JsValue = api().permissions().into();
    let f = Reflect::get(&perms, &"request".into())
        .ok()
        .filter(JsValue::is_function)?;
    let f: Function = f.unchecked_into();
    let arg = object(&[("permissions", strings(&[name.to_string()]))]);
    f.call1(&perms, &arg).ok().map(|v| Promise::resolve(&v))
}

/// This extension's id (to know its own messages).
pub fn runtime_id() -> String {
    api().runtime().id()
}

/// A listener on an extension event (a page's), removed when dropped.
pub struct Watch {
    event: Event,
    f: Closure<dyn FnMut(JsValue, JsValue)>,
}

impl Watch {
    fn on(event: Event, f: impl FnMut(JsValue, JsValue) + 'static) -> Watch {
        let f = Closure::<dyn FnMut(JsValue, JsValue)>::new(f);
        let _ = event.add_plain_listener(f.as_ref().unchecked_ref());
        Watch { event, f }
    }

    /// `f(changes, area)` on every storage change.
    pub fn storage(mut f: impl FnMut(&JsValue, &str) + 'static) -> Watch {
        Watch::on(api().storage().on_changed(), move |changes, area| {
            f(&changes, &area.as_string().unwrap_or_default())
        })
    }

    /// `f(msg, sender)` on each runtime message to this page.
    pub fn messages(mut f: impl FnMut(&JsValue, &JsValue) + 'static) -> Watch {
        Watch::on(api().runtime().on_message(), move |msg, sender| {
            f(&msg, &sender)
        })
    }
}

impl Drop for Watch {
    fn drop(&mut self) {
        self.event.remove_listener(self.f.as_ref().unchecked_ref());
    }
}

/// A keyboard command as the browser has it now (`shortcut` empty when unset).
pub struct Command {
    pub name: String,
    pub description: String,
    pub shortcut: String,
}

/// The extension's keyboard commands; none where the browser has no `commands` API
/// (Firefox for Android).
pub async fn commands() -> Vec<Command> {
    let Ok(list) = call(api().commands(), "getAll", &[]).await else {
        return Vec::new();
    };
    let text = |c: &JsValue, k: &str| field(c, k).as_string().unwrap_or_default();
    Array::from(&list)
        .iter()
        .map(|c| Command {
            name: text(&c, "name"),
            description: text(&c, "description"),
            shortcut: text(&c, "shortcut"),
        })
        .collect()
}

/// The browser's own page for changing keyboard shortcuts: Firefox opens its own
/// (`commands.openShortcutSettings`); Chrome and Edge have theirs at an address.
pub async fn open_shortcut_settings() -> Result<(), Error> {
    let commands = api().commands();
    if Reflect::get(&commands, &"openShortcutSettings".into()).is_ok_and(|f| f.is_function()) {
        return call(commands, "openShortcutSettings", &[]).await.map(drop);
    }
    let props = object(&[("url", "chrome://extensions/shortcuts".into())]);
    done(api().tabs().create(&props)).await.map(drop)
}
