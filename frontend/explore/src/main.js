// /explore: the user's ego network, drawn with cytoscape.js. Everything comes from the
// public GraphQL API with the user's token; nothing is loaded from anywhere else.
//
// Contacts sit on rings around the user (stronger ties nearer the centre), sized by
// the tie's strength and coloured by community; contact-to-contact ties are drawn
// weighted by their strength. Clicking a contact (or picking one from the search)
// shows its strength's parts, the people you both know and the best introduction
// path, highlighted on the graph.
import cytoscape from "cytoscape";

import "./explore.css";

const config = JSON.parse(document.getElementById("explore-config").textContent);
const endpoint = new URL(config.endpoint, window.location.href).href;
const EGO = "ego";
const PALETTE = [
  "#4e79a7", "#f28e2b", "#59a14f", "#e15759", "#76b7b2", "#edc948",
  "#b07aa1", "#ff9da7", "#9c755f", "#86bcb6", "#d37295", "#a0cbe8",
];
const NO_COMMUNITY = "#9aa0a6";

const OVERVIEW = `
query ExploreOverview {
  me { fullName email }
  networkStats { contacts relationships communities }
  communities { id size label }
}`;

const PAGE = `
query ExploreContacts($first: Int!, $after: String, $connections: Int!) {
  contacts(first: $first, after: $after, orderBy: STRENGTH_DESC) {
    totalCount
    pageInfo { hasNextPage endCursor }
    edges { node {
      id fullName company
      strength { score }
      metrics { communityId }
      connections(first: $connections) {
        edges { node { id } relationship { id type strength } }
      }
    } }
  }
}`;

const DETAILS = `
query ExploreContact($id: ID!) {
  contact(id: $id) {
    id fullName company jobTitle location
    strength { score recency frequency reciprocity interactionCount lastInteractionAt }
    metrics { degree pagerank betweenness communityId }
    connections(first: 10) {
      totalCount
      edges { node { id fullName } relationship { strength } }
    }
  }
  introductionPaths(to: $id, first: 1) {
    length weakestLink strengths
    contacts { id fullName }
  }
}`;

const SEARCH = `
query ExploreSearch($text: String!) {
  contacts(first: 8, filter: { search: $text }, orderBy: STRENGTH_DESC) {
    edges { node { id fullName company } }
  }
}`;

class ApiError extends Error {
  constructor(message, code) {
    super(message);
    this.code = code;
  }
}

let token = config.token ?? null;

async function graphql(query, variables = {}) {
  const response = await fetch(endpoint, {
    method: "POST",
    headers: {
      "Content-Type": "application/json",
      Accept: "application/graphql-response+json, application/json",
      Authorization: `Bearer ${token}`,
    },
    body: JSON.stringify({ query, variables }),
  });
  let body;
  try {
    body = await response.json();
  } catch {
    throw new ApiError(`the API answered HTTP ${response.status}`, "BAD_RESPONSE");
  }
  if (body.errors?.length) {
    const [first] = body.errors;
    throw new ApiError(first.message, first.extensions?.code);
  }
  return body.data;
}

// -- the page's parts ------------------------------------------------------------------

const $ = (id) => document.getElementById(id);
const status = $("status");
const details = $("details");
const search = $("search");
const results = $("results");

function element(tag, attributes = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (name === "class") node.className = value;
    else if (name.startsWith("on")) node.addEventListener(name.slice(2), value);
    else node.setAttribute(name, value);
  }
  node.append(...children.filter((child) => child !== null && child !== undefined));
  return node;
}

const fixed = (value, digits = 2) => Number(value).toFixed(digits);

function showLogin(message = "") {
  $("login").hidden = false;
  $("login-error").textContent = message;
  status.textContent = message ? "Not signed in" : "Paste a bearer token to open your network";
  $("token").focus();
}

$("login").addEventListener("submit", (event) => {
  event.preventDefault();
  const value = $("token").value.trim();
  if (!value) return;
  token = value;
  $("login").hidden = true;
  load().catch(failed);
});

function failed(error) {
  if (error.code === "UNAUTHENTICATED") {
    showLogin(error.message);
    return;
  }
  status.textContent = `Error: ${error.message}${error.code ? ` (${error.code})` : ""}`;
  status.classList.add("error");
}

// -- the graph -------------------------------------------------------------------------

const cy = cytoscape({
  container: $("graph"),
  wheelSensitivity: 0.3,
  minZoom: 0.05,
  maxZoom: 4,
  style: [
    {
      selector: "node",
      style: {
        width: "data(size)",
        height: "data(size)",
        "background-color": "data(color)",
        "border-width": 1,
        "border-color": "#ffffff",
        label: "data(label)",
        "font-size": 9,
        color: "#30343b",
        "text-valign": "bottom",
        "text-margin-y": 2,
        "min-zoomed-font-size": 7,
      },
    },
    {
      selector: `#${EGO}`,
      style: {
        "background-color": "#202124",
        shape: "star",
        "font-size": 12,
        "font-weight": "bold",
        "min-zoomed-font-size": 0,
      },
    },
    {
      selector: "edge",
      style: {
        width: "data(width)",
        "line-color": "#8b93a1",
        opacity: "data(opacity)",
        "curve-style": "haystack",
      },
    },
    { selector: "edge.tie", style: { "line-color": "#c4c9d1", opacity: 0.12 } },
    { selector: ".faded", style: { opacity: 0.12 } },
    { selector: "edge.faded", style: { opacity: 0.04 } },
    {
      selector: "node.focus",
      style: { "border-width": 4, "border-color": "#202124", "font-size": 13, "z-index": 10 },
    },
    {
      selector: "node.mutual",
      style: { "border-width": 3, "border-color": "#5f6368", "min-zoomed-font-size": 0 },
    },
    { selector: "edge.mutual", style: { opacity: 0.7, "line-color": "#5f6368" } },
    {
      selector: "node.path",
      style: {
        "border-width": 4,
        "border-color": "#d93025",
        "min-zoomed-font-size": 0,
        "font-weight": "bold",
        "z-index": 20,
      },
    },
    {
      selector: "edge.path",
      style: {
        "line-color": "#d93025",
        opacity: 1,
        width: 4,
        "curve-style": "straight",
        "z-index": 20,
      },
    },
  ],
});
// for the DevTools console and the browser tests
window.explore = { cy };

const communityColors = new Map();

function colorOf(communityId) {
  return communityColors.get(communityId) ?? NO_COMMUNITY;
}

function contactNode(contact) {
  const score = contact.strength?.score ?? 0;
  return {
    group: "nodes",
    data: {
      id: contact.id,
      label: contact.fullName,
      company: contact.company ?? "",
      score,
      community: contact.metrics?.communityId ?? null,
      size: 10 + 34 * score,
      color: colorOf(contact.metrics?.communityId ?? null),
    },
  };
}

function tieEdge(contactId, score) {
  return {
    group: "edges",
    classes: "tie",
    data: {
      id: `tie-${contactId}`,
      source: EGO,
      target: contactId,
      strength: score,
      width: 0.5 + 3 * score,
      opacity: 0.12,
    },
  };
}

function relationshipEdge(a, b, relationship) {
  return {
    group: "edges",
    data: {
      id: relationship.id,
      source: a,
      target: b,
      type: relationship.type,
      strength: relationship.strength,
      width: 0.5 + 5 * relationship.strength,
      opacity: 0.2 + 0.6 * relationship.strength,
    },
  };
}

function drawLegend(communities, shown) {
  const legend = $("legend");
  legend.replaceChildren(element("h3", {}, "Communities"));
  const list = element("ul", { class: "legend" });
  for (const community of communities.slice(0, PALETTE.length)) {
    list.append(
      element(
        "li",
        {},
        element("span", { class: "swatch", style: `background:${colorOf(community.id)}` }),
        `${community.label ?? `community ${community.id}`} (${community.size})`,
      ),
    );
  }
  if (communities.length > PALETTE.length) {
    list.append(
      element(
        "li",
        {},
        element("span", { class: "swatch", style: `background:${NO_COMMUNITY}` }),
        `${communities.length - PALETTE.length} smaller ones`,
      ),
    );
  }
  legend.append(list);
  legend.append(
    element(
      "p",
      { class: "hint" },
      `Size: your tie's strength. Lines: ties between contacts, thicker when stronger. ` +
        `Showing the ${shown} strongest ties of yours. Click a contact for details.`,
    ),
  );
}

async function load() {
  status.classList.remove("error");
  status.textContent = "Loading your network…";
  const overview = await graphql(OVERVIEW);
  // communities come largest first: the largest get the palette's colours
  overview.communities.forEach((community, index) => {
    if (index < PALETTE.length) communityColors.set(community.id, PALETTE[index]);
  });

  const contacts = [];
  const relationships = new Map();
  let after = null;
  let total = 0;
  while (contacts.length < config.maxContacts) {
    const page = await graphql(PAGE, {
      first: Math.min(100, config.maxContacts - contacts.length),
      after,
      connections: config.connectionsPerContact,
    });
    total = page.contacts.totalCount;
    for (const { node } of page.contacts.edges) {
      contacts.push(node);
      for (const edge of node.connections.edges) {
        relationships.set(edge.relationship.id, [node.id, edge.node.id, edge.relationship]);
      }
    }
    status.textContent = `Loading your network… ${contacts.length} of ${total} contacts`;
    if (!page.contacts.pageInfo.hasNextPage) break;
    after = page.contacts.pageInfo.endCursor;
  }

  const drawn = new Set(contacts.map((contact) => contact.id));
  const me = overview.me.fullName || overview.me.email;
  // grouped by community, so each community is a sector of every ring
  contacts.sort(
    (a, b) =>
      (a.metrics?.communityId ?? 1e9) - (b.metrics?.communityId ?? 1e9) ||
      a.fullName.localeCompare(b.fullName),
  );
  const elements = [
    { group: "nodes", data: { id: EGO, label: me, size: 40, color: "#202124", score: 1 } },
  ];
  for (const contact of contacts) {
    elements.push(contactNode(contact), tieEdge(contact.id, contact.strength.score));
  }
  let ties = 0;
  for (const [a, b, relationship] of relationships.values()) {
    if (drawn.has(a) && drawn.has(b)) {
      elements.push(relationshipEdge(a, b, relationship));
      ties += 1;
    }
  }
  cy.elements().remove();
  cy.add(elements);
  cy.layout({
    name: "concentric",
    // rings by strength: the user at the centre, then a ring per tenth of strength
    concentric: (node) => (node.id() === EGO ? 11 : Math.round(node.data("score") * 10)),
    levelWidth: () => 1,
    minNodeSpacing: 6,
    animate: false,
  }).run();
  cy.fit(undefined, 30);

  drawLegend(overview.communities, contacts.length);
  status.textContent =
    `${contacts.length} of ${total} contacts drawn (your strongest ties) · ` +
    `${ties} ties between them · ${overview.networkStats.communities} communities`;
  search.disabled = false;
  document.body.dataset.state = "ready";
}

// -- a contact: its strength, the people you both know, the best introduction path ----

let selecting = 0;

function clearHighlights() {
  cy.elements().removeClass("focus mutual path faded");
}

function edgeBetween(a, b) {
  if (a === EGO) return cy.getElementById(`tie-${b}`);
  return cy.getElementById(a).edgesWith(cy.getElementById(b));
}

function ensureNode(contact, near) {
  // a path may pass through someone beyond the strongest ties drawn: add them
  let node = cy.getElementById(contact.id);
  if (node.empty()) {
    const position = near.nonempty() ? near.position() : { x: 0, y: 0 };
    node = cy.add({
      group: "nodes",
      data: { id: contact.id, label: contact.fullName, size: 10, color: NO_COMMUNITY, score: 0 },
      position: { x: position.x + 40, y: position.y + 40 },
    });
  }
  return node;
}

function bar(name, value) {
  return element(
    "div",
    { class: "part" },
    element("span", { class: "part-name" }, name),
    element(
      "span",
      { class: "part-bar" },
      element("span", { style: `width:${Math.round(value * 100)}%` }),
    ),
    element("span", { class: "part-value", "data-part": name }, fixed(value)),
  );
}

function renderDetails(contact, path) {
  const { strength, metrics } = contact;
  const role = [contact.jobTitle, contact.company].filter(Boolean).join(" · ");
  const last = strength.lastInteractionAt
    ? new Date(strength.lastInteractionAt).toLocaleDateString()
    : "never";
  const mutual = element("ul", { class: "people", id: "mutual" });
  for (const edge of contact.connections.edges) {
    mutual.append(
      element(
        "li",
        {},
        element(
          "a",
          { href: "#", "data-id": edge.node.id, onclick: pick(edge.node.id) },
          edge.node.fullName,
        ),
        ` ${fixed(edge.relationship.strength)}`,
      ),
    );
  }
  let pathSection;
  if (path) {
    const steps = element("ol", { class: "path", id: "path" });
    steps.append(element("li", {}, "You"));
    path.contacts.forEach((step, index) => {
      steps.append(
        element("li", { "data-id": step.id }, `${step.fullName} `, element("small", {}, fixed(path.strengths[index]))),
      );
    });
    pathSection = element(
      "div",
      {},
      element("h3", {}, "Best introduction"),
      steps,
      element("p", { class: "hint" }, `${path.length} hops; weakest link ${fixed(path.weakestLink)}`),
    );
  } else {
    pathSection = element(
      "div",
      {},
      element("h3", {}, "Best introduction"),
      element("p", { class: "hint", id: "path" }, "No introduction path within 3 hops."),
    );
  }
  details.replaceChildren(
    element("h2", {}, contact.fullName),
    role ? element("p", { class: "role" }, role) : null,
    element("h3", {}, `Your tie: ${fixed(strength.score)}`),
    element(
      "div",
      { class: "parts", id: "strength" },
      bar("recency", strength.recency),
      bar("frequency", strength.frequency),
      bar("reciprocity", strength.reciprocity),
    ),
    element(
      "p",
      { class: "hint" },
      `${strength.interactionCount} interactions; last ${last}`,
    ),
    metrics
      ? element(
          "p",
          { class: "hint" },
          `degree ${metrics.degree} · PageRank ${fixed(metrics.pagerank, 4)} · betweenness ${fixed(metrics.betweenness, 4)}`,
        )
      : null,
    element("h3", {}, `People you both know (${contact.connections.totalCount ?? contact.connections.edges.length})`),
    contact.connections.edges.length ? mutual : element("p", { class: "hint" }, "None yet."),
    pathSection,
  );
  details.hidden = false;
}

function highlight(contact, path) {
  clearHighlights();
  const focus = cy.getElementById(contact.id);
  const lit = cy.collection();
  if (focus.nonempty()) lit.merge(focus);
  for (const edge of contact.connections.edges) {
    const other = cy.getElementById(edge.node.id);
    if (other.nonempty() && focus.nonempty()) {
      other.addClass("mutual");
      lit.merge(other).merge(focus.edgesWith(other).addClass("mutual"));
    }
  }
  if (path) {
    let previous = cy.getElementById(EGO).addClass("path");
    lit.merge(previous);
    let previousId = EGO;
    for (const step of path.contacts) {
      const node = ensureNode(step, previous).addClass("path");
      let edge = edgeBetween(previousId, step.id);
      if (edge.empty()) {
        edge = cy.add({
          group: "edges",
          data: { id: `path-${previousId}-${step.id}`, source: previousId, target: step.id, width: 1, opacity: 1 },
        });
      }
      edge.addClass("path");
      lit.merge(node).merge(edge);
      previous = node;
      previousId = step.id;
    }
  }
  cy.elements().difference(lit).addClass("faded");
  focus.addClass("focus");
  // bring what is lit into view, without zooming in further than reads well
  if (lit.nonempty()) {
    cy.fit(lit, 60);
    if (cy.zoom() > 1.5) {
      cy.zoom(1.5);
      cy.center(lit);
    }
  }
}

async function select(id) {
  const ticket = ++selecting;
  status.textContent = "Loading the contact…";
  const data = await graphql(DETAILS, { id });
  if (ticket !== selecting) return; // a later click won
  const path = data.introductionPaths[0] ?? null;
  renderDetails(data.contact, path);
  highlight(data.contact, path);
  status.textContent = data.contact.fullName;
  details.dataset.contact = id;
}

function pick(id) {
  return (event) => {
    event.preventDefault();
    results.hidden = true;
    select(id).catch(failed);
  };
}

cy.on("tap", "node", (event) => {
  const id = event.target.id();
  if (id === EGO) return;
  select(id).catch(failed);
});
cy.on("tap", (event) => {
  if (event.target === cy) {
    clearHighlights();
    details.hidden = true;
  }
});

// -- search ----------------------------------------------------------------------------

let searchTimer = null;
let searching = 0;

search.addEventListener("input", () => {
  clearTimeout(searchTimer);
  const text = search.value.trim();
  if (!text) {
    results.hidden = true;
    return;
  }
  searchTimer = setTimeout(() => runSearch(text).catch(failed), 150);
});

search.addEventListener("keydown", (event) => {
  if (event.key === "Enter") {
    event.preventDefault();
    results.querySelector("a")?.click();
  } else if (event.key === "Escape") {
    results.hidden = true;
  }
});

async function runSearch(text) {
  const ticket = ++searching;
  const data = await graphql(SEARCH, { text });
  if (ticket !== searching) return;
  results.replaceChildren();
  for (const { node } of data.contacts.edges) {
    results.append(
      element(
        "li",
        { role: "option" },
        element(
          "a",
          { href: "#", "data-id": node.id, onclick: pick(node.id) },
          node.fullName,
          node.company ? element("small", {}, ` ${node.company}`) : null,
        ),
      ),
    );
  }
  if (!data.contacts.edges.length) results.append(element("li", { class: "hint" }, "No match"));
  results.hidden = false;
}

// -- start -----------------------------------------------------------------------------

if (token) load().catch(failed);
else showLogin();
