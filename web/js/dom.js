// Elements built from data with textContent only: nothing a holder typed or
// the server sent is ever parsed as HTML.
export function el(tag, attributes = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === undefined || value === null || value === false) continue;
    if (name.startsWith('on')) node.addEventListener(name.slice(2), value);
    else node.setAttribute(name, value === true ? '' : String(value));
  }
  for (const child of children.flat()) {
    if (child === undefined || child === null) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

// A table from rows of cells; a number cell gets the number class.
export function table(headings, rows) {
  return el('table', {},
    el('thead', {}, el('tr', {}, headings.map((h) => el('th', {}, h)))),
    el('tbody', {}, rows.map((cells) => el('tr', {}, cells.map((c) =>
      c instanceof Node ? el('td', {}, c) :
        el('td', typeof c === 'number' ? { class: 'number' } : {}, c))))));
}

export function clear(node) {
  while (node.firstChild) node.firstChild.remove();
  return node;
}

// The page's one message line (errors the user must see); empty hides it.
export function showMessage(text) {
  const message = document.getElementById('message');
  message.textContent = text;
  message.hidden = !text;
}
