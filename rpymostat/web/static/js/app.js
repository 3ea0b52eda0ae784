// The web UI: sign in with an API key, then screens that use only the public API.
import { ApiError, session, signIn, signOut } from "./api.js";
import { h, replace, showError, field } from "./dom.js";
import { noteEngineTime } from "./clock.js";
import { forgetHomeZone, homeZone, loadHomeZone } from "./home_time.js";
import { LiveFeed } from "./live.js";
import { loadNow, renderNow } from "./screens/now.js";
import { loadDevices, renderDevices } from "./screens/devices.js";
import { loadSettings, renderSettings } from "./screens/settings.js";
import { loadSchedule, renderSchedule } from "./screens/schedule.js";
import { loadHistory, renderHistory } from "./screens/history.js";
import { loadEvents, renderEvents } from "./screens/events.js";
import { loadPresets, renderPresets } from "./screens/presets.js";

// `live` names the event types after which a screen reloads itself. Screens
// with forms listen to few, so that an update never wipes what is being typed.
const SCREENS = {
  now: { title: "Now", load: loadNow, render: renderNow,
    live: (type) => type === "readings" || type === "decision" || type === "alerts" || type.startsWith("relay") },
  schedule: { title: "Schedule", load: loadSchedule, render: renderSchedule, live: (type) => type === "schedule.changed" || type === "preset.changed" },
  history: { title: "History", load: loadHistory, render: renderHistory, live: () => false },
  devices: { title: "Devices", load: loadDevices, render: renderDevices, live: () => false },
  events: { title: "Events", load: loadEvents, render: renderEvents, live: (type) => type === "device_event" },
  presets: { title: "Presets", load: loadPresets, render: renderPresets, live: () => false },
  settings: { title: "Settings", load: loadSettings, render: renderSettings, live: () => false },
};
const KIOSK_STORAGE = "rpymostat.kiosk";
const LIVE_TEXT = { live: "Live", connecting: "Connecting…", offline: "Offline" };

class App {
  constructor() {
    this.main = document.getElementById("screen");
    this.nav = document.getElementById("nav");
    this.status = document.getElementById("live-status");
    this.state = {};
    this.feed = null;
    this.wakeLock = null;
    this.pending = null;
    this.wasLive = false;
    this.generation = 0;
  }

  async start() {
    const asked = new URLSearchParams(location.search).get("kiosk");
    this.setKiosk(asked !== null ? asked === "1" : localStorage.getItem(KIOSK_STORAGE) === "1");
    window.addEventListener("hashchange", () => this.show(true));
    document.addEventListener("visibilitychange", () => this.keepAwake());
    document.getElementById("sign-out").addEventListener("click", () => this.signOut());
    if (session.key) {
      try { await signIn(session.key); } catch (_) { signOut(); }
    }
    this.show(false);
  }

  screenName() {
    const name = location.hash.replace(/^#/, "");
    return SCREENS[name] ? name : "now";
  }

  async show(moveFocus) {
    if (!session.role) { this.renderSignIn(); return; }
    // A reload the previous screen asked for would redraw this one, and wipe
    // what is typed into it; this screen loads fresh anyway.
    if (this.pending) { clearTimeout(this.pending); this.pending = null; }
    document.body.dataset.role = session.role;
    const current = this.screenName();
    replace(this.nav, Object.entries(SCREENS).map(([name, screen]) =>
      h("a", { href: `#${name}`, "aria-current": name === current ? "page" : null }, screen.title)));
    document.title = `${SCREENS[current].title} — RPyMostat`;
    if (!this.feed) {
      this.feed = new LiveFeed((event) => this.onEvent(event), (state) => this.onFeedState(state));
      this.feed.start();
    }
    await this.refresh();
    if (moveFocus) {
      window.scrollTo(0, 0);
      this.main.focus({ preventScroll: true });
    }
  }

  // Refreshes overlap (a click, a live event, a screen change, a sign-out):
  // only the latest one may touch the page, or an answer that left the
  // engine before an approval or a sign-out would paint over it.
  async refresh() {
    const name = this.screenName();
    const generation = ++this.generation;
    const loaded = {};
    try {
      // Every screen tells times in the home's zone: known before the first draw.
      if (!homeZone()) await loadHomeZone();
      await SCREENS[name].load(loaded);
      if (generation !== this.generation || name !== this.screenName()) return;
      Object.assign(this.state, loaded);
      this.render();
    } catch (error) {
      if (generation !== this.generation) return;
      if (error instanceof ApiError && error.status === 401) { this.signOut("Your key is no longer valid."); return; }
      replace(this.main, h("p", { class: "form-error", role: "alert" }, error.message));
    }
  }

  render() {
    const name = this.screenName();
    if (this.main.dataset.screen !== name) {
      replace(this.main);
      this.main.dataset.screen = name;
    }
    SCREENS[name].render(this.main, this.state, () => this.refresh(), this);
  }

  onEvent(event) {
    if (event.at) noteEngineTime(event.at);
    if (event.type === "schedule_settings.changed") this.followHomeZone();
    if (!SCREENS[this.screenName()].live(event.type || "")) return;
    // Coalesce bursts of events into one reload of the screen on show.
    if (this.pending) return;
    this.pending = setTimeout(() => { this.pending = null; this.refresh(); }, 300);
  }

  // Someone chose another home zone (here or elsewhere): every time on show
  // moves with it. When the settings cannot be read now, the next one will do.
  async followHomeZone() {
    try {
      if (await loadHomeZone() && session.role) this.refresh();
    } catch (_) { /* the old zone stays until the next change or sign-in */ }
  }

  onFeedState(state) {
    if (state === "unauthorized") { this.signOut("Your key is no longer valid."); return; }
    this.status.textContent = LIVE_TEXT[state];
    this.status.className = `live-${state}`;
    // Readings are not replayed after a reconnection: reload what is on show.
    if (state === "live" && this.wasLive) this.refresh();
    if (state === "live") this.wasLive = true;
  }

  renderSignIn(message) {
    replace(this.nav);
    delete document.body.dataset.role;
    delete this.main.dataset.screen;
    document.title = "Sign in — RPyMostat";
    const key = h("input", { type: "password", id: "api-key", name: "api-key", autocomplete: "current-password",
      required: true, spellcheck: "false" });
    const form = h("form", { class: "sign-in", onsubmit: async (event) => {
      event.preventDefault();
      try { await signIn(key.value.trim()); this.show(true); }
      catch (error) { showError(form, error.status === 401 ? new Error("That key is not valid.") : error); }
    } },
    h("h2", {}, "Sign in"),
    h("p", {}, "Use an API key. The first start of the engine writes an admin key to the file ",
      h("code", {}, "admin-key"), " in its data directory, on the machine the engine runs on:"),
    h("ul", { class: "key-places" },
      h("li", {}, h("code", {}, "~/.local/share/rpymostat/admin-key"), " for the user that runs the engine"),
      h("li", {}, h("code", {}, "~/.local/share/rpymostat/demo/admin-key"), " for the demo (", h("code", {}, "./dev run"), ")"),
      h("li", {}, h("code", {}, "/var/lib/rpymostat/.local/share/rpymostat/admin-key"), " for the systemd service"),
      h("li", {}, h("code", {}, "$RPYMOSTAT_DATA_DIR/admin-key"), " when that is set")),
    h("p", {}, "Copy it from there (", h("code", {}, "cat"), " the file) and paste it below. An admin can then create keys for " +
      "everyone else under Settings."),
    field("API key", key), h("button", { type: "submit", class: "primary wide" }, "Sign in"),
    message ? h("p", { class: "form-error", role: "alert" }, message) : null);
    replace(this.main, form);
  }

  signOut(message) {
    this.generation += 1;
    if (this.feed) { this.feed.stop(); this.feed = null; }
    if (this.pending) { clearTimeout(this.pending); this.pending = null; }
    signOut();
    forgetHomeZone();
    this.state = {};
    this.wasLive = false;
    this.status.textContent = "";
    this.status.className = "";
    this.renderSignIn(message);
  }

  async setKiosk(on) {
    document.body.classList.toggle("kiosk", on);
    localStorage.setItem(KIOSK_STORAGE, on ? "1" : "0");
    if (!on && this.wakeLock) {
      this.wakeLock.release();
      this.wakeLock = null;
    }
    await this.keepAwake();
  }

  // A wall tablet stays on in kiosk mode. Browsers drop the lock whenever the
  // page is hidden, so it is asked for again each time the page shows.
  async keepAwake() {
    if (!document.body.classList.contains("kiosk") || document.visibilityState !== "visible") return;
    if (!("wakeLock" in navigator) || (this.wakeLock && !this.wakeLock.released)) return;
    try { this.wakeLock = await navigator.wakeLock.request("screen"); } catch (_) { this.wakeLock = null; }
  }
}

new App().start();
