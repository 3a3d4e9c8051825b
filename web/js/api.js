// The API with the signed-in user's token; the token lives in this tab's
// session storage only (gone when the tab closes).
const TOKEN = 'cardd.token';

export class ApiError extends Error {
  constructor(status, code, message) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

export function token() {
  return sessionStorage.getItem(TOKEN) ?? '';
}

export function signIn(value) {
  sessionStorage.setItem(TOKEN, value);
}

export function signOut() {
  sessionStorage.clear();
}

async function request(method, path, body) {
  const response = await fetch(path, {
    method,
    headers: {
      Authorization: `Bearer ${token()}`,
      ...(body === undefined ? {} : { 'Content-Type': 'application/json' }),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (!response.ok) {
    let code = 'http';
    let message = `${response.status} ${response.statusText}`;
    try {
      const error = (await response.json()).error;
      code = error.code;
      message = error.message;
    } catch {
      // not the API's error body: the status says enough
    }
    throw new ApiError(response.status, code, message);
  }
  return response;
}

export async function get(path) {
  return (await request('GET', path)).json();
}

export async function post(path, body) {
  return (await request('POST', path, body ?? {})).json();
}

// An image the API serves behind the token, as a URL an <img> can show.
export async function imageUrl(path) {
  return URL.createObjectURL(await (await request('GET', path)).blob());
}
