//! The options page: which services StreamFix watches, whether the panel opens by itself,
//! the codes it stays closed for, the fixes it remembers, and the keyboard shortcuts.
//! Each change goes to the core as one `SettingChange`, applied to the settings as stored.

use std::cell::RefCell;
use std::rc::Rc;

use futures_channel::mpsc;
use futures_util::StreamExt;
use gloo_events::EventListener;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::spawn_local;
use web_sys::{Element, HtmlInputElement};

use super::ask;
use super::dom::{add, button, document, text_el, El, Result};
use crate::browser::api::{self, field, t, Watch};
use crate::core::messages::{Msg, MutedCode, OptionsView, ServiceChoice};
use crate::core::state::{SettingChange, Settings};

/// What the page does, one at a time and in order: each is shown when saved, so a
/// second click never races the first.
enum Job {
    Load,
    Change(SettingChange),
    Forget,
}

struct Page {
    main: Element,
    /// Its own element: the settings re-render around it without losing its keyboard place.
    shortcuts: Element,
    /// The listeners of what is on screen, dropped with it at the next render.
    listeners: Vec<EventListener>,
    /// The shortcuts as last shown: unchanged, the section stays as it is.
    shown_keys: Option<String>,
    /// The shortcuts section's "change" button's listener, dropped with the section.
    change_listener: Option<EventListener>,
    jobs: mpsc::UnboundedSender<Job>,
}

/// Runs the page for as long as it is open.
pub async fn run() -> Result<()> {
    let doc = document()?;
    if let Some(root) = doc.document_element() {
        root.set_attribute("lang", &api::ui_lang())?;
    }
    let main = doc
        .get_element_by_id("main")
        .ok_or_else(|| JsValue::from_str("no #main"))?;
    let shortcuts = El::new("section")?
        .class("shortcuts")?
        .attr("aria-labelledby", "sf-shortcuts")?
        .0;
    let (jobs, mut queue) = mpsc::unbounded();
    let page = Rc::new(RefCell::new(Page {
        main,
        shortcuts,
        listeners: Vec::new(),
        shown_keys: None,
        change_listener: None,
        jobs: jobs.clone(),
    }));
    // Settings changed elsewhere (the panel's "don't open by itself", another options tab).
    let reload = jobs.clone();
    let _watch = Watch::storage(move |changes, area| {
        let ours = ["settings", "worked"]
            .iter()
            .any(|k| !field(changes, k).is_undefined());
        if area == "local" && ours {
            let _ = reload.unbounded_send(Job::Load);
        }
    });
    // Back from the browser's shortcuts page: show what the user set there.
    let window = web_sys::window().ok_or_else(|| JsValue::from_str("no window"))?;
    let focused = page.clone();
    let _focus = EventListener::new(&window, "focus", move |_| {
        spawn_local(show_shortcuts(focused.clone()));
    });
    spawn_local(show_shortcuts(page.clone()));
    let _ = jobs.unbounded_send(Job::Load);
    while let Some(job) = queue.next().await {
        do_job(&page, job).await;
    }
    Ok(())
}

async fn do_job(page: &Rc<RefCell<Page>>, job: Job) {
    let (msg, loading) = match job {
        Job::Load => (Msg::GetSettings {}, true),
        Job::Change(change) => (Msg::ChangeSetting { change }, false),
        Job::Forget => (Msg::ForgetFixes {}, false),
    };
    let shown = match ask(&msg).await {
        // `Reply::Settings`
        Ok(reply) => match api::from_js::<OptionsView>(&field(&reply, "options")) {
            Ok(o) => render(page, &o.settings, &o.services, &o.muted, o.remembered),
            Err(e) => Err(JsValue::from_str(&e)),
        },
        Err(failure) => Err(JsValue::from_str(&failure.text)),
    };
    if let Err(e) = shown {
        let text = e.as_string().unwrap_or_default();
        // A failed load replaces the page; a failed change is said above what is there.
        let _ = fail(page, loading, &text);
    }
}

fn fail(page: &Rc<RefCell<Page>>, loading: bool, text: &str) -> Result<()> {
    let (key, replace) = if loading {
        ("loadFailed", true)
    } else {
        ("actionFailed", false)
    };
    let p = El::new("p")?
        .class("failure")?
        .attr("role", "alert")?
        .text(&t(key, &[text]))?
        .0;
    let page = page.borrow();
    if replace {
        page.main.replace_children_with_node_1(&p);
    } else {
        page.main.prepend_with_node_1(&p)?;
    }
    Ok(())
}

fn render(
    page: &Rc<RefCell<Page>>,
    settings: &Settings,
    services: &[ServiceChoice],
    muted: &[MutedCode],
    remembered: usize,
) -> Result<()> {
    let mut p = page.borrow_mut();
    let jobs = p.jobs.clone();
    let mut listeners = Vec::new();
    let mut on = |target: &Element, event: &'static str, job: Box<dyn Fn(&Element) -> Job>| {
        let jobs = jobs.clone();
        let el = target.clone();
        listeners.push(EventListener::new(target, event, move |_| {
            let _ = jobs.unbounded_send(job(&el));
        }));
    };
    let checked = |e: &Element| e.dyn_ref::<HtmlInputElement>().is_some_and(|i| i.checked());
    let checkbox = |id: &str, on: bool| -> Result<Element> {
        let input = El::new("input")?
            .attr("type", "checkbox")?
            .attr("id", id)?
            .0;
        if let Some(i) = input.dyn_ref::<HtmlInputElement>() {
            i.set_checked(on);
        }
        Ok(input)
    };

    let auto = checkbox("auto-panel", settings.auto_panel)?;
    auto.set_attribute("data-setting", "auto_panel")?;
    on(
        &auto,
        "change",
        Box::new(move |e| Job::Change(SettingChange::AutoPanel { on: checked(e) })),
    );

    // Each muted code with the service it was muted on (the core spells the entries out).
    let muted_list = if muted.is_empty() {
        text_el("p", "weak", &t("noMutedCodes", &[]))?
    } else {
        let ul = El::new("ul")?.class("muted")?;
        for m in muted {
            let unmute = button("unmute-code", &t("unmute", &[]))?
                .attr("data-code", &m.code)?
                .0;
            let key = m.key.clone();
            on(
                &unmute,
                "click",
                Box::new(move |_| Job::Change(SettingChange::Unmute { key: key.clone() })),
            );
            let where_ = match &m.service {
                Some(s) => t("mutedOn", &[s]),
                None => t("mutedEverywhere", &[]),
            };
            let li = El::new("li")?
                .attr("data-muted-code", &m.code)?
                .attr("data-muted-key", &m.key)?
                .child(&text_el("strong", "", &m.code)?)?
                .text(" ")?
                .child(&text_el("span", "weak", &where_)?)?
                .text(" ")?
                .child(&unmute)?;
            add(&ul.0, &li.0)?;
        }
        ul.0
    };

    // One switch per service the core knows (data-service = its catalog id).
    let service_list = El::new("ul")?.class("services")?;
    for s in services {
        let id = format!("service-{}", s.id);
        let input = checkbox(&id, s.on)?;
        input.set_attribute("data-service", &s.id)?;
        let service = s.id.clone();
        on(
            &input,
            "change",
            Box::new(move |e| {
                Job::Change(SettingChange::Service {
                    id: service.clone(),
                    on: checked(e),
                })
            }),
        );
        let label = El::new("label")?
            .attr("for", &id)?
            .text(&t("optionServiceOn", &[&s.name]))?;
        let li = El::new("li")?.child(&input)?.text(" ")?.child(&label.0)?;
        add(&service_list.0, &li.0)?;
    }

    let worked = if remembered > 0 {
        let n = remembered.to_string();
        let forget = button("forget-fixes", &t("forgetFixes", &[]))?.0;
        on(&forget, "click", Box::new(|_| Job::Forget));
        El::new("p")?
            .attr("data-remembered", &n)?
            .text(&t("rememberedFixes", &[&n]))?
            .text(" ")?
            .child(&forget)?
            .0
    } else {
        El::new("p")?
            .class("weak")?
            .attr("data-remembered", "0")?
            .text(&t("noRememberedFixes", &[]))?
            .0
    };

    let privacy = El::new("a")?
        .attr("href", "privacy.html")?
        .attr("target", "_blank")?
        .attr("data-link", "privacy")?
        .text(&t("privacyFull", &[]))?;
    let nodes = [
        text_el("h2", "", &t("optionsServices", &[]))?,
        text_el("p", "weak", &t("optionsServicesHint", &[]))?,
        service_list.0,
        text_el("h2", "", &t("optionsPanel", &[]))?,
        El::new("p")?
            .class("check")?
            .child(&auto)?
            .text(" ")?
            .child(
                &El::new("label")?
                    .attr("for", "auto-panel")?
                    .text(&t("optionAutoPanel", &[]))?
                    .0,
            )?
            .0,
        text_el("h2", "", &t("optionsMuted", &[]))?,
        muted_list,
        text_el("h2", "", &t("optionsWorked", &[]))?,
        worked,
        p.shortcuts.clone(),
        text_el("h2", "", &t("optionsPrivacy", &[]))?,
        text_el("p", "", &t("privacyStatement", &[]))?,
        El::new("p")?.child(&privacy.0)?.0,
    ];
    let all: js_sys::Array = nodes.iter().collect();
    p.main.replace_children_with_node(&all);
    // The old page's listeners go with it.
    p.listeners = listeners;
    Ok(())
}

/// The keyboard shortcuts as the browser has them now (a suggested one it couldn't give,
/// because those keys were taken, is unset), and the way to the browser's page to change
/// them.
async fn show_shortcuts(page: Rc<RefCell<Page>>) {
    let commands = api::commands().await;
    let keys: String = commands
        .iter()
        .map(|c| format!("{}\n{}\n{}\n", c.name, c.shortcut, c.description))
        .collect();
    let mut p = page.borrow_mut();
    // Unchanged: the section stays as it is (re-rendering would lose the keyboard's place).
    if p.shown_keys.as_deref() == Some(&keys) {
        return;
    }
    p.shown_keys = Some(keys);
    let _ = shortcuts(&mut p, &commands);
}

fn shortcuts(p: &mut Page, commands: &[api::Command]) -> Result<()> {
    // A browser without keyboard commands (Firefox for Android) gets no section.
    if commands.is_empty() {
        p.shortcuts.replace_children_with_node_0();
        p.change_listener = None;
        return Ok(());
    }
    let list = El::new("ul")?.class("keys")?;
    for c in commands {
        let key = if c.shortcut.is_empty() {
            text_el("span", "weak", &t("shortcutNone", &[]))?
        } else {
            text_el("kbd", "", &c.shortcut)?
        };
        let what = if c.name == "_execute_action" {
            t("cmdOpenPopup", &[])
        } else {
            c.description.clone()
        };
        let li = El::new("li")?
            .attr("data-command", &c.name)?
            .attr("data-shortcut", &c.shortcut)?
            .child(&key)?
            .text(" ")?
            .text(&what)?;
        add(&list.0, &li.0)?;
    }
    let change = button("change-shortcuts", &t("shortcutsChange", &[]))?.0;
    let open = EventListener::new(&change, "click", |_| {
        spawn_local(async {
            let _ = api::open_shortcut_settings().await;
        });
    });
    let nodes = [
        El::new("h2")?
            .attr("id", "sf-shortcuts")?
            .text(&t("optionsShortcuts", &[]))?
            .0,
        list.0,
        text_el("p", "weak", &t("shortcutsHint", &[]))?,
        change,
    ];
    let all: js_sys::Array = nodes.iter().collect();
    p.shortcuts.replace_children_with_node(&all);
    p.change_listener = Some(open);
    Ok(())
}
