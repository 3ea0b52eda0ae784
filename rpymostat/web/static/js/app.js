// The web UI: sign in with an API key, then screens that use only the public API.
import { api, ApiError, can, session, signIn, signOut } from "./api.js";
import { h, replace, showError, field } from "./dom.js";
import { LiveFeed } from "./live.js";
import { loadNow, renderNow } from "./screens/now.js";
import { loadDevices, renderDevices } from "./screens/devices.js";
import { loadSettings, renderSettings } from "./screens/settings.js";
import { loadSchedule, renderSchedule } from "./screens/schedule.js";
import { loadHistory, renderHistory } from "./screens/history.js";

const SCREENS = {
  now: { title: "Now", load: loadNow, render: renderNow },
  schedule: { title: "Schedule", load: loadSchedule, render: renderSchedule },
  history: { title: "History", load: loadHistory, render: renderHistory },
  devices: { title: "Devices", load: loadDevices, render: renderDevices },
  settings: { title: "Settings", load: loadSettings, render: renderSettings },
};
const KIOSK_STORAGE = "rpymostat.kiosk";

class App {
  constructor() {
    this.main = document.getElementById("screen");
    this.nav = document.getElementById("nav");
    this.status = document.getElementById("live-status");
    this.state = {};
    this.feed = null;
    this.wakeLock = null;
    this.pending = null;
  }

  async start() {
    this.setKiosk(localStorage.getItem(KIOSK_STORAGE) === "1");
    window.addEventListener("hashchange", () => this.show());
    document.getElementById("sign-out").addEventListener("click", () => this.signOut());
    if (session.key) {
      try { await signIn(session.key); } catch (_) { signOut(); }
    }
    this.show();
  }

  screenName() {
    const name = location.hash.replace(/^#/, "");
    return SCREENS[name] ? name : "now";
  }

  async show() {
    if (!session.role) { this.renderSignIn(); return; }
    document.body.dataset.role = session.role;
    replace(this.nav, Object.entries(SCREENS).map(([name, screen]) =>
      h("a", { href: `#${name}`, "aria-current": name === this.screenName() ? "page" : null }, screen.title)));
    if (!this.feed) {
      this.feed = new LiveFeed((event) => this.onEvent(event), (state) => this.onFeedState(state));
      this.feed.start();
    }
    await this.refresh();
  }

  async refresh() {
    const name = this.screenName();
    const screen = SCREENS[name];
    try {
      await screen.load(this.state);
      this.render();
    } catch (error) {
      if (error instanceof ApiError && error.status === 401) { this.signOut(); return; }
      replace(this.main, h("p", { class: "form-error", role: "alert" }, error.message));
    }
  }

  render() {
    const screen = SCREENS[this.screenName()];
    screen.render(this.main, this.state, () => this.refresh(), this);
  }

  onEvent(event) {
    // Coalesce bursts of events into one refresh of the screen on show.
    if (this.pending) return;
    this.pending = setTimeout(() => { this.pending = null; this.refresh(); }, 300);
  }

  onFeedState(state) {
    this.status.textContent = state === "live" ? "Live" : state === "connecting" ? "Connecting…" : "Offline";
    this.status.className = `live-${state}`;
  }

  renderSignIn() {
    replace(this.nav);
    const key = h("input", { type: "password", id: "api-key", autocomplete: "current-password", required: true });
    const form = h("form", { class: "sign-in", onsubmit: async (event) => {
      event.preventDefault();
      try { await signIn(key.value.trim()); this.show(); }
      catch (error) { showError(form, error.status === 401 ? new Error("That key is not valid.") : error); }
    } },
    h("h2", {}, "Sign in"),
    h("p", {}, "Use an API key. The first start of the engine writes an admin key to its data directory; " +
      "an admin can create keys for everyone else."),
    field("API key", key), h("button", { type: "submit", class: "primary" }, "Sign in"));
    replace(this.main, form);
  }

  signOut() {
    if (this.feed) { this.feed.stop(); this.feed = null; }
    signOut();
    this.state = {};
    this.status.textContent = "";
    this.renderSignIn();
  }

  async setKiosk(on) {
    document.body.classList.toggle("kiosk", on);
    localStorage.setItem(KIOSK_STORAGE, on ? "1" : "0");
    if (on && "wakeLock" in navigator) {
      try { this.wakeLock = await navigator.wakeLock.request("screen"); } catch (_) { this.wakeLock = null; }
    } else if (!on && this.wakeLock) {
      this.wakeLock.release();
      this.wakeLock = null;
    }
  }
}

new App().start();
