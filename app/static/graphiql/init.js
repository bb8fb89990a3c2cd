// The GraphiQL page's bootstrap (app/graphiql.py loads it last, after React, GraphiQL and the
// explorer). A file of its own so the page's CSP can be `script-src 'self'`, with no inline script.
"use strict";

(function () {
  var NAMESPACE = "graphiql:";

  // An operation carries a password when an argument, input field, variable or variables key
  // named like one is followed by a colon: login(password:), changePassword(currentPassword:,
  // newPassword:), the registrations' input.password, `$password: String!`, {"password": …}.
  var CARRIES_PASSWORD = /password"?\s*:/i;
  // The value after such a name in the query text: a block string or a string.
  var PASSWORD_LITERAL = /(password\s*:\s*)("""[\s\S]*?"""|"(?:[^"\\\n]|\\.)*")/gi;

  function carriesPassword(query, variables) {
    return CARRIES_PASSWORD.test(query || "") || CARRIES_PASSWORD.test(variables || "");
  }

  function redactQuery(query) {
    return typeof query === "string" ? query.replace(PASSWORD_LITERAL, '$1""') : query;
  }

  // What GraphiQL may keep in localStorage, which outlives the tab and is readable by anyone at
  // the machine later. GraphiQL 3.8 stores the headers of every operation it runs in the
  // history (`graphiql:queries`) even with shouldPersistHeaders off, so the bearer token would
  // be kept; and the history and the tabs keep a login's password.
  // - headers: never stored (history entries and tabs lose theirs too);
  // - history and favourites: an operation that carries a password is not kept at all;
  // - the open tabs (restored on reload): password literals emptied, the variables of an
  //   operation that carries a password dropped, no responses (GraphiQL drops those itself).
  var lastQuery = "";

  function scrub(key, value) {
    var name = key.slice(NAMESPACE.length);
    if (name === "headers") {
      return null;
    }
    if (name === "query") {
      lastQuery = value || "";
      return redactQuery(value);
    }
    if (name === "variables") {
      return carriesPassword(lastQuery, value) ? null : value;
    }
    if (name === "queries" || name === "favorites") {
      var stored = JSON.parse(value);
      stored[name] = (stored[name] || [])
        .filter(function (entry) { return !carriesPassword(entry.query, entry.variables); })
        .map(function (entry) { return Object.assign({}, entry, { headers: undefined }); });
      return JSON.stringify(stored);
    }
    if (name === "tabState") {
      var state = JSON.parse(value);
      state.tabs = (state.tabs || []).map(function (tab) {
        return Object.assign({}, tab, {
          query: redactQuery(tab.query),
          variables: carriesPassword(tab.query, tab.variables) ? null : tab.variables,
          headers: null,
          response: null,
        });
      });
      return JSON.stringify(state);
    }
    return value;
  }

  function safeScrub(key, value) {
    try {
      return scrub(key, value);
    } catch (error) {
      return null; // a value we cannot read is not kept
    }
  }

  function storedKeys() {
    var keys = [];
    for (var i = 0; i < window.localStorage.length; i++) {
      var key = window.localStorage.key(i);
      if (key && key.indexOf(NAMESPACE) === 0) {
        keys.push(key);
      }
    }
    return keys;
  }

  function put(key, value) {
    var kept = safeScrub(key, value);
    if (kept === null || kept === undefined) {
      window.localStorage.removeItem(key);
    } else {
      window.localStorage.setItem(key, kept);
    }
  }

  // GraphiQL's Storage interface over localStorage, filtered.
  var storage = {
    getItem: function (key) { return window.localStorage.getItem(key); },
    setItem: put,
    removeItem: function (key) { window.localStorage.removeItem(key); },
    clear: function () { storedKeys().forEach(function (key) { window.localStorage.removeItem(key); }); },
    get length() { return storedKeys().length; },
  };

  // What an earlier page (strawberry's, with headers persisted) left behind is scrubbed too.
  storedKeys().forEach(function (key) { put(key, window.localStorage.getItem(key)); });

  var WELCOME = [
    "# 职称申报评审管理系统 GraphQL API",
    "#",
    "# 1. 登录：在这里运行（Ctrl-Enter 或上方 ▶ 按钮）",
    '#      mutation { login(login: "登录名", password: "密码") { token errors { code message } } }',
    "# 2. 把返回的 token 填入下方 Headers（请求头）：",
    '#      { "Authorization": "Bearer <token>" }',
    "# 3. 之后的查询都以该账号身份执行，例如 { me { loginName kind } }",
    "#",
    "# 请求头只留在本页，不写入浏览器存储；带密码的操作不进入历史记录。",
    "# 左侧 Docs（文档）列出每个类型和字段的说明；Ctrl-Space 补全。",
    "",
  ].join("\n");

  var fetcher = GraphiQL.createFetcher({
    url: window.location.pathname,
    // GraphQL over HTTP: errors before execution come back as 4xx in this media type; every
    // answer of the server, refusals included, is a GraphQL JSON body GraphiQL can show.
    headers: { Accept: "application/graphql-response+json, application/json" },
  });

  var root = ReactDOM.createRoot(document.getElementById("graphiql"));
  root.render(
    React.createElement(GraphiQL, {
      fetcher: fetcher,
      storage: storage,
      shouldPersistHeaders: false,
      isHeadersEditorEnabled: true,
      defaultEditorToolsVisibility: true,
      defaultQuery: WELCOME,
      inputValueDeprecation: true,
      plugins: [GraphiQLPluginExplorer.explorerPlugin()],
    }),
  );
})();
