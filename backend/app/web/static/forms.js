// Forms and buttons that call the JSON API: the page stays server-rendered, the API is the one
// place rules live. Errors come back as RFC 9457 problems; their `errors` (field path → message)
// are written next to the fields, anything else above the submit button.
//
//   <form data-api="/api/x" data-method="POST|PUT" data-next="reload|/path/{id}" data-done="text"
//         data-consent="/api/…/consent">  (optional: the escrow terms of the form's `milestones`, signed by
//         the wallet with eth_signTypedData_v4 and sent as `consent` — a proposal's consent)
//     inputs by name; data-kind="list" (comma-separated), "lines", "units" (token amount → base
//     units), "date" (→ end of that day, UTC), "days" (→ seconds); data-optional sends null when empty;
//     data-with="other" sends null unless field `other` is filled;
//     <fieldset data-rows="milestones"> with [data-row] groups → a list of objects.
//   <button data-post="/api/x" data-body='{…}' data-next="…" data-confirm="…">
//   <form data-upload="/api/threads/1/attachments"> with one file input (raw bytes, as the API takes).
//   <select data-token-select> with options carrying data-decimals and data-symbol: the form's amounts are in
//     the chosen token (its .token-symbol labels follow the choice); without one, in the page's token.
"use strict";

(() => {
  const body = document.body.dataset;

  // The token a form's amounts are typed in: its token select's choice, else the page's.
  function moneyOf(form) {
    const chosen = form && form.querySelector("select[data-token-select]");
    const option = chosen && chosen.selectedOptions[0];
    if (option) return { decimals: Number(option.dataset.decimals), symbol: option.dataset.symbol };
    return { decimals: Number(body.tokenDecimals), symbol: body.tokenSymbol };
  }

  document.addEventListener("change", (event) => {
    const select = event.target.closest("select[data-token-select]");
    if (!select) return;
    const { symbol } = moneyOf(select.form);
    select.form.querySelectorAll(".token-symbol").forEach((label) => {
      label.textContent = symbol;
    });
  });

  class FieldError extends Error {
    constructor(path, message) {
      super(message);
      this.path = path;
    }
  }

  function valueOf(input, path) {
    const raw = input.value;
    switch (input.dataset.kind) {
      case "list":
        return raw.split(",").map((s) => s.trim()).filter(Boolean);
      case "lines":
        return raw.split("\n").map((s) => s.trim()).filter(Boolean);
      case "units": {
        const money = moneyOf(input.form);
        if (!raw.trim()) {
          if (input.hasAttribute("data-optional")) return null;
          throw new FieldError(path, `Enter an amount in ${money.symbol}.`);
        }
        try {
          return Jiedan.toUnits(raw, money.decimals);
        } catch (error) {
          throw new FieldError(path, error.message);
        }
      }
      case "date":
        return raw ? `${raw}T23:59:59Z` : null;
      case "days": {
        if (!raw.trim()) {
          if (input.hasAttribute("data-optional")) return null;
          throw new FieldError(path, "Enter a number of days.");
        }
        const days = Number(raw);
        if (!(days > 0)) throw new FieldError(path, `"${raw.trim()}" is not a number of days above 0`);
        return Math.round(days * 86400);
      }
      default:
        return raw;
    }
  }

  function collect(form) {
    const data = {};
    const local = [];
    const read = (input, path) => {
      try {
        return valueOf(input, path);
      } catch (error) {
        if (!(error instanceof FieldError)) throw error;
        local.push({ path: error.path, msg: error.message });
        return undefined;
      }
    };
    for (const el of form.elements) {
      if (!el.name || el.type === "file" || el.closest("[data-rows]")) continue;
      if (el.dataset.with && !form.elements[el.dataset.with].value.trim()) {
        data[el.name] = null;
        continue;
      }
      data[el.name] = read(el, [el.name]);
    }
    form.querySelectorAll("[data-rows]").forEach((fieldset) => {
      const key = fieldset.dataset.rows;
      data[key] = [];
      fieldset.querySelectorAll("[data-row]").forEach((row, index) => {
        const item = {};
        row.querySelectorAll("input[name]").forEach((input) => {
          item[input.name] = read(input, [key, index, input.name]);
        });
        if (Object.values(item).some((v) => v !== "" && v !== undefined)) data[key].push(item);
      });
    });
    return { data, local };
  }

  function inputAt(form, path) {
    if (path.length >= 3 && typeof path[1] === "number") {
      const rows = form.querySelectorAll(`[data-rows="${path[0]}"] [data-row]`);
      const row = rows[path[1]];
      return row ? row.querySelector(`[name="${path[2]}"]`) : null;
    }
    return form.querySelector(`[name="${path[0]}"]`);
  }

  function clearErrors(form) {
    form.querySelectorAll("[data-error-for]").forEach((el) => (el.textContent = ""));
    form.querySelectorAll("[aria-invalid]").forEach((el) => el.removeAttribute("aria-invalid"));
    const general = form.querySelector(".form-error");
    if (general) {
      general.textContent = "";
      general.classList.remove("ok");
    }
  }

  function describe(rest) {
    // ["milestones", 0, "amount"] → "Milestone 1, amount: "
    if (rest.length >= 2 && typeof rest[0] === "number") return `Item ${rest[0] + 1}, ${rest.slice(1).join(" ")}: `;
    if (rest.length && typeof rest[0] === "number") return `Item ${rest[0] + 1}: `;
    return rest.length ? `${rest.join(" ")}: ` : "";
  }

  // Each error goes to the closest [data-error-for] of its path; returns those with no place.
  function showErrors(form, errors) {
    const unplaced = [];
    let first = null;
    for (const { path, msg } of errors) {
      let placed = false;
      for (let k = path.length; k >= 1 && !placed; k -= 1) {
        const target = form.querySelector(`[data-error-for="${path.slice(0, k).join("-")}"]`);
        if (target) {
          const text = describe(path.slice(k)) + msg;
          target.textContent = target.textContent ? `${target.textContent} ${text}` : text;
          placed = true;
        }
      }
      const input = inputAt(form, path);
      if (input) {
        input.setAttribute("aria-invalid", "true");
        first = first || input;
      }
      if (!placed) unplaced.push(msg);
    }
    if (first) first.focus();
    return unplaced;
  }

  function problemText(error) {
    if (error && error.status === 401) return "Sign in with your wallet first (the Sign in button at the top).";
    return Jiedan.walletError(error);
  }

  function go(next, result) {
    if (!next) return false;
    if (next === "reload") {
      window.location.reload();
      return true;
    }
    const url = next.replace(/\{(\w+)\}/g, (_, key) => encodeURIComponent(result && result[key] !== undefined ? result[key] : ""));
    window.location.assign(url);
    return true;
  }

  function say(form, text, ok) {
    const general = form.querySelector(".form-error");
    if (general) {
      general.textContent = text;
      general.classList.toggle("ok", Boolean(ok));
    } else {
      Jiedan.status(text, !ok);
    }
  }

  async function submitForm(form, submitter) {
    clearErrors(form);
    const { data, local } = collect(form);
    if (local.length) {
      showErrors(form, local);
      return;
    }
    const path = (submitter && submitter.dataset.apiOverride) || form.dataset.api;
    const buttons = form.querySelectorAll("button[type=submit]");
    buttons.forEach((b) => (b.disabled = true));
    try {
      if (form.dataset.consent) data.consent = await Jiedan.signConsent(form.dataset.consent, { milestones: data.milestones });
      const result = await Jiedan.request(form.dataset.method || "POST", path, data);
      if (!go(form.dataset.next, result)) {
        say(form, form.dataset.done || "Saved.", true);
        form.reset();
      }
    } catch (error) {
      const errors = (error.problem && error.problem.errors) || [];
      const fields = errors.map((e) => ({ path: e.loc[0] === "body" ? e.loc.slice(1) : e.loc, msg: e.msg }));
      const unplaced = fields.length ? showErrors(form, fields) : [problemText(error)];
      if (unplaced.length) say(form, unplaced.join(" "), false);
    } finally {
      buttons.forEach((b) => (b.disabled = false));
    }
  }

  async function upload(form) {
    clearErrors(form);
    const input = form.querySelector("input[type=file]");
    const file = input.files[0];
    if (!file) {
      say(form, "Choose a file first.", false);
      return;
    }
    const button = form.querySelector("button[type=submit]");
    button.disabled = true;
    try {
      const response = await fetch(`${form.dataset.upload}?filename=${encodeURIComponent(file.name)}`, {
        method: "POST",
        headers: { "Content-Type": "application/octet-stream", Accept: "application/json" },
        body: file,
      });
      const data = await response.json();
      if (!response.ok) throw Object.assign(new Error(data.detail || data.title), { problem: data, status: response.status });
      window.location.reload();
    } catch (error) {
      say(form, problemText(error), false);
    } finally {
      button.disabled = false;
    }
  }

  document.addEventListener("submit", (event) => {
    const form = event.target;
    if (form.dataset.api) {
      event.preventDefault();
      submitForm(form, event.submitter);
    } else if (form.dataset.upload) {
      event.preventDefault();
      upload(form);
    }
  });

  document.addEventListener("click", async (event) => {
    const add = event.target.closest("[data-add-row]");
    if (add) {
      const fieldset = add.closest("[data-rows]");
      const rows = fieldset.querySelectorAll("[data-row]");
      const row = rows[rows.length - 1].cloneNode(true);
      row.querySelectorAll("input").forEach((input) => {
        input.value = "";
        input.removeAttribute("aria-invalid");
      });
      add.before(row);
      row.querySelector("input").focus();
      return;
    }
    const remove = event.target.closest("[data-remove-row]");
    if (remove) {
      const row = remove.closest("[data-row]");
      if (row.parentElement.querySelectorAll("[data-row]").length > 1) row.remove();
      else row.querySelectorAll("input").forEach((input) => (input.value = ""));
      return;
    }
    const button = event.target.closest("button[data-post]");
    if (!button) return;
    if (button.dataset.confirm && !window.confirm(button.dataset.confirm)) return;
    button.disabled = true;
    try {
      const result = await Jiedan.api(button.dataset.post, JSON.parse(button.dataset.body || "{}"));
      if (!go(button.dataset.next, result)) Jiedan.status("Done.");
    } catch (error) {
      Jiedan.status(problemText(error), true);
    } finally {
      button.disabled = false;
    }
  });
})();
