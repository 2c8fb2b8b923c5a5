// The wallet bridge: connect through EIP-1193 (window.ethereum), send the transactions
// the backend builds, and report progress in #status. No keys ever reach the server.
"use strict";

const Jiedan = (() => {
  const body = document.body.dataset;
  const expectedChainId = Number(body.chainId);
  let account = null;

  function status(text, isError = false) {
    const el = document.getElementById("status");
    el.textContent = text;
    el.classList.toggle("error", isError);
  }

  function sameAddress(a, b) {
    return Boolean(a && b) && a.toLowerCase() === b.toLowerCase();
  }

  function walletError(error) {
    if (error && error.code === 4001) return "You rejected the request in your wallet.";
    if (error && error.problem) return error.problem.detail || error.problem.title;
    const message = (error && error.message) || String(error);
    const revert = /execution reverted:?\s*(.*)/i.exec(message);
    if (revert) return `The chain refused the transaction: ${revert[1] || "no reason given"}.`;
    return message;
  }

  async function connect() {
    if (!window.ethereum) {
      status("No wallet found: this page needs a browser wallet (EIP-1193).", true);
      return null;
    }
    try {
      const accounts = await window.ethereum.request({ method: "eth_requestAccounts" });
      const chainId = parseInt(await window.ethereum.request({ method: "eth_chainId" }), 16);
      if (chainId !== expectedChainId) {
        status(`Your wallet is on chain ${chainId}; switch it to chain ${expectedChainId}.`, true);
        return null;
      }
      account = accounts[0];
      document.getElementById("account").textContent = account;
      // 12500000n with 6 decimals → "12.5"
  function formatUnits(amount, decimals) {
    const base = 10n ** BigInt(decimals);
    const whole = BigInt(amount) / base;
    const fraction = (BigInt(amount) % base).toString().padStart(decimals, "0").replace(/0+$/, "");
    return whole.toLocaleString("en-US") + (fraction ? `.${fraction}` : "");
  }

  document.getElementById("connect").hidden = true;
      document.dispatchEvent(new CustomEvent("jiedan:connected", { detail: account }));
      return account;
    } catch (error) {
      status(walletError(error), true);
      return null;
    }
  }

  async function api(path, payload) {
    const response = await fetch(path, {
      method: payload === undefined ? "GET" : "POST",
      headers: { "Content-Type": "application/json", Accept: "application/json" },
      body: payload === undefined ? undefined : JSON.stringify(payload),
    });
    const data = await response.json();
    if (!response.ok) {
      const error = new Error(data.detail || data.title || `HTTP ${response.status}`);
      error.problem = data;
      error.status = response.status;
      throw error;
    }
    return data;
  }

  const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

  async function send(tx, label) {
    status(`${label}: confirm in your wallet…`);
    const hash = await window.ethereum.request({
      method: "eth_sendTransaction",
      params: [{ from: tx.from, to: tx.to, data: tx.data, value: tx.value }],
    });
    status(`${label}: pending (${hash})…`);
    for (;;) {
      const receipt = await window.ethereum.request({ method: "eth_getTransactionReceipt", params: [hash] });
      if (receipt) {
        if (receipt.status !== "0x1") throw new Error(`${label}: the transaction reverted (${hash})`);
        status(`${label}: confirmed in block ${parseInt(receipt.blockNumber, 16)}.`);
        return receipt;
      }
      await sleep(400);
    }
  }

  // "12.5" in a token with `decimals` decimals → "12500000" (exact, no floating point).
  function toUnits(text, decimals) {
    const match = /^\s*(\d+)(?:\.(\d+))?\s*$/.exec(text);
    if (!match) throw new Error(`"${text.trim()}" is not an amount`);
    const fraction = (match[2] || "").padEnd(decimals, "0");
    if (fraction.length > decimals) throw new Error(`"${text.trim()}" has more than ${decimals} decimals`);
    return (BigInt(match[1]) * 10n ** BigInt(decimals) + BigInt(fraction || "0")).toString();
  }

  // 12500000n with 6 decimals → "12.5"
  function formatUnits(amount, decimals) {
    const base = 10n ** BigInt(decimals);
    const whole = BigInt(amount) / base;
    const fraction = (BigInt(amount) % base).toString().padStart(decimals, "0").replace(/0+$/, "");
    return whole.toLocaleString("en-US") + (fraction ? `.${fraction}` : "");
  }

  document.getElementById("connect").addEventListener("click", connect);
  if (window.ethereum) {
    window.ethereum.request({ method: "eth_accounts" }).then((accounts) => {
      if (accounts && accounts.length) connect();
    });
  }

  return { connect, api, send, status, sameAddress, walletError, toUnits, formatUnits, sleep, get account() { return account; } };
})();
