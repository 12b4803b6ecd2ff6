//! The core's view as DOM, for the popup and the inline panel: what `core::view` decided,
//! laid out with the UI contract's hooks (`data-action`, `data-step`, `data-step-state`,
//! ...). Text nodes only; never markup from strings.

use web_sys::Element;

use super::dom::{add, button, text_el, El, Result};
use crate::browser::api::{self, t};
use crate::core::conflicts::Reason;
use crate::core::json::ToJson;
use crate::core::messages::Permission;
use crate::core::state::Notice;
use crate::core::view::{ConfirmView, RetryView, Section, Shown, StepView, View};

/// A unit enum's name on the wire (`not-helped`), from its one declaration.
pub fn wire<T: ToJson + ?Sized>(v: &T) -> String {
    crate::core::json::to_string(v)
        .trim_matches('"')
        .to_string()
}

/// A tagged value's tag on the wire (`{"kind": "cleared", ...}` → `cleared`).
fn tag<T: ToJson + ?Sized>(v: &T, name: &str) -> String {
    api::field(&api::to_js(v), name)
        .as_string()
        .unwrap_or_default()
}

/// Locale keys allow only `[A-Za-z0-9_]`: hook names like `not-helped` map to `not_helped`.
fn tk(key: &str, subs: &[&str]) -> String {
    t(&key.replace('-', "_"), subs)
}

/// A kind of site data in the user's words (`data_<kind>`); one the UI has no words for, as is.
fn kind_label(k: &str) -> String {
    if crate::core::sitedata::CHROME_TYPES.contains(&k) {
        t(&format!("data_{k}"), &[])
    } else {
        k.to_string()
    }
}

fn kinds(list: &[String]) -> String {
    list.iter()
        .map(|k| kind_label(k))
        .collect::<Vec<_>>()
        .join(", ")
}

/// A figure and its unit never part at a line's end ("about 10.4" / "Mbps").
fn keep_units(text: &str) -> String {
    const UNITS: &[&str] = &["Mbps", "Kbps", "KB", "MB", "GB", "ms", "s"];
    let mut out = String::with_capacity(text.len());
    let mut prev_digit = false;
    for (i, c) in text.char_indices() {
        if c == ' ' && prev_digit {
            let rest = text.get(i + 1..).unwrap_or("");
            let unit = UNITS.iter().any(|u| {
                rest.starts_with(u)
                    && !rest
                        .get(u.len()..)
                        .and_then(|r| r.chars().next())
                        .is_some_and(|n| n.is_alphanumeric() || n == '_')
            });
            out.push(if unit { '\u{a0}' } else { ' ' });
        } else {
            out.push(c);
        }
        prev_digit = c.is_ascii_digit();
    }
    out
}

/// A line of a step's instructions: text between backticks is something to type (see
/// data/steps.toml), shown as code that doesn't break at its hyphens.
fn how_line(line: &str) -> Result<Element> {
    let li = El::new("li")?;
    for (i, part) in line.split('`').enumerate() {
        if i % 2 == 1 {
            add(&li.0, &text_el("code", "", part)?)?;
        } else {
            li.0.append_with_str_1(&keep_units(part))?;
        }
    }
    Ok(li.0)
}

fn how_list(lines: &[String]) -> Result<Element> {
    let ul = El::new("ul")?.class("how")?;
    for l in lines {
        add(&ul.0, &how_line(l)?)?;
    }
    Ok(ul.0)
}

/// Asks the browser for an optional permission the core found missing, then `then`.
pub fn grant_button(permission: Permission, then: &str) -> Result<Element> {
    let name = permission.name();
    Ok(
        button("grant-permission", &t(&format!("grant_{name}"), &[]))?
            .class("primary")?
            .attr("data-permission", &name)?
            .attr("data-then", then)?
            .0,
    )
}

fn append_all(parent: &Element, children: Vec<Option<Element>>) -> Result<()> {
    for c in children.into_iter().flatten() {
        add(parent, &c)?;
    }
    Ok(())
}

fn step_item(step: &StepView, view: &View) -> Result<Element> {
    let mark = |action: &str, key: &str| -> Result<Element> {
        Ok(button(action, &t(key, &[]))?
            .class("mark")?
            .attr("data-step", &step.id)?
            .0)
    };
    let state = wire(&step.state);
    let kind = wire(&step.kind);
    let mut li = El::new("li")?
        .class(&format!(
            "step {kind}{}",
            if step.next { " next" } else { "" }
        ))?
        .attr("data-step", &step.id)?
        .attr("data-step-state", &state)?;
    if step.worked {
        li = li.attr("data-worked", "true")?;
    }
    let badge = if step.next {
        t("nextStep", &[])
    } else {
        tk(&format!("state_{state}"), &[])
    };
    let head = El::new("div")?
        .class("step-head")?
        .child(&text_el("span", "step-title", &step.title)?)?
        .child(&text_el("span", &format!("badge s-{state}"), &badge)?)?;
    let action = match (&step.action, step.needs) {
        (Some(a), Some(p)) => Some(grant_button(p, a)?),
        (Some(a), None) => {
            let label = if step.again {
                t("actionAgain", &[])
            } else {
                tk(&format!("action_{a}"), &[])
            };
            let mut b = button(a, &label)?
                .class("primary")?
                .attr("data-step", &step.id)?;
            if step.waiting {
                b = b.attr("disabled", "")?;
            }
            Some(b.0)
        }
        (None, _) => None,
    };
    // The marks on a row of their own, under the step's action.
    let marks = El::new("div")?
        .class("marks")?
        .attr("role", "group")?
        .attr("aria-label", &t("markStep", &[]))?
        .child(&mark("step-done", "stepDone")?)?
        .child(&mark("step-helped", "stepHelped")?)?
        .child(&mark("step-not-helped", "stepNotHelped")?)?;
    let actions = El::new("div")?.class("step-actions")?;
    append_all(&actions.0, vec![action, Some(marks.0)])?;
    let shows = match step.shows {
        Some(Section::Extensions) => render_extensions(view)?,
        Some(Section::Connection) => render_connection(view)?,
        Some(Section::Cleared) => render_cleared(view)?,
        None => None,
    };
    append_all(
        &li.0,
        vec![
            Some(head.0),
            if step.worked {
                Some(text_el("p", "worked", &t("workedBefore", &[]))?)
            } else {
                None
            },
            if step.how.is_empty() {
                None
            } else {
                Some(how_list(&step.how)?)
            },
            shows,
            Some(actions.0),
            bisect_hint(view)?,
        ],
    )?;
    Ok(li.0)
}

fn bisect_hint(view: &View) -> Result<Option<Element>> {
    let Some(b) = &view.extras.bisect else {
        return Ok(None);
    };
    let (check, max) = (b.check.to_string(), b.max_checks.to_string());
    Ok(Some(
        El::new("p")?
            .class("hint")?
            .attr("data-bisect-check", &check)?
            .text(&t("bisecting", &[&check, &max]))?
            .0,
    ))
}

/// What the last clearing did, inside its step.
fn render_cleared(view: &View) -> Result<Option<Element>> {
    let Some(c) = &view.cleared else {
        return Ok(None);
    };
    let removed = kinds(&c.removed);
    let out = El::new("div")?
        .class("outcome")?
        .attr("data-cleared", &c.removed.join(" "))?
        .attr("data-skipped", &c.skipped.join(" "))?
        .child(&text_el(
            "p",
            "",
            &t(
                "stepCleared",
                &[if removed.is_empty() { "—" } else { &removed }],
            ),
        )?)?;
    if !c.failed.is_empty() {
        add(
            &out.0,
            &text_el("p", "", &t("noticeClearFailed", &[&kinds(&c.failed)]))?,
        )?;
    }
    if !c.skipped.is_empty() {
        add(
            &out.0,
            &text_el("p", "", &t("noticeClearSkipped", &[&kinds(&c.skipped)]))?,
        )?;
    }
    Ok(Some(out.0))
}

fn render_connection(view: &View) -> Result<Option<Element>> {
    let c = view.connection.as_ref();
    if !view.measuring && c.is_none() {
        return Ok(None);
    }
    let mut section = El::new("section")?
        .class("connection")?
        .attr("aria-labelledby", "sf-conn")?;
    if view.measuring {
        section = section.attr("data-measuring", "")?;
    }
    let section = section.child(
        &El::new("h3")?
            .attr("id", "sf-conn")?
            .text(&t("connectionTitle", &[]))?
            .0,
    )?;
    match (view.measuring, c) {
        (false, Some(c)) => {
            let mbps = c
                .mbps
                .map(|m| api::json_text(&m.into()))
                .unwrap_or_default();
            let verdict = El::new("p")?
                .class("verdict")?
                .attr("data-mbps", &mbps)?
                .attr("data-verdict", &c.verdict)?
                .text(&tk(&format!("verdict_{}", c.verdict), &[]))?;
            add(&section.0, &verdict.0)?;
            add(&section.0, &how_list(&c.explain)?)?;
        }
        _ => {
            add(
                &section.0,
                &El::new("p")?
                    .class("hint")?
                    .attr("role", "status")?
                    .text(&t("measuring", &[]))?
                    .0,
            )?;
        }
    }
    Ok(Some(section.0))
}

/// What the screen or the browser showed, quoted; nothing for screens without a code.
fn render_shown(shown: &Option<Shown>) -> Result<Option<Element>> {
    let Some(shown) = shown else {
        return Ok(None);
    };
    let (label, value) = match shown {
        Shown::Code { value } => ("codeLabel", value.clone()),
        Shown::Told { value } => ("toldLabel", value.clone()),
        Shown::Http { status } => ("httpLabel", format!("HTTP {status}")),
        Shown::Net { error } => ("netLabel", error.clone()),
    };
    Ok(Some(
        El::new("p")?
            .class("code")?
            .attr("data-shown", &tag(shown, "kind"))?
            .text(&format!("{}: ", t(label, &[])))?
            .child(&text_el("strong", "", &value)?)?
            .0,
    ))
}

/// The always-there actions the core lists for this tab (`view.more`).
fn render_more(view: &View) -> Result<Option<Element>> {
    if view.more.is_empty() {
        return Ok(None);
    }
    let buttons = El::new("div")?.class("step-actions")?;
    for m in view.more.iter().filter(|m| m.action != "enter-code") {
        let b = match m.needs {
            Some(p) => grant_button(p, &m.action)?,
            None => button(&m.action, &tk(&format!("action_{}", m.action), &[]))?.0,
        };
        add(&buttons.0, &b)?;
    }
    let section = El::new("section")?
        .class("more")?
        .attr("aria-labelledby", "sf-more")?
        .child(
            &El::new("h3")?
                .attr("id", "sf-more")?
                .text(&t("moreTitle", &[]))?
                .0,
        )?
        .child(&buttons.0)?;
    if view.more.iter().any(|m| m.action == "enter-code") {
        add(&section.0, &render_enter_code(view)?)?;
    }
    Ok(Some(section.0))
}

/// "I see an error code": the code the user read, with the service's codes suggested.
fn render_enter_code(view: &View) -> Result<Element> {
    let list = "sf-known-codes";
    let input = El::new("input")?
        .attr("id", "sf-code")?
        .attr("type", "text")?
        .attr("data-input", "code")?
        .attr("list", list)?
        .attr("autocomplete", "off")?
        .attr("spellcheck", "false")?
        .attr("maxlength", "40")?
        .attr("placeholder", &t("enterCodeHint", &[]))?;
    let options = El::new("datalist")?.attr("id", list)?;
    for c in &view.known_codes {
        add(&options.0, &El::new("option")?.attr("value", c)?.0)?;
    }
    let row = El::new("div")?
        .class("step-actions")?
        .child(&input.0)?
        .child(&options.0)?
        .child(&button("enter-code", &t("action_enter_code", &[]))?.0)?;
    Ok(El::new("div")?
        .class("enter-code")?
        .child(
            &El::new("label")?
                .attr("for", "sf-code")?
                .text(&t("enterCodeLabel", &[]))?
                .0,
        )?
        .child(&row.0)?
        .0)
}

/// The outcome of the last action, if any.
pub fn render_notice(notice: &Option<Notice>, step_title: Option<&str>) -> Result<Option<Element>> {
    let Some(notice) = notice else {
        return Ok(None);
    };
    let mut lines = Vec::new();
    let mut bad = false;
    match notice {
        Notice::Clearing => lines.push(t("noticeClearing", &[])),
        Notice::ClearInterrupted => {
            bad = true;
            lines.push(t("noticeClearInterrupted", &[]));
        }
        Notice::Cleared {
            removed,
            failed,
            skipped,
        } => {
            bad = !failed.is_empty();
            if !removed.is_empty() {
                lines.push(t("noticeCleared", &[&kinds(removed)]));
            }
            if !failed.is_empty() {
                lines.push(t("noticeClearFailed", &[&kinds(failed)]));
            }
            if !skipped.is_empty() {
                lines.push(t("noticeClearSkipped", &[&kinds(skipped)]));
            }
        }
        Notice::Fixed { step } => lines.push(t("noticeFixed", &[step_title.unwrap_or(step)])),
        Notice::NotFixed { step } => {
            bad = true;
            lines.push(t("noticeNotFixed", &[step_title.unwrap_or(step)]));
        }
        Notice::RetryGaveUp => {
            bad = true;
            lines.push(t("noticeRetryGaveUp", &[]));
        }
        Notice::Culprit { name } => lines.push(t("noticeCulprit", &[name])),
        Notice::NotExtensions => lines.push(t("noticeNotExtensions", &[])),
        Notice::Restored { names } => lines.push(if names.is_empty() {
            t("noticeRestoredNone", &[])
        } else {
            t("noticeRestored", &[&names.join(", ")])
        }),
    }
    let div = El::new("div")?
        .class(if bad { "notice bad" } else { "notice" })?
        .attr("role", "status")?
        .attr("data-notice", &tag(notice, "kind"))?;
    for l in &lines {
        add(&div.0, &text_el("p", "", l)?)?;
    }
    // Trying again asks for the confirmation again.
    if matches!(notice, Notice::ClearInterrupted) {
        add(
            &div.0,
            &El::new("div")?
                .class("step-actions")?
                .child(
                    &button("clear-site-data", &t("clearAgain", &[]))?
                        .class("primary")?
                        .0,
                )?
                .0,
        )?;
    }
    Ok(Some(div.0))
}

/// The confirmation before clearing the site's data.
fn render_confirm(c: &ConfirmView) -> Result<Element> {
    let kinds_list = El::new("ul")?.class("kinds")?;
    for k in &c.types {
        add(
            &kinds_list.0,
            &El::new("li")?
                .attr("data-clears", k)?
                .text(&kind_label(k))?
                .0,
        )?;
    }
    let sites: Vec<&str> = c
        .origins
        .iter()
        .map(|o| {
            o.strip_prefix("https://")
                .or_else(|| o.strip_prefix("http://"))
                .unwrap_or(o)
        })
        .collect();
    let body = El::new("div")?
        .attr("id", "sf-confirm-body")?
        .child(&text_el("p", "", &t("confirmClearWhat", &[&c.site]))?)?
        .child(&kinds_list.0)?
        .child(&text_el(
            "p",
            "",
            &t("confirmClearSites", &[&sites.join(", ")]),
        )?)?
        .child(&text_el(
            "p",
            "warn",
            &t("confirmClearSignOut", &[&c.site]),
        )?)?;
    if let Some(note) = &c.note {
        add(
            &body.0,
            &El::new("p")?
                .class("warn")?
                .attr("data-confirm-note", "")?
                .text(note)?
                .0,
        )?;
    }
    if !c.skipped.is_empty() {
        add(
            &body.0,
            &text_el(
                "p",
                "weak",
                &t("confirmClearSkipped", &[&kinds(&c.skipped)]),
            )?,
        )?;
    }
    if c.this_store_only {
        add(
            &body.0,
            &El::new("p")?
                .class("weak")?
                .attr("data-scope", "this-store")?
                .text(&t("confirmThisStoreOnly", &[]))?
                .0,
        )?;
    }
    let actions = El::new("div")?
        .class("step-actions")?
        .child(
            &button("confirm", &t("confirmClearButton", &[]))?
                .class("primary danger")?
                .0,
        )?
        .child(
            &button("cancel", &t("cancel", &[]))?
                .attr("autofocus", "")?
                .0,
        )?;
    Ok(El::new("section")?
        .class("confirm")?
        .attr("role", "alertdialog")?
        .attr("aria-labelledby", "sf-confirm")?
        .attr("aria-describedby", "sf-confirm-body")?
        .child(
            &El::new("h2")?
                .attr("id", "sf-confirm")?
                .text(&t("confirmClearTitle", &[&c.site]))?
                .0,
        )?
        .child(&body.0)?
        .child(&actions.0)?
        .0)
}

/// Seconds left until `next_at` (ms since epoch).
pub fn seconds_left(next_at: f64) -> u64 {
    ((next_at - js_sys::Date::now()) / 1000.0).ceil().max(0.0) as u64
}

/// The wait-and-retry countdown; `data-countdown` holds the seconds left.
fn render_retry(r: &RetryView) -> Result<Element> {
    let left = seconds_left(r.next_at);
    let text = if r.reloading {
        t("retryReloading", &[])
    } else {
        t(
            "retryIn",
            &[
                &left.to_string(),
                &r.attempt.to_string(),
                &r.max_attempts.to_string(),
            ],
        )
    };
    let countdown = El::new("p")?
        .class("countdown")?
        .attr(
            "data-countdown",
            &(if r.reloading { 0 } else { left }).to_string(),
        )?
        .attr("data-next-at", &api::json_text(&r.next_at.into()))?
        .attr("role", "timer")?
        .attr("aria-live", "off")?
        .text(&text)?;
    Ok(El::new("section")?
        .class("retry")?
        .child(&countdown.0)?
        .child(
            &El::new("div")?
                .class("step-actions")?
                .child(
                    &button("retry-now", &t("action_retry_now", &[]))?
                        .class("primary")?
                        .0,
                )?
                .child(&button("cancel-retry", &t("cancelRetry", &[]))?.0)?
                .0,
        )?
        .0)
}

/// Extensions StreamFix turned off: shown on every tab until they are back on.
pub fn render_restore(view: &View) -> Result<Option<Element>> {
    let names = &view.extras.restore;
    if names.is_empty() {
        return Ok(None);
    }
    Ok(Some(
        El::new("section")?
            .class("restore")?
            .attr("aria-labelledby", "sf-restore")?
            .child(
                &El::new("h2")?
                    .attr("id", "sf-restore")?
                    .text(&t("restoreTitle", &[]))?
                    .0,
            )?
            .child(&text_el("p", "", &t("restoreText", &[&names.join(", ")]))?)?
            .child(
                &button("restore-extensions", &t("restoreButton", &[]))?
                    .class("primary")?
                    .0,
            )?
            .0,
    ))
}

fn reason_text(r: &Reason) -> String {
    let arg = match r {
        Reason::BlocksRequests { permission } => permission.as_str(),
        Reason::ChangesStreamingSite { pattern } => pattern.as_str(),
        _ => "",
    };
    tk(&format!("reason_{}", tag(r, "reason")), &[arg])
}

fn ext_title(with_id: bool) -> Result<Element> {
    let h = El::new("h3")?;
    let h = if with_id { h.attr("id", "sf-ext")? } else { h };
    Ok(h.text(&t("extensionsTitle", &[]))?.0)
}

fn render_extensions(view: &View) -> Result<Option<Element>> {
    let list = view.extensions.as_ref();
    // Without the permission the section says why; the button asking for it is the
    // step's own (`needs`) or the one in "more".
    let Some(list) = list else {
        if !view.extras.missing.contains(&Permission::Management) {
            return Ok(None);
        }
        return Ok(Some(
            El::new("section")?
                .class("extensions")?
                .attr("aria-labelledby", "sf-ext")?
                .attr("data-missing", "management")?
                .child(&ext_title(true)?)?
                .child(&text_el("p", "hint", &t("needs_management", &[]))?)?
                .0,
        ));
    };
    let offer = &view.ext;
    let section = El::new("section")?
        .class("extensions")?
        .attr("aria-labelledby", "sf-ext")?
        .child(&ext_title(true)?)?;
    if let Some(at) = view.listed_at {
        let time = locale_time(at);
        add(
            &section.0,
            &El::new("p")?
                .class("weak")?
                .attr("role", "status")?
                .attr("data-listed-at", &api::json_text(&at.into()))?
                .text(&t("extChecked", &[&time]))?
                .0,
        )?;
    }
    if let Some(mode) = &offer.proxy_mode {
        add(
            &section.0,
            &El::new("p")?
                .class("proxy")?
                .attr("data-proxy-mode", mode)?
                .text(&t("proxyMode", &[&t(&format!("proxy_{mode}"), &[])]))?
                .0,
        )?;
    }
    if let Some(by) = &offer.proxy_by {
        add(&section.0, &text_el("p", "proxy", &t("proxyBy", &[by]))?)?;
    }
    if view.proxy_outside_browser {
        add(&section.0, &text_el("p", "hint", &t("proxyOutside", &[]))?)?;
    }
    if list.is_empty() {
        add(&section.0, &text_el("p", "weak", &t("noExtensions", &[]))?)?;
    } else {
        let ul = El::new("ul")?.class("ext-list")?;
        for x in list {
            let kind = x.kind.as_str();
            let li = El::new("li")?
                .attr("data-ext-id", &x.id)?
                .attr("data-kind", kind)?
                .attr("data-suspect", if x.suspect { "true" } else { "false" })?
                .attr("class", if x.suspect { "suspect" } else { "" })?
                .child(
                    &El::new("div")?
                        .class("step-head")?
                        .child(&text_el("span", "step-title", &x.name)?)?
                        .child(&text_el(
                            "span",
                            &format!("badge k-{kind}"),
                            &t(&format!("kind_{kind}"), &[]),
                        )?)?
                        .0,
                )?;
            if !x.reasons.is_empty() {
                let reasons: Vec<String> = x.reasons.iter().map(reason_text).collect();
                add(&li.0, &text_el("p", "weak", &reasons.join(" · "))?)?;
            }
            if !x.enabled {
                add(&li.0, &text_el("p", "weak", &t("extOff", &[]))?)?;
            }
            if offer.disable_each.contains(&x.id) {
                add(
                    &li.0,
                    &button("disable-extension", &t("disableOne", &[]))?
                        .attr("data-ext-id", &x.id)?
                        .0,
                )?;
            }
            add(&ul.0, &li.0)?;
        }
        add(&section.0, &ul.0)?;
    }
    if !offer.actions.is_empty() {
        let row = El::new("div")?.class("step-actions")?;
        for (i, a) in offer.actions.iter().enumerate() {
            let label = match a.as_str() {
                "disable-suspects" => "disableSuspects",
                "find-culprit" => "findCulprit",
                other => other,
            };
            let b = button(a, &t(label, &[]))?;
            let b = if i == 0 { b.class("primary")? } else { b };
            add(&row.0, &b.0)?;
        }
        add(&section.0, &row.0)?;
    }
    if !offer.by_hand.is_empty() {
        add(
            &section.0,
            &text_el(
                "p",
                "hint",
                &t("firefoxGuide", &[&offer.by_hand.join(", ")]),
            )?,
        )?;
    }
    if let Some(hint) = bisect_hint(view)? {
        add(&section.0, &hint)?;
    }
    Ok(Some(section.0))
}

/// `at` (ms since epoch) as the user's clock shows it, hours to seconds.
fn locale_time(at: f64) -> String {
    let date = js_sys::Date::new(&at.into());
    let opts = api::object(&[
        ("hour", "2-digit".into()),
        ("minute", "2-digit".into()),
        ("second", "2-digit".into()),
    ]);
    date.to_locale_time_string_with_options(&api::ui_lang(), &opts)
        .as_string()
        .unwrap_or_default()
}

/// A tab with no error: what happened last, and what the user can still do.
pub fn render_ok(view: &View, ok_text: &str) -> Result<Vec<Option<Element>>> {
    let loose = |s: Section| view.loose.contains(&s);
    Ok(vec![
        render_notice(&view.notice, view.notice_step.as_deref())?,
        render_restore(view)?,
        Some(text_el(
            "p",
            if view.service.is_empty() {
                "ok idle"
            } else {
                "ok"
            },
            ok_text,
        )?),
        view.confirm.as_ref().map(render_confirm).transpose()?,
        if loose(Section::Connection) {
            render_connection(view)?
        } else {
            None
        },
        render_slow(view)?,
        if view.extensions.is_some() && loose(Section::Extensions) {
            render_extensions(view)?
        } else {
            None
        },
        render_more(view)?,
    ])
}

fn steps_list(view: &View) -> Result<Element> {
    let ol = El::new("ol")?.class("steps")?;
    for s in &view.steps {
        add(&ol.0, &step_item(s, view)?)?;
    }
    Ok(ol.0)
}

/// No error, but a line too slow for HD: what the core advises (meaning, cause, steps).
fn render_slow(view: &View) -> Result<Option<Element>> {
    if view.steps.is_empty() {
        return Ok(None);
    }
    Ok(Some(
        El::new("section")?
            .class("plan slow")?
            .attr("aria-labelledby", "sf-slow")?
            .child(
                &El::new("h2")?
                    .attr("id", "sf-slow")?
                    .text(&t("slowTitle", &[]))?
                    .0,
            )?
            .child(&text_el("p", "meaning", &view.meaning)?)?
            .child(&text_el("p", "cause", &view.cause)?)?
            .child(&steps_list(view)?)?
            .0,
    ))
}

/// The diagnosis and plan for an error view.
pub fn render_error(view: &View) -> Result<Vec<Option<Element>>> {
    let loose = |s: Section| view.loose.contains(&s);
    let diagnosis = El::new("section")?
        .class("diagnosis")?
        .attr("aria-labelledby", "sf-what")?
        .child(
            &El::new("h2")?
                .attr("id", "sf-what")?
                .text(&t("whatHappened", &[]))?
                .0,
        )?;
    append_all(
        &diagnosis.0,
        vec![
            render_shown(&view.shown)?,
            Some(text_el("p", "meaning", &view.meaning)?),
            Some(text_el("h3", "", &t("likelyCause", &[]))?),
            Some(text_el("p", "cause", &view.cause)?),
        ],
    )?;
    if !view.causes.is_empty() {
        let ul = El::new("ul")?;
        for c in &view.causes {
            add(&ul.0, &text_el("li", "", c)?)?;
        }
        add(
            &diagnosis.0,
            &El::new("details")?
                .child(&text_el("summary", "", &t("otherCauses", &[]))?)?
                .child(&ul.0)?
                .0,
        )?;
    }
    if view.weak {
        add(&diagnosis.0, &text_el("p", "weak", &t("weakSource", &[]))?)?;
    }
    let plan = El::new("section")?
        .class("plan")?
        .attr("aria-labelledby", "sf-plan")?
        .child(
            &El::new("h2")?
                .attr("id", "sf-plan")?
                .text(&t("planTitle", &[]))?
                .0,
        )?
        .child(&steps_list(view)?)?;
    // Only services with guides for their apps on other devices have the section.
    let devices = if view.devices.is_empty() {
        None
    } else {
        let details =
            El::new("details")?.child(&text_el("summary", "", &t("devicesTitle", &[]))?)?;
        for d in &view.devices {
            let ol = El::new("ol")?;
            for h in &d.how {
                add(&ol.0, &how_line(h)?)?;
            }
            add(
                &details.0,
                &El::new("div")?
                    .class("device")?
                    .attr("data-device", &d.id)?
                    .child(&text_el("h3", "", &d.name)?)?
                    .child(&ol.0)?
                    .0,
            )?;
        }
        Some(El::new("section")?.class("devices")?.child(&details.0)?.0)
    };
    Ok(vec![
        render_notice(&view.notice, view.notice_step.as_deref())?,
        render_restore(view)?,
        view.confirm.as_ref().map(render_confirm).transpose()?,
        view.retry.as_ref().map(render_retry).transpose()?,
        Some(diagnosis.0),
        Some(plan.0),
        // The sections no plan step holds (the core lists them).
        if loose(Section::Connection) {
            render_connection(view)?
        } else {
            None
        },
        if loose(Section::Extensions) {
            render_extensions(view)?
        } else {
            None
        },
        render_more(view)?,
        devices,
    ])
}
