// The live feed (/v1/ws): the key goes in the first message, never in the URL.
// Reconnects by itself and asks for every kept event after the last one seen.
import { session } from "./api.js";

const KEY_REFUSED = 4401;

export class LiveFeed {
  constructor(onEvent, onState) {
    this.onEvent = onEvent;
    this.onState = onState;
    this.lastId = null;
    this.socket = null;
    this.delay = 1000;
    this.stopped = false;
    this.timer = null;
  }

  start() {
    this.stopped = false;
    this.connect();
  }

  stop() {
    this.stopped = true;
    clearTimeout(this.timer);
    if (this.socket) this.socket.close(1000, "signed out");
  }

  connect() {
    const scheme = location.protocol === "https:" ? "wss:" : "ws:";
    const socket = new WebSocket(`${scheme}//${location.host}/v1/ws`);
    this.socket = socket;
    this.onState("connecting");
    socket.onmessage = (message) => {
      if (socket !== this.socket) return;
      const data = JSON.parse(message.data);
      if (data.type === "auth_required") {
        const hello = { type: "auth", key: session.key };
        if (this.lastId !== null) hello.after = this.lastId;
        socket.send(JSON.stringify(hello));
      } else if (data.type === "welcome") {
        this.delay = 1000;
        if (this.lastId === null || data.reset) this.lastId = data.last_event_id;
        this.onState("live");
      } else {
        if (data.id !== null && data.id !== undefined) this.lastId = Math.max(this.lastId || 0, data.id);
        this.onEvent(data);
      }
    };
    socket.onclose = (event) => {
      if (socket !== this.socket || this.stopped) return;
      if (event.code === KEY_REFUSED) { this.stopped = true; this.onState("unauthorized"); return; }
      this.onState("offline");
      this.timer = setTimeout(() => this.connect(), this.delay);
      this.delay = Math.min(this.delay * 2, 30000);
    };
  }
}
