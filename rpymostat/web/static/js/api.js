// The engine's HTTP API, with the signed-in key. Nothing here knows a screen.
const KEY_STORAGE = "rpymostat.key";

// The engine's error bodies carry, beside the sentence for people, a
// machine-readable `code` and the `field` at fault (null when none is).
export class ApiError extends Error {
  constructor(status, message, code = null, field = null) {
    super(message);
    this.status = status;
    this.code = code;
    this.field = field;
  }
}

export const session = {
  get key() { return localStorage.getItem(KEY_STORAGE); },
  set key(value) {
    if (value) localStorage.setItem(KEY_STORAGE, value);
    else localStorage.removeItem(KEY_STORAGE);
  },
  role: null,
  name: null,
  id: null,
};

const RANK = { read: 1, write: 2, admin: 3 };

export function can(role) {
  return session.role !== null && RANK[session.role] >= RANK[role];
}

export async function api(method, path, body) {
  const headers = { "Accept": "application/json" };
  if (session.key) headers["Authorization"] = `Bearer ${session.key}`;
  const options = { method, headers };
  if (body !== undefined) {
    headers["Content-Type"] = "application/json";
    options.body = JSON.stringify(body);
  }
  const response = await fetch(path, options);
  const text = await response.text();
  let data = null;
  try { data = text ? JSON.parse(text) : null; } catch (_) { data = null; }
  if (!response.ok) {
    const message = data && data.error ? data.error : `HTTP ${response.status}`;
    throw new ApiError(response.status, message, data && data.code || null, data && data.field || null);
  }
  return data;
}

export async function signIn(key) {
  session.key = key;
  try {
    const me = await api("GET", "/v1/keys/current");
    session.role = me.role;
    session.name = me.name;
    session.id = me.id;
    return me;
  } catch (error) {
    session.key = null;
    session.role = null;
    throw error;
  }
}

export function signOut() {
  session.key = null;
  session.role = null;
  session.name = null;
  session.id = null;
}
