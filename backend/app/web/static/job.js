// Job page: offers the escrow actions the connected wallet may take now (asked from the API,
// which applies the escrow's rules to the indexed state), sends them through the wallet, waits
// until the indexer has seen the block, then shows the new state.
"use strict";

(() => {
  const section = document.getElementById("job");
  const jobId = Number(section.dataset.jobId);
  const body = document.body.dataset;
  const decimals = Number(body.tokenDecimals);
  const params = new URLSearchParams(window.location.search);
  const DONE_KEY = `jiedan:job:${jobId}:done`;

  const LABELS = {
    fund: "Fund the next milestone",
    cancel_unfunded: "Cancel unfunded milestones",
    submit: "Submit this milestone",
    approve: "Approve and pay",
    release: "Release payment",
    reclaim: "Reclaim the funds",
    dispute: "Open a dispute",
    resolve: "Rule",
    default_ruling: "Apply the default ruling (50/50)",
    rate: "Rate",
    propose_extension: "Propose a later deadline (延期)",
    propose_deduction: "Propose a deduction (扣款验收)",
    propose_milestones: "Propose a milestone",
  };
  const ROUTES = {
    cancel_unfunded: "cancel-unfunded",
    default_ruling: "default-ruling",
    extend_deadline: "extend-deadline",
    add_milestones: "add-milestones",
    deduction: "accept-with-deduction",
  };
  const DONE = {
    fund: "Funded: the next milestone is in escrow.",
    cancel_unfunded: "The unfunded milestones are cancelled.",
    submit: (m) => `Milestone ${m + 1} submitted: the review period runs.`,
    approve: (m) => `Milestone ${m + 1} approved: the freelancer is paid.`,
    release: (m) => `Milestone ${m + 1} released: the freelancer is paid.`,
    reclaim: (m) => `Milestone ${m + 1} reclaimed: the funds went back to the client.`,
    dispute: (m) => `Milestone ${m + 1} is disputed: the arbiter rules next.`,
    resolve: (m) => `Milestone ${m + 1} ruled.`,
    default_ruling: (m) => `Milestone ${m + 1} split evenly by the default ruling.`,
    rate: "Your rating is on-chain.",
    settle: "The job is settled.",
    extend_deadline: (m) => `Milestone ${m + 1}'s deadline is extended.`,
    add_milestones: "The milestones are added to the job.",
    deduction: (m) => `Milestone ${m + 1} is accepted with the deduction both signed.`,
  };
  const DAY = 86400;

  function el(tag, attrs = {}, text = "") {
    const node = document.createElement(tag);
    for (const [key, value] of Object.entries(attrs)) node.setAttribute(key, value);
    if (text) node.textContent = text;
    return node;
  }

  async function waitForIndexer(blockNumber) {
    for (;;) {
      const response = await fetch("/health");
      const health = await response.json();
      if (health.indexer && health.indexer.checkpoint >= blockNumber) return;
      await Jiedan.sleep(250);
    }
  }

  async function perform(action, milestone, extra, label) {
    const payload = { sender: Jiedan.account, job_id: jobId, ...extra };
    if (milestone !== null && milestone !== undefined) payload.milestone = milestone;
    const tx = await Jiedan.api(`/api/tx/${ROUTES[action] || action}`, payload);
    const receipt = await Jiedan.send(tx, label);
    Jiedan.status(`${label}: confirmed on chain; waiting for the indexer…`);
    await waitForIndexer(parseInt(receipt.blockNumber, 16));
    const done = DONE[action];
    sessionStorage.setItem(DONE_KEY, typeof done === "function" ? done(milestone) : done);
    window.location.reload();
  }

  async function ensureAllowance(amount) {
    const position = await Jiedan.api(`/api/wallets/${Jiedan.account}/token?token=${body.token}`);
    if (BigInt(position.balance) < amount) {
      throw new Error(`You hold ${Jiedan.formatUnits(position.balance, decimals)} ${body.tokenSymbol}; ` +
        `funding needs ${Jiedan.formatUnits(amount, decimals)} ${body.tokenSymbol}.`);
    }
    if (!position.native && BigInt(position.allowance) < amount) {  // the chain's own currency rides on the call
      const tx = await Jiedan.api("/api/tx/token-approve", {
        owner: Jiedan.account,
        amount: amount.toString(),
        token: body.token,
      });
      await Jiedan.send(tx, `Allow the escrow to take ${Jiedan.formatUnits(amount, decimals)} ${body.tokenSymbol}`);
    }
  }

  function button(action, milestone, onClick) {
    const b = el("button", { type: "button", class: `action action-${action}`, "data-action": action }, LABELS[action]);
    b.addEventListener("click", async () => {
      b.disabled = true;
      try {
        await onClick();
      } catch (error) {
        Jiedan.status(Jiedan.walletError(error), true);
        b.disabled = false;
      }
    });
    return b;
  }

  function milestoneControls(action, milestone, job) {
    const label = `${LABELS[action]} (milestone ${milestone + 1})`;
    const box = el("div", { class: "control" });
    if (action === "submit") {
      const id = `deliverable-${milestone}`;
      const input = el("input", { id, placeholder: "0x… deliverable hash", pattern: "0x[0-9a-fA-F]{64}" });
      if (params.get("deliverable") && Number(params.get("milestone") || 0) === milestone) {
        input.value = params.get("deliverable");
      }
      box.append(el("label", { for: id }, "Deliverable hash"), input);
      box.append(button(action, milestone, () => perform(action, milestone, { deliverable_hash: input.value.trim() }, label)));
    } else if (action === "propose_extension") {
      const id = `extend-${milestone}`;
      const input = el("input", { id, type: "number", min: "1", step: "1", value: "7" });
      box.append(el("label", { for: id }, "More days"), input);
      box.append(button(action, milestone, () => propose({
        kind: "extend_deadline", milestone,
        new_duration: job.milestones[milestone].duration + Math.round(Number(input.value) * DAY),
      }, `A deadline ${input.value} days later for milestone ${milestone + 1}`)));
    } else if (action === "propose_deduction") {
      const id = `deduct-${milestone}`;
      const input = el("input", { id, type: "number", min: "0", max: "100", step: "0.01", value: "80" });
      box.append(el("label", { for: id }, "Freelancer gets (%)"), input);
      box.append(button(action, milestone, () => propose({
        kind: "deduction", milestone, freelancer_bps: Math.round(Number(input.value) * 100),
      }, `Milestone ${milestone + 1} accepted at ${input.value}%`)));
    } else if (action === "resolve") {
      const id = `ruling-${milestone}`;
      const input = el("input", { id, type: "number", min: "0", max: "100", step: "0.01", value: "50" });
      box.append(el("label", { for: id }, "Freelancer's share (%)"), input);
      box.append(button(action, milestone, () =>
        perform(action, milestone, { freelancer_bps: Math.round(Number(input.value) * 100) }, label)));
    } else {
      box.append(button(action, milestone, () => perform(action, milestone, {}, label)));
    }
    return box;
  }

  function jobControls(action, job) {
    const box = el("div", { class: "control" });
    if (action === "fund") {
      const next = job.milestones[job.funded_count];
      box.append(button(action, null, async () => {
        await ensureAllowance(BigInt(next.amount));
        await perform(action, null, { count: 1 }, LABELS.fund);
      }));
    } else if (action === "propose_milestones") {
      const amount = el("input", { id: "add-amount", inputmode: "decimal", placeholder: `Amount in ${body.tokenSymbol}` });
      const days = el("input", { id: "add-days", type: "number", min: "1", step: "1", value: "14" });
      box.append(el("label", { for: "add-amount" }, `New milestone (${body.tokenSymbol})`), amount);
      box.append(el("label", { for: "add-days" }, "Due in (days from now)"), days);
      box.append(button(action, null, async () => {
        // Durations count from the job's start: the chain's clock says how long ago that was.
        const latest = await window.ethereum.request({ method: "eth_getBlockByNumber", params: ["latest", false] });
        const since = parseInt(latest.timestamp, 16) - Math.floor(Date.parse(job.created_at) / 1000);
        const milestones = [{ amount: Jiedan.toUnits(amount.value, decimals), duration: since + Math.round(Number(days.value) * DAY) }];
        // The client funds, when it agrees, every milestone not funded yet (this one included).
        const fundCount = job.milestone_count + milestones.length - job.funded_count;
        await propose({ kind: "add_milestones", milestones, fund_count: fundCount },
          `A milestone of ${amount.value} ${body.tokenSymbol}`);
      }));
    } else if (action === "rate") {
      box.append(el("label", { for: "rate-score" }, "Your rating (1–5)"));
      const score = el("select", { id: "rate-score" });
      for (let s = 5; s >= 1; s -= 1) score.append(el("option", { value: String(s) }, String(s)));
      const comment = el("input", { id: "rate-comment", maxlength: "2000" });
      box.append(score, el("label", { for: "rate-comment" }, "Comment"), comment);
      box.append(button(action, null, () =>
        perform(action, null, { score: Number(score.value), comment: comment.value }, LABELS.rate)));
    } else {
      box.append(button(action, null, () => perform(action, null, {}, LABELS[action])));
    }
    return box;
  }

  async function showSettlement(job) {
    const panel = document.getElementById("settlement");
    const isParty = Jiedan.sameAddress(Jiedan.account, job.client) || Jiedan.sameAddress(Jiedan.account, job.freelancer);
    panel.hidden = !(isParty && job.status === "active");
    if (panel.hidden) return;
    const signatures = await Jiedan.api(`/api/jobs/${jobId}/settlement-signatures`);
    const list = document.getElementById("settlement-signatures");
    list.replaceChildren(...signatures.map((s) =>
      el("li", {}, `${s.role} signed a ${s.freelancer_bps / 100}% split for the freelancer (nonce ${s.nonce}, ` +
        `good until ${new Date(s.expiry * 1000).toISOString().slice(0, 16).replace("T", " ")} UTC)`)));
    const bps = Math.round(Number(document.getElementById("settle-percent").value) * 100);
    const byExpiry = new Map();
    for (const s of signatures.filter((x) => x.freelancer_bps === bps)) {
      byExpiry.set(s.expiry, (byExpiry.get(s.expiry) || new Set()).add(s.role));
    }
    const both = [...byExpiry.values()].some((roles) => roles.has("client") && roles.has("freelancer"));
    document.getElementById("settle-submit").hidden = !both;
  }

  // Propose an amendment: sign it (EIP-712, at the job's nonce) and leave the signature for the other party.
  async function propose(change, what) {
    const signer = Jiedan.account;
    const typed = await Jiedan.api(`/api/jobs/${jobId}/amendments/payload`, { ...change, signer });
    const signature = await Jiedan.signTyped(typed, "Sign the amendment");
    await Jiedan.api(`/api/jobs/${jobId}/amendments`, { ...change, signer, expiry: Number(typed.message.expiry), signature });
    Jiedan.status(`${what}: proposed and signed. The other party agrees by sending it.`);
    await render();
  }

  function describe(a) {
    const share = (bps) => `${bps / 100}%`;
    if (a.kind === "extend_deadline") {
      return `milestone ${a.milestone + 1} due ${new Date((Date.parse(jobState.created_at) / 1000 + a.new_duration) * 1000)
        .toISOString().slice(0, 16).replace("T", " ")} UTC (延期)`;
    }
    if (a.kind === "deduction") return `milestone ${a.milestone + 1} accepted with ${share(a.freelancer_bps)} to the freelancer (扣款验收)`;
    const total = a.milestones.reduce((sum, m) => sum + BigInt(m.amount), 0n);
    return `${a.milestones.length} more milestone(s), ${Jiedan.formatUnits(total, decimals)} ${body.tokenSymbol}; ` +
      `the client funds ${Jiedan.formatUnits(a.funding, decimals)} ${body.tokenSymbol} when sending it`;
  }

  let jobState = null;

  async function showAmendments(job) {
    const panel = document.getElementById("amendments");
    const amendments = job.status === "active" ? await Jiedan.api(`/api/jobs/${jobId}/amendments`) : [];
    panel.hidden = amendments.length === 0;
    const list = document.getElementById("amendment-list");
    list.replaceChildren(...amendments.map((a) => {
      const item = el("li", { class: "amendment", "data-kind": a.kind }, `The ${a.role} proposes ${describe(a)}. `);
      if (Jiedan.sameAddress(Jiedan.account, a.sender)) {
        const params = { ...a };
        for (const key of ["kind", "signer", "role", "sender", "nonce", "expiry", "signature", "funding", "signed_at"]) delete params[key];
        for (const key of Object.keys(params)) if (params[key] === null) delete params[key];
        const agree = el("button", { type: "button", class: "agree" }, "Agree and send");
        agree.addEventListener("click", async () => {
          agree.disabled = true;
          try {
            if (a.kind === "add_milestones" && BigInt(a.funding) > 0n) await ensureAllowance(BigInt(a.funding));
            await perform(a.kind, a.milestone, params, `Agree: ${describe(a)}`);
          } catch (error) {
            Jiedan.status(Jiedan.walletError(error), true);
            agree.disabled = false;
          }
        });
        item.append(agree);
      }
      return item;
    }));
  }

  async function render() {
    if (!Jiedan.account) return;
    const [job, actions] = await Promise.all([
      Jiedan.api(`/api/jobs/${jobId}`),
      Jiedan.api(`/api/jobs/${jobId}/actions?address=${Jiedan.account}`),
    ]);
    document.querySelectorAll("[data-milestone-actions]").forEach((cell) => cell.replaceChildren());
    const jobBox = document.getElementById("job-actions");
    jobBox.replaceChildren();
    for (const { action, milestone } of actions) {
      if (milestone === null) jobBox.append(jobControls(action, job));
      else document.querySelector(`[data-milestone-actions="${milestone}"]`).append(milestoneControls(action, milestone, job));
    }
    jobState = job;
    await showSettlement(job);
    await showAmendments(job);
  }

  async function signSettlement() {
    const bps = Math.round(Number(document.getElementById("settle-percent").value) * 100);
    // The payload carries the job's nonce and an expiry: the other party's, if they signed this split already.
    const typed = await Jiedan.api(`/api/jobs/${jobId}/settlement?freelancer_bps=${bps}`);
    const signature = await Jiedan.signTyped(typed, "Sign the settlement");
    const expiry = Number(typed.message.expiry);
    await Jiedan.api(`/api/jobs/${jobId}/settlement-signatures`, { signer: Jiedan.account, freelancer_bps: bps, expiry, signature });
    Jiedan.status(`You signed a ${bps / 100}% split; the other party signs the same split, then either sends it.`);
    await render();
  }

  if (section.dataset.indexed !== "yes") {
    const timer = setInterval(async () => {
      const response = await fetch(`/api/jobs/${jobId}`);
      if (response.ok) {
        clearInterval(timer);
        window.location.reload(); // first sight of the job: render it from the server
      }
    }, 500);
    return;
  }

  const done = sessionStorage.getItem(DONE_KEY);
  if (done) {
    sessionStorage.removeItem(DONE_KEY);
    Jiedan.status(done);
  }
  document.addEventListener("jiedan:connected", () => render().catch((e) => Jiedan.status(Jiedan.walletError(e), true)));
  if (Jiedan.account) render();
  document.getElementById("settle-percent").addEventListener("input", () => render());
  document.getElementById("settle-sign").addEventListener("click", () =>
    signSettlement().catch((error) => Jiedan.status(Jiedan.walletError(error), true)));
  document.getElementById("settle-submit").addEventListener("click", async () => {
    const bps = Math.round(Number(document.getElementById("settle-percent").value) * 100);
    try {
      await perform("settle", null, { freelancer_bps: bps }, "Send the settlement");
    } catch (error) {
      Jiedan.status(Jiedan.walletError(error), true);
    }
  });
})();
